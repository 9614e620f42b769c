//! A per-IP cap on SSH connections that have not authenticated yet, so one address
//! holding many silent connections (each bounded by the login grace time) cannot take the
//! server's sockets and tasks from everyone else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts unauthenticated connections per IP address.
#[derive(Debug, Clone)]
pub(crate) struct PendingPerIp {
    max: usize,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One unauthenticated connection's place; given back when dropped.
#[derive(Debug)]
pub(crate) struct PendingSlot {
    ip: IpAddr,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PendingPerIp {
    /// A cap of `max` per address; 0 disables it.
    pub(crate) fn new(max: usize) -> Self {
        PendingPerIp {
            max,
            counts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A slot for a new connection from `ip`, or `None` when `ip` is at the cap.
    pub(crate) fn acquire(&self, ip: IpAddr) -> Option<PendingSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ip).or_insert(0);
        if self.max != 0 && *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PendingSlot {
            ip,
            counts: Arc::clone(&self.counts),
        })
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_per_address_and_slots_come_back_when_dropped() {
        let pending = PendingPerIp::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = pending.acquire(a).unwrap();
        let _second = pending.acquire(a).unwrap();
        assert!(pending.acquire(a).is_none());
        assert!(pending.acquire(b).is_some());
        drop(first);
        assert!(pending.acquire(a).is_some());
    }

    #[test]
    fn zero_disables_the_cap_and_empty_entries_are_removed() {
        let pending = PendingPerIp::new(0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let slots: Vec<_> = (0..100).map(|_| pending.acquire(a).unwrap()).collect();
        drop(slots);
        assert!(pending.counts.lock().unwrap().is_empty());
    }
}
