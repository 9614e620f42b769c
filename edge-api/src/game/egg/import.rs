//! Reading egg files: `PTDL_v1`, `PTDL_v2`, `PLCN_v1`, `PLCN_v2` and
//! `PLCN_v3`, as JSON or YAML, into the normalized [`EggDefinition`].
//!
//! What the older formats differ in, and what is done about it (as Pelican's
//! importer does):
//! - `PTDL_v1` names its images `images: [..]` or `image: ".."`; each
//!   becomes a docker image labelled with itself.
//! - Before `PLCN_v3` there is one `startup` string; it becomes the startup
//!   command `Default`.
//! - `config.files`, `config.startup` and `config.logs` may be JSON held in
//!   strings (every Pterodactyl export, and Pelican's own JSON export).
//! - Variable `rules` may be one `|`-separated string ([`rules::split`]).
//! - Legacy placeholders in config files are upgraded
//!   (`{{server.build.default.port}}` → `{{server.allocations.default.port}}`, …).
//! - A variable named like one Wings or the panel sets itself (`SERVER_PORT`,
//!   `TZ`, …) is renamed `SERVER_<NAME>`, in the startup commands too.
//! - A file without a `uuid` (Pterodactyl's) gets a new one.
//! - The icon (`image: data:…` in `PLCN_v3`), `exported_at` and `_comment`
//!   are dropped.
//!
//! Every problem found is reported as a field error (422), never a 500.

use std::fmt;

use regex_lite::Regex;
use serde::{
    Deserialize, Deserializer,
    de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor},
};
use serde_json::{Map, Value};

use super::{
    check,
    definition::{
        ConfigFile, ConfigParser, DockerImage, EggConfig, EggDefinition, EggVariable,
        InstallScript, StartupCommand, StartupConfig,
    },
    rules,
};
use crate::{crypto, error::ApiError, validate::Problems};

/// The formats read, oldest first.
pub const FORMATS: [&str; 5] = ["PTDL_v1", "PTDL_v2", "PLCN_v1", "PLCN_v2", "PLCN_v3"];

/// Environment variables Wings or the panel set themselves; an egg
/// variable with one of these names is renamed `SERVER_<NAME>` on import.
pub const RESERVED_ENV: [&str; 19] = [
    "P_SERVER_UUID",
    "P_SERVER_ALLOCATION_LIMIT",
    "SERVER_MEMORY",
    "SERVER_IP",
    "SERVER_PORT",
    "ENV",
    "HOME",
    "USER",
    "STARTUP",
    "MODIFIED_STARTUP",
    "SERVER_UUID",
    "UUID",
    "INTERNAL_IP",
    "HOSTNAME",
    "TERM",
    "LANG",
    "PWD",
    "TZ",
    "TIMEZONE",
];

/// Legacy placeholders and what they became, applied to `config.files`.
const UPGRADES: [(&str, &str); 8] = [
    (
        "server.build.env.SERVER_IP",
        "server.allocations.default.ip",
    ),
    ("server.build.default.ip", "server.allocations.default.ip"),
    (
        "server.build.env.SERVER_PORT",
        "server.allocations.default.port",
    ),
    (
        "server.build.default.port",
        "server.allocations.default.port",
    ),
    (
        "server.build.env.SERVER_MEMORY",
        "server.build.memory_limit",
    ),
    ("server.build.memory", "server.build.memory_limit"),
    ("server.build.env.", "server.environment."),
    ("server.build.environment.", "server.environment."),
];

/// A map whose entry order is kept (docker images, startup commands), or
/// the fact that the value was not a map.
#[derive(Debug, Default)]
enum Ordered {
    #[default]
    Missing,
    Map(Vec<(Value, Value)>),
    NotMap,
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut pairs = Vec::new();
                while let Some((key, value)) = map.next_entry::<Value, Value>()? {
                    pairs.push((key, value));
                }
                Ok(Ordered::Map(pairs))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut empty = true;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    empty = false;
                }
                // PHP writes an empty map as `[]`.
                Ok(if empty {
                    Ordered::Map(Vec::new())
                } else {
                    Ordered::NotMap
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Ordered, E> {
                Ok(Ordered::Missing)
            }
            fn visit_none<E: de::Error>(self) -> Result<Ordered, E> {
                Ok(Ordered::Missing)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::NotMap)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::NotMap)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::NotMap)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::NotMap)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::NotMap)
            }
        }
        deserializer.deserialize_any(OrderedVisitor)
    }
}

