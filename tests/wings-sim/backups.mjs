// Wings' backup routes (router/router_server_backup.go, router_download.go,
// server/backup.go, server/backup/backup_local.go, backup_s3.go):
// POST /api/servers/:server/backup {adapter, uuid, ignore} -> 202 and the
// backup taken in the background; the `wings` adapter keeps the archive on
// the node, the `s3` adapter asks the panel for part URLs
// (GET /api/remote/backups/{uuid}?size=N), PUTs the parts one after another
// (Content-Type application/x-gzip, HTTP 200 needed, ETag kept exactly) and
// reports them; both report to POST /api/remote/backups/{uuid} and publish
// `backup completed`. Restore (truncating or not) from the node's archive or
// from an S3 download_url, reported to /restore; delete; and the single-use
// `/download/backup?token=` route.
//
// An archive is gzipped JSON of the volume's files (as files.mjs packs them).
//
// Wings refuses an S3 download_url that is not http(s) to a public address.
// Tests run their S3 server on loopback, so `backupDownloadAllowlist` (test
// only) names the hosts allowed anyway; everything else private is refused.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { Volume } from "./files.mjs";
import { decodeNode } from "./gotype.mjs";

/** Lowercase canonical UUID: how Wings' backup routes want `{backup}`. */
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The volume as an archive (transfer.mjs sends it too). */
export function packVolume(s) {
  s.volume ??= new Volume();
  const packed = {};
  for (const [rel, node] of s.volume.walk(s.volume.root)) if (node.type === "file") packed[rel] = node.data.toString("base64");
  return gzipSync(JSON.stringify(packed));
}

/** An archive back into the volume. */
export function unpackInto(s, archive, truncate) {
  const packed = JSON.parse(gunzipSync(archive).toString("utf8"));
  if (truncate) s.volume = new Volume();
  s.volume ??= new Volume();
  for (const [rel, b64] of Object.entries(packed)) s.volume.write(`/${rel}`, Buffer.from(b64, "base64"));
}

/** Whether `host` is loopback, private, link-local or otherwise not public. */
function privateHost(host) {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) return h === "::1" || h === "::" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80");
  return false;
}

