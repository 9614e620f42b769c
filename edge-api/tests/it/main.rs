//! edge-api's integration tests, compiled into one binary so they link once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod console;

mod accounts;
mod activity;
mod audit;
mod authorization;
mod backups;
mod device_flow;
mod eggs;
mod errors;
mod events;
mod files;
mod health;
mod invitations;
mod jwt;
mod node_tunnels;
mod nodes;
mod orgs;
mod rate_limits;
mod remote;
mod routes;
mod schedules;
mod servers;
mod ssh_keys;
mod subusers;
mod totp;
mod transfers;
mod tunnel_hosts;
mod tunnels;
mod webhooks;
mod wings_client;
