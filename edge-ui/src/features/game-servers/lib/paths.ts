/**
 * Paths inside a server's volume, always absolute from its root: "/",
 * "/world", "/plugins/Essentials". `..` and `.` are resolved here so a path
 * never climbs above the root (the API refuses `..` too).
 */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** `join("/world", "level.dat")` is "/world/level.dat". */
export function joinPath(directory: string, name: string): string {
  return normalizePath(`${directory}/${name}`);
}

/** The directory holding `path` ("/" for the root itself). */
export function parentPath(path: string): string {
  const normal = normalizePath(path);
  const cut = normal.lastIndexOf("/");
  return cut <= 0 ? "/" : normal.slice(0, cut);
}

/** The last part of `path`, "" for the root. */
export function baseName(path: string): string {
  const normal = normalizePath(path);
  return normal.slice(normal.lastIndexOf("/") + 1);
}

/** Breadcrumbs for a directory: the root, then each directory down to it. */
export function breadcrumbs(path: string): { name: string; path: string }[] {
  const crumbs = [{ name: "Home", path: "/" }];
  let current = "";
  for (const part of normalizePath(path).split("/").filter(Boolean)) {
    current = `${current}/${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}

/**
 * Where a rename or move sends an entry: a bare name stays in `directory`,
 * a path with a slash is taken from the root when it starts with "/" and
 * from `directory` otherwise. Answers null when it leaves nothing to name.
 */
export function moveTarget(directory: string, input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === "") return null;
  const target = trimmed.startsWith("/") ? normalizePath(trimmed) : joinPath(directory, trimmed);
  return target === "/" ? null : target;
}

/** `path` relative to `root` ("world/level.dat" from "/"), as the API's `{root, files}` bodies take names. */
export function relativeTo(root: string, path: string): string {
  const base = normalizePath(root);
  const full = normalizePath(path);
  if (base === "/") return full.slice(1);
  return full.startsWith(`${base}/`) ? full.slice(base.length + 1) : full.slice(1);
}

/** A name one may give a new file or folder: no slash, not "." or "..". */
export function validEntryName(name: string): string | undefined {
  const t = name.trim();
  if (t === "") return "Give it a name.";
  if (t.includes("/")) return "A name cannot contain a slash.";
  if (t === "." || t === "..") return "That name is reserved.";
  if (t.length > 255) return "A name can be at most 255 characters.";
  return undefined;
}
