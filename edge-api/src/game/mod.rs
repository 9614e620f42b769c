//! Game servers, coming next: Wings nodes and their eggs, the servers on
//! them, the Wings client and the JWTs it signs, and the remote API Wings
//! calls back. Empty until then; its routes will join the router's table
//! like every other area's.

pub mod egg;
