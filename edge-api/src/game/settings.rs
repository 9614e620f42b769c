//! A server's configuration as Wings reads it (contract section 3,
//! `settings` and `process_configuration`), with the Go types Wings decodes
//! into: environment values are strings, `io_weight` fits a uint16,
//! `egg.id` is the egg's UUID string, `allocations.default` is always there.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::{
    egg::{EggDefinition, process},
    server::{ServerAllocation, ServerRecord},
};

/// `{settings, process_configuration}` of one server.
#[derive(Debug, Clone, Serialize)]
pub struct ServerConfiguration {
    /// The server's settings.
    pub settings: Value,
    /// How Wings runs the process.
    pub process_configuration: Value,
}

/// One entry of the boot list.
#[derive(Debug, Clone, Serialize)]
pub struct BootEntry {
    /// The server's uuid.
    pub uuid: String,
    /// The server's settings.
    pub settings: Value,
    /// How Wings runs the process.
    pub process_configuration: Value,
}

/// The variables a server's container gets: the egg's defaults, overlaid
/// with the server's values, all strings.
pub fn environment(server: &ServerRecord, egg: &EggDefinition) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = egg
        .variables
        .iter()
        .map(|v| (v.env_variable.clone(), v.default_value.clone()))
        .collect();
    env.extend(server.environment());
    env.insert("P_SERVER_UUID".into(), server.id.clone());
    env
}

/// The `settings` object for `server` of `egg` with its `allocations`
/// (default first).
pub fn settings(
    server: &ServerRecord,
    egg: &EggDefinition,
    allocations: &[ServerAllocation],
) -> Value {
    let default = allocations
        .iter()
        .find(|a| a.is_default)
        .or_else(|| allocations.first());
    let mut mappings: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in allocations {
        mappings.entry(a.ip.clone()).or_default().push(a.port);
    }
    let features: BTreeMap<&str, Vec<String>> = egg
        .features
        .iter()
        .map(|f| (f.as_str(), Vec::new()))
        .collect();
    json!({
        "id": server.number,
        "uuid": server.id,
        "meta": { "name": server.name, "description": server.description },
        "suspended": server.suspended(),
        "skip_egg_scripts": server.skip_egg_scripts != 0,
        "invocation": server.startup,
        "environment": environment(server, egg),
        "labels": {},
        "allocations": {
            "force_outgoing_ip": false,
            "default": {
                "ip": default.map_or("0.0.0.0", |a| a.ip.as_str()),
                "port": default.map_or(0, |a| a.port),
            },
            "mappings": mappings,
        },
        "build": {
            "memory_limit": server.memory,
            "swap": server.swap,
            "io_weight": server.io.clamp(10, 1000),
            "cpu_limit": server.cpu,
            "disk_space": server.disk,
            "threads": server.threads.clone().unwrap_or_default(),
            "oom_killer": server.oom_killer != 0,
        },
        "mounts": [],
        "egg": {
            "id": server.egg_uuid,
            "file_denylist": egg.file_denylist,
            "features": features,
        },
        "container": { "image": server.image },
    })
}

/// Settings and process configuration of one server.
pub fn configuration(
    server: &ServerRecord,
    egg: &EggDefinition,
    allocations: &[ServerAllocation],
) -> ServerConfiguration {
    let settings = settings(server, egg, allocations);
    let placeholders = process::flatten(&settings);
    ServerConfiguration {
        process_configuration: super::egg::process_configuration(egg, &placeholders),
        settings,
    }
}
