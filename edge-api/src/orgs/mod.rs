//! Organizations and their members ([`org`]), and the invitations that
//! bring new members in ([`invitation`]).
//!
//! First-run setup (in `auth`) creates the first organization with
//! [`org::slug_for`] and [`org::create_statements`].

pub mod invitation;
pub mod org;
