//! Flamingo's edge API: one axum [`router()`] served by the Cloudflare Worker
//! and driven in-process by native tests.
//!
//! Layout: a folder per area, and at the top only what every area shares.
//! - [`platform`]: the traits the domain needs from its runtime (database,
//!   KV, objects, clock) with the Worker and [`platform::native`] adapters
//!   beneath, and `/api/health`; nothing outside it names a platform type.
//! - [`auth`]: roles and the permission matrix, the guard, sessions,
//!   passwords and the account, TOTP, API keys, rate limits, first-run setup.
//! - [`orgs`]: organizations, members, invitations.
//! - [`tunnels`]: tunnel hosts, tunnels, SSH keys, the device flow.
//! - [`game`]: nodes, eggs, servers, the Wings client and its JWTs, and the
//!   remote API (still empty).
//! - Shared: [`router`](mod@router) (the whole route table), [`route::Route`] (how an
//!   area declares a route), [`context`] (who calls, from where, in which
//!   organization), [`record`] (audit entries and the live events they
//!   become), [`error::ApiError`] (the one error type, with one status
//!   mapping), [`extract`], [`validate`], [`config`], [`crypto`].
//!
//! - [`schedules`]: game-server schedules run on a timer's alarm; [`webhooks`]:
//!   an organization's endpoints, fed by every published event; [`alarm`]:
//!   what a timer wakes.
//!
//! An area uses another only through what that area's `mod.rs` exports;
//! the router imports the areas, and no area imports the router.

#![forbid(unsafe_code)]

pub mod alarm;
pub mod auth;
pub mod config;
pub mod context;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod game;
pub mod orgs;
pub mod platform;
pub mod record;
pub mod route;
pub mod router;
pub mod schedules;
pub mod tunnels;
pub mod validate;
pub mod webhooks;

pub use durable_state::{ConsoleRelay, EventHub, Timer, TunnelLink};
pub use error::ApiError;
pub use platform::Platform;
pub use router::router;

/// The version reported by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
