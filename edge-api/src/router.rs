//! Every route of the API, in one place, each with the [`Access`] it needs.
//!
//! Routes are only added through [`Route`], so none can exist without a
//! declared access; [`router`] wraps each in the guard ([`auth::guard`]).
//! Areas declare their own routes with [`Route`] and hand them here; nothing
//! in an area imports this module.

use axum::{Router, extract::DefaultBodyLimit, middleware::from_fn_with_state};

use crate::{
    auth::{self, Access, Action, Resource, account, api_key, setup, totp},
    error::ApiError,
    extract::MAX_BODY_BYTES,
    game,
    orgs::{invitation, org},
    platform::{Platform, health},
    record::{audit, events},
    route::Route,
    tunnels::{device, ssh_key, tunnel, tunnel_host},
};

/// The whole route table.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Public, Session, SignedIn};
    use Action::{Read, Write};
    let mut routes = vec![
        Route::get("/api/health", Public, health::health),
        Route::get("/api/setup", Public, setup::status),
        Route::post("/api/setup", Public, setup::run),
        Route::post("/api/auth/login", Public, account::login),
        Route::post("/api/auth/logout", Session, account::logout),
        Route::get("/api/auth/me", SignedIn, account::me),
        Route::patch("/api/auth/me", Session, account::update_profile),
        Route::put("/api/auth/password", Session, account::change_password),
        Route::get("/api/auth/sessions", Session, account::list_sessions),
        Route::delete(
            "/api/auth/sessions",
            Session,
            account::revoke_other_sessions,
        ),
        Route::delete("/api/auth/sessions/{id}", Session, account::revoke_session),
        Route::get("/api/me/api-keys", Session, api_key::list),
        Route::post("/api/me/api-keys", Session, api_key::create),
        Route::delete("/api/me/api-keys/{id}", Session, api_key::revoke),
        Route::post("/api/orgs", Session, org::create),
        Route::get("/api/orgs/{org}", Org(Resource::Settings, Read), org::show),
        Route::patch(
            "/api/orgs/{org}",
            Org(Resource::Settings, Write),
            org::update,
        ),
        Route::get(
            "/api/orgs/{org}/members",
            Org(Resource::Members, Read),
            org::members,
        ),
        Route::patch(
            "/api/orgs/{org}/members/{user}",
            Org(Resource::Members, Write),
            org::change_role,
        ),
        Route::delete(
            "/api/orgs/{org}/members/{user}",
            Org(Resource::Members, Write),
            org::remove_member,
        ),
        Route::get(
            "/api/orgs/{org}/audit",
            Org(Resource::Audit, Read),
            audit::list,
        ),
        Route::get(
            "/api/orgs/{org}/events",
            Org(Resource::Audit, Read),
            events::stream,
        ),
    ];
    routes.extend(crate::game::egg::routes());
    routes.extend(tunnel_host::routes());
    routes.extend(tunnel::routes());
    routes.extend(ssh_key::routes());
    routes.extend(device::routes());
    routes.extend(totp::routes());
    routes.extend(invitation::routes());
    routes.extend(game::routes());
    routes.extend(crate::schedules::routes());
    routes.extend(crate::webhooks::routes());
    routes
}

/// The whole API. The Worker serves it for `/api/*`; tests call it with
/// `oneshot`.
pub fn router(platform: Platform) -> Router {
    let mut router = Router::new();
    for route in routes() {
        let guarded = route.handler.route_layer(from_fn_with_state(
            (platform.clone(), route.access),
            auth::guard,
        ));
        router = router.route(route.path, guarded);
    }
    router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(platform)
}
