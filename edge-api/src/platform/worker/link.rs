//! Tunnel hosts' WebSockets: authenticated here, then handed to the host's
//! link Durable Object (`durable_state::TunnelLink`), which holds them.

use axum::{
    body::Body,
    http::{HeaderValue, Method, Request, Response, header},
    response::IntoResponse,
};
use durable_state::link::{HOST_ID_HEADER, LINK_PATH, ORG_ID_HEADER};
use worker::{Env, HttpRequest};

use crate::{platform::Platform, tunnels::tunnel_host};

use super::TUNNEL_LINK;

/// Whether this is a host dialing its link.
pub fn is_link_upgrade(req: &HttpRequest) -> bool {
    req.uri().path() == LINK_PATH
        && req.method() == Method::GET
        && req
            .headers()
            .get(header::UPGRADE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Authenticates the host and forwards the upgrade to its link object,
/// which answers 101 with its end of the socket.
pub async fn connect(
    platform: &Platform,
    env: &Env,
    req: HttpRequest,
) -> worker::Result<Response<Body>> {
    let host = match tunnel_host::authenticate_host(
        platform,
        tunnel_host::credential(req.headers()),
    )
    .await
    {
        Ok(host) => host,
        Err(e) => return Ok(e.into_response()),
    };
    let mut forwarded = Request::builder()
        .method(Method::GET)
        .uri("https://object/link")
        .body(worker::Body::empty())
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    let headers = forwarded.headers_mut();
    for (name, value) in req.headers() {
        // The credential stays here; the object trusts the headers below.
        if name.as_str() != tunnel_host::HOST_HEADER {
            headers.append(name.clone(), value.clone());
        }
    }
    let value =
        |v: &str| HeaderValue::from_str(v).map_err(|e| worker::Error::RustError(e.to_string()));
    headers.insert(HOST_ID_HEADER, value(&host.host_id)?);
    headers.insert(ORG_ID_HEADER, value(&host.org_id)?);
    let stub = env
        .durable_object(TUNNEL_LINK)?
        .get_by_name(&host.host_id)?;
    let response = stub
        .fetch_with_request(worker::Request::try_from(forwarded)?)
        .await?;
    let response: worker::HttpResponse = response.try_into()?;
    let (parts, body) = response.into_parts();
    Ok(Response::from_parts(parts, Body::new(body)))
}
