//! Reverse tunnels: the tunnel hosts enrolled into an organization
//! ([`tunnel_host`]), the tunnels open on them and the names reserved for
//! members ([`tunnel`]), users' SSH keys ([`ssh_key`]), and the device flow
//! that registers an unknown key from a host ([`device`]), and the names
//! held by Wings nodes reached through a host ([`node_names`]).

pub mod device;
pub mod node_names;
pub mod ssh_key;
pub mod tunnel;
pub mod tunnel_host;
