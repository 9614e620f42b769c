// What Wings does with a server's configuration from the panel, as one step:
// `settings` decoded into server.Configuration, `process_configuration` into
// remote.ProcessConfiguration, and the contract's checks on the result. A
// failure is what makes Wings skip the server at boot or fail a create, sync
// or install; a problem is what Wings accepts but gets wrong (it logs, drops
// or reformats), which the simulator records so tests can require none.
import { decodeNode } from "./gotype.mjs";
import { jsonKind } from "./json.mjs";
import { Configuration, ProcessConfiguration, stopWarnings } from "./types.mjs";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** govalidator.IsUUIDv4, as installer.New checks the create request. */
export function isUuidV4(s) {
  return typeof s === "string" && UUID_V4.test(s);
}

/** A configuration Wings cannot use: `reason` is what it logs. */
export class ConfigurationError extends Error {}

/**
 * Decodes `settings` (a parsed node) and the process configuration: its raw
 * node (the boot list's json.RawMessage) or, already typed, `processDecoded`
 * (GET /servers/{uuid}, where it is a *ProcessConfiguration). Returns { configuration,
 * processConfiguration, problems } or throws ConfigurationError.
 */
export function decodeServer(settingsNode, { processNode, processDecoded, expectUuid } = {}) {
  const problems = [];
  let processConfiguration = processDecoded ?? null;
  if (processDecoded === undefined) {
    if (processNode === undefined) throw new ConfigurationError("failed to parse server configuration from API response: unexpected end of JSON input (no process_configuration)");
    const p = decodeNode(ProcessConfiguration, processNode);
    if (p.errors.length) throw new ConfigurationError(`failed to parse server configuration from API response: ${p.errors[0]}`);
    problems.push(...p.warnings);
    processConfiguration = processNode === null ? null : p.value;
  }
  if (settingsNode === undefined) throw new ConfigurationError("unexpected end of JSON input (no settings)");
  const s = decodeNode(Configuration, settingsNode);
  if (s.errors.length) throw new ConfigurationError(s.errors[0]);
  problems.push(...s.warnings);
  const c = s.value;
  if (settingsNode === null) throw new ConfigurationError("settings is null: Wings would load a server without a uuid");
  if (expectUuid !== undefined && c.uuid !== expectUuid) {
    throw new ConfigurationError(`settings.uuid is ${JSON.stringify(c.uuid)}, the request was for ${expectUuid}`);
  }
  if (!isUuidV4(c.uuid)) throw new ConfigurationError(`settings.uuid ${JSON.stringify(c.uuid)} is not a UUIDv4`);
  if (c.allocations.default === null) {
    throw new ConfigurationError("allocations.default is missing: Wings dereferences it (nil pointer) for SERVER_IP/SERVER_PORT");
  }
  for (const [k, v] of settingsNode.get("environment") instanceof Map ? settingsNode.get("environment") : []) {
    if (typeof v !== "string") problems.push(`environment.${k} is a JSON ${jsonKind(v)}, not a string: Wings formats it as ${JSON.stringify(c.environment[k] === null ? "" : formatGo(c.environment[k]))}`);
  }
  const io = c.build.io_weight;
  if (io !== 0 && (io < 10 || io > 1000)) problems.push(`build.io_weight ${io} is outside 10-1000: Docker refuses the container`);
  if (processConfiguration) problems.push(...stopWarnings(processConfiguration.stop));
  else problems.push("process_configuration is null: Wings has no startup, stop or config files for the server");
  return { configuration: c, processConfiguration, problems };
}

function formatGo(v) {
  if (typeof v === "number") return v.toFixed(6);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return v;
  return "";
}
