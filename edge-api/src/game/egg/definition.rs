//! The normalized egg: what every supported file format (`PTDL_v1` …
//! `PLCN_v3`) is turned into on import, what is stored (as one JSON column)
//! and what `POST /api/orgs/{org}/eggs` accepts. Ordered lists stand where
//! the files have maps (`docker_images`, `startup_commands`) so the order a
//! person wrote is kept and shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A normalized egg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct EggDefinition {
    /// The egg's own UUID (the same egg keeps it across panels and exports);
    /// Wings receives it as the server's `egg.id`. Empty when creating: a
    /// new one is made.
    #[serde(default)]
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// Who wrote it (an email address, in the public eggs).
    pub author: String,
    /// What it runs.
    #[serde(default)]
    pub description: String,
    /// Where a newer version of the file is published.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub update_url: Option<String>,
    /// Free-form tags, e.g. `minecraft`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Panel features the egg asks for, e.g. `eula`, `java_version`.
    #[serde(default)]
    pub features: Vec<String>,
    /// The images a server may run, first one the default.
    pub docker_images: Vec<DockerImage>,
    /// Files a server's users may not touch (Wings' `egg.file_denylist`).
    #[serde(default)]
    pub file_denylist: Vec<String>,
    /// The startup commands to choose from, first one the default.
    pub startup_commands: Vec<StartupCommand>,
    /// How Wings runs and stops the process and edits its config files.
    pub config: EggConfig,
    /// How a server is installed.
    pub install: InstallScript,
    /// The variables a server sets.
    #[serde(default)]
    pub variables: Vec<EggVariable>,
}

/// One docker image an egg offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct DockerImage {
    /// What people pick, e.g. `Java 21`.
    pub label: String,
    /// The image reference, e.g. `ghcr.io/pelican-eggs/yolks:java_21`.
    pub image: String,
}

/// One startup command an egg offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct StartupCommand {
    /// What people pick, e.g. `Default`.
    pub name: String,
    /// The command with `{{VARIABLE}}` placeholders.
    pub command: String,
}

/// The egg's `config` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct EggConfig {
    /// Config files Wings edits before each start, by path.
    #[serde(default)]
    pub files: BTreeMap<String, ConfigFile>,
    /// How Wings knows the server has started.
    #[serde(default)]
    pub startup: StartupConfig,
    /// The legacy `logs` block, kept as written (Wings does not read it).
    #[serde(default = "empty_object")]
    pub logs: Value,
    /// How to stop: `^C` (or `^SIGTERM`, …) sends a signal, any other text
    /// is written to the console as a command, empty stops the container.
    #[serde(default)]
    pub stop: String,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// One config file Wings edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// How Wings reads the file.
    pub parser: ConfigParser,
    /// Key (or line, for `file`) → new value, or → `{if_value: new value}`;
    /// string values may hold `{{server.…}}`/`{{env.…}}` placeholders.
    #[serde(default)]
    pub find: Map<String, Value>,
    /// Whether Wings creates the file when missing (Wings' default: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub create_file: Option<bool>,
}

/// The parsers Wings knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum ConfigParser {
    /// Plain text, matched by line prefix.
    File,
    /// YAML.
    Yaml,
    /// Java `.properties`.
    Properties,
    /// INI.
    Ini,
    /// JSON.
    Json,
    /// XML.
    Xml,
    /// TOML.
    Toml,
}

impl ConfigParser {
    /// Every parser, by the name files use.
    pub const ALL: [(&'static str, ConfigParser); 7] = [
        ("file", ConfigParser::File),
        ("yaml", ConfigParser::Yaml),
        ("properties", ConfigParser::Properties),
        ("ini", ConfigParser::Ini),
        ("json", ConfigParser::Json),
        ("xml", ConfigParser::Xml),
        ("toml", ConfigParser::Toml),
    ];

    /// The parser's name as Wings expects it.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("file", |(name, _)| name)
    }

    /// The parser named `name`, if Wings knows it.
    pub fn parse(name: &str) -> Option<ConfigParser> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, parser)| *parser)
    }
}

/// The egg's `config.startup` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct StartupConfig {
    /// Console lines that mean "started" (`regex:` prefix: a regex).
    #[serde(default)]
    pub done: Vec<String>,
    /// Whether Wings strips ANSI codes before matching.
    #[serde(default)]
    pub strip_ansi: bool,
}

/// How a server is installed: a script run once in its own container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct InstallScript {
    /// The script.
    #[serde(default)]
    pub script: String,
    /// The image it runs in.
    #[serde(default)]
    pub container: String,
    /// The program that runs it, e.g. `bash`.
    #[serde(default)]
    pub entrypoint: String,
}

/// One variable a server sets (an environment variable of its container).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct EggVariable {
    /// Display name.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// The environment variable, e.g. `SERVER_JARFILE`.
    pub env_variable: String,
    /// The value a new server starts with.
    #[serde(default)]
    pub default_value: String,
    /// Whether a server's users see it.
    #[serde(default)]
    pub user_viewable: bool,
    /// Whether a server's users may change it.
    #[serde(default)]
    pub user_editable: bool,
    /// Laravel-style rules (see [`super::rules`]), e.g. `["required", "max:20"]`.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Display order, lowest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub sort: Option<u32>,
}

impl EggDefinition {
    /// The default docker image (the first), if any.
    pub fn default_image(&self) -> Option<&str> {
        self.docker_images.first().map(|i| i.image.as_str())
    }

    /// The default startup command (the first), if any.
    pub fn default_startup(&self) -> Option<&str> {
        self.startup_commands.first().map(|c| c.command.as_str())
    }

    /// The variable named `env_variable`, if the egg has it.
    pub fn variable(&self, env_variable: &str) -> Option<&EggVariable> {
        self.variables
            .iter()
            .find(|v| v.env_variable == env_variable)
    }
}
