//! A server's variables checked against its egg: what the servers code
//! calls on create and on a startup change, so a value that breaks the
//! egg's rules never reaches Wings.

use std::collections::BTreeMap;

use super::{definition::EggDefinition, rules};
use crate::{error::ApiError, validate::Problems};

/// Who is changing the values: an organization member who manages the
/// server (every variable), or a server's own user (only the variables the
/// egg marks `user_editable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    /// May set every variable.
    Manager,
    /// May set only `user_editable` variables.
    ServerUser,
}

/// The server's whole environment: for every variable of `egg`, the value
/// in `given`, else the one in `current` (the server's values so far; empty
/// for a new server), else the egg's default; each checked against the
/// variable's rules. Problems are field errors named `environment.<VAR>`:
/// a name the egg does not have, a variable `editor` may not change, or a
/// value that breaks a rule.
pub fn environment(
    egg: &EggDefinition,
    current: &BTreeMap<String, String>,
    given: &BTreeMap<String, String>,
    editor: Editor,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut p = Problems::new();
    for name in given.keys() {
        match egg.variable(name) {
            None => p.add(
                &format!("environment.{name}"),
                "is not a variable of this egg",
            ),
            Some(v) if editor == Editor::ServerUser && !(v.user_editable && v.user_viewable) => {
                p.add(&format!("environment.{name}"), "may not be changed")
            }
            Some(_) => {}
        }
    }
    let mut out = BTreeMap::new();
    for variable in &egg.variables {
        let name = &variable.env_variable;
        let value = given
            .get(name)
            .or_else(|| current.get(name))
            .cloned()
            .unwrap_or_else(|| variable.default_value.clone());
        p.check(
            &format!("environment.{name}"),
            rules::check(&variable.rules, Some(&value)),
        );
        out.insert(name.clone(), value);
    }
    p.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::definition::{EggConfig, EggVariable, InstallScript, StartupConfig};
    use super::*;

    fn variable(env: &str, default: &str, rules: &[&str], editable: bool) -> EggVariable {
        EggVariable {
            name: env.to_owned(),
            description: String::new(),
            env_variable: env.to_owned(),
            default_value: default.to_owned(),
            user_viewable: true,
            user_editable: editable,
            rules: rules.iter().map(|r| (*r).to_owned()).collect(),
            sort: None,
        }
    }

    fn egg() -> EggDefinition {
        EggDefinition {
            uuid: "5da37ef6-58da-4169-90a6-e683e1721247".into(),
            name: "Demo".into(),
            author: String::new(),
            description: String::new(),
            update_url: None,
            tags: vec![],
            features: vec![],
            docker_images: vec![],
            file_denylist: vec![],
            startup_commands: vec![],
            config: EggConfig {
                files: BTreeMap::new(),
                startup: StartupConfig::default(),
                logs: serde_json::json!({}),
                stop: String::new(),
            },
            install: InstallScript::default(),
            variables: vec![
                variable(
                    "SERVER_JARFILE",
                    "server.jar",
                    &["required", r"regex:/^[\w.-]+\.jar$/"],
                    true,
                ),
                variable(
                    "MAX_PLAYERS",
                    "20",
                    &["required", "integer", "between:1,100"],
                    false,
                ),
            ],
        }
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn fills_defaults_and_keeps_current_values() {
        let env = environment(&egg(), &BTreeMap::new(), &BTreeMap::new(), Editor::Manager);
        assert_eq!(
            env.ok(),
            Some(map(&[
                ("MAX_PLAYERS", "20"),
                ("SERVER_JARFILE", "server.jar")
            ]))
        );
        let current = map(&[("MAX_PLAYERS", "50")]);
        let given = map(&[("SERVER_JARFILE", "paper.jar")]);
        let env = environment(&egg(), &current, &given, Editor::ServerUser);
        assert_eq!(
            env.ok(),
            Some(map(&[
                ("MAX_PLAYERS", "50"),
                ("SERVER_JARFILE", "paper.jar")
            ]))
        );
    }

    #[test]
    fn names_each_problem() {
        let given = map(&[
            ("MAX_PLAYERS", "500"),
            ("SERVER_JARFILE", "x.zip"),
            ("NOPE", "1"),
        ]);
        let Err(ApiError::Invalid { fields }) =
            environment(&egg(), &BTreeMap::new(), &given, Editor::Manager)
        else {
            panic!("expected field errors");
        };
        assert_eq!(
            fields["environment.MAX_PLAYERS"],
            "must be between 1 and 100"
        );
        assert_eq!(
            fields["environment.SERVER_JARFILE"],
            "is not in the format the egg requires"
        );
        assert_eq!(fields["environment.NOPE"], "is not a variable of this egg");
        let given = map(&[("MAX_PLAYERS", "30")]);
        let Err(ApiError::Invalid { fields }) =
            environment(&egg(), &BTreeMap::new(), &given, Editor::ServerUser)
        else {
            panic!("expected field errors");
        };
        assert_eq!(fields["environment.MAX_PLAYERS"], "may not be changed");
    }
}
