//! What a timer's alarm wakes (`durable_state::timer`): the key names the
//! area and the thing, and the area does its due work and answers when to
//! wake next. The Worker installs [`wake`] at start; native tests call it
//! as the alarm would.

use crate::{platform::Platform, schedules, webhooks};

/// Does the due work for timer `key`; when to wake next.
pub async fn wake(platform: &Platform, key: &str) -> Option<i64> {
    if let Some(server_id) = key.strip_prefix(schedules::TIMER_PREFIX) {
        return schedules::runner::wake(platform, server_id).await;
    }
    if let Some(org_id) = key.strip_prefix(webhooks::TIMER_PREFIX) {
        return webhooks::outbox::wake(platform, org_id).await;
    }
    crate::error::log_error("timer wake", &format!("unknown timer {key:?}"));
    None
}
