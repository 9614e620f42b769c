//! A per-IP limit on new connections in a sliding one-minute window.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked addresses, stale ones are swept on the next check.
const SWEEP_ABOVE: usize = 10_000;

/// Counts new connections per IP address over the last minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter letting `per_minute` connections per address through; 0 disables it.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records a connection attempt from `ip` at `now`, or refuses it.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<()> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() > SWEEP_ABOVE {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let times = seen.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= self.per_minute as usize {
            let retry_after = times
                .front()
                .map(|t| WINDOW.saturating_sub(now.duration_since(*t)))
                .unwrap_or(WINDOW);
            return Err(Error::RateLimited { retry_after });
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_window() {
        let limiter = RateLimiter::new(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.check(a, t0).unwrap();
        }
        assert!(matches!(
            limiter.check(a, t0 + Duration::from_secs(10)),
            Err(Error::RateLimited { retry_after }) if retry_after == Duration::from_secs(50)
        ));
        limiter.check(b, t0).unwrap();
        limiter.check(a, t0 + WINDOW).unwrap();
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::new(0);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            limiter.check(a, Instant::now()).unwrap();
        }
    }
}
