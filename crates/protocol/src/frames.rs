//! The frame types. Field names are the JSON names; `type` is the tag.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. Exchanged in the first frames of every
/// connection ([`ClientFrame::Hello`] / [`ServerFrame::Welcome`]) so that an old tab
/// talking to a new server is told to reload instead of misreading frames.
pub const PROTOCOL_VERSION: u32 = 1;

/// Frames the browser sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Control. The first frame of every connection.
    Hello { protocol: u32 },
    /// Control. Heartbeat probe; the server answers [`ServerFrame::Pong`] with the
    /// same nonce. Sent only when the connection has been idle, so a busy
    /// connection costs nothing extra.
    Ping { nonce: u64 },
}

impl ClientFrame {
    /// Every `type` tag a client frame may carry; lets the decoder tell an unknown
    /// frame type apart from a known one with bad fields.
    pub(crate) const TYPES: &'static [&'static str] = &["hello", "ping"];
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerFrame {
    /// Control. Answer to [`ClientFrame::Hello`]: the connection is ready.
    Welcome { protocol: u32 },
    /// Control. Answer to [`ClientFrame::Ping`].
    Pong { nonce: u64 },
    /// Control. Something the client sent was refused; the connection stays open
    /// unless the server follows this with a close frame.
    Error { code: ErrorCode, message: String },
}

impl ServerFrame {
    pub(crate) const TYPES: &'static [&'static str] = &["welcome", "pong", "error"];
}

/// Machine-readable reason in a [`ServerFrame::Error`]; the message is for humans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame could not be decoded (bad JSON, missing or mistyped fields).
    Malformed,
    /// The frame's `type` is not one this server knows.
    UnknownType,
    /// The frame was larger than [`crate::MAX_FRAME_BYTES`].
    TooLarge,
    /// A binary frame arrived where only text frames are spoken.
    BinaryNotSupported,
    /// The client speaks a protocol version the server does not.
    UnsupportedProtocol,
    /// A frame other than `hello` arrived before the handshake.
    HandshakeRequired,
}
