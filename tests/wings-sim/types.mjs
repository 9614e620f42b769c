// Wings' Go types, field for field, with their json tags (pelican-dev/wings
// 090841d: server/configuration.go, environment/settings.go,
// environment/allocations.go, remote/types.go, parser/parser.go,
// installer/installer.go, router/*.go). Custom UnmarshalJSON methods are
// re-stated as custom decoders with the same outcome: what fails in Wings
// fails here; what Wings only logs is a warning.
import { GoNumber, jsonKind } from "./json.mjs";
import { T, zero } from "./gotype.mjs";

const STOP_SIGNALS = new Set(["SIGABRT", "SIGINT", "C", "SIGTERM"]);
const PARSERS = new Set(["file", "yaml", "properties", "ini", "json", "xml", "toml"]);

// ---- settings (server.Configuration) ----

const Mount = T.struct("server.Mount", { target: T.string, source: T.string, read_only: T.bool });

const EggFields = T.struct("server.EggConfiguration", {
  id: T.string,
  file_denylist: T.slice(T.string),
  features: T.map(T.slice(T.string)),
});

/** EggConfiguration.UnmarshalJSON: any error drops `features` and is otherwise swallowed. */
const Egg = T.custom(
  "server.EggConfiguration",
  (node, ctx) => {
    const r = ctx.decode(EggFields, node);
    if (r.errors.length) {
      ctx.warn(`egg did not decode (${r.errors[0]}): Wings drops its features and keeps id ${JSON.stringify(r.value.id)}`);
      return { ...r.value, features: null };
    }
    return r.value;
  },
  () => zero(EggFields),
);

/** server.Configuration; crash_detection_enabled starts as the node's setting (true) before decoding. */
export const Configuration = T.struct(
  "server.Configuration",
  {
    id: T.int,
    uuid: T.string,
    meta: T.struct("server.ConfigurationMeta", { name: T.string, description: T.string }),
    suspended: T.bool,
    invocation: T.string,
    skip_egg_scripts: T.bool,
    environment: T.map(T.any),
    labels: T.map(T.string),
    allocations: T.struct("environment.Allocations", {
      force_outgoing_ip: T.bool,
      default: T.ptr(T.struct("environment.DefaultAllocationMapping", { ip: T.string, port: T.int })),
      mappings: T.map(T.slice(T.int)),
    }),
    build: T.struct("environment.Limits", {
      memory_limit: T.int64,
      swap: T.int64,
      io_weight: T.uint16,
      cpu_limit: T.int64,
      disk_space: T.int64,
      threads: T.string,
      oom_killer: T.bool,
    }),
    crash_detection_enabled: T.bool,
    mounts: T.slice(Mount),
    egg: Egg,
    container: T.struct("server.Container", { image: T.string }),
  },
  { crash_detection_enabled: true },
);

// ---- process_configuration (remote.ProcessConfiguration) ----

/** remote.OutputLineMatcher: a string; "regex:..." compiles (a bad regex is only logged). */
const OutputLineMatcher = T.custom("remote.OutputLineMatcher", (node, ctx) => {
  const r = ctx.decode(T.string, node);
  if (r.errors.length) {
    ctx.fail(r.errors[0].replace("Go value of type string", "Go value of type remote.OutputLineMatcher"));
    return null;
  }
  const raw = r.value;
  if (raw.startsWith("regex:") && raw.length > 6) {
    try {
      new RegExp(raw.slice(6));
    } catch (error) {
      ctx.warn(`startup.done ${JSON.stringify(raw)} does not compile, Wings never matches it: ${error.message}`);
    }
  }
  return raw;
});

/** parser.ConfigurationFileReplacement.UnmarshalJSON (jsonparser): match required string, if_value optional string, replace_with (or legacy value) any scalar. */
const Replacement = T.custom("parser.ConfigurationFileReplacement", (node, ctx) => {
  if (!(node instanceof Map)) {
    ctx.fail(`replacement is ${jsonKind(node)}, not an object`);
    return null;
  }
  if (typeof node.get("match") !== "string") {
    ctx.fail(node.has("match") ? "replacement match is not a string" : "replacement has no match key");
    return null;
  }
  if (node.has("if_value") && typeof node.get("if_value") !== "string") {
    ctx.fail("replacement if_value is not a string");
    return null;
  }
  const key = node.has("replace_with") ? "replace_with" : node.has("value") ? "value" : null;
  if (!key) {
    ctx.fail("replacement has neither replace_with nor value");
    return null;
  }
  const v = node.get(key);
  if (v instanceof Map || Array.isArray(v)) ctx.warn(`replacement ${key} is an ${jsonKind(v)}: Wings writes "<invalid>"`);
  return { match: node.get("match"), if_value: node.get("if_value") ?? "", replace_with: v instanceof GoNumber ? v.float : v };
});

