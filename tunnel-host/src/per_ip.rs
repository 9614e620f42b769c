//! A per-IP cap on connections held at once: SSH connections that have not authenticated
//! yet, and visitors' HTTP(S) connections. One address holding many silent connections
//! cannot take the server's sockets and tasks from everyone else. The count is taken and
//! checked under one lock, so a burst gets no more than the cap.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts connections per IP address.
#[derive(Debug, Clone)]
pub(crate) struct PerIpCap {
    max: usize,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection's place; given back when dropped.
#[derive(Debug)]
pub(crate) struct IpSlot {
    ip: IpAddr,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerIpCap {
    /// A cap of `max` per address; 0 disables it.
    pub(crate) fn new(max: usize) -> Self {
        PerIpCap {
            max,
            counts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A slot for a new connection from `ip`, or `None` when `ip` is at the cap.
    pub(crate) fn acquire(&self, ip: IpAddr) -> Option<IpSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ip).or_insert(0);
        if self.max != 0 && *count >= self.max {
            return None;
        }
        *count += 1;
        Some(IpSlot {
            ip,
            counts: Arc::clone(&self.counts),
        })
    }
}

impl Drop for IpSlot {
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
        let cap = PerIpCap::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = cap.acquire(a).unwrap();
        let _second = cap.acquire(a).unwrap();
        assert!(cap.acquire(a).is_none());
        assert!(cap.acquire(b).is_some());
        drop(first);
        assert!(cap.acquire(a).is_some());
    }

    #[test]
    fn zero_disables_the_cap_and_empty_entries_are_removed() {
        let cap = PerIpCap::new(0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let slots: Vec<_> = (0..100).map(|_| cap.acquire(a).unwrap()).collect();
        drop(slots);
        assert!(cap.counts.lock().unwrap().is_empty());
    }
}
