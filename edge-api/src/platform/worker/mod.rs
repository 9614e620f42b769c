//! The Cloudflare Worker: builds a [`Platform`] from the bindings and hands
//! every request to the one router, adding the security headers to what it
//! answers. Nothing else lives here.

mod d1;
mod headers;
mod http;
mod kv;
mod link;
mod objects;

use std::sync::Arc;

use axum::response::IntoResponse;
use http_body_util::BodyExt;
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
/// Console relay Durable Object binding name (one per game server).
const CONSOLE_RELAY: &str = "CONSOLE_RELAY";
/// Timer Durable Object binding name (schedules, webhook deliveries).
const TIMER: &str = "TIMER";

struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        worker::Date::now().as_millis() as i64
    }
}

/// Reads the instance key (a secret: `wrangler secret put FLAMINGO_SECRET_KEY`;
/// locally from `.dev.vars`) and the public origin (`PUBLIC_ORIGIN`, a var or
/// a secret; required unless the request is to a loopback host, see
/// [`Config::expected_origin`]).
fn config(env: &Env) -> worker::Result<Config> {
    let key = env
        .secret("FLAMINGO_SECRET_KEY")
        .map(|s| s.to_string())
        .or_else(|_| env.var("FLAMINGO_SECRET_KEY").map(|v| v.to_string()))
        .map_err(|_| worker::Error::RustError("FLAMINGO_SECRET_KEY is not set".into()))?;
    let origin = env
        .var("PUBLIC_ORIGIN")
        .map(|v| v.to_string())
        .or_else(|_| env.secret("PUBLIC_ORIGIN").map(|s| s.to_string()))
        .ok();
    let mut config = Config::from_secret(&key, origin).map_err(worker::Error::RustError)?;
    config.backups = crate::config::BackupConfig::from_env(|name| {
        env.var(name)
            .map(|v| v.to_string())
            .or_else(|_| env.secret(name).map(|s| s.to_string()))
            .ok()
    })
    .map_err(worker::Error::RustError)?;
    if let Some(secs) = env
        .var("WEBHOOK_RETRY_SECONDS")
        .ok()
        .and_then(|v| crate::config::parse_retry_secs(&v.to_string()))
    {
        config.webhook_retry_secs = secs;
    }
    Ok(config)
}

fn platform(env: &Env) -> worker::Result<Platform> {
    Ok(Platform {
        config: Arc::new(config(env)?),
        db: Arc::new(d1::D1::new(env.d1(DB)?)),
        kv: Arc::new(kv::WorkersKv::new(env.kv(KV)?)),
        objects: Arc::new(objects::Bindings::new(
            env.durable_object(EVENT_HUB)?,
            env.durable_object(TUNNEL_LINK)?,
            env.durable_object(CONSOLE_RELAY)?,
            env.durable_object(TIMER)?,
        )),
        http: Arc::new(http::WorkerFetch),
        clock: Arc::new(WorkerClock),
    })
}

/// Installs what a timer's alarm runs ([`crate::alarm::wake`]) and the
/// event relay the tunnel link publishes through
/// ([`crate::record::events::relay`]) before any request, alarm or socket
/// message reaches this isolate.
#[event(start)]
fn start() {
    durable_state::relay::install(|env, org_id, events| {
        Box::pin(async move {
            match platform(&env) {
                Ok(platform) => crate::record::events::relay(&platform, &org_id, events).await,
                Err(e) => crate::error::log_error("event relay", &e.to_string()),
            }
        })
    });
    durable_state::timer::install(|env, key| {
        Box::pin(async move {
            let platform = match platform(&env) {
                Ok(platform) => platform,
                Err(e) => {
                    crate::error::log_error("timer wake", &e.to_string());
                    return None;
                }
            };
            crate::alarm::wake(&platform, &key).await
        })
    });
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
    let mut response = match buffered(req).await {
        Ok(req) => match router.oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(refused) => refused.into_response(),
    };
    headers::secure(response.headers_mut());
    Ok(response)
}

/// Reads the whole body (at most [`MAX_BODY_BYTES`]) before routing. workerd
/// fails a request whose body stream is still open after the response has
/// been sent, which happens when a handler ignores the body; JSON bodies are
/// small, so reading them up front costs nothing. A larger body is read to
/// its end too (and dropped) before the 413, for the same reason: answering
/// halfway through it left workerd to fail the request with a bare 503.
async fn buffered(req: HttpRequest) -> Result<axum::http::Request<axum::body::Body>, ApiError> {
    let (parts, mut body) = req.into_parts();
    let mut kept = Vec::new();
    let mut too_large = false;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::BadRequest {
            code: "bad_body",
            message: format!("The request body could not be read: {e}"),
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        if too_large || kept.len() + chunk.len() > MAX_BODY_BYTES {
            too_large = true;
            kept = Vec::new();
        } else {
            kept.extend_from_slice(&chunk);
        }
    }
    if too_large {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(axum::http::Request::from_parts(
        parts,
        axum::body::Body::from(kept),
    ))
}
