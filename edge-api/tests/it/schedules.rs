//! Schedules (issue 16 item 1): created with tasks, their next run and the
//! server's timer armed; a due run sends its command to Wings, then the
//! backup after the task's delay; a disabled schedule does not run; "only
//! when online" skips an offline server saying why; a run taken up late or
//! whose node is down is recorded as missed with the reason; run now; and
//! bad input is a 422. The timer's alarm is played by calling
//! `edge_api::alarm::wake` as the Durable Object does.

use axum::http::StatusCode;
use edge_api::{
    platform::clock::{parse_rfc3339, rfc3339},
    schedules,
};
use serde_json::{Value, json};

use crate::common::game::{World, world};

async fn server(w: &World) -> String {
    let created = w.create_server("mc").await;
    created["server"]["id"]
        .as_str()
        .or_else(|| created["id"].as_str())
        .expect("server id")
        .to_owned()
}

fn state(w: &World, server: &str, state: &str) {
    w.wings.answer(
        "GET",
        &format!("/api/servers/{server}"),
        200,
        json!({"state": state, "is_suspended": false, "utilization": {}}),
    );
}

/// Advances the clock to `at` (RFC 3339) and wakes the server's timer.
async fn wake_at(w: &World, server: &str, at: &str) -> Option<i64> {
    let at_ms = parse_rfc3339(at).expect("time");
    let now = w.platform.clock.now_ms();
    if at_ms > now {
        w.clock.advance_ms(at_ms - now);
    }
    edge_api::alarm::wake(&w.platform, &schedules::timer_key(server)).await
}

