//! How a route is declared: method, path, the [`Access`] it needs and its
//! handler. Areas build their routes with [`Route`]; the router
//! ([`crate::router`](mod@crate::router)) collects them, so no area imports the router.

use axum::{
    handler::Handler,
    http::Method,
    routing::{MethodRouter, delete, get, patch, post, put},
};

use crate::{auth::Access, platform::Platform};

/// One route: method, path, who may call it, and its handler.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// axum path, e.g. `/api/orgs/{org}/members`.
    pub path: &'static str,
    /// What the caller needs.
    pub access: Access,
    pub(crate) handler: MethodRouter<Platform>,
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