export function backupRoutes(wings, bind, T) {
  const Take = T.struct("router.postServerBackup", { adapter: T.string, uuid: T.string, ignore: T.string });
  const UploadUrls = T.struct("remote.BackupRemoteUploadResponse", { parts: T.slice(T.string), part_size: T.int64 });
  const Restore = T.struct("router.postServerRestoreBackup", { adapter: T.string, truncate_directory: T.bool, download_url: T.string });
  /** backup uuid -> { server, adapter, archive (wings), checksum, size }. */
  wings.backups ??= new Map();
  wings.backupReports ??= [];

  async function report(uuid, body) {
    wings.backupReports.push({ uuid, body });
    try {
      await wings.panel.post(`/backups/${uuid}`, body);
      return true;
    } catch (error) {
      wings.log("backup report refused", { backup: uuid, error: error.message });
      return false;
    }
  }

  /** server.Backup: generate, report, publish. */
  async function take(s, adapter, uuid, ignore) {
    if (wings.options.backupDelayMs) await new Promise((r) => setTimeout(r, wings.options.backupDelayMs));
    const failed = { checksum: "", checksum_type: "sha1", size: 0, successful: false, parts: null };
    let details = failed;
    let archive = null;
    try {
      if (wings.options.backupFails) throw new Error("backup failed (simulated)");
      archive = packVolume(s);
      const checksum = createHash("sha1").update(archive).digest("hex");
      if (adapter === "wings") {
        details = { checksum, checksum_type: "sha1", size: archive.length, successful: true, parts: null };
      } else {
        const { node } = await wings.panel.getJson(`/backups/${uuid}`, { size: String(archive.length) });
        const decoded = decodeNode(UploadUrls, node);
        if (decoded.errors.length) throw new Error(`remote: ${decoded.errors[0]}`);
        const urls = decoded.value.parts ?? [];
        const partSize = Number(decoded.value.part_size);
        if (urls.length === 0 || !(partSize > 0)) throw new Error("panel answered no part URLs");
        const parts = [];
        for (let i = 0; i < urls.length; i++) {
          const chunk = archive.subarray(i * partSize, Math.min((i + 1) * partSize, archive.length));
          const r = await fetch(urls[i], { method: "PUT", headers: { "Content-Type": "application/x-gzip", "Content-Length": String(chunk.length) }, body: chunk });
          await r.arrayBuffer();
          if (r.status !== 200) throw new Error(`failed to put S3 object part: ${r.status}`);
          parts.push({ etag: r.headers.get("etag"), part_number: i + 1 });
        }
        if (parts.length * partSize < archive.length) throw new Error("the part URLs do not cover the archive");
        details = { checksum, checksum_type: "sha1", size: archive.length, successful: true, parts };
        archive = null; // Wings removes its temporary archive once uploaded.
      }
    } catch (error) {
      wings.log("backup failed", { backup: uuid, error: error.message });
      details = failed;
      archive = null;
    }
    if (details.successful) wings.backups.set(uuid, { server: s.id, adapter, archive, checksum: details.checksum, size: details.size, ignore });
    const accepted = await report(uuid, details);
    if (wings.options.backupReportTwice) await report(uuid, details);
    // A non-2xx to a success report makes Wings delete the archive.
    if (details.successful && !accepted) wings.backups.delete(uuid);
    wings.publish(s, {
      event: "backup completed",
      args: [JSON.stringify({ uuid, is_successful: details.successful && accepted, checksum: details.checksum, checksum_type: "sha1", file_size: details.size })],
    });
  }

  async function restore(s, backup, adapter, truncate, downloadUrl) {
    let ok = false;
    try {
      let archive;
      if (adapter === "wings") {
        archive = wings.backups.get(backup)?.archive;
        if (!archive) throw new Error("backup not found on this node");
      } else {
        const r = await fetch(downloadUrl);
        const type = r.headers.get("content-type") ?? "";
        archive = Buffer.from(await r.arrayBuffer());
        if (r.status !== 200) throw new Error(`download_url answered ${r.status}`);
        if (!/gzip/.test(type) || archive[0] !== 0x1f || archive[1] !== 0x8b) throw new Error(`download_url is not gzip (${type})`);
      }
      unpackInto(s, archive, truncate);
      ok = true;
    } catch (error) {
      wings.log("restore failed", { backup, error: error.message });
    }
    s.restoring = false;
    await wings.panel.post(`/backups/${backup}/restore`, { successful: ok }).catch((error) => wings.log("restore report refused", { backup, error: error.message }));
    wings.publish(s, { event: "backup restore completed" });
  }

  return [
    ["POST", "/api/servers/:server/backup", async (req, reply, s) => {
      const body = bind(Take, req, reply, `POST /api/servers/${s.id}/backup`);
      if (!body) return;
      if (!CANONICAL.test(body.uuid)) {
        wings.problem(`POST /api/servers/${s.id}/backup`, `backup uuid ${JSON.stringify(body.uuid)} is not a lowercase canonical UUID`);
        return reply.json(400, { error: "The backup uuid is not valid." });
      }
      if (body.adapter !== "wings" && body.adapter !== "s3") {
        wings.problem(`POST /api/servers/${s.id}/backup`, `adapter ${JSON.stringify(body.adapter)} is not wings or s3`);
        return reply.fail();
      }
      if (wings.options.backupRefuses) return reply.json(500, { error: wings.options.backupRefuses });
      const job = take(s, body.adapter, body.uuid, body.ignore);
      // Out of order on purpose: the report reaches the panel before this answer.
      if (wings.options.backupReportBeforeAnswer) await job;
      else wings.background(job);
      reply.status(202);
    }],
    ["POST", "/api/servers/:server/backup/:backup/restore", (req, reply, s) => {
      const where = `POST /api/servers/${s.id}/backup/restore`;
      if (!CANONICAL.test(req.params.backup)) return reply.json(400, { error: "The backup uuid is not valid." });
      const body = bind(Restore, req, reply, where);
      if (!body) return;
      if (s.powerLock > 0) return reply.json(409, { error: "Cannot restore a backup while a power action is running." });
      if (body.adapter === "wings") {
        const b = wings.backups.get(req.params.backup);
        if (!b || b.server !== s.id || !b.archive) return reply.json(404, { error: "The requested backup was not found on this server." });
      } else if (body.adapter === "s3") {
        let url;
        try {
          url = new URL(body.download_url);
        } catch {
          return reply.json(400, { error: "The provided backup link is not a valid URL." });
        }
        const allow = wings.options.backupDownloadAllowlist ?? [];
        if (!["http:", "https:"].includes(url.protocol) || (privateHost(url.hostname) && !allow.includes(url.hostname))) {
          wings.problem(where, `download_url ${url.origin} is not a public http(s) address`);
          return reply.json(400, { error: "The provided backup link is not a public http(s) address." });
        }
      } else {
        return reply.json(400, { error: "The provided adapter is not valid." });
      }
      s.restoring = true;
      wings.background(restore(s, req.params.backup, body.adapter, body.truncate_directory, body.download_url));
      reply.status(202);
    }],
    ["DELETE", "/api/servers/:server/backup/:backup", (req, reply, s) => {
      if (!CANONICAL.test(req.params.backup)) return reply.json(400, { error: "The backup uuid is not valid." });
      const b = wings.backups.get(req.params.backup);
      if (!b || b.server !== s.id || !b.archive) return reply.json(404, { error: "The requested backup was not found on this server." });
      wings.backups.delete(req.params.backup);
      reply.status(204);
    }],
  ];
}

/** `GET /download/backup?token=` (no bearer): the archive, once per token. */
export function backupDownload(wings, req, reply) {
  wings.usedTokens ??= new Set();
  let claims;
  try {
    claims = wings.tokens.signedUrl(req.query.get("token") ?? "", "backup-download", wings.usedTokens);
  } catch (error) {
    reply.json(403, { error: error.message });
    return;
  }
  const s = wings.servers.get(claims.server_uuid);
  const b = wings.backups?.get(claims.backup_uuid ?? "");
  if (!s || !b || b.server !== s.id || !b.archive) {
    reply.json(404, { error: "The requested resource was not found on this server." });
    return;
  }
  reply.res.writeHead(200, {
    "Content-Disposition": `attachment; filename=${claims.backup_uuid}.tar.gz`,
    "Content-Type": "application/octet-stream",
    "Content-Length": b.archive.length,
  });
  reply.res.end(b.archive);
  reply.sent = { status: 200, body: "" };
}