/// An egg file as read, before any checking.
#[derive(Debug, Default, Deserialize)]
struct RawEgg {
    #[serde(default)]
    meta: Value,
    #[serde(default)]
    name: Value,
    #[serde(default)]
    author: Value,
    #[serde(default)]
    uuid: Value,
    #[serde(default)]
    description: Value,
    #[serde(default)]
    tags: Value,
    #[serde(default)]
    features: Value,
    #[serde(default)]
    docker_images: Ordered,
    #[serde(default)]
    images: Value,
    #[serde(default)]
    image: Value,
    #[serde(default)]
    file_denylist: Value,
    #[serde(default)]
    startup_commands: Ordered,
    #[serde(default)]
    startup: Value,
    #[serde(default)]
    config: Value,
    #[serde(default)]
    scripts: Value,
    #[serde(default)]
    variables: Value,
}

/// Whether a body is YAML rather than JSON: by its media type when it
/// names one, else by its first character.
pub fn looks_like_yaml(content_type: Option<&str>, body: &[u8]) -> bool {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/json") => false,
        Some(m) if m.contains("yaml") => true,
        _ => {
            let start = body.iter().find(|b| !b.is_ascii_whitespace());
            !matches!(start, Some(b'{') | Some(b'['))
        }
    }
}

fn file_error(problem: impl Into<String>) -> ApiError {
    ApiError::field("file", problem)
}

/// Reads an egg file (JSON, or YAML when `yaml`) of any supported format.
pub fn import(body: &[u8], yaml: bool) -> Result<EggDefinition, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| file_error("must be UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(file_error("is empty; send an egg file (JSON or YAML)"));
    }
    let raw: RawEgg = if yaml {
        serde_yaml_ng::from_str(text).map_err(|e| {
            file_error(format!(
                "is not an egg file: not a YAML map ({})",
                first_line(&e.to_string())
            ))
        })?
    } else {
        serde_json::from_str(text)
            .map_err(|e| file_error(format!("is not an egg file: not a JSON object ({e})")))?
    };
    normalize(raw)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Turns a file as read into the normalized egg, collecting every problem.
fn normalize(raw: RawEgg) -> Result<EggDefinition, ApiError> {
    let version = raw.meta.get("version").and_then(Value::as_str);
    let Some(version) = version else {
        return Err(file_error(
            "is not an egg file: it has no meta.version (PTDL_v1, PTDL_v2, PLCN_v1, PLCN_v2 or PLCN_v3)",
        ));
    };
    if !FORMATS.contains(&version) {
        return Err(ApiError::field(
            "meta.version",
            format!(
                "`{version}` is not a supported egg format; use one of {}",
                FORMATS.join(", ")
            ),
        ));
    }
    let mut p = Problems::new();
    let uuid = match &raw.uuid {
        Value::Null => crypto::uuid()?,
        value => text(&mut p, "uuid", value),
    };
    let docker_images = if version == "PTDL_v1" {
        legacy_images(&mut p, &raw)
    } else {
        ordered(&mut p, "docker_images", &raw.docker_images)
            .into_iter()
            .map(|(label, image)| DockerImage { label, image })
            .collect()
    };
    let startup_commands =
        if version == "PLCN_v3" && !matches!(raw.startup_commands, Ordered::Missing) {
            ordered(&mut p, "startup_commands", &raw.startup_commands)
                .into_iter()
                .map(|(name, command)| StartupCommand { name, command })
                .collect()
        } else {
            match &raw.startup {
                Value::Null => Vec::new(),
                value => vec![StartupCommand {
                    name: "Default".into(),
                    command: text(&mut p, "startup", value),
                }],
            }
        };
    let config = config(&mut p, &raw.config);
    let install = install(&mut p, &raw.scripts);
    let variables = variables(&mut p, &raw.variables);
    let mut definition = EggDefinition {
        uuid,
        name: text(&mut p, "name", &raw.name),
        author: optional_text(&mut p, "author", &raw.author),
        description: optional_text(&mut p, "description", &raw.description),
        update_url: match raw.meta.get("update_url") {
            None | Some(Value::Null) => None,
            Some(value) => Some(text(&mut p, "meta.update_url", value)).filter(|u| !u.is_empty()),
        },
        tags: strings(&mut p, "tags", &raw.tags),
        features: strings(&mut p, "features", &raw.features),
        docker_images,
        file_denylist: strings(&mut p, "file_denylist", &raw.file_denylist)
            .into_iter()
            .filter(|f| !f.trim().is_empty())
            .collect(),
        startup_commands,
        config,
        install,
        variables,
    };
    p.finish()?;
    rename_reserved(&mut definition);
    check::definition(&mut definition)?;
    Ok(definition)
}

