//! Bounds on device sign-ins in progress. Anyone with a key pair can start
//! one, and each holds a connection (and polls the edge) for up to ten
//! minutes, so they are capped per client IP and in total.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Device sign-ins one IP address may have waiting at once.
pub(crate) const PER_IP: usize = 3;
/// Device sign-ins the host runs at once.
pub(crate) const TOTAL: usize = 64;

/// Device sign-ins in progress, by client IP.
#[derive(Debug, Default, Clone)]
pub(crate) struct DeviceFlows {
    waiting: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One device sign-in's place; freed when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    flows: DeviceFlows,
    ip: IpAddr,
}

impl DeviceFlows {
    /// A place for a sign-in from `ip`, or None when `ip` or the host is at its limit.
    pub(crate) fn enter(&self, ip: IpAddr) -> Option<Permit> {
        let mut waiting = self.waiting.lock().ok()?;
        let total: usize = waiting.values().sum();
        let mine = waiting.entry(ip).or_default();
        if *mine >= PER_IP || total >= TOTAL {
            return None;
        }
        *mine += 1;
        Some(Permit {
            flows: self.clone(),
            ip,
        })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Ok(mut waiting) = self.flows.waiting.lock()
            && let Some(count) = waiting.get_mut(&self.ip)
        {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_limited_per_ip_and_in_total_and_freed_on_drop() {
        let flows = DeviceFlows::default();
        let ip = |n: u8| IpAddr::from([192, 0, 2, n]);
        let mine: Vec<Permit> = (0..PER_IP).filter_map(|_| flows.enter(ip(1))).collect();
        assert_eq!(mine.len(), PER_IP);
        assert!(flows.enter(ip(1)).is_none(), "per ip");
        drop(mine);
        let others: Vec<Permit> = (0..TOTAL)
            .filter_map(|n| flows.enter(ip(u8::try_from(n % 200).unwrap_or(0) + 10)))
            .collect();
        assert_eq!(others.len(), TOTAL);
        assert!(flows.enter(ip(1)).is_none(), "in total");
        drop(others);
        assert!(flows.enter(ip(1)).is_some());
    }
}
