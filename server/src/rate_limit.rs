//! A token bucket per connection: bursts up to `capacity`, then `per_second`.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_second: u32) -> Self {
        Self { capacity: capacity.into(), per_second: per_second.into(), tokens: capacity.into(), last: Instant::now() }
    }

    /// Bursts up to `capacity`, then `per_minute` a minute.
    pub fn per_minute(capacity: u32, per_minute: u32) -> Self {
        Self { per_second: f64::from(per_minute) / 60.0, ..Self::new(capacity, 0) }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self) -> bool {
        self.try_take_at(Instant::now())
    }

    fn try_take_at(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether every token is back (nothing was taken for a whole burst's refill).
    pub fn is_full(&mut self) -> bool {
        self.refill(Instant::now());
        self.tokens >= self.capacity
    }

    /// Returns a token taken for something that turned out to cost nothing.
    pub fn give_back(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.capacity);
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
    }

    /// How long until a token is back; for the error message.
    pub fn wait(&self) -> Duration {
        Duration::from_secs_f64(((1.0 - self.tokens) / self.per_second).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_holds() {
        let start = Instant::now();
        let mut bucket = TokenBucket { capacity: 5.0, per_second: 10.0, tokens: 5.0, last: start };
        assert_eq!((0..8).filter(|_| bucket.try_take_at(start)).count(), 5);
        assert!(!bucket.try_take_at(start + Duration::from_millis(50)));
        assert!(bucket.try_take_at(start + Duration::from_millis(100)));
    }
}