/// A required string field.
fn text(p: &mut Problems, field: &str, value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => {
            p.add(field, "is required");
            String::new()
        }
        _ => {
            p.add(field, "must be a string");
            String::new()
        }
    }
}

/// A string field that may be missing or null (then empty).
fn optional_text(p: &mut Problems, field: &str, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => text(p, field, other),
    }
}

/// A list of strings; null, `{}` and `[]` are empty.
fn strings(p: &mut Problems, field: &str, value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Object(map) if map.is_empty() => Vec::new(),
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                _ => {
                    p.add(field, "must be a list of strings");
                    None
                }
            })
            .collect(),
        _ => {
            p.add(field, "must be a list of strings");
            Vec::new()
        }
    }
}

/// A map of strings to strings, in file order.
fn ordered(p: &mut Problems, field: &str, value: &Ordered) -> Vec<(String, String)> {
    match value {
        Ordered::Missing => Vec::new(),
        Ordered::NotMap => {
            p.add(field, "must be a map of names to strings");
            Vec::new()
        }
        Ordered::Map(pairs) => pairs
            .iter()
            .filter_map(|(key, value)| {
                let key = match key {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => {
                        p.add(field, "must be a map of names to strings");
                        return None;
                    }
                };
                match value {
                    Value::String(s) => Some((key, s.clone())),
                    _ => {
                        p.add(field, "must be a map of names to strings");
                        None
                    }
                }
            })
            .collect(),
    }
}

/// `PTDL_v1`'s `images` list or single `image`.
fn legacy_images(p: &mut Problems, raw: &RawEgg) -> Vec<DockerImage> {
    let images = match (&raw.images, &raw.image) {
        (Value::Null, Value::Null) => Vec::new(),
        (Value::Null, single) => vec![text(p, "image", single)],
        (list, _) => strings(p, "images", list),
    };
    images
        .into_iter()
        .map(|image| DockerImage {
            label: image.clone(),
            image,
        })
        .collect()
}

/// A `config.*` value, decoding JSON held in a string.
fn json_block(p: &mut Problems, field: &str, value: &Value) -> Value {
    match value {
        Value::String(s) if s.trim().is_empty() => Value::Null,
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|e| {
            p.add(field, format!("is not valid JSON ({e})"));
            Value::Null
        }),
        other => other.clone(),
    }
}

fn config(p: &mut Problems, value: &Value) -> EggConfig {
    let empty = Value::Null;
    let get = |key: &str| value.get(key).unwrap_or(&empty);
    if !matches!(value, Value::Object(_) | Value::Null) {
        p.add("config", "must be a map with files, startup, logs and stop");
    }
    let files = json_block(p, "config.files", get("files"));
    let files = config_files(p, &files);
    let startup_block = json_block(p, "config.startup", get("startup"));
    let startup = startup(p, &startup_block);
    let logs = match json_block(p, "config.logs", get("logs")) {
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    let stop = match get("stop") {
        Value::Null => String::new(),
        other => text(p, "config.stop", other),
    };
    EggConfig {
        files,
        startup,
        logs,
        stop,
    }
}

fn upgrade_placeholders(value: Value) -> Value {
    match value {
        Value::String(mut s) => {
            for (old, new) in UPGRADES {
                if s.contains(old) {
                    s = s.replace(old, new);
                }
            }
            Value::String(s)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, upgrade_placeholders(v)))
                .collect(),
        ),
        other => other,
    }
}

