//! WebSocket close codes both sides agree on. The 1xxx codes are RFC 6455's; the
//! 4xxx codes are ours (RFC 6455 leaves 4000–4999 to applications).
//!
//! The client's reaction to each code is decided in `hanmadi-client-core`; this
//! module only names them.

/// We are done: the user closed the tab or signed out. The client stays closed.
pub const NORMAL: u16 = 1000;
/// The peer is going away (page unload, server shutting down a connection).
pub const GOING_AWAY: u16 = 1001;
/// No close frame was received: the connection just died. Set by browsers, never sent.
pub const ABNORMAL: u16 = 1006;
/// The peer broke a rule it cannot recover from by retrying (bad origin, banned).
pub const POLICY_VIOLATION: u16 = 1008;
/// A frame was larger than the peer accepts.
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// The server hit an unexpected condition.
pub const INTERNAL_ERROR: u16 = 1011;
/// The server is restarting: come back soon, with jitter.
pub const SERVICE_RESTART: u16 = 1012;
/// The server is overloaded: come back later.
pub const TRY_AGAIN_LATER: u16 = 1013;
/// The client judged the connection dead (no answer to a heartbeat) and closed it.
pub const HEARTBEAT_TIMEOUT: u16 = 4000;
/// The client's protocol version is not spoken by this server: reload the app.
pub const UNSUPPORTED_PROTOCOL: u16 = 4400;
/// The session token is missing, invalid or expired: refresh it, then reconnect.
pub const UNAUTHORIZED: u16 = 4401;
/// The client may not connect at all (e.g. its origin is not allowed).
pub const FORBIDDEN: u16 = 4403;
/// The client sent too many frames too fast and did not slow down.
pub const RATE_LIMITED: u16 = 4429;
