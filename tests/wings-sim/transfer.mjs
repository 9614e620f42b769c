// Wings' server transfers (router/router_server_transfer.go,
// router/router_transfer.go, server/transfer/*.go, remote/servers.go
// SetTransferStatus, router/tokens/transfer.go), both sides:
//
// Source: POST /api/servers/:server/transfer binds router.serverTransferRequest
// {url string (binding required), token string (required), backups []string,
// server installer.ServerDetails}; 409 while transferring; the server is
// stopped, 202, then in the background the archive is POSTed to `url` with
// `Authorization: <token>` verbatim (the panel includes "Bearer ") as
// multipart: `archive` (archive.tar.gz), `checksum_archive` (SHA-256 hex),
// `backup_<uuid>.tar.gz` + `checksum_backup_<uuid>.tar.gz` for each listed
// backup on the node's disk (missing ones skipped), `install_logs`. A non-200
// from the destination, a network error or a cancel: the source reports
// POST /api/remote/servers/{uuid}/transfer/failure. It never reports success.
// DELETE /api/servers/:server/transfer cancels (409 when nothing is under way).
//
// Destination: POST /api/transfers (no bearer: the transfer JWT, signed with
// THIS node's token, scope `transfer`, `sub` the server uuid) fetches the
// server's configuration from the panel as this node (installer.New), reads
// the parts, checks the checksums, then reports success (or failure) to the
// panel before it answers the source (200 on success).
// DELETE /api/transfers/:server has no ServerExists middleware in Wings: it
// panics (gin's recovery: 500); a panel must not rely on it.
//
// Archives are the simulator's own (gzipped JSON of the volume, as backups.mjs
// packs them). Test knobs: transferDelayMs (the source waits before pushing,
// cancellable), transferFails ("source": the source cannot read its files;
// "destination": the destination refuses the archive).
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { packVolume, unpackInto } from "./backups.mjs";
import { isUuidV4 } from "./decode.mjs";
import { ServerDetails } from "./types.mjs";
import { SimServer } from "./server.mjs";
import { TokenVerifier } from "./jwt.mjs";

const UNEXPECTED = "An unexpected error was encountered while processing this request";
const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const sha1 = (b) => createHash("sha1").update(b).digest("hex");

function state(wings) {
  wings.transfers ??= { outgoing: new Map(), incoming: new Map(), reports: [], pushes: [], received: [] };
  return wings.transfers;
}

/** SetTransferStatus: POST /servers/{uuid}/transfer/{success|failure} with `null`; resolves to whether the panel took it. */
async function report(wings, uuid, successful) {
  const outcome = successful ? "success" : "failure";
  const entry = { uuid, outcome, accepted: false, status: null };
  state(wings).reports.push(entry);
  try {
    const r = await wings.panel.post(`/servers/${uuid}/transfer/${outcome}`, null);
    entry.status = r.status;
    entry.accepted = true;
  } catch (error) {
    entry.status = error.status ?? null;
    wings.log("failed to set transfer status", { server: uuid, status: outcome, error: error.message });
  }
  return entry.accepted;
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("context canceled"));
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new Error("context canceled"));
    });
  });
}

