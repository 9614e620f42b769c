// config.yml as Wings reads it (config.FromFile: gopkg.in/yaml.v2 into
// config.Configuration): YAML 1.1, exact keys, unknown keys ignored, a
// quoted "8080" refused for an int, any scalar accepted for a string. And the
// simulator's options taken from such a configuration, as `wings` would run
// with it.
import YAML from "yaml";
import { decodeNode } from "./gotype.mjs";
import { fromPlain, GoNumber } from "./json.mjs";
import { ConfigYaml } from "./types.mjs";

/** yaml.v2 puts a scalar's text into a string field whatever its type. */
function scalarsForStrings(spec, node) {
  if (spec.kind === "string" && (node instanceof GoNumber || typeof node === "boolean")) return String(node instanceof GoNumber ? node.raw : node);
  if (spec.kind === "struct" && node instanceof Map) {
    return new Map([...node].map(([k, v]) => [k, Object.hasOwn(spec.fields, k) ? scalarsForStrings(spec.fields[k], v) : v]));
  }
  if ((spec.kind === "slice" || spec.kind === "ptr") && Array.isArray(node)) return node.map((v) => scalarsForStrings(spec.elem, v));
  if (spec.kind === "ptr") return scalarsForStrings(spec.elem, node);
  if (spec.kind === "map" && node instanceof Map) return new Map([...node].map(([k, v]) => [k, scalarsForStrings(spec.elem, v)]));
  return node;
}

/** Reads config.yml text: { config, errors } (errors: what makes `wings` refuse to start). */
export function readConfigYml(text) {
  let doc;
  try {
    doc = YAML.parse(text, { version: "1.1", intAsBigInt: true, uniqueKeys: false });
  } catch (error) {
    return { config: null, errors: [`yaml: ${error.message}`] };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { config: null, errors: ["yaml: the document is not a mapping"] };
  const node = scalarsForStrings(ConfigYaml, fromPlain(doc));
  const r = decodeNode(ConfigYaml, node, { exactKeys: true });
  return { config: r.value, errors: r.errors.map((e) => e.replace(/^json: /, "yaml: ")) };
}

/**
 * startWings options from a decoded configuration: the panel from `remote`,
 * the node's identity and token, its API port, the boot page size, the remote
 * timeout and the allowed origins; `extra` adds or overrides any option.
 */
export function optionsFromConfig(config, extra = {}) {
  return {
    panelUrl: config.remote,
    uuid: config.uuid,
    tokenId: config.token_id,
    token: config.token,
    port: config.api.port,
    bootServersPerPage: config.remote_query.boot_servers_per_page || 50,
    timeoutMs: (config.remote_query.timeout || 30) * 1000,
    allowedOrigins: config.allowed_origins ?? [],
    sftpKeyOnly: config.system.sftp.key_only,
    ignorePanelConfigUpdates: config.ignore_panel_config_updates,
    customHeaders: config.remote_query.custom_headers ?? {},
    ...extra,
  };
}