/** parser.ConfigurationFile.UnmarshalJSON: `file` and `parser` required (exact keys); a bad `replace` or `create_file` is only logged. */
const ConfigurationFile = T.custom("parser.ConfigurationFile", (node, ctx) => {
  if (!(node instanceof Map)) {
    ctx.fail(node === null ? "parser: configuration file missing required 'file' key" : `json: cannot unmarshal ${jsonKind(node)} into Go value of type map[string]*json.RawMessage`);
    return null;
  }
  const out = { file: "", parser: "", replace: [], create_file: true };
  for (const key of ["file", "parser"]) {
    if (!node.has(key) || node.get(key) === null) {
      ctx.fail(`parser: configuration file missing required '${key}' key`);
      return null;
    }
    const r = ctx.decode(T.string, node.get(key));
    if (r.errors.length) {
      ctx.fail(r.errors[0]);
      return null;
    }
    out[key] = r.value;
  }
  if (!PARSERS.has(out.parser)) ctx.warn(`configuration file ${out.file} has parser ${JSON.stringify(out.parser)}: Wings cannot parse it`);
  if (node.has("replace") && node.get("replace") !== null) {
    const r = ctx.decode(T.slice(Replacement), node.get("replace"));
    if (r.errors.length) ctx.warn(`replace of ${out.file} did not decode, Wings logs it and drops the replacements: ${r.errors[0]}`);
    else out.replace = r.value;
  }
  if (node.has("create_file") && node.get("create_file") !== null) {
    if (typeof node.get("create_file") !== "boolean") ctx.warn(`create_file of ${out.file} is not a bool: Wings assumes true`);
    else out.create_file = node.get("create_file");
  }
  return out;
});

export const ProcessConfiguration = T.struct("remote.ProcessConfiguration", {
  startup: T.struct("remote.Startup", {
    done: T.slice(T.ptr(OutputLineMatcher)),
    user_interaction: T.slice(T.string),
    strip_ansi: T.bool,
  }),
  stop: T.struct("remote.ProcessStopConfiguration", { type: T.string, value: T.string }),
  configs: T.slice(ConfigurationFile),
});

/** What Wings does with a stop configuration it decoded; a warning when it is not what the egg meant. */
export function stopWarnings(stop) {
  if (stop.type === "signal" || stop.type === "") {
    if (!STOP_SIGNALS.has(stop.value.toUpperCase?.() ?? stop.value)) return [`stop signal ${JSON.stringify(stop.value)} is not one Wings knows: it sends SIGKILL`];
    return [];
  }
  if (stop.type === "command" || stop.type === "stop") return [];
  return [`stop type ${JSON.stringify(stop.type)} is not signal, command or stop`];
}

// ---- remote API answers ----

export const Pagination = T.struct("remote.Pagination", {
  current_page: T.uint,
  from: T.uint,
  last_page: T.uint,
  per_page: T.uint,
  to: T.uint,
  total: T.uint,
});

export const ServersPage = T.struct("remote.getServersPaged", {
  data: T.slice(T.struct("remote.RawServerData", { uuid: T.string, settings: T.raw, process_configuration: T.raw })),
  meta: Pagination,
});

export const ServerConfigurationResponse = T.struct("remote.ServerConfigurationResponse", {
  settings: T.raw,
  process_configuration: T.ptr(ProcessConfiguration),
});

export const InstallationScript = T.struct("remote.InstallationScript", {
  container_image: T.string,
  entrypoint: T.string,
  script: T.string,
});

export const SftpAuthResponse = T.struct("remote.SftpAuthResponse", {
  server: T.string,
  user: T.string,
  permissions: T.slice(T.string),
});

