//! Running schedules on the server's timer. [`wake`] is what the timer's
//! alarm does for a server: it carries on the runs whose next task is due,
//! starts the schedules whose time has come, and answers when to wake next.
//! Each step is claimed with a conditional write first, so an alarm and a
//! "run now" that overlap never run a task twice.
//!
//! A schedule due more than [`MISSED_AFTER_MS`] ago (the platform woke late,
//! or the timer was lost) is recorded as missed, with how late and how many
//! runs passed, and not run; one whose node cannot be reached is recorded
//! as missed with the node's error; one that runs only when online is
//! skipped while the server is not running, saying so.

use serde_json::json;

use super::{
    cron::Expression,
    run::{RUN_COLUMNS, RunRow, Status, TaskResult},
    schedule::{self, ScheduleRow},
    task::{self, TaskRow},
};
use crate::{
    auth::Resource,
    crypto,
    error::ApiError,
    game::{
        server::{self, ServerRecord},
        wings::Wings,
    },
    platform::{
        Platform,
        clock::{parse_rfc3339, rfc3339},
        db::{DatabaseExt, Statement},
    },
    record::events::{self, Audience, NewEvent},
};

/// A run taken up later than this after it was due is missed, not run.
pub const MISSED_AFTER_MS: i64 = 60_000;

/// The live event published for each run that ends (or never started).
pub const RUN_EVENT: &str = "schedule.run";

/// Runs the server's due work; when to wake next (None: nothing scheduled).
pub async fn wake(platform: &Platform, server_id: &str) -> Option<i64> {
    match advance(platform, server_id).await {
        Ok(next) => next,
        Err(e) => {
            crate::error::log_error("schedule wake", &e.to_string());
            // Try again in a minute rather than never.
            Some(platform.clock.now_ms() + 60_000)
        }
    }
}

async fn advance(platform: &Platform, server_id: &str) -> Result<Option<i64>, ApiError> {
    let Some(server) = server::record(platform, server_id).await? else {
        return Ok(None);
    };
    let now = rfc3339(platform.clock.now_ms());
    let running: Vec<RunRow> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE server_id = ?1 AND status = 'running' \
                 AND next_task_at IS NOT NULL AND next_task_at <= ?2 ORDER BY next_task_at"
            ))
            .bind(server.id.as_str())
            .bind(now.as_str()),
        )
        .await?;
    for run in running {
        carry_on(platform, &server, run).await?;
    }
    let due: Vec<ScheduleRow> = schedule::rows_of(platform, &server.id)
        .await?
        .into_iter()
        .filter(|s| {
            s.enabled != 0
                && s.next_run_at
                    .as_deref()
                    .is_some_and(|at| at <= now.as_str())
        })
        .collect();
    for schedule in due {
        start_due(platform, &server, &schedule).await?;
    }
    next_wake(platform, &server.id).await
}

/// When the server's timer should wake next.
pub(crate) async fn next_wake(
    platform: &Platform,
    server_id: &str,
) -> Result<Option<i64>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        at: Option<String>,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT MIN(at) AS at FROM (\
                 SELECT MIN(next_run_at) AS at FROM schedules WHERE server_id = ?1 AND enabled = 1 \
                 UNION ALL SELECT MIN(next_task_at) FROM schedule_runs \
                 WHERE server_id = ?1 AND status = 'running')",
            )
            .bind(server_id),
        )
        .await?;
    Ok(row.and_then(|r| r.at).as_deref().and_then(parse_rfc3339))
}

