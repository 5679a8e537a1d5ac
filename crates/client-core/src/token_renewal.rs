//! Getting a fresh session token before the one in hand expires. Without it,
//! the first reconnect after the token's expiry is refused (close 4401) and
//! only then refreshed: a needless failed attempt, and a refresh at the worst
//! moment (just after an outage). Renewing early happens quietly while the
//! socket is up; the refusal path stays as the fallback for a tab that slept
//! through the renewal.

use std::time::Duration;

use crate::Instant;

/// A token is renewed once this share of its lifetime has passed (a day-long
/// token about five hours before it expires), leaving room for retries.
const RENEW_AFTER_FIFTHS: u32 = 4;
/// The first wait after a renewal could not reach the server; it doubles up to
/// [`LONGEST_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(30);
const LONGEST_RETRY: Duration = Duration::from_secs(5 * 60);

/// When to ask for a fresh token, and whether that is being done.
#[derive(Debug, Default)]
pub(crate) struct TokenRenewal {
    due: Option<Instant>,
    /// A renewal was asked for and its answer has not come yet.
    asked: bool,
    /// Renewals in a row that could not reach the server.
    unreachable: u32,
}

impl TokenRenewal {
    /// The token in hand stops working `valid_for` from `now`.
    pub fn valid_for(&mut self, now: Instant, valid_for: Duration) {
        *self = Self { due: Some(now + valid_for * RENEW_AFTER_FIFTHS / 5), asked: false, unreachable: 0 };
    }

    /// There is no token any more (signed out): nothing to renew.
    pub fn forget(&mut self) {
        *self = Self::default();
    }

    /// When the engine must be woken for the next renewal, if one is waiting.
    pub fn next_wake(&self) -> Option<Instant> {
        self.due.filter(|_| !self.asked)
    }

    /// Whether to ask for a fresh token now; true once per due time.
    pub fn is_due(&mut self, now: Instant) -> bool {
        let due = self.next_wake().is_some_and(|due| due <= now);
        self.asked |= due;
        due
    }

    /// The renewal could not reach the server: the token in hand is kept, and
    /// renewal is tried again after a pause that doubles up to five minutes.
    pub fn unreachable(&mut self, now: Instant) {
        if !self.asked {
            return;
        }
        let wait = FIRST_RETRY.saturating_mul(1 << self.unreachable.min(4)).min(LONGEST_RETRY);
        self.unreachable += 1;
        self.due = Some(now + wait);
        self.asked = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> Instant {
        Instant::from_millis(seconds * 1000)
    }

    #[test]
    fn a_token_is_renewed_once_four_fifths_of_its_life_have_passed() {
        let mut renewal = TokenRenewal::default();
        assert_eq!(renewal.next_wake(), None, "no token, nothing to renew");
        renewal.valid_for(at(0), Duration::from_secs(100));
        assert!(!renewal.is_due(at(79)));
        assert!(renewal.is_due(at(80)));
        assert!(!renewal.is_due(at(81)), "asked once, not again while the answer is awaited");
        assert_eq!(renewal.next_wake(), None);
    }

    #[test]
    fn an_unreachable_server_is_asked_again_after_a_growing_pause() {
        let mut renewal = TokenRenewal::default();
        renewal.valid_for(at(0), Duration::from_secs(10_000));
        let mut now = 8_000;
        let mut waits = Vec::new();
        for _ in 0..7 {
            assert!(renewal.is_due(at(now)));
            renewal.unreachable(at(now));
            let next = renewal.next_wake().expect("tried again");
            waits.push(next.saturating_since(at(now)).as_secs());
            now += waits.last().unwrap();
        }
        assert_eq!(waits, [30, 60, 120, 240, 300, 300, 300]);
        renewal.valid_for(at(now), Duration::from_secs(100));
        assert_eq!(renewal.next_wake(), Some(at(now + 80)), "a fresh token starts over");
    }
}
