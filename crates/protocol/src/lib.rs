//! Hanmadi's wire protocol: the frames the browser and the server exchange over
//! the one WebSocket, as JSON text frames internally tagged by `type`.
//!
//! Every frame documents its *delivery class* (see `docs/ARCHITECTURE.md`):
//! - **reliable** (server → client): persisted, sequenced per room, resumed after a
//!   reconnect; never lost, never duplicated.
//! - **action** (client → server): carries an idempotency key; queued while offline and
//!   applied exactly once.
//! - **latest-wins**: only the newest value matters; dropped while offline.
//! - **ephemeral**: meaningful for a few seconds; dropped while offline.
//! - **control**: the connection's own housekeeping (handshake, heartbeat, errors).
//!
//! Beside the frames, what both ends must read alike: the limits on what is
//! sent ([`limits`]) and the markup of a message's text ([`markup`]), whose
//! mentions the server counts as the app draws them.
//!
//! This crate does no I/O. Decoding never panics: every malformed input is a
//! [`DecodeError`] that says what was wrong.

pub mod attachments;
pub mod close_code;
mod codec;
mod frames;
mod from_json;
pub mod http;
mod ids;
pub mod json;
pub mod limits;
pub mod markup;

pub use codec::{decode_client, decode_server, encode, DecodeError, MAX_FRAME_BYTES};
pub use frames::{
    Action, ClientFrame, Cursor, DeliveryClass, ErrorCode, Member, Millis, Outcome, PresenceChange, RejectCode,
    ReplyTo, RoomEvent, ServerFrame, TickerUpdate, PROTOCOL_VERSION,
};
pub use ids::{mention_token, ActionKey, AttachmentId, MessageId, RoomId, Seq, UserId, Version};
