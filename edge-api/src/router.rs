//! Every route of the API, in one place, each with the [`Access`] it needs.
//!
//! Routes are only added through [`Route`], so none can exist without a
//! declared access; [`router`] wraps each in the guard ([`crate::guard`]).

use axum::{
    Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    http::Method,
    middleware::from_fn_with_state,
    routing::{MethodRouter, delete, get, patch, post, put},
};

use crate::{
    access::{Access, Action, Resource},
    account, api_key, audit,
    error::ApiError,
    extract::MAX_BODY_BYTES,
    guard, health, invitation, org,
    platform::Platform,
    setup, totp,
};

/// One route: method, path, who may call it, and its handler.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// axum path, e.g. `/api/orgs/{org}/members`.
    pub path: &'static str,
    /// What the caller needs.
    pub access: Access,
    handler: MethodRouter<Platform>,
}

macro_rules! constructor {
    ($name:ident, $method:ident) => {
        /// A route for this method.
        pub fn $name<H, T>(path: &'static str, access: Access, handler: H) -> Route
        where
            H: Handler<T, Platform>,
            T: 'static,
        {
            Route {
                method: Method::$method,
                path,
                access,
                handler: $name(handler),
            }
        }
    };
}

impl Route {
    constructor!(get, GET);
    constructor!(post, POST);
    constructor!(put, PUT);
    constructor!(patch, PATCH);
    constructor!(delete, DELETE);
}

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
            crate::events::stream,
        ),
    ];
    routes.extend(crate::tunnel_host::routes());
    routes.extend(crate::tunnel::routes());
    routes.extend(crate::ssh_key::routes());
    routes.extend(crate::device::routes());
    routes.extend(totp::routes());
    routes.extend(invitation::routes());
    routes
}

/// The whole API. The Worker serves it for `/api/*`; tests call it with
/// `oneshot`.
pub fn router(platform: Platform) -> Router {
    let mut router = Router::new();
    for route in routes() {
        let guarded = route.handler.route_layer(from_fn_with_state(
            (platform.clone(), route.access),
            guard::guard,
        ));
        router = router.route(route.path, guarded);
    }
    router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(platform)
}
