//! The Wings `process_configuration` object for a server of an egg
//! (contract section 3, "process_configuration"): how Wings knows the
//! process has started, how it stops it, and which config files it edits
//! before each start, with the egg's placeholders filled in.
//!
//! # Placeholders
//!
//! String values in `config.files.*.find` may hold `{{server.…}}` and
//! `{{env.…}}` placeholders. They are looked up in the map the caller
//! passes, keyed by the path into the server's Wings `settings` object
//! without the `server.` prefix (what Pelican does); [`flatten`] builds the
//! map from that object. The keys eggs use:
//!
//! | placeholder | key |
//! |---|---|
//! | `{{server.allocations.default.ip}}` (legacy `{{server.build.default.ip}}`, `{{server.build.env.SERVER_IP}}`) | [`IP`] |
//! | `{{server.allocations.default.port}}` (legacy `{{server.build.default.port}}`, `{{server.build.env.SERVER_PORT}}`) | [`PORT`] |
//! | `{{server.build.memory_limit}}` (legacy `{{server.build.memory}}`, `{{server.build.env.SERVER_MEMORY}}`) | [`MEMORY`] (MiB) |
//! | `{{server.build.swap}}`, `{{server.build.disk_space}}`, `{{server.build.cpu_limit}}`, `{{server.build.io_weight}}`, `{{server.build.threads}}` | `build.swap`, … |
//! | `{{server.uuid}}`, `{{server.meta.name}}` | `uuid`, `meta.name` |
//! | `{{env.X}}`, `{{server.environment.X}}` (legacy `{{server.build.env.X}}`, `{{server.build.environment.X}}`) | `environment.X` (see [`env_key`]) |
//!
//! A `server.`/`env.` placeholder whose key is missing becomes the empty
//! string (as in Pelican); `{{config.…}}` placeholders are Wings' own and
//! are left for it, as is anything else between braces.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::definition::{ConfigFile, EggDefinition};

/// Key of the server's primary IP.
pub const IP: &str = "allocations.default.ip";
/// Key of the server's primary port.
pub const PORT: &str = "allocations.default.port";
/// Key of the server's memory limit in MiB.
pub const MEMORY: &str = "build.memory_limit";

/// The key for environment variable `name` (a server's egg variables, and
/// the `SERVER_MEMORY`, `SERVER_IP`, `SERVER_PORT` Wings also sets).
pub fn env_key(name: &str) -> String {
    format!("environment.{name}")
}

/// The placeholder map for a server: every scalar of its Wings `settings`
/// object by dotted path (`allocations.default.port` → `25565`); booleans
/// are `1` or empty and null is empty, as PHP prints them.
pub fn flatten(settings: &Value) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, value, out);
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), value, out);
                }
            }
            Value::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
            }
            Value::Number(n) => {
                out.insert(prefix.to_owned(), n.to_string());
            }
            Value::Bool(b) => {
                out.insert(prefix.to_owned(), if *b { "1" } else { "" }.to_owned());
            }
            Value::Null => {
                out.insert(prefix.to_owned(), String::new());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", settings, &mut out);
    out
}

/// The map key a placeholder's name reads, or `None` to leave it as written.
fn key_of(name: &str) -> Option<String> {
    if let Some(var) = name.strip_prefix("env.") {
        return Some(env_key(var));
    }
    let path = name.strip_prefix("server.")?;
    let key = match path {
        "build.default.port" | "build.env.SERVER_PORT" => PORT.to_owned(),
        "build.default.ip" | "build.env.SERVER_IP" => IP.to_owned(),
        "build.memory" | "build.env.SERVER_MEMORY" => MEMORY.to_owned(),
        other => match other
            .strip_prefix("build.env.")
            .or_else(|| other.strip_prefix("build.environment."))
        {
            Some(var) => env_key(var),
            None => other.to_owned(),
        },
    };
    Some(key)
}

