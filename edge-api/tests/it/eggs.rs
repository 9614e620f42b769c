//! Eggs: every fixture (real public eggs of each format, see
//! tests/fixtures/eggs/README.md) imports, exports as PLCN_v3 and imports
//! back to the same definition; the routes under `/api/orgs/{org}/eggs`.

use std::collections::BTreeMap;

use edge_api::{
    ApiError,
    game::egg::{
        EggDefinition,
        definition::ConfigParser,
        export::export,
        import::{import, looks_like_yaml},
        process::{self, process_configuration},
        rules,
    },
};
use serde_json::{Value, json};

/// Every fixture: file name and the format it is in.
const FIXTURES: &[(&str, &str)] = &[
    ("paper.plcn_v3.yaml", "PLCN_v3"),
    ("paper.ptdl_v2.json", "PTDL_v2"),
    ("garrys-mod.plcn_v3.yaml", "PLCN_v3"),
    ("counter-strike-2.ptdl_v2.json", "PTDL_v2"),
    ("nodejs-generic.plcn_v3.yaml", "PLCN_v3"),
    ("nodejs-generic.plcn_v1.json", "PLCN_v1"),
    ("python-generic.plcn_v2.json", "PLCN_v2"),
    ("factorio.ptdl_v1.json", "PTDL_v1"),
    ("mindustry.ptdl_v1.json", "PTDL_v1"),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/eggs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn imported(name: &str) -> EggDefinition {
    let body = fixture(name);
    import(&body, looks_like_yaml(None, &body)).unwrap_or_else(|e| match e {
        ApiError::Invalid { fields } => panic!("{name}: {fields:?}"),
        other => panic!("{name}: {other:?}"),
    })
}

#[test]
fn every_fixture_imports_exports_and_imports_back_the_same() {
    for (name, format) in FIXTURES {
        let body = String::from_utf8(fixture(name)).expect("utf-8");
        assert!(body.contains(format), "{name} is a {format} file");
        let egg = imported(name);
        assert!(!egg.docker_images.is_empty(), "{name}");
        assert!(!egg.startup_commands.is_empty(), "{name}");
        assert!(!egg.variables.is_empty(), "{name}");
        for yaml in [false, true] {
            let file = export(&egg, "2026-12-01T12:00:00Z", yaml).expect("exports");
            let again = import(file.as_bytes(), yaml)
                .unwrap_or_else(|e| panic!("{name} (yaml: {yaml}) re-import: {e:?}\n{file}"));
            assert_eq!(again, egg, "{name} (yaml: {yaml})");
            let version = if yaml {
                "version: PLCN_v3"
            } else {
                "\"version\": \"PLCN_v3\""
            };
            assert!(file.contains(version), "{name}: {file}");
        }
    }
}

#[test]
fn paper_in_both_formats_is_the_same_egg() {
    let v3 = imported("paper.plcn_v3.yaml");
    let v2 = imported("paper.ptdl_v2.json");
    assert_eq!(v3.uuid, "5da37ef6-58da-4169-90a6-e683e1721247");
    assert_eq!(
        v3.docker_images, v2.docker_images,
        "same images, same order"
    );
    assert_eq!(
        v3.docker_images[0].label, "Java 21",
        "the file's first image stays first"
    );
    assert_eq!(v3.startup_commands, v2.startup_commands);
    // PTDL_v2's legacy placeholder is upgraded to the one PLCN_v3 writes.
    assert_eq!(v3.config.files, v2.config.files);
    let properties = &v3.config.files["server.properties"];
    assert_eq!(properties.parser, ConfigParser::Properties);
    assert_eq!(
        properties.find["server-port"],
        json!("{{server.allocations.default.port}}")
    );
    assert_eq!(
        v3.config.startup.done,
        vec![")! For help, type ".to_owned()]
    );
    assert_eq!(v3.config.stop, "stop");
    let jar = v3.variable("SERVER_JARFILE").expect("the jar variable");
    assert_eq!(
        v2.variable("SERVER_JARFILE").map(|v| &v.rules),
        Some(&jar.rules)
    );
    assert!(rules::check(&jar.rules, Some("server.jar")).is_ok());
    assert!(rules::check(&jar.rules, Some("server.zip")).is_err());
}

#[test]
fn older_formats_normalize_as_pelican_does() {
    let factorio = imported("factorio.ptdl_v1.json");
    assert_eq!(
        factorio.docker_images[0].label,
        factorio.docker_images[0].image
    );
    assert_eq!(factorio.startup_commands[0].name, "Default");
    let settings = &factorio.config.files["data/server-settings.json"];
    assert_eq!(settings.parser, ConfigParser::Json);
    assert_eq!(
        settings.find["name"],
        json!("{{server.environment.SERVER_NAME}}")
    );
    let mindustry = imported("mindustry.ptdl_v1.json");
    assert_eq!(
        mindustry.default_image(),
        Some("ghcr.io/pterodactyl/yolks:java_11")
    );
    let node = imported("nodejs-generic.plcn_v1.json");
    assert_eq!(node.config.stop, "^C");
    assert_eq!(node.config.startup.done.len(), 2);
    let python = imported("python-generic.plcn_v2.json");
    assert!(python.startup_commands[0].command.contains("python"));
}

#[test]
fn process_configuration_for_a_real_egg() {
    let paper = imported("paper.plcn_v3.yaml");
    let settings = json!({
        "allocations": { "default": { "ip": "203.0.113.7", "port": 25565 } },
        "build": { "memory_limit": 1024 },
        "environment": { "SERVER_JARFILE": "server.jar" },
    });
    let object = process_configuration(&paper, &process::flatten(&settings));
    assert_eq!(
        object["stop"],
        json!({ "type": "command", "value": "stop" })
    );
    assert_eq!(object["startup"]["done"], json!([")! For help, type "]));
    assert_eq!(object["startup"]["user_interaction"], json!([]));
    let configs = object["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0]["file"], "server.properties");
    assert_eq!(configs[0]["parser"], "properties");
    let replaced: BTreeMap<&str, &Value> = configs[0]["replace"]
        .as_array()
        .expect("replace")
        .iter()
        .map(|r| (r["match"].as_str().expect("match"), &r["replace_with"]))
        .collect();
    assert_eq!(replaced["server-port"], &json!("25565"));
    assert_eq!(replaced["query.port"], &json!("25565"));
    assert_eq!(replaced["server-ip"], &json!(""));

    let node = imported("nodejs-generic.plcn_v1.json");
    let object = process_configuration(&node, &BTreeMap::new());
    assert_eq!(object["stop"], json!({ "type": "signal", "value": "C" }));
    assert_eq!(object["configs"], json!([]));
}
