//! Invitations: single-use links `/join/{token}` with a role and an expiry.

use crate::router::Route;

/// The invitation and join routes.
pub fn routes() -> Vec<Route> {
    Vec::new()
}