fn config_files(p: &mut Problems, value: &Value) -> std::collections::BTreeMap<String, ConfigFile> {
    let mut files = std::collections::BTreeMap::new();
    let map = match value {
        Value::Null => return files,
        Value::Array(items) if items.is_empty() => return files,
        Value::Object(map) => map,
        _ => {
            p.add(
                "config.files",
                "must be a map of file paths to parser settings",
            );
            return files;
        }
    };
    for (path, spec) in map {
        let field = format!("config.files.{path}");
        let Value::Object(spec) = spec else {
            p.add(&field, "must be a map with parser and find");
            continue;
        };
        // Pelican sends Wings only the files that say what to find.
        let Some(find) = spec.get("find") else {
            continue;
        };
        let parser = match spec.get("parser") {
            Some(Value::String(name)) => ConfigParser::parse(name).or_else(|| {
                let known: Vec<&str> = ConfigParser::ALL.iter().map(|(n, _)| *n).collect();
                p.add(
                    &format!("{field}.parser"),
                    format!(
                        "`{name}` is not a parser Wings knows ({})",
                        known.join(", ")
                    ),
                );
                None
            }),
            _ => {
                p.add(
                    &format!("{field}.parser"),
                    "is required (Wings refuses a file without one)",
                );
                None
            }
        };
        let find = match upgrade_placeholders(find.clone()) {
            Value::Object(find) => find,
            Value::Array(items) if items.is_empty() => Map::new(),
            _ => {
                p.add(&format!("{field}.find"), "must be a map of keys to values");
                Map::new()
            }
        };
        let create_file = match spec.get("create_file") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                p.add(&format!("{field}.create_file"), "must be true or false");
                None
            }
        };
        if let Some(parser) = parser {
            files.insert(
                path.clone(),
                ConfigFile {
                    parser,
                    find,
                    create_file,
                },
            );
        }
    }
    files
}

fn startup(p: &mut Problems, value: &Value) -> StartupConfig {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => return StartupConfig::default(),
        Value::Array(items) if items.is_empty() => return StartupConfig::default(),
        _ => {
            p.add("config.startup", "must be a map with done");
            return StartupConfig::default();
        }
    };
    let done = match map.get("done") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(other) => strings(p, "config.startup.done", other),
    };
    let strip_ansi = match map.get("strip_ansi") {
        None | Some(Value::Null) => false,
        Some(value) => flag(value).unwrap_or_else(|| {
            p.add("config.startup.strip_ansi", "must be true or false");
            false
        }),
    };
    StartupConfig { done, strip_ansi }
}

fn install(p: &mut Problems, scripts: &Value) -> InstallScript {
    let empty = Value::Null;
    let installation = scripts.get("installation").unwrap_or(&empty);
    let get = |key: &str| installation.get(key).unwrap_or(&empty);
    InstallScript {
        script: optional_text(p, "scripts.installation.script", get("script")),
        container: optional_text(p, "scripts.installation.container", get("container")),
        entrypoint: optional_text(p, "scripts.installation.entrypoint", get("entrypoint")),
    }
}

/// A boolean as eggs write them: `true`/`false`, `0`/`1`, or those as strings.
fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "0" | "false" | "" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

