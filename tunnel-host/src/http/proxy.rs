//! One visitor request: resolve the Host, re-serialize the request upstream, stream back.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::sync::Arc;

use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri, Version, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use crate::host::Ctx;
use crate::metrics::Metrics;
use crate::name;
use crate::registry::Lookup;
use crate::tunnel::Tunnel;

use super::head_guard::must_close_after;
use super::headers::{request_authority, set_forwarded, strip_hop_by_hop, upgrade_protocol};
use super::page::{self, escape};
use super::upstream::{self, ConnState, UpstreamError};

/// Error type of proxied bodies.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;
/// A streamed body in either direction.
pub(crate) type ProxyBody = BoxBody<Bytes, BoxError>;

/// Where a Host header points.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// `<name>.<domain>`.
    Tunnel(String),
    /// The bare domain.
    Apex,
    /// Under the domain but not a possible tunnel name.
    NoSuchName,
    /// Missing, repeated, malformed, or another domain.
    Bad,
}

/// Serves one request; never fails, errors become pages. Over TLS, adds HSTS when
/// configured.
pub(crate) async fn handle(
    ctx: Arc<Ctx>,
    conn: Arc<ConnState>,
    req: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    if conn.secure {
        Metrics::inc(&ctx.metrics().https_requests);
    }
    let close = req.version() < Version::HTTP_2 && must_close_after(req.headers());
    let mut response = respond(&ctx, &conn, req).await;
    // The head gate stopped checking this connection (a chunked body or an upgrade): no
    // further request is read from it, unless it became the upgraded stream.
    if close && response.status() != StatusCode::SWITCHING_PROTOCOLS {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if conn.secure
        && let Some(max_age) = ctx.config.hsts_max_age
        && let Ok(v) = HeaderValue::from_str(&format!("max-age={}", max_age.as_secs()))
    {
        response
            .headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    Ok(response)
}

async fn respond(ctx: &Ctx, conn: &ConnState, req: Request<Incoming>) -> Response<ProxyBody> {
    let page = match target(&req, &ctx.config.domain) {
        Target::Tunnel(name) => match ctx.registry.lookup_http(&name) {
            Lookup::Live(tunnel) => match ctx.https_port {
                Some(port) if tunnel.spec().https_only && !conn.secure => {
                    return redirect(&ctx.https_url(&name, port), &req);
                }
                _ => match proxy(ctx, conn, tunnel, req).await {
                    Ok(response) => return response,
                    Err(page) => page,
                },
            },
            Lookup::Offline => offline(&name),
            Lookup::Unknown => not_found(ctx, &name),
        },
        Target::NoSuchName => not_found(ctx, "this name"),
        Target::Apex => page::error(
            StatusCode::NOT_FOUND,
            "No tunnel here",
            &format!(
                "This is a tunnel host. Open a tunnel with <code>ssh -R myapp:80:localhost:3000 -p {} {}</code>.",
                ctx.ssh_port,
                escape(&ctx.ssh_host)
            ),
        ),
        Target::Bad => {
            let mut page = page::error(
                StatusCode::BAD_REQUEST,
                "Bad Host header",
                &format!(
                    "This host serves <code>&lt;name&gt;.{}</code> only.",
                    escape(&ctx.config.domain)
                ),
            );
            // A malformed request may hide another; read nothing more from this connection.
            page.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            page
        }
    };
    Metrics::inc(&ctx.metrics().http_errors);
    page
}

/// `308 Permanent Redirect` to the same path and query under `base` (`https://app.<domain>`),
/// so the method and body are kept.
fn redirect<B>(base: &str, req: &Request<B>) -> Response<ProxyBody> {
    let path = req.uri().path_and_query().map_or("/", PathAndQuery::as_str);
    let location = format!("{base}{path}");
    let mut response = page::error(
        StatusCode::PERMANENT_REDIRECT,
        "Moved to HTTPS",
        &format!(
            "This tunnel is served over HTTPS: <a href=\"{0}\">{0}</a>.",
            escape(&location)
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn not_found(ctx: &Ctx, name: &str) -> Response<ProxyBody> {
    page::error(
        StatusCode::NOT_FOUND,
        "Tunnel not found",
        &format!(
            "No tunnel is open for <code>{}</code>. Open one with <code>ssh -R {}:80:localhost:3000 -p {} {}</code>.",
            escape(name),
            escape(name),
            ctx.ssh_port,
            escape(&ctx.ssh_host)
        ),
    )
}

fn offline(name: &str) -> Response<ProxyBody> {
    page::error(
        StatusCode::BAD_GATEWAY,
        "Tunnel offline",
        &format!(
            "The tunnel <code>{}</code> is closed: its SSH session ended or it was closed by the administrator.",
            escape(name)
        ),
    )
}

fn bad_gateway(name: &str, why: &str) -> Response<ProxyBody> {
    page::error(
        StatusCode::BAD_GATEWAY,
        "Bad gateway",
        &format!(
            "The tunnel <code>{}</code> could not reach its service: {}.",
            escape(name),
            escape(why)
        ),
    )
}

fn too_large(limit: u64) -> Response<ProxyBody> {
    page::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body too large",
        &format!("This tunnel host accepts request bodies up to {limit} bytes."),
    )
}

/// Reads where the request is going: an absolute-form target's authority, else its single
/// Host header ([`request_authority`]).
fn target<B>(req: &Request<B>, domain: &str) -> Target {
    let Some(authority) = request_authority(req) else {
        return Target::Bad;
    };
    target_of(authority.host(), domain)
}

/// Where a host name (no port) is going under `domain`.
pub(super) fn target_of(host: &str, domain: &str) -> Target {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.to_ascii_lowercase();
    if host == domain {
        return Target::Apex;
    }
    let Some(label) = host.strip_suffix(&format!(".{domain}")) else {
        return Target::Bad;
    };
    match name::validate(label, &domain) {
        Ok(name) => Target::Tunnel(name),
        Err(_) => Target::NoSuchName,
    }
}

/// Forwards one request through `tunnel` and streams the response back.
async fn proxy(
    ctx: &Ctx,
    conn: &ConnState,
    tunnel: Arc<Tunnel>,
    mut req: Request<Incoming>,
) -> Result<Response<ProxyBody>, Response<ProxyBody>> {
    let limit = ctx.config.max_request_body.0;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    tunnel.add_request();
    // A WebSocket over HTTP/2 (RFC 8441: CONNECT with `:protocol websocket`) goes upstream
    // as the HTTP/1.1 Upgrade the app expects; its 101 comes back to the visitor as a 200.
    let h2_websocket = req.method() == Method::CONNECT
        && req
            .extensions()
            .get::<hyper::ext::Protocol>()
            .is_some_and(|p| p.as_str().eq_ignore_ascii_case("websocket"));
    let upgrade = match h2_websocket {
        true => Some(HeaderValue::from_static("websocket")),
        false => upgrade_protocol(req.headers()),
    };
    let downstream_upgrade = upgrade.as_ref().map(|_| hyper::upgrade::on(&mut req));
    // The authority the request was routed by: the app sees the name it is served under,
    // never a conflicting Host next to an absolute-form target.
    let host = request_authority(&req)
        .map(|a| a.to_string())
        .unwrap_or_default();

    let (mut parts, body) = req.into_parts();
    // Re-serialized by hyper's client: origin-form URI, HTTP/1.1, framing recomputed from
    // Content-Length or chunked; the visitor's raw bytes never reach the client.
    let path = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    parts.uri = Uri::from(path);
    parts.version = Version::HTTP_11;
    strip_hop_by_hop(&mut parts.headers, upgrade.clone());
    // Framing comes from the body hyper decoded, never from the visitor's header (hyper
    // already drops Content-Length next to Transfer-Encoding and closes that connection).
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(v) = HeaderValue::from_str(&host) {
        parts.headers.insert(header::HOST, v);
    }
    set_forwarded(&mut parts.headers, conn.peer.ip(), &host, conn.secure);
    if h2_websocket {
        parts.method = Method::GET;
        parts
            .headers
            .insert(header::SEC_WEBSOCKET_KEY, websocket_key());
    }
    let body = Limited::new(
        body.map_err(VisitorBodyError),
        usize::try_from(limit).unwrap_or(usize::MAX),
    )
    .map_err(BoxError::from)
    .boxed();
    let upstream_req = Request::from_parts(parts, body);

    let sent = match &upgrade {
        None => conn.send(&tunnel, upstream_req).await,
        Some(_) => match upstream::open(&tunnel, conn.peer).await {
            Ok(mut sender) => sender
                .send_request(upstream_req)
                .await
                .map_err(UpstreamError::Http),
            Err(e) => Err(e),
        },
    };
    let mut response = match sent {
        Ok(response) => response,
        Err(UpstreamError::Open(error)) => {
            tracing::info!(name = tunnel.name(), %error, "tunnel channel failed");
            return Err(bad_gateway(
                tunnel.name(),
                "the tunnel's SSH client did not answer",
            ));
        }
        Err(UpstreamError::Http(error)) if has_cause::<LengthLimitError>(&error) => {
            return Err(too_large(limit));
        }
        Err(UpstreamError::Http(error)) if has_cause::<VisitorBodyError>(&error) => {
            tracing::info!(name = tunnel.name(), %error, "malformed request body");
            return Err(page::error(
                StatusCode::BAD_REQUEST,
                "Malformed request body",
                "The request body could not be read.",
            ));
        }
        Err(UpstreamError::Http(error)) => {
            tracing::info!(name = tunnel.name(), %error, "upstream request failed");
            let why = if tunnel.is_closed() {
                "the tunnel was closed"
            } else {
                "the local service closed the connection"
            };
            return Err(bad_gateway(tunnel.name(), why));
        }
    };

    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        if let Some(downstream) = downstream_upgrade {
            let upstream = hyper::upgrade::on(&mut response);
            let tunnel = Arc::clone(&tunnel);
            tokio::spawn(async move { splice(tunnel, downstream, upstream).await });
        }
        let (mut parts, _) = response.into_parts();
        if h2_websocket {
            parts.status = StatusCode::OK;
            strip_hop_by_hop(&mut parts.headers, None);
            parts.headers.remove(header::SEC_WEBSOCKET_ACCEPT);
        }
        let empty = http_body_util::Empty::new().map_err(BoxError::from).boxed();
        return Ok(Response::from_parts(parts, empty));
    }
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers, None);
    Ok(Response::from_parts(
        parts,
        body.map_err(BoxError::from).boxed(),
    ))
}

/// A fresh `Sec-WebSocket-Key` (16 random bytes, base64) for a WebSocket that came over
/// HTTP/2, which has no key of its own.
fn websocket_key() -> HeaderValue {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    // Only the format matters to the app (RFC 6455 §4.1); zeros would still be valid.
    let _ = getrandom::fill(&mut bytes);
    let key = base64::engine::general_purpose::STANDARD.encode(bytes);
    HeaderValue::from_str(&key)
        .unwrap_or_else(|_| HeaderValue::from_static("AAAAAAAAAAAAAAAAAAAAAA=="))
}

/// Joins an upgraded visitor connection with its upgraded upstream until either ends.
async fn splice(
    tunnel: Arc<Tunnel>,
    downstream: hyper::upgrade::OnUpgrade,
    upstream: hyper::upgrade::OnUpgrade,
) {
    let (down, up) = match tokio::try_join!(downstream, upstream) {
        Ok(pair) => pair,
        Err(error) => {
            tracing::debug!(name = tunnel.name(), %error, "upgrade failed");
            return;
        }
    };
    let (mut down, mut up) = (TokioIo::new(down), TokioIo::new(up));
    tokio::select! {
        result = tokio::io::copy_bidirectional(&mut down, &mut up) => {
            if let Err(error) = result {
                tracing::debug!(name = tunnel.name(), %error, "upgraded connection ended");
            }
        }
        () = tunnel.closed() => {}
    }
}

/// A visitor's request body failed to decode (bad chunking, connection lost).
#[derive(Debug)]
struct VisitorBodyError(hyper::Error);

impl std::fmt::Display for VisitorBodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reading the request body: {}", self.0)
    }
}

