//! Schedules as the API shows and changes them: list, create (with tasks),
//! show (with recent runs), change, delete; a schedule's tasks; run now.
//! Every change is audited, recomputes the next run and arms the server's
//! timer.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    cron::Expression,
    run::{self, Run, RunRow},
    task::{self, MAX_TASKS, NewTask, Task, TaskChange, TaskRow},
    task_list::{self, ListedTask},
};
use crate::{
    context::{Caller, RequestMeta, ServerContext},
    crypto,
    error::ApiError,
    extract::ApiJson,
    game::server,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// A schedule as listed and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Schedule {
    /// Schedule id.
    pub id: String,
    /// The server it runs on.
    pub server_id: String,
    /// Its name.
    pub name: String,
    /// Five fields: minute hour day-of-month month day-of-week (UTC).
    pub cron: String,
    /// The expression in English ("At 04:00").
    pub description: String,
    /// Whether it runs on its own.
    pub enabled: bool,
    /// Runs only while the server is running; otherwise skipped, saying so.
    pub only_when_online: bool,
    /// RFC 3339: the next time it runs (None while disabled).
    pub next_run_at: Option<String>,
    /// The newest run and its outcome.
    pub last_run: Option<Run>,
    /// Its tasks, in order.
    pub tasks: Vec<Task>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A schedule with its recent runs (`GET …/schedules/{schedule}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ScheduleDetail {
    /// The schedule.
    pub schedule: Schedule,
    /// Its newest runs (at most 20), newest first.
    pub runs: Vec<Run>,
}

/// `GET …/schedules` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ScheduleList {
    /// The server's schedules, oldest first.
    pub items: Vec<Schedule>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ScheduleRow {
    pub id: String,
    pub server_id: String,
    pub name: String,
    pub cron: String,
    pub enabled: i64,
    pub only_when_online: i64,
    pub next_run_at: Option<String>,
    pub last_run_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, server_id, name, cron, enabled, only_when_online, next_run_at, \
     last_run_id, created_at, updated_at";
const TASK_COLUMNS: &str =
    "id, schedule_id, sequence, action, payload, delay_seconds, continue_on_failure";

impl ScheduleRow {
    fn to_schedule(&self, tasks: &[TaskRow], last_run: Option<Run>) -> Schedule {
        Schedule {
            id: self.id.clone(),
            server_id: self.server_id.clone(),
            name: self.name.clone(),
            description: Expression::parse(&self.cron)
                .map(|e| e.describe())
                .unwrap_or_default(),
            cron: self.cron.clone(),
            enabled: self.enabled != 0,
            only_when_online: self.only_when_online != 0,
            next_run_at: self.next_run_at.clone(),
            last_run,
            tasks: tasks
                .iter()
                .filter(|t| t.schedule_id == self.id)
                .map(TaskRow::to_task)
                .collect(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// The server's schedules, oldest first.
pub(crate) async fn rows_of(
    platform: &Platform,
    server_id: &str,
) -> Result<Vec<ScheduleRow>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM schedules WHERE server_id = ?1 ORDER BY created_at, id"
            ))
            .bind(server_id),
        )
        .await?)
}

/// The tasks of every schedule of the server, in order.
pub(crate) async fn tasks_of_server(
    platform: &Platform,
    server_id: &str,
) -> Result<Vec<TaskRow>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {TASK_COLUMNS} FROM schedule_tasks WHERE schedule_id IN \
                 (SELECT id FROM schedules WHERE server_id = ?1) ORDER BY schedule_id, sequence"
            ))
            .bind(server_id),
        )
        .await?)
}

/// One schedule's tasks, in order.
pub(crate) async fn tasks_of(
    platform: &Platform,
    schedule_id: &str,
) -> Result<Vec<TaskRow>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {TASK_COLUMNS} FROM schedule_tasks WHERE schedule_id = ?1 ORDER BY sequence"
            ))
            .bind(schedule_id),
        )
        .await?)
}

/// The schedule `id` of the server, or 404.
pub(crate) async fn row(
    platform: &Platform,
    server_id: &str,
    id: &str,
) -> Result<ScheduleRow, ApiError> {
    let id = validate::as_id(id).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM schedules WHERE id = ?1 AND server_id = ?2"
            ))
            .bind(id)
            .bind(server_id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

async fn shown(platform: &Platform, row: &ScheduleRow) -> Result<Schedule, ApiError> {
    let tasks = tasks_of(platform, &row.id).await?;
    let last = match &row.last_run_id {
        Some(id) => run::one(platform, id).await?,
        None => None,
    };
    Ok(row.to_schedule(&tasks, last.as_ref().map(RunRow::to_run)))
}

/// The next run of an enabled schedule after now, as stored.
fn next_run(platform: &Platform, cron: &Expression, enabled: bool) -> Option<String> {
    enabled
        .then(|| cron.next_after(platform.clock.now_ms()))
        .flatten()
        .map(rfc3339)
}

/// `GET …/servers/{server}/schedules` (`schedule.read`).
pub async fn list(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<ScheduleList>, ApiError> {
    let rows = rows_of(&platform, &ctx.id).await?;
    let tasks = tasks_of_server(&platform, &ctx.id).await?;
    let last_runs = run::last_of_server(&platform, &ctx.id).await?;
    let items = rows
        .iter()
        .map(|row| {
            let last = last_runs
                .iter()
                .find(|r| Some(&r.id) == row.last_run_id.as_ref())
                .map(RunRow::to_run);
            row.to_schedule(&tasks, last)
        })
        .collect();
    Ok(Json(ScheduleList { items }))
}

/// `GET …/schedules/{schedule}` (`schedule.read`): with its recent runs.
pub async fn show(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<ScheduleDetail>, ApiError> {
    let row = row(&platform, &ctx.id, &id).await?;
    let schedule = shown(&platform, &row).await?;
    let runs = run::recent(&platform, &row.id, 20).await?;
    Ok(Json(ScheduleDetail {
        schedule,
        runs: runs.iter().map(RunRow::to_run).collect(),
    }))
}

/// `POST …/schedules` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    /// Its name.
    pub name: String,
    /// Five cron fields (UTC), e.g. `0 4 * * *`.
    pub cron: String,
    /// Whether it runs on its own (default true).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub enabled: Option<bool>,
    /// Only while the server is running (default false).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub only_when_online: Option<bool>,
    /// Its tasks, in order (at most 10).
    #[serde(default)]
    pub tasks: Vec<NewTask>,
}

fn check_name(name: &str, problems: &mut Problems) {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        problems.add("name", "must be 1 to 100 characters");
    }
}

fn parse_cron(text: &str, problems: &mut Problems) -> Option<Expression> {
    match Expression::parse(text) {
        Ok(e) => Some(e),
        Err(problem) => {
            problems.add("cron", problem);
            None
        }
    }
}

pub(super) fn task_insert(
    id: &str,
    schedule_id: &str,
    sequence: i64,
    task: &NewTask,
    payload: &str,
    now: &str,
) -> Statement {
    Statement::new(
        "INSERT INTO schedule_tasks (id, schedule_id, sequence, action, payload, delay_seconds, \
         continue_on_failure, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )
    .bind(id)
    .bind(schedule_id)
    .bind(sequence)
    .bind(task.action.as_str())
    .bind(payload)
    .bind(task.delay_seconds.unwrap_or(0))
    .bind(task.continue_on_failure.unwrap_or(false))
    .bind(now)
}

/// `POST …/servers/{server}/schedules` (`schedule.create`).
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    ApiJson(body): ApiJson<NewSchedule>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let mut problems = Problems::new();
    check_name(&body.name, &mut problems);
    let cron = parse_cron(&body.cron, &mut problems);
    if body.tasks.len() > MAX_TASKS {
        problems.add("tasks", format!("must be at most {MAX_TASKS} tasks"));
    }
    let payloads: Vec<Option<String>> = body
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| task::check_new(t, &format!("tasks.{i}."), &mut problems))
        .collect();
    problems.finish()?;
    let Some(cron) = cron else {
        return Err(ApiError::field("cron", "is not a cron expression"));
    };
    let server = server::current(&platform, &ctx).await?;
    let id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    let enabled = body.enabled.unwrap_or(true);
    let next = next_run(&platform, &cron, enabled);
    let name = body.name.trim().to_owned();
    let mut batch = vec![
        Statement::new(format!(
            "INSERT INTO schedules ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?8)"
        ))
        .bind(id.as_str())
        .bind(server.id.as_str())
        .bind(name.as_str())
        .bind(cron.as_str())
        .bind(enabled)
        .bind(body.only_when_online.unwrap_or(false))
        .bind(next.clone())
        .bind(now.as_str()),
    ];
    for (i, (task, payload)) in body.tasks.iter().zip(&payloads).enumerate() {
        let sequence = i64::try_from(i).unwrap_or(0) + 1;
        let payload = payload.as_deref().unwrap_or_default();
        batch.push(task_insert(
            &crypto::uuid()?,
            &id,
            sequence,
            task,
            payload,
            &now,
        ));
    }
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.create",
        resource_type: "schedule",
        resource_id: &id,
        metadata: json!({ "name": name, "server": server.name, "cron": cron.as_str() }),
    };
    batch.push(entry.by(&platform, &caller, &meta)?);
    platform.db.batch(batch).await?;
    super::arm_at(&platform, &server.id, next.as_deref()).await;
    let row = row(&platform, &server.id, &id).await?;
    Ok((StatusCode::CREATED, Json(shown(&platform, &row).await?)))
}

/// `PATCH …/schedules/{schedule}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct ScheduleChange {
    /// New name.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// New expression.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub cron: Option<String>,
    /// Turn it on or off.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub enabled: Option<bool>,
    /// Only while the server is running.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub only_when_online: Option<bool>,
    /// The whole task list, in order, replacing the current one in the
    /// same write (see [`task_list`](super::task_list)): tasks with an `id`
    /// are kept and changed, those without are added, the rest deleted.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub tasks: Option<Vec<ListedTask>>,
}

/// `PATCH …/schedules/{schedule}` (`schedule.update`): its fields and, with
/// `tasks`, its whole task list, all in one D1 batch or not at all.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<ScheduleChange>,
) -> Result<Json<Schedule>, ApiError> {
    let mut problems = Problems::new();
    if let Some(name) = &body.name {
        check_name(name, &mut problems);
    }
    let cron = body.cron.as_deref().map(|c| parse_cron(c, &mut problems));
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let now = rfc3339(platform.clock.now_ms());
    let task_writes = match &body.tasks {
        Some(wanted) => {
            let tasks = tasks_of(&platform, &current.id).await?;
            task_list::statements(&current.id, &tasks, wanted, &now, &mut problems)?
        }
        None => Vec::new(),
    };
    problems.finish()?;
    let cron = match cron.flatten() {
        Some(cron) => cron,
        None => Expression::parse(&current.cron).map_err(ApiError::Internal)?,
    };
    let enabled = body.enabled.unwrap_or(current.enabled != 0);
    let next = next_run(&platform, &cron, enabled);
    let name = body
        .name
        .as_deref()
        .map_or(current.name.clone(), |n| n.trim().to_owned());
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.update",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({
            "name": name, "server": server.name, "cron": cron.as_str(), "enabled": enabled,
            "tasks": body.tasks.as_ref().map(Vec::len),
        }),
    };
    let mut batch = vec![
        Statement::new(
            "UPDATE schedules SET name = ?1, cron = ?2, enabled = ?3, only_when_online = ?4, \
                 next_run_at = ?5, updated_at = ?6 WHERE id = ?7",
        )
        .bind(name.as_str())
        .bind(cron.as_str())
        .bind(enabled)
        .bind(
            body.only_when_online
                .unwrap_or(current.only_when_online != 0),
        )
        .bind(next.clone())
        .bind(now.as_str())
        .bind(current.id.as_str()),
    ];
    batch.extend(task_writes);
    batch.push(entry.by(&platform, &caller, &meta)?);
    platform.db.batch(batch).await?;
    super::arm_at(&platform, &server.id, next.as_deref()).await;
    let row = row(&platform, &server.id, &current.id).await?;
    Ok(Json(shown(&platform, &row).await?))
}