/// Starts a due schedule: claims its time (moving `next_run_at` on), then
/// runs it, or records why it was missed or skipped.
async fn start_due(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
) -> Result<(), ApiError> {
    let now_ms = platform.clock.now_ms();
    let Some(due_at) = schedule.next_run_at.clone() else {
        return Ok(());
    };
    let due_ms = parse_rfc3339(&due_at).unwrap_or(now_ms);
    let cron = Expression::parse(&schedule.cron).ok();
    let next = cron
        .as_ref()
        .and_then(|c| c.next_after(now_ms))
        .map(rfc3339);
    let claimed = platform
        .db
        .execute(
            Statement::new(
                "UPDATE schedules SET next_run_at = ?1 WHERE id = ?2 AND next_run_at = ?3",
            )
            .bind(next)
            .bind(schedule.id.as_str())
            .bind(due_at.as_str()),
        )
        .await?;
    if claimed != 1 {
        return Ok(());
    }
    let late_ms = now_ms - due_ms;
    if late_ms > MISSED_AFTER_MS {
        let passed = cron
            .as_ref()
            .map_or(0, |c| occurrences_between(c, due_ms, now_ms));
        let mut reason = format!(
            "Flamingo took it up {} after it was due (the platform woke late or its timer was lost)",
            duration(late_ms)
        );
        if passed > 0 {
            reason.push_str(&format!(
                "; {passed} later run(s) until then were missed too"
            ));
        }
        return record(
            platform,
            server,
            schedule,
            "cron",
            &due_at,
            Status::Missed,
            &reason,
        )
        .await;
    }
    begin(platform, server, schedule, "cron", &due_at)
        .await
        .map(drop)
}

/// How many times `cron` matched after `from_ms` up to `to_ms` (at most 10000).
fn occurrences_between(cron: &Expression, from_ms: i64, to_ms: i64) -> u32 {
    let mut count = 0;
    let mut at = from_ms;
    while let Some(next) = cron.next_after(at) {
        if next > to_ms || count >= 10_000 {
            break;
        }
        count += 1;
        at = next;
    }
    count
}

fn duration(ms: i64) -> String {
    let secs = ms / 1000;
    if secs < 120 {
        format!("{secs} s")
    } else if secs < 7200 {
        format!("{} min", secs / 60)
    } else {
        format!("{} h", secs / 3600)
    }
}

/// `POST …/run`: a manual run of `schedule`, its first tasks run now; the run's id.
pub(crate) async fn start_manual(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
) -> Result<String, ApiError> {
    let now = rfc3339(platform.clock.now_ms());
    let id = begin(platform, server, schedule, "manual", &now).await?;
    if let Ok(Some(next)) = next_wake(platform, &server.id).await {
        super::arm(platform, &server.id, next).await;
    }
    Ok(id)
}

/// Why the run cannot start now, with the status to record: the server is
/// suspended, the previous run is still going, the node cannot be reached,
/// or the server is offline and the schedule runs only when online.
async fn obstacle(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
) -> Result<Option<(Status, String)>, ApiError> {
    if server.suspended() {
        return Ok(Some((Status::Skipped, "the server is suspended".into())));
    }
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
    }
    let running: Option<Count> = platform
        .db
        .first(
            Statement::new(
                "SELECT COUNT(*) AS n FROM schedule_runs WHERE schedule_id = ?1 AND status = 'running'",
            )
            .bind(schedule.id.as_str()),
        )
        .await?;
    if running.is_some_and(|c| c.n > 0) {
        return Ok(Some((
            Status::Skipped,
            "its previous run had not finished".into(),
        )));
    }
    let node = server::node_of(platform, server).await?;
    let target = node.target(platform)?;
    match Wings::new(platform.http.as_ref(), &target)
        .server(&server.id)
        .await
    {
        Err(e) => Ok(Some((
            Status::Missed,
            format!(
                "the node could not be asked about the server: {}",
                task::sentence(&ApiError::from(e))
            ),
        ))),
        Ok(details) if schedule.only_when_online != 0 && details.state != "running" => Ok(Some((
            Status::Skipped,
            format!(
                "the server was {}, and this schedule runs only while it is online",
                details.state
            ),
        ))),
        Ok(_) => Ok(None),
    }
}

