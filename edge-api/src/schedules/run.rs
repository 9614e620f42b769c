//! A schedule's runs as kept and shown: when each was due and started, its
//! outcome (completed, failed, skipped, missed) with the reason, and each
//! task's result.

use serde::{Deserialize, Serialize};

use crate::{
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// How a run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleRunStatus")
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Tasks are still to run (after their delays).
    Running,
    /// Every task ran.
    Completed,
    /// A task failed (see `reason` and the task's result).
    Failed,
    /// Not run, on purpose: the server was offline and the schedule runs
    /// only when online, it is suspended, or the previous run was still going.
    Skipped,
    /// Not run, though it should have: the node could not be reached, or
    /// Flamingo woke too late.
    Missed,
}

impl Status {
    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Missed => "missed",
        }
    }

    fn parse(name: &str) -> Status {
        match name {
            "running" => Status::Running,
            "completed" => Status::Completed,
            "skipped" => Status::Skipped,
            "missed" => Status::Missed,
            _ => Status::Failed,
        }
    }
}

/// One task's result in a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleTaskResult")
)]
pub struct TaskResult {
    /// The task.
    pub task_id: String,
    /// Its place in the run.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub sequence: i64,
    /// `command`, `power` or `backup`.
    pub action: String,
    /// Whether it did what it should.
    pub ok: bool,
    /// Why not, as a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub error: Option<String>,
    /// RFC 3339, when it ran.
    pub at: String,
}

/// A run as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleRun")
)]
pub struct Run {
    /// Run id.
    pub id: String,
    /// The schedule.
    pub schedule_id: String,
    /// `cron` (on its own) or `manual` (run now).
    pub trigger: String,
    /// RFC 3339: when it was meant to start.
    pub due_at: String,
    /// RFC 3339: when Flamingo took it up.
    pub started_at: String,
    /// RFC 3339, once it is over.
    pub finished_at: Option<String>,
    /// How it went.
    pub status: Status,
    /// Why it was skipped, missed or failed.
    pub reason: Option<String>,
    /// The tasks that ran, in order.
    pub results: Vec<TaskResult>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RunRow {
    pub id: String,
    pub schedule_id: String,
    pub trigger: String,
    pub due_at: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub next_task: i64,
    pub next_task_at: Option<String>,
    pub results: String,
}

pub(crate) const RUN_COLUMNS: &str = "id, schedule_id, server_id, trigger, due_at, started_at, \
     finished_at, status, reason, next_task, next_task_at, results";

impl RunRow {
    pub(crate) fn results(&self) -> Vec<TaskResult> {
        serde_json::from_str(&self.results).unwrap_or_default()
    }

    pub(crate) fn to_run(&self) -> Run {
        Run {
            id: self.id.clone(),
            schedule_id: self.schedule_id.clone(),
            trigger: self.trigger.clone(),
            due_at: self.due_at.clone(),
            started_at: self.started_at.clone(),
            finished_at: self.finished_at.clone(),
            status: Status::parse(&self.status),
            reason: self.reason.clone(),
            results: self.results(),
        }
    }
}

/// The run `id`, if any.
pub(crate) async fn one(platform: &Platform, id: &str) -> Result<Option<RunRow>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE id = ?1"
            ))
            .bind(id),
        )
        .await?)
}

/// The newest run of each schedule of the server.
pub(crate) async fn last_of_server(
    platform: &Platform,
    server_id: &str,
) -> Result<Vec<RunRow>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE id IN \
                 (SELECT last_run_id FROM schedules WHERE server_id = ?1)"
            ))
            .bind(server_id),
        )
        .await?)
}

/// A schedule's newest `limit` runs, newest first.
pub(crate) async fn recent(
    platform: &Platform,
    schedule_id: &str,
    limit: i64,
) -> Result<Vec<RunRow>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE schedule_id = ?1 \
                 ORDER BY started_at DESC, id DESC LIMIT ?2"
            ))
            .bind(schedule_id)
            .bind(limit),
        )
        .await?)
}
