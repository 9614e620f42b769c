//! A schedule's whole task list, saved with the schedule in one request
//! (`PATCH …/schedules/{schedule}` with `tasks`): every task is checked
//! first, then the list is written in the same D1 batch as the schedule's
//! own fields, so a bad task (or a failing statement) leaves nothing changed.

use serde::Deserialize;

use super::task::{self, Action, MAX_TASKS, NewTask, TaskRow};
use crate::{error::ApiError, platform::db::Statement, validate::Problems};

/// One task of a schedule's full list: an existing task by `id` (it keeps
/// its id and runs' results, and takes these values) or, without one, a new task.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ScheduleTaskListed")
)]
#[serde(deny_unknown_fields)]
pub struct ListedTask {
    /// The task's id, if it is one the schedule has.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub id: Option<String>,
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

impl ListedTask {
    fn as_new(&self) -> NewTask {
        NewTask {
            action: self.action,
            payload: self.payload.clone(),
            delay_seconds: self.delay_seconds,
            continue_on_failure: self.continue_on_failure,
        }
    }
}

/// Checks `wanted` against the schedule's `current` tasks, reporting under
/// `tasks` and `tasks.{i}.{field}`, and answers the statements that make the
/// schedule's tasks exactly `wanted`, in its order: the others deleted, the
/// kept ones changed and renumbered, the new ones inserted. Use them only
/// when `problems` stayed empty.
pub(crate) fn statements(
    schedule_id: &str,
    current: &[TaskRow],
    wanted: &[ListedTask],
    now: &str,
    problems: &mut Problems,
) -> Result<Vec<Statement>, ApiError> {
    if wanted.len() > MAX_TASKS {
        problems.add("tasks", format!("must be at most {MAX_TASKS} tasks"));
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut writes = Vec::new();
    for (i, listed) in wanted.iter().enumerate() {
        let prefix = format!("tasks.{i}.");
        let payload = task::check_new(&listed.as_new(), &prefix, problems);
        let existing = match listed.id.as_deref() {
            None => None,
            Some(id) if kept.contains(&id) => {
                problems.add(&format!("{prefix}id"), "is listed twice");
                continue;
            }
            Some(id) => match current.iter().find(|t| t.id == id) {
                Some(existing) => {
                    kept.push(&existing.id);
                    Some(existing)
                }
                None => {
                    problems.add(&format!("{prefix}id"), "is not a task of this schedule");
                    continue;
                }
            },
        };
        let Some(payload) = payload else { continue };
        let sequence = i64::try_from(i).unwrap_or(0) + 1;
        writes.push(match existing {
            Some(existing) => Statement::new(
                "UPDATE schedule_tasks SET sequence = ?1, action = ?2, payload = ?3, \
                 delay_seconds = ?4, continue_on_failure = ?5, updated_at = ?6 \
                 WHERE id = ?7 AND schedule_id = ?8",
            )
            .bind(sequence)
            .bind(listed.action.as_str())
            .bind(payload)
            .bind(listed.delay_seconds.unwrap_or(existing.delay_seconds))
            .bind(
                listed
                    .continue_on_failure
                    .unwrap_or(existing.continue_on_failure != 0),
            )
            .bind(now)
            .bind(existing.id.as_str())
            .bind(schedule_id),
            None => super::schedule::task_insert(
                &crate::crypto::uuid()?,
                schedule_id,
                sequence,
                &listed.as_new(),
                &payload,
                now,
            ),
        });
    }
    let kept = serde_json::to_string(&kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut batch = vec![
        Statement::new(
            "DELETE FROM schedule_tasks WHERE schedule_id = ?1 \
             AND id NOT IN (SELECT value FROM json_each(?2))",
        )
        .bind(schedule_id)
        .bind(kept),
    ];
    batch.extend(writes);
    Ok(batch)
}
