//! edge-api's integration tests, compiled into one binary so they link once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod accounts;
mod audit;
mod authorization;
mod device_flow;
mod eggs;
mod errors;
mod events;
mod health;
mod invitations;
mod orgs;
mod rate_limits;
mod routes;
mod ssh_keys;
mod totp;
mod tunnel_hosts;
mod tunnels;
