//! [`OrderLimits`]: how often the host may ask the ACME server for certificates.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Longest wait after repeated failures for one name.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// The window of the global cap.
const WINDOW: Duration = Duration::from_secs(3600);

/// Why an order may not be placed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// The name failed recently; try again after this long.
    Backoff(Duration),
    /// The hourly cap over all names is reached; the oldest order leaves it after this long.
    HourlyCap(Duration),
}

/// A global cap of orders per hour, and per name an exponential backoff after failures.
/// (At most one order in flight per name is the caller's per-name lock.) Time is passed in,
/// so it is tested without waiting.
#[derive(Debug)]
pub struct OrderLimits {
    per_hour: usize,
    backoff: Duration,
    placed: VecDeque<Instant>,
    failures: HashMap<String, Failure>,
}

#[derive(Debug, Clone, Copy)]
struct Failure {
    count: u32,
    retry_at: Instant,
}

impl OrderLimits {
    /// At most `per_hour` orders in any hour; `backoff` after a name's first failure,
    /// doubling after each further one.
    pub fn new(per_hour: usize, backoff: Duration) -> OrderLimits {
        OrderLimits {
            per_hour,
            backoff,
            placed: VecDeque::new(),
            failures: HashMap::new(),
        }
    }

    /// Takes a slot for an order for `name` at `now`, or says why not.
    pub fn try_place(&mut self, name: &str, now: Instant) -> Result<(), Held> {
        if let Some(f) = self.failures.get(name)
            && f.retry_at > now
        {
            return Err(Held::Backoff(f.retry_at - now));
        }
        while self
            .placed
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= WINDOW)
        {
            self.placed.pop_front();
        }
        if self.placed.len() >= self.per_hour {
            let oldest = self.placed.front().copied().unwrap_or(now);
            return Err(Held::HourlyCap(WINDOW.saturating_sub(now - oldest)));
        }
        self.placed.push_back(now);
        Ok(())
    }

    /// The order for `name` failed at `now`: back off.
    pub fn failed(&mut self, name: &str, now: Instant) {
        let count = self.failures.get(name).map_or(1, |f| f.count + 1);
        let wait = self
            .backoff
            .saturating_mul(1 << (count - 1).min(16))
            .min(MAX_BACKOFF);
        self.failures.insert(
            name.to_owned(),
            Failure {
                count,
                retry_at: now + wait,
            },
        );
    }

    /// The order for `name` succeeded: forget its failures.
    pub fn succeeded(&mut self, name: &str) {
        self.failures.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn the_hourly_cap_counts_every_name_and_frees_slots_an_hour_later() {
        let t0 = Instant::now();
        let mut l = OrderLimits::new(2, MIN);
        assert_eq!(l.try_place("a", t0), Ok(()));
        assert_eq!(l.try_place("b", t0 + MIN), Ok(()));
        assert_eq!(
            l.try_place("c", t0 + 2 * MIN),
            Err(Held::HourlyCap(58 * MIN))
        );
        assert_eq!(l.try_place("c", t0 + 60 * MIN), Ok(()));
        assert!(l.try_place("d", t0 + 60 * MIN).is_err());
    }

    #[test]
    fn failures_back_off_exponentially_per_name_and_success_resets() {
        let t0 = Instant::now();
        let mut l = OrderLimits::new(100, MIN);
        assert_eq!(l.try_place("a", t0), Ok(()));
        l.failed("a", t0);
        assert_eq!(l.try_place("a", t0), Err(Held::Backoff(MIN)));
        assert_eq!(l.try_place("b", t0), Ok(()), "other names are not held");
        assert_eq!(l.try_place("a", t0 + MIN), Ok(()));
        l.failed("a", t0 + MIN);
        assert_eq!(l.try_place("a", t0 + 2 * MIN), Err(Held::Backoff(MIN)));
        assert_eq!(l.try_place("a", t0 + 3 * MIN), Ok(()));
        l.failed("a", t0 + 3 * MIN);
        assert_eq!(l.try_place("a", t0 + 3 * MIN), Err(Held::Backoff(4 * MIN)));
        l.succeeded("a");
        assert_eq!(l.try_place("a", t0 + 3 * MIN), Ok(()));
    }

    #[test]
    fn the_backoff_stops_growing_at_a_day() {
        let t0 = Instant::now();
        let mut l = OrderLimits::new(100, Duration::from_secs(3600));
        for _ in 0..40 {
            l.failed("a", t0);
        }
        assert_eq!(l.try_place("a", t0), Err(Held::Backoff(MAX_BACKOFF)));
    }
}
