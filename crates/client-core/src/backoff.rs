//! Exponential backoff with *full jitter*: the wait before retry `n` is uniform in
//! `0..=min(cap, base * 2^n)`. Full jitter (rather than "exponential plus a little
//! noise") is what spreads a thousand clients apart after a server restart, so they
//! do not come back as one thundering herd.

use std::time::Duration;

use crate::rng::SplitMix64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first wait. Default 1.5 s: wide enough that the
    /// clients of a restarted server come back spread over more than a
    /// second, short enough that one client's blip stays under the badge's
    /// 2 s grace.
    pub base: Duration,
    /// No wait is ever longer than this. Default 30 s.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_millis(1_500), cap: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// The largest wait before retry number `failures` (0 for the first retry).
    pub fn ceiling(&self, failures: u32) -> Duration {
        let factor = 1u64.checked_shl(failures.min(63)).unwrap_or(u64::MAX);
        let base = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX);
        let cap = u64::try_from(self.cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(base.saturating_mul(factor).min(cap))
    }

    pub(crate) fn delay(&self, failures: u32, rng: &mut SplitMix64) -> Duration {
        let ceiling = u64::try_from(self.ceiling(failures).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.up_to(ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_from_base_until_cap() {
        let backoff = Backoff::default();
        let ceilings: Vec<u64> = (0..9).map(|n| backoff.ceiling(n).as_millis() as u64).collect();
        assert_eq!(ceilings, [1500, 3000, 6000, 12000, 24000, 30000, 30000, 30000, 30000]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn delays_stay_within_the_ceiling_and_spread_out() {
        let backoff = Backoff::default();
        let mut rng = SplitMix64::new(42);
        let delays: Vec<Duration> = (0..1000).map(|_| backoff.delay(2, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(6)));
        let below_half = delays.iter().filter(|d| **d < Duration::from_secs(3)).count();
        assert!((400..600).contains(&below_half), "not uniform: {below_half}/1000 below half");
    }
}
