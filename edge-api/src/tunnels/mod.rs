//! Reverse tunnels: the tunnel hosts enrolled into an organization
//! ([`tunnel_host`]), the tunnels open on them and the names reserved for
//! members ([`tunnel`]), users' SSH keys ([`ssh_key`]), and the device flow
//! that registers an unknown key from a host ([`device`]).

pub mod device;
pub mod ssh_key;
pub mod tunnel;
pub mod tunnel_host;