/// Starts a run (or records why it cannot start); its id.
async fn begin(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
    trigger: &str,
    due_at: &str,
) -> Result<String, ApiError> {
    if let Some((status, reason)) = obstacle(platform, server, schedule).await? {
        return record_returning(platform, server, schedule, trigger, due_at, status, &reason)
            .await;
    }
    let tasks = schedule::tasks_of(platform, &schedule.id).await?;
    let now_ms = platform.clock.now_ms();
    let id = crypto::uuid()?;
    let first_at = tasks
        .first()
        .map(|t| rfc3339(now_ms + t.delay_seconds * 1000));
    let status = if tasks.is_empty() {
        Status::Completed
    } else {
        Status::Running
    };
    let now = rfc3339(now_ms);
    platform
        .db
        .batch(vec![
            Statement::new(
                "INSERT INTO schedule_runs (id, schedule_id, server_id, trigger, due_at, started_at, \
                 finished_at, status, reason, next_task, next_task_at, results) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 0, ?9, '[]')",
            )
            .bind(id.as_str())
            .bind(schedule.id.as_str())
            .bind(server.id.as_str())
            .bind(trigger)
            .bind(due_at)
            .bind(now.as_str())
            .bind(tasks.is_empty().then(|| now.clone()))
            .bind(status.as_str())
            .bind(first_at),
            Statement::new("UPDATE schedules SET last_run_id = ?1 WHERE id = ?2")
                .bind(id.as_str())
                .bind(schedule.id.as_str()),
        ])
        .await?;
    if tasks.is_empty() {
        announce(platform, server, schedule, &id, status, None).await;
        return Ok(id);
    }
    if let Some(run) = super::run::one(platform, &id).await? {
        carry_on(platform, server, run).await?;
    }
    Ok(id)
}

/// Records a run that did not start.
async fn record(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
    trigger: &str,
    due_at: &str,
    status: Status,
    reason: &str,
) -> Result<(), ApiError> {
    record_returning(platform, server, schedule, trigger, due_at, status, reason)
        .await
        .map(drop)
}

async fn record_returning(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
    trigger: &str,
    due_at: &str,
    status: Status,
    reason: &str,
) -> Result<String, ApiError> {
    let id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    platform
        .db
        .batch(vec![
            Statement::new(
                "INSERT INTO schedule_runs (id, schedule_id, server_id, trigger, due_at, started_at, \
                 finished_at, status, reason, next_task, next_task_at, results) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, 0, NULL, '[]')",
            )
            .bind(id.as_str())
            .bind(schedule.id.as_str())
            .bind(server.id.as_str())
            .bind(trigger)
            .bind(due_at)
            .bind(now.as_str())
            .bind(status.as_str())
            .bind(reason),
            Statement::new("UPDATE schedules SET last_run_id = ?1 WHERE id = ?2")
                .bind(id.as_str())
                .bind(schedule.id.as_str()),
        ])
        .await?;
    announce(platform, server, schedule, &id, status, Some(reason)).await;
    Ok(id)
}