export function transferRoutes(wings, bind, T) {
  const Request = T.struct("router.serverTransferRequest", { url: T.string, token: T.string, backups: T.slice(T.string), server: ServerDetails });

  /** PushArchiveToTarget, then the source's failure report when it did not work. */
  async function push(s, url, token, backups, abort) {
    const record = { server: s.id, url, backups, status: null, error: null };
    state(wings).pushes.push(record);
    try {
      if (wings.options.transferDelayMs) await sleep(wings.options.transferDelayMs, abort.signal);
      if (wings.options.transferFails === "source") throw new Error("failed to get archive for transfer");
      const form = new FormData();
      const archive = packVolume(s);
      form.append("archive", new Blob([archive]), "archive.tar.gz");
      form.append("checksum_archive", sha256(archive));
      for (const uuid of backups ?? []) {
        const b = wings.backups?.get(uuid);
        if (!b || b.server !== s.id || !b.archive) continue; // Wings skips what is not on disk.
        form.append(`backup_${uuid}.tar.gz`, new Blob([b.archive]), `${uuid}.tar.gz`);
        form.append(`checksum_backup_${uuid}.tar.gz`, sha256(b.archive));
      }
      if (s.installLog !== null) form.append("install_logs", new Blob([s.installLog]), "install.log");
      const res = await fetch(url, { method: "POST", headers: { Authorization: token }, body: form, signal: abort.signal });
      record.status = res.status;
      record.answer = await res.text();
      if (res.status !== 200) throw new Error(`unexpected status code from destination: ${res.status}`);
      // DO NOT report success: only the destination does.
    } catch (error) {
      record.error = abort.signal.aborted ? "context canceled" : error.message;
      await report(wings, s.id, false);
      wings.publish(s, { event: "transfer status", args: ["failure"] });
      s.transferring = false;
    } finally {
      state(wings).outgoing.delete(s.id);
    }
  }

  return [
    [
      "POST",
      "/api/servers/:server/transfer",
      async (req, reply, s) => {
        const where = `POST /api/servers/${s.id}/transfer`;
        const body = bind(Request, req, reply, where);
        if (!body) return;
        // binding:"required" on url and token.
        if (!body.url || !body.token) {
          wings.problem(where, `url and token are required (got url ${JSON.stringify(body.url)})`);
          return reply.json(400, { error: UNEXPECTED, request_id: reply.requestId });
        }
        if (!/^https?:\/\//.test(body.url)) wings.problem(where, `url ${JSON.stringify(body.url)} is not an http(s) URL the source can POST to`);
        if (!body.token.startsWith("Bearer ")) wings.problem(where, "token is sent verbatim as Authorization: it must start with \"Bearer \" (contract section 5)");
        if (s.transferring) return reply.json(409, { error: "A transfer is already in progress for this server." });
        s.transferring = true;
        await s.stop();
        const abort = new AbortController();
        state(wings).outgoing.set(s.id, abort);
        wings.background(push(s, body.url, body.token, body.backups, abort));
        reply.status(202);
      },
    ],
    [
      "DELETE",
      "/api/servers/:server/transfer",
      (req, reply, s) => {
        const abort = state(wings).outgoing.get(s.id);
        if (!s.transferring || !abort) return reply.json(409, { error: "Server is not currently being transferred." });
        abort.abort();
        reply.status(202);
      },
    ],
  ];
}

/** DELETE /api/transfers/:server (protected, but without ServerExists: Wings panics). */
export function deleteIncoming(wings, req, reply, path) {
  wings.problem(`DELETE ${path}`, "Wings' deleteTransfer has no ServerExists middleware and panics (500): a panel cannot use it");
  reply.json(500, { error: UNEXPECTED, request_id: reply.requestId });
}

/** POST /api/transfers on the destination (no bearer; the transfer JWT). */
export async function incomingTransfer(wings, req, reply) {
  const where = "POST /api/transfers";
  const auth = (req.headers.authorization ?? "").split(" ");
  if (auth.length !== 2 || auth[0] !== "Bearer") {
    wings.problem(where, `Authorization ${JSON.stringify(req.headers.authorization ?? null)} is not "Bearer <jwt>"`);
    reply.res.setHeader("WWW-Authenticate", "Bearer");
    return reply.json(401, { error: "The required authorization headers were not present in the request." });
  }
  let claims;
  try {
    claims = wings.tokens.parse(auth[1]);
  } catch (error) {
    wings.problem(where, `transfer token refused: ${error.message}`);
    return reply.json(500, { error: UNEXPECTED, request_id: reply.requestId });
  }
  if (!TokenVerifier.hasScope(claims, "transfer")) {
    wings.problem(where, `transfer token without scope "transfer" (scope ${JSON.stringify(claims.scope)})`);
    return reply.json(403, { error: "Forbidden." });
  }
  const uuid = claims.sub.toLowerCase();
  if (!isUuidV4(uuid)) {
    wings.problem(where, `sub ${JSON.stringify(claims.sub)} is not the server's uuid`);
    return reply.json(500, { error: UNEXPECTED, request_id: reply.requestId });
  }
  const received = { server: uuid, parts: [], successful: false, error: null };
  state(wings).received.push(received);
  let s;
  try {
    const out = await wings.fetchConfiguration(uuid);
    s = new SimServer(wings, out.configuration, out.processConfiguration);
  } catch (error) {
    received.error = `installer: could not get server configuration from remote API: ${error.message}`;
    return reply.json(500, { error: UNEXPECTED, request_id: reply.requestId });
  }
  s.transferring = true;
  wings.servers.set(s.id, s);
  state(wings).incoming.set(s.id, s);
  let successful = false;
  try {
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("multipart/")) throw new Error(`invalid content type "${type}", expected "multipart/form-data"`);
    const form = await new Response(req.body, { headers: { "content-type": type } }).formData();
    received.parts = [...form.keys()];
    const archiveFile = form.get("archive");
    if (!archiveFile) throw new Error("missing archive");
    const archive = Buffer.from(await archiveFile.arrayBuffer());
    if ((form.get("checksum_archive") ?? "") === "") throw new Error("archive checksum missing");
    if (sha256(archive) !== form.get("checksum_archive")) throw new Error("archive checksum mismatch");
    if (wings.options.transferFails === "destination") throw new Error("failed to extract the archive (simulated)");
    const backups = [];
    for (const [name, value] of form.entries()) {
      if (!name.startsWith("backup_")) continue;
      const file = name.slice("backup_".length);
      const data = Buffer.from(await value.arrayBuffer());
      if (sha256(data) !== form.get(`checksum_backup_${file}`)) throw new Error(`backup ${file} checksum mismatch`);
      backups.push({ uuid: file.replace(/\.tar\.gz$/, ""), data });
    }
    gunzipSync(archive);
    unpackInto(s, archive, true);
    wings.backups ??= new Map();
    for (const b of backups) wings.backups.set(b.uuid, { server: s.id, adapter: "wings", archive: b.data, checksum: sha1(b.data), size: b.data.length, ignore: "" });
    const logs = form.get("install_logs");
    if (logs) s.installLog = await logs.text();
    successful = true;
  } catch (error) {
    received.error = error.message;
  }
  // The deferred part of postTransfers: the panel first, then the answer.
  state(wings).incoming.delete(s.id);
  if (!successful) {
    wings.publish(s, { event: "transfer status", args: ["failure"] });
    wings.servers.delete(s.id);
  }
  const accepted = await report(wings, s.id, successful);
  received.successful = successful && accepted;
  if (accepted) {
    s.transferring = false;
    wings.publish(s, { event: "transfer status", args: ["success"] });
  } else if (!successful) {
    s.volume = undefined; // Wings deletes the extracted files when the panel refused a failure report.
  }
  if (successful) reply.status(200);
  else reply.json(500, { error: UNEXPECTED, request_id: reply.requestId });
}
