//! Talking to Wings: the typed [`client`] for its bearer routes, the
//! [`types`] it speaks, its [`error`]s as the API reports them, and the
//! [`jwt`]s Flamingo signs for browsers to present to it.

pub mod backups;
pub mod client;
pub mod error;
pub mod jwt;
pub mod transfer;
pub mod types;

pub use client::{DEFAULT_TIMEOUT, NodeTarget, Wings};
pub use error::WingsError;
