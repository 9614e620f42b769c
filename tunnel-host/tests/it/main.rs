//! tunnel-host's integration tests, compiled into one binary so they link once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod admin_api;
mod auth;
mod edge_auth;
mod edge_enroll;
mod edge_link;
mod edge_stats;
mod host_key;
mod http_proxy;
mod https;
mod lifecycle;
mod names;
mod session_channel;
mod smuggling;
mod ssh_hardening;
mod tcp_tunnel;
mod websocket;