/// Runs a run's due tasks in order, until one is not due yet (its delay),
/// one fails without "continue on failure", or none are left.
async fn carry_on(
    platform: &Platform,
    server: &ServerRecord,
    mut run: RunRow,
) -> Result<(), ApiError> {
    let Some(schedule) = schedule::rows_of(platform, &server.id)
        .await?
        .into_iter()
        .find(|s| s.id == run.schedule_id)
    else {
        return Ok(());
    };
    let tasks: Vec<TaskRow> = schedule::tasks_of(platform, &schedule.id).await?;
    let mut results = run.results();
    loop {
        let index = usize::try_from(run.next_task).unwrap_or(usize::MAX);
        let Some(task) = tasks.get(index) else {
            let failure = results.iter().find(|r| !r.ok).map(failure_reason);
            let status = if failure.is_some() {
                Status::Failed
            } else {
                Status::Completed
            };
            return finish(platform, server, &schedule, &run, &results, status, failure).await;
        };
        let Some(due) = run.next_task_at.clone() else {
            return Ok(());
        };
        if due.as_str() > rfc3339(platform.clock.now_ms()).as_str() {
            return Ok(());
        }
        // Claim the step; another wake that got here first runs it.
        let claimed = platform
            .db
            .execute(
                Statement::new(
                    "UPDATE schedule_runs SET next_task_at = NULL WHERE id = ?1 AND status = 'running' \
                     AND next_task = ?2 AND next_task_at = ?3",
                )
                .bind(run.id.as_str())
                .bind(run.next_task)
                .bind(due.as_str()),
            )
            .await?;
        if claimed != 1 {
            return Ok(());
        }
        let outcome = task::run(platform, server, task).await;
        results.push(TaskResult {
            task_id: task.id.clone(),
            sequence: task.sequence,
            action: task.action.clone(),
            ok: outcome.is_ok(),
            error: outcome.as_ref().err().cloned(),
            at: rfc3339(platform.clock.now_ms()),
        });
        if outcome.is_err() && task.continue_on_failure == 0 {
            let reason = results.last().map(failure_reason);
            return finish(
                platform,
                server,
                &schedule,
                &run,
                &results,
                Status::Failed,
                reason,
            )
            .await;
        }
        run.next_task += 1;
        run.next_task_at = tasks
            .get(index + 1)
            .map(|next| rfc3339(platform.clock.now_ms() + next.delay_seconds * 1000));
        let text =
            serde_json::to_string(&results).map_err(|e| ApiError::Internal(e.to_string()))?;
        platform
            .db
            .execute(
                Statement::new(
                    "UPDATE schedule_runs SET next_task = ?1, next_task_at = ?2, results = ?3 WHERE id = ?4",
                )
                .bind(run.next_task)
                .bind(run.next_task_at.clone().or_else(|| Some(rfc3339(platform.clock.now_ms()))))
                .bind(text.as_str())
                .bind(run.id.as_str()),
            )
            .await?;
        if run.next_task_at.is_none() {
            run.next_task_at = Some(rfc3339(platform.clock.now_ms()));
        }
    }
}

fn failure_reason(result: &TaskResult) -> String {
    format!(
        "task {} ({}) failed: {}",
        result.sequence,
        result.action,
        result.error.as_deref().unwrap_or("no reason given")
    )
}

async fn finish(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
    run: &RunRow,
    results: &[TaskResult],
    status: Status,
    reason: Option<String>,
) -> Result<(), ApiError> {
    let text = serde_json::to_string(results).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now_ms = platform.clock.now_ms();
    platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE schedule_runs SET status = ?1, reason = ?2, finished_at = ?3, next_task_at = NULL, \
                 results = ?4 WHERE id = ?5",
            )
            .bind(status.as_str())
            .bind(reason.clone())
            .bind(rfc3339(now_ms))
            .bind(text)
            .bind(run.id.as_str()),
            // Runs are kept for 30 days.
            Statement::new("DELETE FROM schedule_runs WHERE schedule_id = ?1 AND started_at < ?2 AND status != 'running'")
                .bind(schedule.id.as_str())
                .bind(rfc3339(now_ms - 30 * 86_400_000)),
        ])
        .await?;
    announce(
        platform,
        server,
        schedule,
        &run.id,
        status,
        reason.as_deref(),
    )
    .await;
    Ok(())
}

/// The live event for a run that is over.
async fn announce(
    platform: &Platform,
    server: &ServerRecord,
    schedule: &ScheduleRow,
    run_id: &str,
    status: Status,
    reason: Option<&str>,
) {
    events::publish(
        platform,
        &server.org_id,
        NewEvent::new(
            RUN_EVENT,
            json!({
                "server_id": server.id,
                "schedule_id": schedule.id,
                "name": schedule.name,
                "run_id": run_id,
                "status": status.as_str(),
                "reason": reason,
            }),
            Audience::Read(Resource::GameServers),
        ),
    )
    .await;
}
