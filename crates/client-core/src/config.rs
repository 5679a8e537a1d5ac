//! The connection policy's knobs, with the defaults `docs/ARCHITECTURE.md` explains ("Connection policy").

use std::time::Duration;

use crate::Backoff;

/// Tunables for [`crate::Connection`]. Build with [`Config::new`] and adjust fields.
///
/// ```
/// use std::time::Duration;
/// let mut config = hanmadi_client_core::Config::new("wss://chat.example/ws", 7);
/// config.heartbeat_idle = Duration::from_secs(30);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to open the socket.
    pub url: String,
    /// Seed for jitter; give each client a different one (the browser uses
    /// `crypto.getRandomValues`), tests a fixed one.
    pub seed: u64,
    /// Waits between failed attempts.
    pub backoff: Backoff,
    /// After failing this long without a single success, the status becomes
    /// *suspended* and attempts slow to one per [`Config::suspended_interval`].
    /// Default 2 min.
    pub suspend_after: Duration,
    /// How often to try while suspended (jittered between half and all of it).
    /// Default 60 s.
    pub suspended_interval: Duration,
    /// Send a ping after hearing nothing for this long. Default 15 s.
    pub heartbeat_idle: Duration,
    /// Declare the socket dead if a ping gets no answer (nor anything else) within
    /// this long. Default 10 s.
    pub heartbeat_timeout: Duration,
    /// Give up on an attempt that has not been welcomed after this long. Default 10 s.
    pub connect_timeout: Duration,
    /// Losing a connection that had proved itself (up 10 s after its
    /// welcome) is shown only if it is not back within this long. Default 2 s.
    pub blip_grace: Duration,
    /// A timer that fires this much later than asked means the machine slept (or
    /// the tab was frozen): the socket is checked at once. Default 5 s.
    pub clock_jump: Duration,
    /// Most user actions waiting to be sent; a new one beyond this is refused with
    /// a clear error, and nothing queued is dropped. Default 200.
    pub outbox_capacity: usize,
    /// How long the outbox waits after the server said "too many actions"
    /// before sending again (same keys, same order). Default 1 s.
    pub rate_limited_pause: Duration,
    /// How long someone shows as typing after their last signal. Default 6 s.
    pub typing_ttl: Duration,
    /// How often, at most, we tell the server we are typing. Default 3 s.
    pub typing_every: Duration,
    /// How often, at most, the server hears where we have read a room up to. Default 1 s.
    pub read_every: Duration,
}

impl Config {
    pub fn new(url: impl Into<String>, seed: u64) -> Self {
        Self {
            url: url.into(),
            seed,
            backoff: Backoff::default(),
            suspend_after: Duration::from_secs(120),
            suspended_interval: Duration::from_secs(60),
            heartbeat_idle: Duration::from_secs(15),
            heartbeat_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            blip_grace: Duration::from_secs(2),
            clock_jump: Duration::from_secs(5),
            outbox_capacity: hanmadi_protocol::limits::OUTBOX_CAPACITY,
            rate_limited_pause: Duration::from_secs(1),
            typing_ttl: Duration::from_secs(6),
            typing_every: Duration::from_secs(3),
            read_every: Duration::from_secs(1),
        }
    }
}
