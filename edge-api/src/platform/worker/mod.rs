//! The Cloudflare Worker: builds a [`Platform`] from the bindings and hands
//! every request to the one router. Nothing else lives here.

mod d1;
mod kv;
mod link;
mod objects;

use std::sync::Arc;

use axum::response::IntoResponse;
use http_body_util::{BodyExt, Limited};
use tower::ServiceExt;
use worker::{Context, Env, HttpRequest, event};

use crate::{
    config::Config,
    error::ApiError,
    extract::MAX_BODY_BYTES,
    platform::{Platform, clock::Clock},
};

/// D1 binding name.
const DB: &str = "DB";
/// KV binding name.
const KV: &str = "KV";
/// Event hub Durable Object binding name.
const EVENT_HUB: &str = "EVENT_HUB";
/// Tunnel-host link Durable Object binding name.
const TUNNEL_LINK: &str = "TUNNEL_LINK";

struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        worker::Date::now().as_millis() as i64
    }
}

/// Reads the instance key (a secret: `wrangler secret put FLAMINGO_SECRET_KEY`;
/// locally from `.dev.vars`) and the optional public origin.
fn config(env: &Env) -> worker::Result<Config> {
    let key = env
        .secret("FLAMINGO_SECRET_KEY")
        .map(|s| s.to_string())
        .or_else(|_| env.var("FLAMINGO_SECRET_KEY").map(|v| v.to_string()))
        .map_err(|_| worker::Error::RustError("FLAMINGO_SECRET_KEY is not set".into()))?;
    let origin = env.var("PUBLIC_ORIGIN").ok().map(|v| v.to_string());
    Config::from_secret(&key, origin).map_err(worker::Error::RustError)
}

fn platform(env: &Env) -> worker::Result<Platform> {
    Ok(Platform {
        config: Arc::new(config(env)?),
        db: Arc::new(d1::D1::new(env.d1(DB)?)),
        kv: Arc::new(kv::WorkersKv::new(env.kv(KV)?)),
        objects: Arc::new(objects::Bindings::new(
            env.durable_object(EVENT_HUB)?,
            env.durable_object(TUNNEL_LINK)?,
        )),
        clock: Arc::new(WorkerClock),
    })
}

#[event(fetch)]
async fn fetch(
    req: HttpRequest,
    env: Env,
    _ctx: Context,
) -> worker::Result<axum::http::Response<axum::body::Body>> {
    let platform = platform(&env)?;
    if link::is_link_upgrade(&req) {
        return link::connect(&platform, &env, req).await;
    }
    let router = crate::router(platform);
    let req = match buffered(req).await {
        Ok(req) => req,
        Err(too_large) => return Ok(too_large.into_response()),
    };
    match router.oneshot(req).await {
        Ok(response) => Ok(response),
        Err(never) => match never {},
    }
}

/// Reads the whole body (at most [`MAX_BODY_BYTES`]) before routing. workerd
/// fails a request whose body stream is still open after the response has
/// been sent, which happens when a handler ignores the body; JSON bodies are
/// small, so reading them up front costs nothing.
async fn buffered(req: HttpRequest) -> Result<axum::http::Request<axum::body::Body>, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?
        .to_bytes();
    Ok(axum::http::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
}
