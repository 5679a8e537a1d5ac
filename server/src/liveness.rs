//! Whether the peer of a socket is still there, judged by the server.
//!
//! A client whose network vanished without a goodbye (a phone that lost its
//! signal, a laptop lid closed) leaves a half-open connection that TCP gives up
//! on only after many minutes, and meanwhile the person shows as present. So
//! after hearing nothing for half the idle timeout the server pings (browsers
//! answer pings themselves), and after the whole timeout it closes the socket.
//! The app pings every 15 s when idle, so a live client is never dropped.

use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

pub struct Liveness {
    timeout: Duration,
    last_heard: Instant,
    /// `last_heard` when the last ping went out: a ping per silence.
    pinged_after: Option<Instant>,
    /// Wakes at the next moment something may be due; reset only then, so
    /// hearing from the peer costs no timer work.
    check: Pin<Box<Sleep>>,
}

/// What the silence calls for.
#[derive(Debug, PartialEq, Eq)]
pub enum Due {
    Ping,
    /// Nothing heard for the whole timeout: close the connection.
    Dead,
}

impl Liveness {
    pub fn new(timeout: Duration) -> Self {
        let now = Instant::now();
        Self { timeout, last_heard: now, pinged_after: None, check: Box::pin(tokio::time::sleep(timeout / 2)) }
    }

    /// Anything at all arrived from the peer.
    pub fn heard(&mut self) {
        self.last_heard = Instant::now();
    }

    /// Waits until a ping or the close is due. Cancel-safe.
    pub async fn due(&mut self) -> Due {
        loop {
            self.check.as_mut().await;
            let now = Instant::now();
            let (ping_at, dead_at) = (self.last_heard + self.timeout / 2, self.last_heard + self.timeout);
            if now >= dead_at {
                return Due::Dead;
            }
            if now >= ping_at && self.pinged_after != Some(self.last_heard) {
                self.pinged_after = Some(self.last_heard);
                self.check.as_mut().reset(dead_at);
                return Due::Ping;
            }
            let next = if self.pinged_after == Some(self.last_heard) { dead_at } else { ping_at };
            self.check.as_mut().reset(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn due_within(liveness: &mut Liveness, within: Duration) -> Option<Due> {
        tokio::time::timeout(within, liveness.due()).await.ok()
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_peer_is_pinged_then_dropped() {
        let mut liveness = Liveness::new(Duration::from_secs(30));
        assert_eq!(due_within(&mut liveness, Duration::from_secs(14)).await, None);
        assert_eq!(due_within(&mut liveness, Duration::from_secs(2)).await, Some(Due::Ping));
        assert_eq!(due_within(&mut liveness, Duration::from_secs(14)).await, None, "one ping per silence");
        assert_eq!(due_within(&mut liveness, Duration::from_secs(1)).await, Some(Due::Dead));
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_answers_is_never_dropped() {
        let mut liveness = Liveness::new(Duration::from_secs(30));
        for _ in 0..10 {
            assert_eq!(due_within(&mut liveness, Duration::from_secs(20)).await, Some(Due::Ping));
            liveness.heard();
        }
        assert_eq!(due_within(&mut liveness, Duration::from_secs(14)).await, None);
    }
}
