//! The checks every egg passes before it is stored, however it came
//! (created, changed or imported): field errors named by path, e.g.
//! `variables.2.rules`, all reported at once.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{definition::EggDefinition, import::RESERVED_ENV, rules};
use crate::{error::ApiError, validate::Problems};

/// Longest name, label or command name.
const MAX_NAME: usize = 255;
/// Most docker images, startup commands or variables an egg may have.
const MAX_ITEMS: usize = 100;

/// Checks `egg` and tidies it (trims names, writes the uuid lowercase).
pub fn definition(egg: &mut EggDefinition) -> Result<(), ApiError> {
    let mut p = Problems::new();
    match crate::validate::as_id(egg.uuid.trim()) {
        Some(uuid) => egg.uuid = uuid,
        None => p.add("uuid", "must be a UUID"),
    }
    egg.name = egg.name.trim().to_owned();
    p.check("name", short_text(&egg.name));
    if egg.author.chars().count() > MAX_NAME {
        p.add("author", format!("must be at most {MAX_NAME} characters"));
    }

    if egg.docker_images.is_empty() {
        p.add("docker_images", "must list at least one image");
    }
    if egg.docker_images.len() > MAX_ITEMS {
        p.add(
            "docker_images",
            format!("must list at most {MAX_ITEMS} images"),
        );
    }
    let mut labels = BTreeSet::new();
    for (i, image) in egg.docker_images.iter_mut().enumerate() {
        image.label = image.label.trim().to_owned();
        image.image = image.image.trim().to_owned();
        p.check(
            &format!("docker_images.{i}.label"),
            short_text(&image.label),
        );
        if !labels.insert(image.label.clone()) {
            p.add(&format!("docker_images.{i}.label"), "is used twice");
        }
        if image.image.is_empty() || image.image.chars().any(char::is_whitespace) {
            p.add(
                &format!("docker_images.{i}.image"),
                "must be an image reference",
            );
        }
    }

    if egg.startup_commands.is_empty() {
        p.add("startup_commands", "must list at least one command");
    }
    if egg.startup_commands.len() > MAX_ITEMS {
        p.add(
            "startup_commands",
            format!("must list at most {MAX_ITEMS} commands"),
        );
    }
    let mut names = BTreeSet::new();
    for (i, command) in egg.startup_commands.iter_mut().enumerate() {
        command.name = command.name.trim().to_owned();
        p.check(
            &format!("startup_commands.{i}.name"),
            short_text(&command.name),
        );
        if !names.insert(command.name.clone()) {
            p.add(&format!("startup_commands.{i}.name"), "is used twice");
        }
        if command.command.trim().is_empty() {
            p.add(
                &format!("startup_commands.{i}.command"),
                "must not be empty",
            );
        }
    }

    for (path, file) in &egg.config.files {
        if path.trim().is_empty() {
            p.add("config.files", "names a file with an empty path");
        }
        for (key, value) in &file.find {
            let scalar = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
            let ok = match value {
                Value::Object(cases) => cases.values().all(scalar),
                other => scalar(other),
            };
            if !ok {
                p.add(
                    &format!("config.files.{path}.find.{key}"),
                    "must be a value, or a map of current values to new ones",
                );
            }
        }
    }
    if egg.config.stop.chars().count() > MAX_NAME {
        p.add(
            "config.stop",
            format!("must be at most {MAX_NAME} characters"),
        );
    }

    if egg.variables.len() > MAX_ITEMS {
        p.add(
            "variables",
            format!("must list at most {MAX_ITEMS} variables"),
        );
    }
    let mut envs = BTreeSet::new();
    for (i, variable) in egg.variables.iter_mut().enumerate() {
        let field = |name: &str| format!("variables.{i}.{name}");
        variable.name = variable.name.trim().to_owned();
        p.check(&field("name"), short_text(&variable.name));
        let env = &variable.env_variable;
        if env.is_empty()
            || env.len() > MAX_NAME
            || !env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            p.add(
                &field("env_variable"),
                "must be letters, digits, `_` or `-`, at most 255",
            );
        } else if RESERVED_ENV.contains(&env.as_str()) {
            p.add(
                &field("env_variable"),
                "is set by Wings itself; choose another name",
            );
        } else if !envs.insert(env.clone()) {
            p.add(&field("env_variable"), "is used by another variable");
        }
        p.check(&field("rules"), rules::validate(&variable.rules));
    }
    p.finish()
}

fn short_text(value: &str) -> Result<(), String> {
    if value.is_empty() {
        Err("must not be empty".into())
    } else if value.chars().count() > MAX_NAME {
        Err(format!("must be at most {MAX_NAME} characters"))
    } else if value.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(())
    }
}