fn variables(p: &mut Problems, value: &Value) -> Vec<EggVariable> {
    let items = match value {
        Value::Null => return Vec::new(),
        Value::Object(map) if map.is_empty() => return Vec::new(),
        Value::Array(items) => items,
        _ => {
            p.add("variables", "must be a list");
            return Vec::new();
        }
    };
    let empty = Value::Null;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| format!("variables.{i}.{name}");
            if !item.is_object() {
                p.add(&format!("variables.{i}"), "must be a map");
            }
            let get = |key: &str| item.get(key).unwrap_or(&empty);
            let default_value = match get("default_value") {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                _ => {
                    p.add(&field("default_value"), "must be a string");
                    String::new()
                }
            };
            let mut boolean = |key: &str| {
                flag(get(key)).unwrap_or_else(|| {
                    if !get(key).is_null() {
                        p.add(&field(key), "must be true or false");
                    }
                    false
                })
            };
            let user_viewable = boolean("user_viewable");
            let user_editable = boolean("user_editable");
            let rules = match get("rules") {
                Value::Null => Vec::new(),
                Value::String(s) => rules::split(s),
                other => strings(p, &field("rules"), other)
                    .into_iter()
                    .filter(|r| !r.trim().is_empty())
                    .collect(),
            };
            p.check(&field("rules"), rules::validate(&rules));
            let sort = match get("sort") {
                Value::Null => None,
                Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()).or_else(|| {
                    p.add(&field("sort"), "must be a whole number");
                    None
                }),
                Value::String(s) => s.trim().parse::<u32>().ok().or_else(|| {
                    p.add(&field("sort"), "must be a whole number");
                    None
                }),
                _ => {
                    p.add(&field("sort"), "must be a whole number");
                    None
                }
            };
            EggVariable {
                name: text(p, &field("name"), get("name")),
                description: optional_text(p, &field("description"), get("description")),
                env_variable: text(p, &field("env_variable"), get("env_variable"))
                    .trim()
                    .to_uppercase(),
                default_value,
                user_viewable,
                user_editable,
                rules,
                sort,
            }
        })
        .collect()
}