/// `DELETE …/schedules/{schedule}` (`schedule.delete`): with its tasks and runs.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.delete",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({ "name": current.name, "server": server.name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM schedules WHERE id = ?1").bind(current.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/schedules/{schedule}/tasks` (`schedule.update`): appended.
pub async fn create_task(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let mut problems = Problems::new();
    let payload = task::check_new(&body, "", &mut problems);
    problems.finish()?;
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let tasks = tasks_of(&platform, &current.id).await?;
    if tasks.len() >= MAX_TASKS {
        return Err(ApiError::Conflict {
            code: "too_many_tasks",
            message: format!("A schedule holds at most {MAX_TASKS} tasks."),
        });
    }
    let sequence = tasks.iter().map(|t| t.sequence).max().unwrap_or(0) + 1;
    let task_id = crypto::uuid()?;
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.task_create",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({ "name": current.name, "server": server.name, "task": body.action.as_str() }),
    };
    platform
        .db
        .batch(vec![
            task_insert(
                &task_id,
                &current.id,
                sequence,
                &body,
                payload.as_deref().unwrap_or_default(),
                &now,
            ),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok((StatusCode::CREATED, Json(shown(&platform, &current).await?)))
}

async fn task_row(
    platform: &Platform,
    schedule_id: &str,
    task_id: &str,
) -> Result<TaskRow, ApiError> {
    let task_id = validate::as_id(task_id).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {TASK_COLUMNS} FROM schedule_tasks WHERE id = ?1 AND schedule_id = ?2"
            ))
            .bind(task_id)
            .bind(schedule_id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

/// `PATCH …/schedules/{schedule}/tasks/{task}` (`schedule.update`).
pub async fn update_task(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id, task_id)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<TaskChange>,
) -> Result<Json<Schedule>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let existing = task_row(&platform, &current.id, &task_id).await?;
    let tasks = tasks_of(&platform, &current.id).await?;
    let action = body
        .action
        .or_else(|| task::Action::parse(&existing.action))
        .unwrap_or(task::Action::Command);
    let mut problems = Problems::new();
    let payload = body.payload.as_deref().unwrap_or(&existing.payload);
    let payload = match task::check_payload(action, payload) {
        Ok(p) => Some(p),
        Err(problem) => {
            problems.add("payload", problem);
            None
        }
    };
    let delay = body.delay_seconds.unwrap_or(existing.delay_seconds);
    problems.check("delay_seconds", task::check_delay(delay));
    let count = i64::try_from(tasks.len()).unwrap_or(1);
    let sequence = body.sequence.unwrap_or(existing.sequence);
    if !(1..=count).contains(&sequence) {
        problems.add("sequence", format!("must be between 1 and {count}"));
    }
    problems.finish()?;
    let now = rfc3339(platform.clock.now_ms());
    let mut batch = Vec::new();
    // Moves the others along, then renumbers 1..n in the new order.
    let mut order: Vec<&TaskRow> = tasks.iter().filter(|t| t.id != existing.id).collect();
    let at = usize::try_from(sequence - 1).unwrap_or(0).min(order.len());
    order.insert(at, &existing);
    for (i, t) in order.iter().enumerate() {
        batch.push(
            Statement::new("UPDATE schedule_tasks SET sequence = ?1 WHERE id = ?2")
                .bind(i64::try_from(i).unwrap_or(0) + 1)
                .bind(t.id.as_str()),
        );
    }
    batch.push(
        Statement::new(
            "UPDATE schedule_tasks SET action = ?1, payload = ?2, delay_seconds = ?3, \
             continue_on_failure = ?4, updated_at = ?5 WHERE id = ?6",
        )
        .bind(action.as_str())
        .bind(payload.unwrap_or_default())
        .bind(delay)
        .bind(
            body.continue_on_failure
                .unwrap_or(existing.continue_on_failure != 0),
        )
        .bind(now.as_str())
        .bind(existing.id.as_str()),
    );
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.task_update",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({ "name": current.name, "server": server.name, "task": action.as_str() }),
    };
    batch.push(entry.by(&platform, &caller, &meta)?);
    platform.db.batch(batch).await?;
    Ok(Json(shown(&platform, &current).await?))
}

