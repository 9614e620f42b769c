//! Webhooks per organization: endpoints ([`endpoint`]) that ask for events
//! ([`event`]), fed by every event published through
//! `record::events::publish` ([`outbox::enqueue`]) and delivered by the
//! organization's timer ([`outbox::wake`]): signed as Standard Webhooks
//! ([`signature`]), to checked addresses ([`target`]), optionally written
//! for Discord ([`discord`]).

pub mod discord;
pub mod endpoint;
pub mod event;
pub mod outbox;
pub mod signature;
pub mod target;

use crate::{
    auth::{Access, Action, Resource},
    platform::{Platform, objects::Arm},
    route::Route,
};

/// Keys of webhook timers start with this.
pub const TIMER_PREFIX: &str = "webhooks:";

/// Arms the organization's delivery timer for `at_ms`; logged on failure.
pub async fn arm(platform: &Platform, org_id: &str, at_ms: i64) {
    let arm = Arm {
        key: format!("{TIMER_PREFIX}{org_id}"),
        at_ms,
    };
    if let Err(e) = platform.objects.timer(arm).await {
        crate::error::log_error("webhook timer", &e.to_string());
    }
}

/// The webhook routes: for those who may change the organization's
/// settings (an endpoint's URL can hold a token).
pub fn routes() -> Vec<Route> {
    let admin = Access::Org(Resource::Settings, Action::Write);
    vec![
        Route::get("/api/orgs/{org}/webhooks", admin, endpoint::list),
        Route::post("/api/orgs/{org}/webhooks", admin, endpoint::create),
        Route::get("/api/orgs/{org}/webhooks/{webhook}", admin, endpoint::show),
        Route::patch(
            "/api/orgs/{org}/webhooks/{webhook}",
            admin,
            endpoint::update,
        ),
        Route::delete(
            "/api/orgs/{org}/webhooks/{webhook}",
            admin,
            endpoint::remove,
        ),
        Route::get(
            "/api/orgs/{org}/webhooks/{webhook}/deliveries",
            admin,
            endpoint::deliveries,
        ),
        Route::post(
            "/api/orgs/{org}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
            admin,
            endpoint::redeliver,
        ),
        Route::post(
            "/api/orgs/{org}/webhooks/{webhook}/test",
            admin,
            endpoint::test,
        ),
    ]
}
