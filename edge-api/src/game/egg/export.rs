//! Writing an egg as a `PLCN_v3` file, as Pelican exports one: JSON with
//! the `config` blocks held in JSON strings, or YAML with them as maps.
//! Docker images and startup commands keep their order.

use serde::{Serialize, Serializer, ser::SerializeMap};
use serde_json::Value;

use super::definition::{EggDefinition, InstallScript};
use crate::error::ApiError;

/// The format written.
pub const VERSION: &str = "PLCN_v3";

/// A list of pairs written as a map, in order.
struct Pairs<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    version: &'static str,
    update_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Config<'a> {
    files: Value,
    startup: Value,
    logs: Value,
    stop: &'a str,
}

#[derive(Serialize)]
struct Scripts<'a> {
    installation: &'a InstallScript,
}

#[derive(Serialize)]
struct Variable<'a> {
    name: &'a str,
    description: &'a str,
    env_variable: &'a str,
    default_value: &'a str,
    user_viewable: bool,
    user_editable: bool,
    rules: &'a [String],
    sort: Option<u32>,
}

#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "_comment")]
    comment: &'static str,
    meta: Meta<'a>,
    exported_at: &'a str,
    name: &'a str,
    author: &'a str,
    uuid: &'a str,
    description: &'a str,
    tags: &'a [String],
    features: &'a [String],
    docker_images: Pairs<'a>,
    file_denylist: &'a [String],
    startup_commands: Pairs<'a>,
    config: Config<'a>,
    scripts: Scripts<'a>,
    variables: Vec<Variable<'a>>,
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `egg` as a `PLCN_v3` file; `exported_at` is RFC 3339.
pub fn export(egg: &EggDefinition, exported_at: &str, yaml: bool) -> Result<String, ApiError> {
    let block = |value: Value| -> Result<Value, ApiError> {
        if yaml {
            Ok(value)
        } else {
            serde_json::to_string_pretty(&value)
                .map(Value::String)
                .map_err(|e| ApiError::Internal(e.to_string()))
        }
    };
    let file = File {
        comment: "DO NOT EDIT: FILE GENERATED AUTOMATICALLY BY FLAMINGO",
        meta: Meta {
            version: VERSION,
            update_url: egg.update_url.as_deref(),
        },
        exported_at,
        name: &egg.name,
        author: &egg.author,
        uuid: &egg.uuid,
        description: &egg.description,
        tags: &egg.tags,
        features: &egg.features,
        docker_images: Pairs(
            egg.docker_images
                .iter()
                .map(|i| (i.label.as_str(), i.image.as_str()))
                .collect(),
        ),
        file_denylist: &egg.file_denylist,
        startup_commands: Pairs(
            egg.startup_commands
                .iter()
                .map(|c| (c.name.as_str(), c.command.as_str()))
                .collect(),
        ),
        config: Config {
            files: block(to_value(&egg.config.files)?)?,
            startup: block(to_value(&egg.config.startup)?)?,
            logs: block(egg.config.logs.clone())?,
            stop: &egg.config.stop,
        },
        scripts: Scripts {
            installation: &egg.install,
        },
        variables: egg
            .variables
            .iter()
            .map(|v| Variable {
                name: &v.name,
                description: &v.description,
                env_variable: &v.env_variable,
                default_value: &v.default_value,
                user_viewable: v.user_viewable,
                user_editable: v.user_editable,
                rules: &v.rules,
                sort: v.sort,
            })
            .collect(),
    };
    if yaml {
        serde_yaml_ng::to_string(&file).map_err(|e| ApiError::Internal(e.to_string()))
    } else {
        serde_json::to_string_pretty(&file).map_err(|e| ApiError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::import::import;
    use super::*;

    const EGG: &str = r##"{
        "meta": {"version": "PLCN_v3", "update_url": null},
        "name": "Demo", "author": "ada@example.com", "uuid": "5DA37EF6-58DA-4169-90A6-E683E1721247",
        "description": "Line one\nline two",
        "docker_images": {"Zeta": "img:z", "Alpha": "img:a"},
        "startup_commands": {"Second": "./b", "First": "./a"},
        "config": {"files": {"a.yml": {"parser": "yaml", "find": {"port": {"1": "{{server.allocations.default.port}}"}}}},
                   "startup": {"done": ["ready", "regex:^up$"], "strip_ansi": true}, "logs": {}, "stop": "^C"},
        "scripts": {"installation": {"script": "#!/bin/sh\necho 'hi'\n", "container": "alpine", "entrypoint": "sh"}},
        "variables": [{"name": "Mode", "description": "", "env_variable": "MODE", "default_value": "true",
                       "user_viewable": true, "user_editable": false, "rules": ["required", "in:true,false"], "sort": 1}]
    }"##;

    #[test]
    fn round_trips_through_json_and_yaml_keeping_order() {
        let egg = import(EGG.as_bytes(), false).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(egg.uuid, "5da37ef6-58da-4169-90a6-e683e1721247");
        assert_eq!(egg.docker_images[0].label, "Zeta");
        for yaml in [false, true] {
            let text =
                export(&egg, "2026-12-01T12:00:00Z", yaml).unwrap_or_else(|e| panic!("{e:?}"));
            let again = import(text.as_bytes(), yaml).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
            assert_eq!(again, egg, "{text}");
            assert!(text.find("Zeta") < text.find("Alpha"), "{text}");
        }
        let json: Value =
            serde_json::from_str(&export(&egg, "2026-12-01T12:00:00Z", false).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(json["meta"]["version"], "PLCN_v3");
        assert!(json["config"]["files"].is_string(), "as Pelican writes it");
        assert_eq!(json["variables"][0]["rules"][1], "in:true,false");
    }
}