/// Replaces the `{{server.…}}`/`{{env.…}}` placeholders in `text`.
pub fn fill(text: &str, placeholders: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let closed = after[name_len..].starts_with("}}");
        match (closed, key_of(name)) {
            (true, Some(key)) => {
                out.push_str(placeholders.get(&key).map_or("", String::as_str));
                rest = &after[name_len + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fills placeholders in every string inside `value`.
fn fill_value(value: &Value, placeholders: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, placeholders)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| fill_value(v, placeholders)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_value(v, placeholders)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Wings' `stop` from the egg's `config.stop`: `^X` is the signal `X`
/// (`^C` is `C`, which Wings sends as SIGINT; `^SIGTERM` is SIGTERM), any
/// other text a console command, and an empty one a plain container stop.
pub fn stop(config_stop: &str) -> Value {
    if config_stop.is_empty() {
        json!({ "type": "stop", "value": "" })
    } else if let Some(signal) = config_stop.strip_prefix('^') {
        json!({ "type": "signal", "value": signal.to_uppercase() })
    } else {
        json!({ "type": "command", "value": config_stop })
    }
}

/// One entry of `configs`: `find` turned into `replace`, where a value that
/// is an object maps `if_value` → `replace_with`.
fn config(file: &str, spec: &ConfigFile, placeholders: &BTreeMap<String, String>) -> Value {
    let mut replace = Vec::new();
    for (key, value) in &spec.find {
        match fill_value(value, placeholders) {
            Value::Object(cases) => {
                for (if_value, replace_with) in cases {
                    replace.push(json!({
                        "match": key, "if_value": if_value, "replace_with": replace_with,
                    }));
                }
            }
            replace_with => replace.push(json!({ "match": key, "replace_with": replace_with })),
        }
    }
    let mut entry = Map::new();
    entry.insert("file".into(), json!(file));
    entry.insert("parser".into(), json!(spec.parser.as_str()));
    entry.insert("replace".into(), Value::Array(replace));
    if let Some(create_file) = spec.create_file {
        entry.insert("create_file".into(), json!(create_file));
    }
    Value::Object(entry)
}

/// The `process_configuration` object Wings reads for a server of `egg`,
/// with `placeholders` (see the module docs) filled into its config files.
pub fn process_configuration(
    egg: &EggDefinition,
    placeholders: &BTreeMap<String, String>,
) -> Value {
    let configs: Vec<Value> = egg
        .config
        .files
        .iter()
        .map(|(file, spec)| config(file, spec, placeholders))
        .collect();
    json!({
        "startup": {
            "done": egg.config.startup.done,
            "user_interaction": [],
            "strip_ansi": egg.config.startup.strip_ansi,
        },
        "stop": stop(&egg.config.stop),
        "configs": configs,
    })
}

#[cfg(test)]
mod tests {
    use super::super::definition::{
        ConfigParser, DockerImage, EggConfig, InstallScript, StartupCommand, StartupConfig,
    };
    use super::*;

    fn egg(files: Value, stop: &str) -> EggDefinition {
        EggDefinition {
            uuid: "5da37ef6-58da-4169-90a6-e683e1721247".into(),
            name: "Paper".into(),
            author: "parker@example.com".into(),
            description: String::new(),
            update_url: None,
            tags: vec![],
            features: vec![],
            docker_images: vec![DockerImage {
                label: "Java 21".into(),
                image: "ghcr.io/pelican-eggs/yolks:java_21".into(),
            }],
            file_denylist: vec![],
            startup_commands: vec![StartupCommand {
                name: "Default".into(),
                command: "java -jar {{SERVER_JARFILE}}".into(),
            }],
            config: EggConfig {
                files: serde_json::from_value(files).unwrap_or_default(),
                startup: StartupConfig {
                    done: vec![")! For help, type ".into()],
                    strip_ansi: false,
                },
                logs: json!({}),
                stop: stop.into(),
            },
            install: InstallScript::default(),
            variables: vec![],
        }
    }

    fn server() -> BTreeMap<String, String> {
        flatten(&json!({
            "uuid": "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d",
            "allocations": { "force_outgoing_ip": false, "default": { "ip": "10.0.0.5", "port": 25565 } },
            "build": { "memory_limit": 2048, "swap": 0 },
            "environment": { "SERVER_JARFILE": "server.jar", "MAX_PLAYERS": "20" },
        }))
    }

    #[test]
    fn flattens_settings_into_keys() {
        let map = server();
        assert_eq!(map.get(PORT).map(String::as_str), Some("25565"));
        assert_eq!(map.get(IP).map(String::as_str), Some("10.0.0.5"));
        assert_eq!(map.get(MEMORY).map(String::as_str), Some("2048"));
        assert_eq!(
            map.get("allocations.force_outgoing_ip").map(String::as_str),
            Some("")
        );
        assert_eq!(
            map.get(&env_key("MAX_PLAYERS")).map(String::as_str),
            Some("20")
        );
    }

    #[test]
    fn fills_current_and_legacy_placeholders() {
        let map = server();
        for (text, want) in [
            ("{{server.allocations.default.port}}", "25565"),
            ("{{server.build.default.port}}", "25565"),
            ("{{server.build.env.SERVER_PORT}}", "25565"),
            (
                "{{server.build.default.ip}}:{{server.build.default.port}}",
                "10.0.0.5:25565",
            ),
            ("{{server.build.memory}}M", "2048M"),
            ("{{env.MAX_PLAYERS}}", "20"),
            ("{{server.build.env.MAX_PLAYERS}}", "20"),
            ("{{server.environment.MAX_PLAYERS}}", "20"),
            ("{{server.build.environment.MAX_PLAYERS}}", "20"),
            ("{{env.MISSING}}", ""),
            ("{{config.docker.interface}}", "{{config.docker.interface}}"),
            ("{{SERVER_JARFILE}}", "{{SERVER_JARFILE}}"),
            ("{{server.uuid", "{{server.uuid"),
            ("a {{ b }} c", "a {{ b }} c"),
            ("{{{{env.MAX_PLAYERS}}}}", "{{20}}"),
        ] {
            assert_eq!(fill(text, &map), want, "{text}");
        }
    }

    #[test]
    fn stops_as_pelican_converts_them() {
        assert_eq!(stop("stop"), json!({"type": "command", "value": "stop"}));
        assert_eq!(stop("^C"), json!({"type": "signal", "value": "C"}));
        assert_eq!(
            stop("^sigterm"),
            json!({"type": "signal", "value": "SIGTERM"})
        );
        assert_eq!(stop(""), json!({"type": "stop", "value": ""}));
    }

    #[test]
    fn builds_the_wings_object() {
        let files = json!({
            "server.properties": {
                "parser": "properties",
                "find": { "server-port": "{{server.build.default.port}}", "server-ip": "", "max-players": 20 }
            },
            "config.yml": {
                "parser": "yaml",
                "find": { "listeners[0].host": { "0.0.0.0:25577": "0.0.0.0:{{server.allocations.default.port}}" } },
                "create_file": false
            }
        });
        let object = process_configuration(&egg(files, "stop"), &server());
        assert_eq!(
            object,
            json!({
                "startup": { "done": [")! For help, type "], "user_interaction": [], "strip_ansi": false },
                "stop": { "type": "command", "value": "stop" },
                "configs": [
                    {
                        "file": "config.yml", "parser": "yaml", "create_file": false,
                        "replace": [{ "match": "listeners[0].host", "if_value": "0.0.0.0:25577", "replace_with": "0.0.0.0:25565" }]
                    },
                    {
                        "file": "server.properties", "parser": "properties",
                        "replace": [
                            { "match": "max-players", "replace_with": 20 },
                            { "match": "server-ip", "replace_with": "" },
                            { "match": "server-port", "replace_with": "25565" }
                        ]
                    }
                ]
            })
        );
        assert_eq!(ConfigParser::parse("toml"), Some(ConfigParser::Toml));
        assert_eq!(ConfigParser::parse("csv"), None);
    }
}
