// A server's volume in memory and Wings' files routes on it
// (router/router_server_files.go, router_download.go, router_upload.go):
// Stat bodies as Go encodes them, directories first then by name, no cap on
// a listing, Wings' status codes and messages, and the signed token routes
// with single-use unique_ids. Archives made by `compress` are gzipped JSON
// of the files (the simulator unpacks only what it packed).
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

const NOT_FOUND = "The requested resource was not found on the system.";

function dir(mode = 0o755) {
  return { type: "dir", children: new Map(), mode, modified: new Date(), created: new Date() };
}
function file(data, mode = 0o644) {
  return { type: "file", data, mode, modified: new Date(), created: new Date() };
}

/** Wings' path cleaning: relative to the root, `..` cannot leave it. */
function segments(path) {
  const out = [];
  for (const p of String(path ?? "").split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return out;
}

function modeString(node) {
  const bits = node.mode & 0o777;
  const rwx = (n) => `${n & 4 ? "r" : "-"}${n & 2 ? "w" : "-"}${n & 1 ? "x" : "-"}`;
  return `${node.type === "dir" ? "d" : "-"}${rwx(bits >> 6)}${rwx(bits >> 3)}${rwx(bits)}`;
}

function mime(name, node) {
  if (node.type === "dir") return "inode/directory";
  if (/\.(txt|log|properties|yml|yaml|cfg|conf|toml|ini|md)$/i.test(name)) return "text/plain; charset=utf-8";
  if (/\.json$/i.test(name)) return "application/json";
  if (/\.(gz|tgz)$/i.test(name)) return "application/gzip";
  return node.data?.length ? "application/octet-stream" : "inode/x-empty";
}

/** A Stat (server/filesystem/stat.go MarshalJSON). */
function stat(name, node) {
  return {
    name,
    created: node.created.toISOString(),
    modified: node.modified.toISOString(),
    mode: modeString(node),
    mode_bits: (node.mode & 0o777).toString(8),
    size: node.type === "dir" ? 4096 : node.data.length,
    directory: node.type === "dir",
    file: node.type === "file",
    symlink: false,
    mime: mime(name, node),
  };
}

function byDirFirst([a, x], [b, y]) {
  if (x.type !== y.type) return x.type === "dir" ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One server's volume. */
export class Volume {
  constructor() {
    this.root = dir();
  }

  lookup(path) {
    let node = this.root;
    for (const s of segments(path)) {
      if (node.type !== "dir") return null;
      node = node.children.get(s);
      if (!node) return null;
    }
    return node;
  }

  /** The parent directory of `path` (created when `create`) and the last name. */
  parent(path, create = false) {
    const parts = segments(path);
    const name = parts.pop();
    let node = this.root;
    for (const s of parts) {
      let next = node.children.get(s);
      if (!next) {
        if (!create) return [null, name];
        next = dir();
        node.children.set(s, next);
      }
      if (next.type !== "dir") return [null, name];
      node = next;
    }
    return [node, name];
  }

  write(path, data) {
    const [p, name] = this.parent(path, true);
    if (!p || !name) return false;
    const existing = p.children.get(name);
    if (existing?.type === "dir") return false;
    p.children.set(name, file(Buffer.from(data), existing?.mode));
    p.modified = new Date();
    return true;
  }

  read(path) {
    const n = this.lookup(path);
    return n?.type === "file" ? n.data : null;
  }

  /** Every file below `path` as [relative path, node]. */
  *walk(node, prefix = "") {
    for (const [name, child] of [...node.children].sort(byDirFirst)) {
      const rel = prefix ? `${prefix}/${name}` : name;
      yield [rel, child];
      if (child.type === "dir") yield* this.walk(child, rel);
    }
  }
}

function deepCopy(node) {
  if (node.type === "file") return file(Buffer.from(node.data), node.mode);
  const d = dir(node.mode);
  for (const [k, v] of node.children) d.children.set(k, deepCopy(v));
  return d;
}

/** Wings' copy name: "name copy.ext", then "name copy 1.ext", … */
function copyName(parent, name) {
  const dot = name.lastIndexOf(".");
  const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let candidate = `${base} copy${ext}`;
  for (let i = 1; parent.children.has(candidate); i++) candidate = `${base} copy ${i}${ext}`;
  return candidate;
}

/** The files routes, for router.mjs's table. `bind(spec)` decodes a Go-typed body. */
export function fileRoutes(wings, bind, T) {
  const vol = (s) => {
    s.volume ??= new Volume();
    return s.volume;
  };
  const base = "/api/servers/:server/files";
  const Rename = T.struct("renameRequest", { root: T.string, files: T.slice(T.struct("rename", { from: T.string, to: T.string })) });
  const Files = T.struct("filesRequest", { root: T.string, files: T.slice(T.string) });
  const Copy = T.struct("copyRequest", { location: T.string });
  const Mkdir = T.struct("mkdirRequest", { name: T.string, path: T.string });
  const Compress = T.struct("compressRequest", { root: T.string, files: T.slice(T.string), name: T.string, extension: T.string });
  const Decompress = T.struct("decompressRequest", { root: T.string, file: T.string });
  const Chmod = T.struct("chmodRequest", { root: T.string, files: T.slice(T.struct("chmodFile", { file: T.string, mode: T.string })) });
  const Pull = T.struct("downloadFileRequest", { url: T.string, root: T.string, file_name: T.string, use_header: T.bool, foreground: T.bool });

  return [
    ["GET", `${base}/list-directory`, (req, reply, s) => {
      const n = vol(s).lookup(req.query.get("directory") ?? "/");
      if (!n) return reply.json(404, { error: NOT_FOUND });
      if (n.type !== "dir") return reply.json(400, { error: "Cannot perform that action: file is not a directory." });
      reply.json(200, [...n.children].sort(byDirFirst).map(([name, c]) => stat(name, c)));
    }],
    ["GET", `${base}/contents`, (req, reply, s) => {
      const path = req.query.get("file") ?? "";
      const n = vol(s).lookup(path);
      if (!n) return reply.json(404, { error: NOT_FOUND });
      if (n.type === "dir") return reply.json(400, { error: "Cannot perform this action on a directory." });
      const name = segments(path).pop() ?? "";
      const headers = { "X-Mime-Type": mime(name, n), "Content-Length": n.data.length };
      if (req.query.has("download")) {
        headers["Content-Disposition"] = `attachment; filename=${encodeURIComponent(name)}`;
        headers["Content-Type"] = "application/octet-stream";
      }
      reply.res.writeHead(200, headers);
      reply.res.end(n.data);
      reply.sent = { status: 200, body: "" };
    }],
    ["POST", `${base}/write`, (req, reply, s) => {
      const path = req.query.get("file") ?? "";
      if (req.headers["content-length"] === undefined) return reply.json(400, { error: "Missing Content-Length header." });
      if (segments(path).length === 0) return reply.json(400, { error: "Cannot perform this action on a directory." });
      if (!vol(s).write(path, req.body)) return reply.json(400, { error: "Cannot perform this action on a directory." });
      reply.status(204);
    }],
    ["PUT", `${base}/rename`, (req, reply, s) => {
      const body = bind(Rename, req, reply, `PUT ${base}/rename`);
      if (!body) return;
      if (!body.files?.length) return reply.json(422, { error: "No files to move or rename were provided." });
      const v = vol(s);
      for (const f of body.files) {
        const [fromParent, fromName] = v.parent(`${body.root}/${f.from}`);
        const node = fromParent?.children.get(fromName);
        if (!node) return reply.json(404, { error: NOT_FOUND });
        const [toParent, toName] = v.parent(`${body.root}/${f.to}`, true);
        if (!toParent || !toName) return reply.json(400, { error: "Cannot move or rename file, destination is not valid." });
        if (toParent.children.has(toName)) return reply.json(400, { error: "Cannot move or rename file, destination already exists." });
        fromParent.children.delete(fromName);
        toParent.children.set(toName, node);
      }
      reply.status(204);
    }],
    ["POST", `${base}/copy`, (req, reply, s) => {
      const body = bind(Copy, req, reply, `POST ${base}/copy`);
      if (!body) return;
      const [p, name] = vol(s).parent(body.location);
      const node = p?.children.get(name);
      if (!node) return reply.json(404, { error: NOT_FOUND });
      if (node.type === "dir") return reply.json(400, { error: "Cannot perform this action on a directory." });
      p.children.set(copyName(p, name), deepCopy(node));
      reply.status(204);
    }],
    ["POST", `${base}/delete`, (req, reply, s) => {
      const body = bind(Files, req, reply, `POST ${base}/delete`);
      if (!body) return;
      if (!body.files?.length) return reply.json(422, { error: "No files were specified for deletion." });
      for (const f of body.files) {
        const [p, name] = vol(s).parent(`${body.root}/${f}`);
        if (p && name) p.children.delete(name);
      }
      reply.status(204);
    }],
    ["POST", `${base}/create-directory`, (req, reply, s) => {
      const body = bind(Mkdir, req, reply, `POST ${base}/create-directory`);
      if (!body) return;
      const v = vol(s);
      const [p, name] = v.parent(`${body.path}/${body.name}`, true);
      if (!p || !name) return reply.json(400, { error: "Cannot perform this action on a file." });
      if (p.children.get(name)?.type === "file") return reply.json(400, { error: "Cannot create a directory where a file exists." });
      if (!p.children.has(name)) p.children.set(name, dir());
      reply.status(204);
    }],
    ["POST", `${base}/compress`, (req, reply, s) => {
      const body = bind(Compress, req, reply, `POST ${base}/compress`);
      if (!body) return;
      if (!body.files?.length) return reply.json(422, { error: "No files were passed through to be compressed." });
      const v = vol(s);
      const packed = {};
      for (const f of body.files) {
        const n = v.lookup(`${body.root}/${f}`);
        if (!n) return reply.json(404, { error: NOT_FOUND });
        if (n.type === "file") packed[f] = n.data.toString("base64");
        else for (const [rel, c] of v.walk(n, f)) if (c.type === "file") packed[rel] = c.data.toString("base64");
      }
      const ext = body.extension || "tar.gz";
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
      const name = `${body.name || `archive-${stamp}`}.${ext}`;
      const [p] = v.parent(`${body.root}/${name}`, true);
      const node = file(gzipSync(JSON.stringify(packed)));
      p.children.set(name, node);
      reply.json(200, stat(name, node));
    }],
    ["POST", `${base}/decompress`, (req, reply, s) => {
      const body = bind(Decompress, req, reply, `POST ${base}/decompress`);
      if (!body) return;
      const v = vol(s);
      const data = v.read(`${body.root}/${body.file}`);
      if (!data) return reply.json(404, { error: NOT_FOUND });
      let packed;
      try {
        packed = JSON.parse(gunzipSync(data).toString("utf8"));
      } catch {
        return reply.json(400, { error: "The requested archive is not in a supported format." });
      }
      for (const [rel, b64] of Object.entries(packed)) v.write(`${body.root}/${rel}`, Buffer.from(b64, "base64"));
      reply.status(204);
    }],
    ["POST", `${base}/chmod`, (req, reply, s) => {
      const body = bind(Chmod, req, reply, `POST ${base}/chmod`);
      if (!body) return;
      if (!body.files?.length) return reply.json(422, { error: "No files to chmod were provided." });
      for (const f of body.files) {
        if (!/^[0-7]{1,4}$/.test(f.mode)) return reply.json(400, { error: "Invalid file mode." });
        const n = vol(s).lookup(`${body.root}/${f.file}`);
        if (!n) return reply.json(404, { error: NOT_FOUND });
        n.mode = Number.parseInt(f.mode, 8);
      }
      reply.status(204);
    }],
    ["GET", `${base}/search`, (req, reply, s) => {
      const pattern = req.query.get("pattern") ?? "";
      if (pattern.length < 3) return reply.json(400, { error: "Search pattern must be at least 3 characters long." });
      const v = vol(s);
      const n = v.lookup(req.query.get("directory") ?? "/");
      if (!n || n.type !== "dir") return reply.json(404, { error: NOT_FOUND });
      const needle = pattern.toLowerCase();
      const found = [];
      for (const [rel, c] of v.walk(n)) {
        if (rel.split("/").pop().toLowerCase().includes(needle)) found.push(stat(rel, c));
      }
      reply.json(200, found);
    }],
    ["POST", `${base}/pull`, (req, reply, s) => {
      const body = bind(Pull, req, reply, `POST ${base}/pull`);
      if (!body) return;
      s.pulls ??= new Map();
      if (s.pulls.size >= 3) return reply.json(400, { error: "This server has reached its limit of 3 simultaneous remote file downloads." });
      let url;
      try {
        url = new URL(body.url);
      } catch {
        return reply.json(400, { error: "The URL provided is not valid." });
      }
      const identifier = randomUUID();
      s.pulls.set(identifier, { url: body.url });
      wings.background(
        (async () => {
          try {
            const r = await fetch(url);
            const name = body.file_name || url.pathname.split("/").pop() || "download";
            vol(s).write(`${body.root}/${name}`, Buffer.from(await r.arrayBuffer()));
          } catch (error) {
            wings.log("pull failed", { server: s.id, error: error.message });
          } finally {
            s.pulls.delete(identifier);
          }
        })(),
      );
      reply.json(202, { identifier });
    }],
  ];
}

/** The token routes Wings serves without a bearer: `/download/file`, `/upload/file`. */
export async function tokenRoute(wings, req, reply, path) {
  wings.usedTokens ??= new Set();
  const scope = path === "/download/file" ? "file-download" : path === "/upload/file" ? "file-upload" : null;
  if (!scope) return false;
  if ((scope === "file-download" && req.method !== "GET") || (scope === "file-upload" && req.method !== "POST")) return false;
  let claims;
  try {
    claims = wings.tokens.signedUrl(req.query.get("token") ?? "", scope, wings.usedTokens);
  } catch (error) {
    reply.json(403, { error: error.message });
    return true;
  }
  const s = wings.servers.get(claims.server_uuid);
  if (!s) {
    reply.json(404, { error: "The requested resource does not exist on this instance." });
    return true;
  }
  s.volume ??= new Volume();
  if (scope === "file-download") {
    const data = s.volume.read(claims.file_path);
    if (!data) {
      reply.json(404, { error: NOT_FOUND });
      return true;
    }
    const name = segments(claims.file_path).pop();
    reply.res.writeHead(200, {
      "Content-Disposition": `attachment; filename=${encodeURIComponent(name)}`,
      "Content-Type": "application/octet-stream",
      "Content-Length": data.length,
    });
    reply.res.end(data);
    reply.sent = { status: 200, body: "" };
    return true;
  }
  const limit = (wings.disk?.api?.upload_limit || 100) * 1024 * 1024;
  if (req.body.length > limit) {
    reply.json(400, { error: "The uploaded file exceeds the node's upload limit." });
    return true;
  }
  let form;
  try {
    form = await new Request("http://wings/upload", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: req.body }).formData();
  } catch {
    reply.json(400, { error: "Failed to get multipart form data from request." });
    return true;
  }
  const files = form.getAll("files").filter((f) => typeof f !== "string");
  if (files.length === 0) {
    reply.json(400, { error: "No files were found on the request body." });
    return true;
  }
  const directory = req.query.get("directory") ?? "/";
  for (const f of files) s.volume.write(`${directory}/${f.name}`, Buffer.from(await f.arrayBuffer()));
  reply.status(200);
  return true;
}
