//! Who the caller is and what they may do: roles and the permission matrix
//! with the one deciding function ([`decide`]), the guard every route passes
//! through ([`guard()`]), browser sessions, passwords and the account, TOTP,
//! API keys, rate limits on failed attempts, and first-run setup.
//!
//! Other areas use what this file exports: the access vocabulary
//! ([`Access`], [`Role`], ...), [`session`] and [`rate_limit`] for their own
//! sign-ins and attempts, and [`account::load_me`]. The router mounts the
//! handlers of [`account`], [`api_key`], [`setup`] and [`totp`].

mod access;
pub mod account;
pub mod api_key;
mod guard;
pub mod rate_limit;
pub mod session;
pub mod setup;
pub mod totp;

pub use access::{
    Access, Action, Credential, Decision, Resource, Role, ServerNeed, allows, decide, decide_for,
    grants_include, reads_only,
};
pub use guard::{GuardState, guard};
