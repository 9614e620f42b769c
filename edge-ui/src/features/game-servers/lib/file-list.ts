import type { FileStat } from "@/api/generated/FileStat";

export type SortKey = "name" | "size" | "modified";
export type SortDirection = "asc" | "desc";
export type FileSort = { key: SortKey; direction: SortDirection };

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compare(a: FileStat, b: FileStat, key: SortKey): number {
  switch (key) {
    case "size":
      return a.size - b.size;
    case "modified":
      return Date.parse(a.modified) - Date.parse(b.modified);
    case "name":
      return 0;
  }
}

/**
 * Directories first, then files, each ordered by `sort` (ties by name, in
 * natural order: "file2" before "file10"). Returns a new array.
 */
export function sortEntries(entries: readonly FileStat[], sort: FileSort): FileStat[] {
  const sign = sort.direction === "asc" ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (a.directory !== b.directory) return a.directory ? -1 : 1;
    const primary = compare(a, b, sort.key) * sign;
    if (primary !== 0) return primary;
    return collator.compare(a.name, b.name) * (sort.key === "name" ? sign : 1);
  });
}

/** Entries whose name contains `query`, case-insensitive; everything for a blank query. */
export function filterEntries(entries: readonly FileStat[], query: string): readonly FileStat[] {
  const needle = query.trim().toLowerCase();
  if (needle === "") return entries;
  return entries.filter((e) => e.name.toLowerCase().includes(needle));
}

/** The next sort after clicking a column's header: the same column flips, a new one starts ascending. */
export function nextSort(current: FileSort, key: SortKey): FileSort {
  if (current.key === key) return { key, direction: current.direction === "asc" ? "desc" : "asc" };
  return { key, direction: "asc" };
}

/** Files the editor opens as text (the API serves up to 1 MiB of contents). */
export const EDITABLE_LIMIT_BYTES = 1024 * 1024;

const TEXT_MIME = /^(text\/|application\/(json|xml|x-yaml|yaml|javascript|x-sh|toml|x-httpd-php)|inode\/x-empty)/;

/** Whether a file can be opened in the editor. */
export function isEditable(entry: FileStat): boolean {
  if (!entry.file || entry.size > EDITABLE_LIMIT_BYTES) return false;
  return TEXT_MIME.test(entry.mime) || languageFor(entry.name) !== "plain";
}

/** Archives Wings can unpack. */
export function isArchive(name: string): boolean {
  return /\.(zip|tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|gz|bz2|xz|rar|7z)$/i.test(name);
}

export type Language =
  | "json"
  | "yaml"
  | "javascript"
  | "typescript"
  | "xml"
  | "html"
  | "css"
  | "python"
  | "markdown"
  | "properties"
  | "shell"
  | "toml"
  | "lua"
  | "plain";

const BY_EXTENSION: Record<string, Language> = {
  json: "json",
  json5: "json",
  mcmeta: "json",
  yml: "yaml",
  yaml: "yaml",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  ts: "typescript",
  xml: "xml",
  html: "html",
  htm: "html",
  css: "css",
  py: "python",
  md: "markdown",
  properties: "properties",
  cfg: "properties",
  conf: "properties",
  ini: "properties",
  env: "properties",
  sh: "shell",
  bash: "shell",
  toml: "toml",
  lua: "lua",
  txt: "plain",
  log: "plain",
};

/** The editor's syntax for a file name. */
export function languageFor(name: string): Language {
  const lower = name.toLowerCase();
  if (lower === ".env" || lower.endsWith(".env")) return "properties";
  const dot = lower.lastIndexOf(".");
  if (dot < 0) return "plain";
  return BY_EXTENSION[lower.slice(dot + 1)] ?? "plain";
}
