//! Schedules per game server (Pelican's): a 5-field cron expression
//! ([`cron`]), ordered tasks ([`task`]; the backup task behind
//! [`backup_task`]), the REST routes ([`schedule`]), the runs kept
//! ([`run`]) and running them on the server's timer ([`runner`]), a
//! Durable Object alarm (`durable_state::timer`), not a browser.

pub mod backup_task;
pub mod cron;
pub mod run;
pub mod runner;
pub mod schedule;
pub mod task;
pub mod task_list;

use crate::{
    auth::{Access, ServerNeed},
    platform::{Platform, clock::parse_rfc3339, objects::Arm},
    route::Route,
};

/// The timer key of a server's schedules.
pub fn timer_key(server_id: &str) -> String {
    format!("{TIMER_PREFIX}{server_id}")
}

/// Keys of schedule timers start with this.
pub const TIMER_PREFIX: &str = "schedules:";

/// Arms the server's timer for `at_ms`; a timer that does not answer is
/// logged (the next change or run arms it again).
pub async fn arm(platform: &Platform, server_id: &str, at_ms: i64) {
    let arm = Arm {
        key: timer_key(server_id),
        at_ms,
    };
    if let Err(e) = platform.objects.timer(arm).await {
        crate::error::log_error("schedule timer", &e.to_string());
    }
}

/// [`arm`] for an RFC 3339 time, if any.
pub(crate) async fn arm_at(platform: &Platform, server_id: &str, at: Option<&str>) {
    if let Some(at_ms) = at.and_then(parse_rfc3339) {
        arm(platform, server_id, at_ms).await;
    }
}

/// The schedule routes, with Pelican's `schedule.*` permissions.
pub fn routes() -> Vec<Route> {
    let perm = |p| Access::Server(ServerNeed::Permission(p));
    macro_rules! at {
        ($tail:literal) => {
            concat!("/api/orgs/{org}/servers/{server}/schedules", $tail)
        };
    }
    vec![
        Route::get(at!(""), perm("schedule.read"), schedule::list),
        Route::post(at!(""), perm("schedule.create"), schedule::create),
        Route::get(at!("/{schedule}"), perm("schedule.read"), schedule::show),
        Route::patch(
            at!("/{schedule}"),
            perm("schedule.update"),
            schedule::update,
        ),
        Route::delete(
            at!("/{schedule}"),
            perm("schedule.delete"),
            schedule::remove,
        ),
        Route::post(
            at!("/{schedule}/run"),
            perm("schedule.update"),
            schedule::run_now,
        ),
        Route::post(
            at!("/{schedule}/tasks"),
            perm("schedule.update"),
            schedule::create_task,
        ),
        Route::patch(
            at!("/{schedule}/tasks/{task}"),
            perm("schedule.update"),
            schedule::update_task,
        ),
        Route::delete(
            at!("/{schedule}/tasks/{task}"),
            perm("schedule.update"),
            schedule::remove_task,
        ),
    ]
}
