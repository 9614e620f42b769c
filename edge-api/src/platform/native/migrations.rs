//! The D1 migrations, embedded at build time from `../migrations` (see
//! `build.rs`), for the native store to apply as wrangler applies them to D1.

/// One migration file: its name (as wrangler records it) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// File name, e.g. `0001_system.sql`.
    pub name: &'static str,
    /// The SQL text, applied as one script.
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