/// `DELETE …/schedules/{schedule}/tasks/{task}` (`schedule.update`).
pub async fn remove_task(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id, task_id)): Path<(String, String, String, String)>,
) -> Result<Json<Schedule>, ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let existing = task_row(&platform, &current.id, &task_id).await?;
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.task_delete",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({ "name": current.name, "server": server.name, "task": existing.action }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM schedule_tasks WHERE id = ?1").bind(existing.id.as_str()),
            Statement::new(
                "UPDATE schedule_tasks SET sequence = sequence - 1 WHERE schedule_id = ?1 AND sequence > ?2",
            )
            .bind(current.id.as_str())
            .bind(existing.sequence),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(Json(shown(&platform, &current).await?))
}

/// `POST …/schedules/{schedule}/run` (`schedule.update`): runs it now,
/// whether enabled or not; its first tasks run before this answers, the
/// rest after their delays on the server's timer.
pub async fn run_now(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(ctx): Extension<ServerContext>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<(StatusCode, Json<Run>), ApiError> {
    let server = server::current(&platform, &ctx).await?;
    let current = row(&platform, &server.id, &id).await?;
    let entry = audit::Entry {
        org_id: Some(&server.org_id),
        action: "schedule.run",
        resource_type: "schedule",
        resource_id: &current.id,
        metadata: json!({ "name": current.name, "server": server.name }),
    };
    platform
        .db
        .execute(entry.by(&platform, &caller, &meta)?)
        .await?;
    let run_id = super::runner::start_manual(&platform, &server, &current).await?;
    let run = run::one(&platform, &run_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(run.to_run())))
}
