//! What the connection badge shows.

use crate::Instant;

/// The connection's state as the user should see it. Changes are reported through
/// [`crate::Event::Status`]; blips shorter than [`crate::Config::blip_grace`] are
/// never reported, so the badge does not flash when a socket is replaced quickly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The first connection is being made.
    Connecting,
    /// The socket is open and the server has welcomed us.
    Connected,
    /// The connection was lost and we are working on it. `next_try` is when the
    /// next attempt starts (`None`: an attempt is under way); `attempt` counts
    /// attempts in this outage, from 1.
    Reconnecting { attempt: u32, next_try: Option<Instant> },
    /// The browser says there is no network; we try again when it says there is.
    Offline,
    /// We have failed for a long time; attempts continue, but rarely. "Retry now"
    /// is the user's way to try at once.
    Suspended { next_try: Instant },
    /// We stopped trying, for a reason retrying cannot fix.
    Failed { reason: FailReason },
    /// The app closed the connection on purpose.
    Closed,
}

/// Why the connection gave up. Each needs something other than a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReason {
    /// The server refused us on policy grounds (close code 1008 or 4403).
    Forbidden { reason: String },
    /// The server does not speak our protocol version: the page must be reloaded.
    UnsupportedProtocol,
    /// The server rejected our credentials and they could not be refreshed.
    Unauthorized,
}