impl StdError for VisitorBodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// Whether an error of type `E` is somewhere in the cause chain.
fn has_cause<E: StdError + 'static>(error: &hyper::Error) -> bool {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(e) = source {
        if e.is::<E>() {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: &[&str], uri: &str) -> Request<()> {
        let mut b = Request::builder().uri(uri);
        for h in host {
            b = b.header(header::HOST, *h);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn hosts_resolve_to_targets() {
        let d = "localhost";
        assert_eq!(
            target(&req(&["myapp.localhost:8080"], "/"), d),
            Target::Tunnel("myapp".into())
        );
        assert_eq!(
            target(&req(&["MyApp.LocalHost."], "/"), d),
            Target::Tunnel("myapp".into())
        );
        assert_eq!(target(&req(&["localhost:8080"], "/"), d), Target::Apex);
        assert_eq!(target(&req(&["a.b.localhost"], "/"), d), Target::NoSuchName);
        assert_eq!(target(&req(&["www.localhost"], "/"), d), Target::NoSuchName);
        assert_eq!(target(&req(&["example.com"], "/"), d), Target::Bad);
        assert_eq!(target(&req(&[], "/"), d), Target::Bad);
        assert_eq!(
            target(&req(&["a.localhost", "b.localhost"], "/"), d),
            Target::Bad
        );
        assert_eq!(target(&req(&["bad host"], "/"), d), Target::Bad);
        assert_eq!(target(&req(&["user@a.localhost"], "/"), d), Target::Bad);
        assert_eq!(
            target(&req(&[], "http://app.localhost/x"), d),
            Target::Tunnel("app".into())
        );
        // RFC 9112 §3.2.2: an absolute-form target's authority wins over Host.
        assert_eq!(
            target(&req(&["other.localhost"], "http://app.localhost/x"), d),
            Target::Tunnel("app".into())
        );
        assert_eq!(
            target(&req(&["app.localhost"], "http://example.com/x"), d),
            Target::Bad
        );
    }
}