async fn detail(w: &World, server: &str, schedule: &str) -> Value {
    let reply = w
        .call(
            "GET",
            &format!("/servers/{server}/schedules/{schedule}"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json
}

fn commands(w: &World, server: &str) -> Vec<Value> {
    w.wings
        .seen_at("POST", &format!("/api/servers/{server}/commands"))
        .into_iter()
        .map(|s| s.body)
        .collect()
}

fn backups(w: &World, server: &str) -> usize {
    w.wings
        .seen_at("POST", &format!("/api/servers/{server}/backup"))
        .len()
}

#[tokio::test]
async fn a_due_schedule_sends_its_command_then_backs_up_after_the_delay() {
    let w = world().await;
    let server = server(&w).await;
    state(&w, &server, "running");
    w.objects.armed().expect("timers");
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(json!({
                "name": "nightly",
                "cron": "* * * * *",
                "tasks": [
                    {"action": "command", "payload": "say backing up"},
                    {"action": "backup", "payload": "logs/\n*.tmp", "delay_seconds": 30}
                ]
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let next = created.json["next_run_at"]
        .as_str()
        .expect("next run")
        .to_owned();
    assert_eq!(next, rfc3339(crate::common::START_MS + 60_000));
    assert_eq!(created.json["tasks"].as_array().map(Vec::len), Some(2));
    assert!(
        !created.json["description"]
            .as_str()
            .unwrap_or("")
            .is_empty()
    );
    let armed = w.objects.armed().expect("timers");
    assert_eq!(
        armed.get(&schedules::timer_key(&server)).copied(),
        parse_rfc3339(&next),
        "{armed:?}"
    );

    // Not yet due: nothing runs.
    let early = wake_at(&w, &server, &rfc3339(crate::common::START_MS + 10_000)).await;
    assert_eq!(early, parse_rfc3339(&next));
    assert!(commands(&w, &server).is_empty());

    // Due: the command goes out, the backup waits for its delay.
    let wake = wake_at(&w, &server, &next).await.expect("wakes again");
    assert_eq!(
        commands(&w, &server),
        vec![json!({"commands": ["say backing up"]})]
    );
    assert_eq!(backups(&w, &server), 0);
    assert_eq!(wake, parse_rfc3339(&next).expect("next") + 30_000);
    let running = detail(&w, &server, &id).await;
    assert_eq!(running["runs"][0]["status"], "running", "{running}");

    wake_at(&w, &server, &rfc3339(wake)).await;
    let backup = w
        .wings
        .seen_at("POST", &format!("/api/servers/{server}/backup"));
    assert_eq!(backup.len(), 1);
    assert_eq!(backup[0].body["adapter"], "wings");
    assert_eq!(backup[0].body["ignore"], "logs/\n*.tmp");
    let done = detail(&w, &server, &id).await;
    let run = &done["runs"][0];
    assert_eq!(run["status"], "completed", "{done}");
    assert_eq!(run["trigger"], "cron");
    assert_eq!(run["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(done["schedule"]["last_run"]["id"], run["id"]);
    // Next run moved on to the minute after the run was taken up.
    let moved = done["schedule"]["next_run_at"].as_str().expect("next");
    assert!(moved > next.as_str(), "{moved} after {next}");
}

#[tokio::test]
async fn a_disabled_schedule_does_not_run() {
    let w = world().await;
    let server = server(&w).await;
    state(&w, &server, "running");
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(json!({"name": "off", "cron": "* * * * *", "enabled": false,
                        "tasks": [{"action": "command", "payload": "say no"}]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.json["next_run_at"], Value::Null);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let next = wake_at(&w, &server, &rfc3339(crate::common::START_MS + 300_000)).await;
    assert_eq!(next, None);
    assert!(commands(&w, &server).is_empty());
    assert_eq!(detail(&w, &server, &id).await["runs"], json!([]));

    // Turned on, it runs; turned off again, it stops.
    let on = w
        .call(
            "PATCH",
            &format!("/servers/{server}/schedules/{id}"),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.json);
    let at = on.json["next_run_at"].as_str().expect("next").to_owned();
    wake_at(&w, &server, &at).await;
    assert_eq!(commands(&w, &server).len(), 1);
    let off = w
        .call(
            "PATCH",
            &format!("/servers/{server}/schedules/{id}"),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    wake_at(
        &w,
        &server,
        &rfc3339(parse_rfc3339(&at).expect("at") + 600_000),
    )
    .await;
    assert_eq!(commands(&w, &server).len(), 1);
}

#[tokio::test]
async fn only_when_online_skips_an_offline_server_and_says_why() {
    let w = world().await;
    let server = server(&w).await;
    state(&w, &server, "offline");
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(
                json!({"name": "restart", "cron": "*/5 * * * *", "only_when_online": true,
                        "tasks": [{"action": "power", "payload": "restart"}]}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let at = created.json["next_run_at"]
        .as_str()
        .expect("next")
        .to_owned();
    wake_at(&w, &server, &at).await;
    assert!(
        w.wings
            .seen_at("POST", &format!("/api/servers/{server}/power"))
            .is_empty()
    );
    let run = &detail(&w, &server, &id).await["runs"][0];
    assert_eq!(run["status"], "skipped", "{run}");
    let reason = run["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("offline") && reason.contains("only while it is online"),
        "{reason}"
    );
}

#[tokio::test]
async fn late_runs_and_unreachable_nodes_are_missed_with_the_reason() {
    let w = world().await;
    let server = server(&w).await;
    state(&w, &server, "running");
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(json!({"name": "m", "cron": "* * * * *",
                        "tasks": [{"action": "command", "payload": "say hi"}]})),
        )
        .await;
    let id = created.json["id"].as_str().expect("id").to_owned();
    let at = parse_rfc3339(created.json["next_run_at"].as_str().expect("next")).expect("ms");
    // The platform wakes ten minutes late.
    wake_at(&w, &server, &rfc3339(at + 600_000)).await;
    assert!(commands(&w, &server).is_empty());
    let run = detail(&w, &server, &id).await["runs"][0].clone();
    assert_eq!(run["status"], "missed", "{run}");
    let reason = run["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("10 min after it was due") && reason.contains("10 later run(s)"),
        "{reason}"
    );

    // The node stops answering.
    state(&w, &server, "running");
    w.wings.answer(
        "GET",
        &format!("/api/servers/{server}"),
        500,
        json!({"error": "down"}),
    );
    let next = detail(&w, &server, &id).await["schedule"]["next_run_at"]
        .as_str()
        .expect("next")
        .to_owned();
    wake_at(&w, &server, &next).await;
    let run = detail(&w, &server, &id).await["runs"][0].clone();
    assert_eq!(run["status"], "missed", "{run}");
    assert!(
        run["reason"].as_str().unwrap_or("").contains("node-1"),
        "{run}"
    );
    assert!(commands(&w, &server).is_empty());
}

#[tokio::test]
async fn run_now_and_failing_tasks() {
    let w = world().await;
    let server = server(&w).await;
    state(&w, &server, "running");
    w.wings.answer(
        "POST",
        &format!("/api/servers/{server}/commands"),
        502,
        json!({"error": "Server must be online"}),
    );
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(
                json!({"name": "now", "cron": "0 4 * * *", "enabled": false, "tasks": [
                    {"action": "command", "payload": "say a", "continue_on_failure": true},
                    {"action": "power", "payload": "stop"},
                    {"action": "command", "payload": "say b"}
                ]}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let run = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules/{id}/run"),
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.json);
    assert_eq!(run.json["trigger"], "manual");
    // The first fails but goes on; the power signal runs; the third fails and ends it.
    assert_eq!(run.json["status"], "failed", "{}", run.json);
    let results = run.json["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 3, "{}", run.json);
    assert_eq!(results[0]["ok"], false);
    assert!(
        results[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("node-1"),
        "{}",
        run.json
    );
    assert_eq!(results[1]["ok"], true);
    assert!(
        run.json["reason"]
            .as_str()
            .unwrap_or("")
            .starts_with("task 3 (command) failed"),
        "{}",
        run.json
    );
    assert_eq!(
        w.wings
            .seen_at("POST", &format!("/api/servers/{server}/power"))
            .len(),
        1
    );

    // Tasks: reorder, change, delete.
    let tasks = created.json["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = tasks[2]["id"].as_str().expect("task");
    let moved = w
        .call(
            "PATCH",
            &format!("/servers/{server}/schedules/{id}/tasks/{last}"),
            Some(json!({"sequence": 1, "delay_seconds": 5})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["tasks"][0]["id"], last);
    assert_eq!(moved.json["tasks"][0]["delay_seconds"], 5);
    let gone = w
        .call(
            "DELETE",
            &format!("/servers/{server}/schedules/{id}/tasks/{last}"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.json);
    assert_eq!(gone.json["tasks"].as_array().map(Vec::len), Some(2));
    assert_eq!(gone.json["tasks"][0]["sequence"], 1);
    let audit = w.call("GET", "/audit?action=schedule.*", None).await;
    let actions: Vec<&str> = audit.json["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    for action in [
        "schedule.create",
        "schedule.run",
        "schedule.task_update",
        "schedule.task_delete",
    ] {
        assert!(actions.contains(&action), "{actions:?}");
    }
    let deleted = w
        .call("DELETE", &format!("/servers/{server}/schedules/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let listed = w
        .call("GET", &format!("/servers/{server}/schedules"), None)
        .await;
    assert_eq!(listed.json["items"], json!([]));
}

#[tokio::test]
async fn bad_schedules_are_422_with_the_field() {
    let w = world().await;
    let server = server(&w).await;
    for (body, field) in [
        (json!({"name": "x", "cron": "* * * *"}), "cron"),
        (json!({"name": "x", "cron": "0 4 31 2 *"}), "cron"),
        (json!({"name": "", "cron": "* * * * *"}), "name"),
        (
            json!({"name": "x", "cron": "* * * * *", "tasks": [{"action": "power", "payload": "explode"}]}),
            "tasks.0.payload",
        ),
        (
            json!({"name": "x", "cron": "* * * * *", "tasks": [{"action": "command", "payload": "a\nb"}]}),
            "tasks.0.payload",
        ),
        (
            json!({"name": "x", "cron": "* * * * *", "tasks": [{"action": "command", "payload": "a", "delay_seconds": 901}]}),
            "tasks.0.delay_seconds",
        ),
    ] {
        let reply = w
            .call(
                "POST",
                &format!("/servers/{server}/schedules"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} {}",
            reply.json
        );
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{body} {}",
            reply.json
        );
    }
    let listed = w
        .call("GET", &format!("/servers/{server}/schedules"), None)
        .await;
    assert_eq!(listed.json["items"], json!([]));
}

/// The tasks of a schedule as (id, action, payload, delay, continue) in order.
fn tasks_of(schedule: &Value) -> Vec<(String, String, String, i64, bool)> {
    schedule["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or("").to_owned(),
                t["action"].as_str().unwrap_or("").to_owned(),
                t["payload"].as_str().unwrap_or("").to_owned(),
                t["delay_seconds"].as_i64().unwrap_or(-1),
                t["continue_on_failure"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_schedule_is_saved_with_its_whole_task_list_in_one_request_or_not_at_all() {
    let w = world().await;
    let server = server(&w).await;
    let created = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(json!({"name": "nightly", "cron": "0 4 * * *", "tasks": [
                {"action": "command", "payload": "say one"},
                {"action": "command", "payload": "say two"},
                {"action": "backup", "payload": "logs/", "delay_seconds": 5},
            ]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let id = created.json["id"].as_str().expect("id").to_owned();
    let uri = format!("/servers/{server}/schedules/{id}");
    let before = tasks_of(&created.json);
    let (one, two, backup) = (&before[0].0, &before[1].0, &before[2].0);

    // One PATCH: renamed, "say two" first and changed, "say one" gone, the
    // backup kept as it was, a power task added at the end.
    let saved = w
        .call(
            "PATCH",
            &uri,
            Some(json!({"name": "nightly restart", "tasks": [
                {"id": two, "action": "command", "payload": "say two!", "continue_on_failure": true},
                {"id": backup, "action": "backup", "payload": "logs/"},
                {"action": "power", "payload": "restart", "delay_seconds": 30},
            ]})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(saved.json["name"], "nightly restart");
    let after = tasks_of(&saved.json);
    assert_eq!(after.len(), 3, "{}", saved.json);
    assert_eq!(
        after[0],
        (two.clone(), "command".into(), "say two!".into(), 0, true)
    );
    assert_eq!(
        after[1],
        (backup.clone(), "backup".into(), "logs/".into(), 5, false),
        "unsent fields of a kept task stay"
    );
    assert_eq!(
        (after[2].1.as_str(), after[2].2.as_str(), after[2].3),
        ("power", "restart", 30)
    );
    assert!(
        !after.iter().any(|t| &t.0 == one),
        "the unlisted task is deleted"
    );
    let sequences: Vec<i64> = saved.json["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["sequence"].as_i64())
        .collect();
    assert_eq!(sequences, [1, 2, 3]);
    let shown = detail(&w, &server, &id).await;
    assert_eq!(tasks_of(&shown["schedule"]), after, "as stored");

    // A bad task anywhere in the list: 422 naming it, and nothing changed,
    // not the name, not the tasks before it.
    let other = w
        .call(
            "POST",
            &format!("/servers/{server}/schedules"),
            Some(json!({"name": "other", "cron": "0 5 * * *", "tasks": [{"action": "command", "payload": "say other"}]})),
        )
        .await;
    let foreign = other.json["tasks"][0]["id"]
        .as_str()
        .expect("task")
        .to_owned();
    for (tasks, field) in [
        (
            json!([{"id": two, "action": "command", "payload": "say changed"},
                   {"action": "power", "payload": "explode"}]),
            "tasks.1.payload",
        ),
        (
            json!([{"action": "command", "payload": "say new"},
                   {"id": backup, "action": "backup", "payload": "x", "delay_seconds": 901}]),
            "tasks.1.delay_seconds",
        ),
        (
            json!([{"id": foreign, "action": "command", "payload": "say stolen"}]),
            "tasks.0.id",
        ),
        (
            json!([{"id": two, "action": "command", "payload": "a"},
                   {"id": two, "action": "command", "payload": "b"}]),
            "tasks.1.id",
        ),
        (
            json!(
                (0..11)
                    .map(|i| json!({"action": "command", "payload": format!("say {i}")}))
                    .collect::<Vec<_>>()
            ),
            "tasks",
        ),
    ] {
        let reply = w
            .call(
                "PATCH",
                &uri,
                Some(json!({"name": "should not stick", "cron": "0 6 * * *", "tasks": tasks})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{tasks} {}",
            reply.json
        );
        assert!(
            reply.json["error"]["fields"][field].is_string(),
            "{tasks} {}",
            reply.json
        );
        let now = detail(&w, &server, &id).await;
        assert_eq!(now["schedule"]["name"], "nightly restart", "{field}");
        assert_eq!(now["schedule"]["cron"], "0 4 * * *", "{field}");
        assert_eq!(tasks_of(&now["schedule"]), after, "{field}");
    }
    let theirs = detail(&w, &server, other.json["id"].as_str().expect("id")).await;
    assert_eq!(tasks_of(&theirs["schedule"])[0].2, "say other");

    // An empty list clears the tasks; no list leaves them alone.
    let renamed = w
        .call("PATCH", &uri, Some(json!({"name": "renamed only"})))
        .await;
    assert_eq!(tasks_of(&renamed.json), after);
    let cleared = w.call("PATCH", &uri, Some(json!({"tasks": []}))).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.json);
    assert!(tasks_of(&cleared.json).is_empty());
}
