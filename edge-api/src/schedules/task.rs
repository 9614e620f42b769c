//! A schedule's tasks: what each does (a console command, a power signal,
//! a backup), how it is checked before it is stored, and running one
//! against the server's node.

use serde::{Deserialize, Serialize};

use super::backup_task;
use crate::{
    error::ApiError,
    game::{
        server::{self, ServerRecord},
        wings::{Wings, types::PowerSignal},
    },
    platform::Platform,
    validate::Problems,
};

/// The most tasks one schedule holds (Pelican's default).
pub const MAX_TASKS: usize = 10;
/// The longest delay before a task, in seconds (Pelican's).
pub const MAX_DELAY_SECONDS: i64 = 900;

/// What a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleAction")
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Sends `payload` to the console.
    Command,
    /// Sends the power signal `payload` (`start`, `stop`, `restart`, `kill`).
    Power,
    /// Creates a backup; `payload` lists files to leave out, one a line.
    Backup,
}

impl Action {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Command => "command",
            Action::Power => "power",
            Action::Backup => "backup",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Action> {
        [Action::Command, Action::Power, Action::Backup]
            .into_iter()
            .find(|a| a.as_str() == name)
    }
}

/// A task as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleTask")
)]
pub struct Task {
    /// Task id.
    pub id: String,
    /// 1, 2, ...: the order tasks run in.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub sequence: i64,
    /// What it does.
    pub action: Action,
    /// The command, the power signal, or the files a backup leaves out.
    pub payload: String,
    /// Seconds to wait after the task before it (or the run's start).
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub delay_seconds: i64,
    /// Whether the run goes on when this task fails.
    pub continue_on_failure: bool,
}

/// A task as read from D1.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TaskRow {
    pub id: String,
    pub schedule_id: String,
    pub sequence: i64,
    pub action: String,
    pub payload: String,
    pub delay_seconds: i64,
    pub continue_on_failure: i64,
}

impl TaskRow {
    pub(crate) fn to_task(&self) -> Task {
        Task {
            id: self.id.clone(),
            sequence: self.sequence,
            action: Action::parse(&self.action).unwrap_or(Action::Command),
            payload: self.payload.clone(),
            delay_seconds: self.delay_seconds,
            continue_on_failure: self.continue_on_failure != 0,
        }
    }
}

/// A new task (`POST …/schedules/{schedule}/tasks`, or in a new schedule).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "NewScheduleTask")
)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// What it does.
    pub action: Action,
    /// The command, the power signal, or files a backup leaves out (one a line).
    #[serde(default)]
    pub payload: String,
    /// Seconds after the task before it, 0-900 (default 0).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub delay_seconds: Option<i64>,
    /// Go on when it fails (default false).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub continue_on_failure: Option<bool>,
}

/// A change to a task (`PATCH …/tasks/{task}`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleTaskChange")
)]
#[serde(deny_unknown_fields)]
pub struct TaskChange {
    /// What it does.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub action: Option<Action>,
    /// Its payload.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub payload: Option<String>,
    /// Seconds after the task before it, 0-900.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub delay_seconds: Option<i64>,
    /// Go on when it fails.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub continue_on_failure: Option<bool>,
    /// Its place, 1 to the number of tasks (the others move along).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub sequence: Option<i64>,
}

/// Checks a task's payload for its action; the normalized payload.
pub fn check_payload(action: Action, payload: &str) -> Result<String, String> {
    match action {
        Action::Command => {
            let line = payload.trim_end_matches(['\r', '\n']);
            if line.trim().is_empty() || line.len() > 2000 || line.contains(['\n', '\r']) {
                Err("must be one console line of at most 2000 characters".into())
            } else {
                Ok(line.to_owned())
            }
        }
        Action::Power => match payload.trim() {
            p @ ("start" | "stop" | "restart" | "kill") => Ok(p.to_owned()),
            _ => Err("must be start, stop, restart or kill".into()),
        },
        Action::Backup => {
            if payload.len() > 10_000 {
                Err("must be at most 10000 characters of files to leave out".into())
            } else {
                Ok(payload.trim().to_owned())
            }
        }
    }
}

/// Checks a delay in seconds.
pub fn check_delay(delay: i64) -> Result<(), String> {
    if (0..=MAX_DELAY_SECONDS).contains(&delay) {
        Ok(())
    } else {
        Err(format!("must be between 0 and {MAX_DELAY_SECONDS} seconds"))
    }
}

/// Checks a new task, reporting problems under `prefix` (`tasks.0.` or "").
pub fn check_new(task: &NewTask, prefix: &str, problems: &mut Problems) -> Option<String> {
    let delay = task.delay_seconds.unwrap_or(0);
    problems.check(&format!("{prefix}delay_seconds"), check_delay(delay));
    match check_payload(task.action, &task.payload) {
        Ok(payload) => Some(payload),
        Err(problem) => {
            problems.add(&format!("{prefix}payload"), problem);
            None
        }
    }
}

fn power_signal(payload: &str) -> Option<PowerSignal> {
    match payload {
        "start" => Some(PowerSignal::Start),
        "stop" => Some(PowerSignal::Stop),
        "restart" => Some(PowerSignal::Restart),
        "kill" => Some(PowerSignal::Kill),
        _ => None,
    }
}

/// Runs one task on `server`: Ok, or why it failed as a sentence.
pub(crate) async fn run(
    platform: &Platform,
    server: &ServerRecord,
    task: &TaskRow,
) -> Result<(), String> {
    if server.suspended() {
        return Err("the server is suspended".into());
    }
    let node = server::node_of(platform, server)
        .await
        .map_err(|e| sentence(&e))?;
    let target = node.target(platform).map_err(|e| sentence(&e))?;
    let wings = Wings::new(platform.http.as_ref(), &target);
    let outcome = match Action::parse(&task.action) {
        Some(Action::Command) => {
            wings
                .commands(&server.id, std::slice::from_ref(&task.payload))
                .await
        }
        Some(Action::Power) => {
            let Some(signal) = power_signal(&task.payload) else {
                return Err(format!("{:?} is not a power signal", task.payload));
            };
            wings.power(&server.id, signal).await
        }
        Some(Action::Backup) => {
            return backup_task::create(platform, server, &task.payload).await;
        }
        None => return Err(format!("{:?} is not a task action", task.action)),
    };
    outcome.map_err(|e| sentence(&ApiError::from(e)))
}

/// An error as the sentence a run records.
pub(crate) fn sentence(e: &ApiError) -> String {
    match e {
        ApiError::Internal(cause) | ApiError::Upstream(cause) => {
            crate::error::log_error("schedule_task", cause);
            "Flamingo could not run it (see the logs)".into()
        }
        other => other.to_string(),
    }
}
