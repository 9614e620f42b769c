//! The admin API on the loopback listener; every route is listed in [`router`].
//!
//! It has no credential, so it answers only requests addressed to it by a loopback name or
//! address ([`addressed_here`]): a web page in a browser on the same machine can point its
//! own DNS name at 127.0.0.1 (DNS rebinding) and reach the port, but its requests then
//! carry that name as Host and are refused.

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::error::Error;
use crate::event::Command;
use crate::registry::Registry;
use crate::tunnel::TunnelInfo;

/// The admin routes, for a listener bound to `bound` (see [`addressed_here`]).
pub fn router(registry: Registry, bound: IpAddr) -> Router {
    Router::new()
        .route("/tunnels", get(list_tunnels))
        .route("/tunnels/{name}", delete(kick_tunnel))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(registry)
        .layer(middleware::from_fn_with_state(bound, only_addressed_here))
}

/// Whether a request names this listener by address (its absolute-form target's authority,
/// else its one Host header): `localhost`, a loopback IP, or the IP the listener is bound
/// to (any IP when bound to `0.0.0.0` or `::`). Never a DNS name other than `localhost`,
/// which is all a rebinding page can send.
pub fn addressed_here<B>(req: &http::Request<B>, bound: IpAddr) -> bool {
    let Some(authority) = crate::http::headers::request_authority(req) else {
        return false;
    };
    let host = authority.host().trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" {
        return true;
    }
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(&host);
    literal
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip == bound || bound.is_unspecified())
}

/// Refuses (403) a request that does not name this listener by address.
async fn only_addressed_here(State(bound): State<IpAddr>, req: Request, next: Next) -> Response {
    if addressed_here(&req, bound) {
        return next.run(req).await;
    }
    tracing::warn!(
        host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-"),
        "admin request refused: not addressed to a loopback name or address"
    );
    Error::Forbidden(
        "the admin API answers only requests addressed to localhost or an IP address, \
         e.g. Host: 127.0.0.1:9090"
            .into(),
    )
    .into_response()
}

/// `GET /tunnels`: every open tunnel with its counters.
async fn list_tunnels(State(registry): State<Registry>) -> Json<Vec<TunnelInfo>> {
    Json(registry.list())
}

/// Optional text shown to the kicked tunnel's user.
#[derive(Debug, Deserialize)]
struct KickParams {
    #[serde(default)]
    message: String,
}

/// `DELETE /tunnels/{name}`: closes the tunnel (by name or id) at once.
async fn kick_tunnel(
    State(registry): State<Registry>,
    Path(name): Path<String>,
    Query(params): Query<KickParams>,
) -> Result<StatusCode, Error> {
    registry.apply(Command::Kick {
        tunnel: name,
        message: params.message,
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(registry): State<Registry>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        registry.render_metrics(),
    )
}

/// `GET /healthz`.
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Serves `router` on `listener` until `shutdown`.
pub(crate) async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let socket = match accepted {
            Ok((socket, _)) => socket,
            Err(error) => {
                tracing::warn!(%error, "admin accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(socket), service);
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "admin connection ended with an error");
                    }
                }
                () = shutdown.cancelled() => conn.as_mut().graceful_shutdown(),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use async_trait::async_trait;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::event::CloseReason;
    use crate::metrics::Metrics;
    use crate::registry::Takeover;
    use crate::stream::TunnelStream;
    use crate::tunnel::{SessionId, TunnelKind, TunnelLink, TunnelSpec};

    struct NullLink;

    #[async_trait]
    impl TunnelLink for NullLink {
        async fn open(&self, _originator: SocketAddr) -> crate::error::Result<TunnelStream> {
            Err(Error::Upstream("none".into()))
        }
        fn closed(&self, _tunnel: &TunnelInfo, _reason: &CloseReason) {}
    }

    fn registry_with(name: &str) -> Registry {
        let r = Registry::new(Arc::new(Metrics::default()), 10);
        r.register(
            TunnelSpec {
                name: name.into(),
                kind: TunnelKind::Http,
                user: "alice".into(),
                session: SessionId(1),
                client_addr: "127.0.0.1:1".parse().unwrap(),
                public_url: format!("http://{name}.localhost"),
                https_only: false,
            },
            Arc::new(NullLink),
            Takeover::SameUser,
        )
        .unwrap();
        r
    }

    fn router(registry: Registry) -> Router {
        super::router(registry, IpAddr::from([127, 0, 0, 1]))
    }

    async fn call(router: Router, method: &str, uri: &str) -> (StatusCode, String) {
        call_as(router, method, uri, "127.0.0.1:9090").await
    }

    async fn call_as(router: Router, method: &str, uri: &str, host: &str) -> (StatusCode, String) {
        let response = router
            .oneshot(
                http::Request::builder()
                    .method(method)
                    .uri(uri)
                    .header(header::HOST, host)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn lists_tunnels_as_json() {
        let (status, body) = call(router(registry_with("app")), "GET", "/tunnels").await;
        assert_eq!(status, StatusCode::OK);
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(list[0]["name"], "app");
        assert_eq!(list[0]["kind"], "http");
        assert_eq!(list[0]["user"], "alice");
        assert!(list[0]["opened_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(list[0]["bytes_in"], 0);
    }

    #[tokio::test]
    async fn kick_then_404() {
        let r = registry_with("app");
        let (status, _) = call(router(r.clone()), "DELETE", "/tunnels/app?message=bye").await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(r.list().is_empty());
        let (status, body) = call(router(r), "DELETE", "/tunnels/app").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, r#"{"error":"not found"}"#);
    }

    #[tokio::test]
    async fn only_requests_addressed_to_loopback_are_answered() {
        let r = registry_with("app");
        for host in [
            "localhost:9090",
            "LOCALHOST",
            "127.0.0.1:9090",
            "127.1.2.3",
            "[::1]:9090",
        ] {
            let (status, _) = call_as(router(r.clone()), "GET", "/tunnels", host).await;
            assert_eq!(status, StatusCode::OK, "{host}");
        }
        for host in [
            "evil.example:9090",
            "localhost.evil.example",
            "10.0.0.5:9090",
            "",
        ] {
            let (status, body) = call_as(router(r.clone()), "GET", "/tunnels", host).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
            assert!(body.contains("addressed to localhost"), "{body}");
            let (status, _) = call_as(router(r.clone()), "DELETE", "/tunnels/app", host).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        }
        assert_eq!(r.list().len(), 1, "nothing was kicked");
        // An absolute-form target names the authority, whatever Host says.
        let (status, _) = call_as(
            router(r.clone()),
            "GET",
            "http://evil.example:9090/tunnels",
            "127.0.0.1:9090",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A listener bound elsewhere on purpose answers its own address too.
        let on_lan = super::router(r.clone(), IpAddr::from([10, 0, 0, 5]));
        let (status, _) = call_as(on_lan, "GET", "/tunnels", "10.0.0.5:9090").await;
        assert_eq!(status, StatusCode::OK);
        let anywhere = super::router(r, IpAddr::from([0, 0, 0, 0]));
        let (status, _) = call_as(anywhere.clone(), "GET", "/tunnels", "192.0.2.7:9090").await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call_as(anywhere, "GET", "/tunnels", "rebound.example:9090").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn metrics_and_health() {
        let (status, body) = call(router(registry_with("app")), "GET", "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("tunnel_host_tunnels_open{kind=\"http\"} 1"));
        let (status, body) = call(router(registry_with("app")), "GET", "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, r#"{"status":"ok"}"#);
    }
}