/** remote.RequestErrors: how Wings reads a panel's error answer. */
export const RequestErrors = T.struct("remote.RequestErrors", {
  errors: T.slice(T.struct("remote.RequestError", { code: T.string, status: T.string, detail: T.string })),
});

// ---- request bodies the panel sends ----

export const ServerDetails = T.struct("installer.ServerDetails", { uuid: T.string, start_on_completion: T.bool });
export const PowerRequest = T.struct("router.postServerPower", { action: T.string, wait_seconds: T.int });
export const CommandsRequest = T.struct("router.postServerCommands", { commands: T.slice(T.string) });
export const DeauthorizeRequest = T.struct("router.postDeauthorizeUser", { user: T.string, servers: T.slice(T.string) });
export const DenyRequest = T.struct("router.postServerDenyWSTokens", { jtis: T.slice(T.string) });

/**
 * config.Configuration as POST /api/update decodes it (json tags; fields without
 * one are matched by their Go name, case-insensitively). `remote`, `allowed_mounts`
 * and `system.data` carry json:"-" and are absent; remote_query's inner fields
 * have no json tags, so only "Timeout" and "BootServersPerPage" (any case) reach them.
 */
export const UpdateConfiguration = T.struct("config.Configuration", {
  debug: T.bool,
  quiet: T.bool,
  app_name: T.string,
  uuid: T.string,
  token_id: T.string,
  token: T.string,
  api: T.struct("config.ApiConfiguration", {
    host: T.string,
    port: T.int,
    ssl: T.struct("config.Ssl", { enabled: T.bool, cert: T.string, key: T.string }),
    remote_download: T.struct("config.RemoteDownload", { max_redirects: T.int }),
    upload_limit: T.int64,
    trusted_proxies: T.slice(T.string),
  }),
  system: T.struct("config.SystemConfiguration", {
    username: T.string,
    timezone: T.string,
    disk_check_interval: T.int64,
    activity_send_interval: T.int,
    activity_send_count: T.int,
    check_permissions_on_boot: T.bool,
    enable_log_rotate: T.bool,
    websocket_log_count: T.int,
    sftp: T.struct("config.SftpConfiguration", { bind_address: T.string, bind_port: T.int, readonly: T.bool, keyonly: T.bool }),
  }),
  docker: T.any,
  remote_query: T.struct("config.RemoteQueryConfiguration", { timeout: T.int, bootserversperpage: T.int, customheaders: T.map(T.string) }),
  allowed_origins: T.slice(T.string),
  allow_cors_private_network: T.bool,
  ignore_panel_config_updates: T.bool,
});

/**
 * config.Configuration as Wings reads config.yml (gopkg.in/yaml.v2: exact keys,
 * a field without a yaml tag is its lowercased Go name, unknown keys ignored).
 * Applied to the parsed YAML; yaml.v2 refuses a quoted "8080" for an int.
 */
export const ConfigYaml = T.struct("config.Configuration", {
  debug: T.bool,
  app_name: T.string,
  uuid: T.string,
  token_id: T.string,
  token: T.string,
  api: T.struct("config.ApiConfiguration", {
    host: T.string,
    port: T.int,
    ssl: T.struct("config.Ssl", { enabled: T.bool, cert: T.string, key: T.string }),
    disable_remote_download: T.bool,
    upload_limit: T.int64,
    trusted_proxies: T.slice(T.string),
  }),
  system: T.struct("config.SystemConfiguration", {
    root_directory: T.string,
    log_directory: T.string,
    data: T.string,
    archive_directory: T.string,
    backup_directory: T.string,
    tmp_directory: T.string,
    username: T.string,
    timezone: T.string,
    sftp: T.struct("config.SftpConfiguration", { bind_address: T.string, bind_port: T.int, read_only: T.bool, key_only: T.bool }),
  }),
  remote: T.string,
  remote_query: T.struct("config.RemoteQueryConfiguration", { timeout: T.int, boot_servers_per_page: T.int, custom_headers: T.map(T.string) }),
  allowed_mounts: T.slice(T.string),
  allowed_origins: T.slice(T.string),
  allow_cors_private_network: T.bool,
  ignore_panel_config_updates: T.bool,
});
