//! Versions for latest-wins values (ticker, presence): strictly increasing, and
//! larger than any version handed out before a restart, because they follow the
//! wall clock in microseconds. A client that kept an old value sees the new
//! server's values as newer, never as stale.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hanmadi_protocol::Version;

#[derive(Debug, Default)]
pub struct VersionClock(AtomicU64);

impl VersionClock {
    pub fn next(&self) -> Version {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
        let previous = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(now.max(last + 1)))
            .expect("the closure always returns Some");
        Version(now.max(previous + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_strictly_increase_even_within_one_microsecond() {
        let clock = VersionClock::default();
        let versions: Vec<Version> = (0..10_000).map(|_| clock.next()).collect();
        assert!(versions.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