/// Renames variables that use a reserved name to `SERVER_<NAME>`, in the
/// startup commands too (whole words only).
fn rename_reserved(egg: &mut EggDefinition) {
    let reserved: Vec<String> = egg
        .variables
        .iter()
        .map(|v| v.env_variable.clone())
        .filter(|name| RESERVED_ENV.contains(&name.as_str()))
        .collect();
    if reserved.is_empty() {
        return;
    }
    for variable in &mut egg.variables {
        if reserved.contains(&variable.env_variable) {
            variable.env_variable = format!("SERVER_{}", variable.env_variable);
        }
    }
    let alternatives: Vec<String> = reserved.iter().map(|n| regex_lite::escape(n)).collect();
    let Ok(words) = Regex::new(&format!(r"\b({})\b", alternatives.join("|"))) else {
        return;
    };
    for command in &mut egg.startup_commands {
        command.command = words
            .replace_all(&command.command, "SERVER_$1")
            .into_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(
        result: Result<EggDefinition, ApiError>,
    ) -> std::collections::BTreeMap<String, String> {
        match result {
            Err(ApiError::Invalid { fields }) => fields,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn v2() -> Value {
        json!({
            "meta": { "version": "PTDL_v2", "update_url": null },
            "name": "Paper", "author": "parker@example.com", "description": null,
            "features": ["eula"],
            "docker_images": { "Java 21": "ghcr.io/pelican-eggs/yolks:java_21", "Java 8": "ghcr.io/pelican-eggs/yolks:java_8" },
            "file_denylist": [],
            "startup": "java -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}} --port {{SERVER_PORT}}",
            "config": {
                "files": "{\"server.properties\": {\"parser\": \"properties\", \"find\": {\"server-port\": \"{{server.build.default.port}}\"}}}",
                "startup": "{\"done\": \")! For help, type \"}",
                "logs": "{}",
                "stop": "stop"
            },
            "scripts": { "installation": { "script": "#!/bin/ash\necho hi", "container": "alpine", "entrypoint": "ash" } },
            "variables": [
                { "name": "Jar", "description": "", "env_variable": "SERVER_JARFILE", "default_value": "server.jar",
                  "user_viewable": true, "user_editable": true, "rules": "required|regex:/^([\\w\\d._-]+)(\\.jar)$/", "field_type": "text" },
                { "name": "Port", "description": "", "env_variable": "server_port", "default_value": 25565,
                  "user_viewable": 1, "user_editable": "0", "rules": "required|integer", "sort": 2 }
            ]
        })
    }

    fn import_json(value: &Value) -> Result<EggDefinition, ApiError> {
        import(value.to_string().as_bytes(), false)
    }

    #[test]
    fn reads_ptdl_v2_with_strings_for_config_and_rules() {
        let egg = import_json(&v2()).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(crate::validate::as_id(&egg.uuid).is_some(), "a new uuid");
        assert_eq!(egg.docker_images[0].label, "Java 21", "file order is kept");
        assert_eq!(egg.startup_commands[0].name, "Default");
        let file = &egg.config.files["server.properties"];
        assert_eq!(file.parser, ConfigParser::Properties);
        assert_eq!(
            file.find["server-port"],
            json!("{{server.allocations.default.port}}")
        );
        assert_eq!(
            egg.config.startup.done,
            vec![")! For help, type ".to_owned()]
        );
        assert_eq!(
            egg.variables[0].rules,
            vec!["required", r"regex:/^([\w\d._-]+)(\.jar)$/"]
        );
        // A reserved name is renamed, in the startup command too.
        assert_eq!(egg.variables[1].env_variable, "SERVER_SERVER_PORT");
        assert_eq!(egg.variables[1].default_value, "25565");
        assert!(egg.variables[1].user_viewable && !egg.variables[1].user_editable);
        assert_eq!(
            egg.startup_commands[0].command,
            "java -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}} --port {{SERVER_SERVER_PORT}}"
        );
    }

    #[test]
    fn reads_ptdl_v1_images() {
        let mut file = v2();
        file["meta"]["version"] = json!("PTDL_v1");
        file["images"] = json!(["quay.io/a:1", "quay.io/a:2"]);
        let egg = import_json(&file).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(egg.docker_images.len(), 2);
        assert_eq!(egg.docker_images[1].label, "quay.io/a:2");
        file.as_object_mut().map(|o| o.remove("images"));
        file["image"] = json!("quay.io/b:1");
        let egg = import_json(&file).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(egg.docker_images[0].image, "quay.io/b:1");
    }

    #[test]
    fn refuses_what_is_not_an_egg() {
        for body in [
            "",
            "[1, 2]",
            "{\"name\": \"x\"}",
            "not: [an egg",
            "{\"meta\": {\"version\": 3}}",
        ] {
            let yaml = looks_like_yaml(None, body.as_bytes());
            assert!(
                fields(import(body.as_bytes(), yaml)).contains_key("file"),
                "{body}"
            );
        }
        let mut file = v2();
        file["meta"]["version"] = json!("PTDL_v9");
        assert!(fields(import_json(&file)).contains_key("meta.version"));
    }

    #[test]
    fn reports_broken_parts_as_fields() {
        let mut file = v2();
        file["variables"][0]["rules"] = json!("required|frobnicate");
        file["config"]["files"] = json!("{not json");
        file["docker_images"] = json!("nope");
        let problems = fields(import_json(&file));
        assert!(problems.contains_key("variables.0.rules"), "{problems:?}");
        assert!(problems.contains_key("config.files"), "{problems:?}");
        assert!(problems.contains_key("docker_images"), "{problems:?}");

        let mut file = v2();
        file["config"]["files"] = json!({ "a.cfg": { "parser": "csv", "find": {} } });
        assert!(fields(import_json(&file)).contains_key("config.files.a.cfg.parser"));
    }

    #[test]
    fn a_plcn_v3_file_with_only_a_startup_string_still_has_a_command() {
        let mut file = v2();
        file["meta"]["version"] = json!("PLCN_v3");
        let egg = import_json(&file).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(egg.startup_commands[0].name, "Default");
        file["startup_commands"] = json!({ "Fast": "./run --fast" });
        let egg = import_json(&file).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(egg.startup_commands[0].command, "./run --fast");
    }

    #[test]
    fn a_yaml_alias_bomb_is_refused_not_expanded() {
        let mut bomb =
            String::from("meta: {version: PLCN_v3}\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='j' {
            let refs = vec![format!("*{previous}"); 10].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        bomb.push_str("tags: *j\n");
        assert!(fields(import(bomb.as_bytes(), true)).contains_key("file"));
    }

    #[test]
    fn sniffs_yaml() {
        assert!(looks_like_yaml(None, b"meta:\n  version: PLCN_v3"));
        assert!(!looks_like_yaml(None, b"  {\"meta\": {}}"));
        assert!(looks_like_yaml(Some("application/yaml"), b"{}"));
        assert!(!looks_like_yaml(
            Some("application/json; charset=utf-8"),
            b"meta: 1"
        ));
    }
}
