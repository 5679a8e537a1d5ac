//! Encoding and decoding with limits and clear errors.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{ClientFrame, ServerFrame};

/// The largest text frame either side accepts, in bytes. Far below tungstenite's
/// 64 MiB default: a chat frame is a few hundred bytes, and a peer that sends more
/// than this is broken or hostile.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Why a frame could not be decoded. `Display` gives a message fit to show a
/// developer or to send back in an error frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The frame was larger than [`MAX_FRAME_BYTES`].
    TooLarge { len: usize, max: usize },
    /// The bytes were not UTF-8.
    InvalidUtf8,
    /// Well-formed JSON object whose `type` is not one we know.
    UnknownType(String),
    /// Anything else: not JSON, not an object, no `type`, missing or mistyped fields.
    Malformed(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len, max } => {
                write!(f, "frame of {len} bytes is larger than the limit of {max} bytes")
            }
            Self::InvalidUtf8 => f.write_str("frame is not valid UTF-8"),
            Self::UnknownType(kind) => write!(f, "unknown frame type {kind:?}"),
            Self::Malformed(why) => write!(f, "malformed frame: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a frame sent by a client. Accepts `&str` or raw bytes (checked for UTF-8).
pub fn decode_client(frame: impl AsRef<[u8]>) -> Result<ClientFrame, DecodeError> {
    decode(frame.as_ref(), ClientFrame::TYPES)
}

/// Decodes a frame sent by the server. The app's decoder: [`crate::json`]
/// reads it, not serde, which keeps the app small; it accepts and refuses
/// what serde would (see `tests/json_reader.rs`).
pub fn decode_server(frame: impl AsRef<[u8]>) -> Result<ServerFrame, DecodeError> {
    let bytes = frame.as_ref();
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge { len: bytes.len(), max: MAX_FRAME_BYTES });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8)?;
    let value = crate::json::parse(text).map_err(DecodeError::Malformed)?;
    let unknown = match &value {
        crate::json::Json::Object(object) => object.string("type").filter(|kind| !ServerFrame::TYPES.contains(kind)),
        _ => None,
    };
    if let Some(kind) = unknown {
        return Err(DecodeError::UnknownType(kind.to_owned()));
    }
    crate::json::FromJson::from_json(value).map_err(DecodeError::Malformed)
}

/// Encodes any frame as JSON text. Our frame types contain nothing serde_json
/// could fail on (no maps with non-string keys), so this cannot fail.
pub fn encode<T: Serialize>(frame: &T) -> String {
    serde_json::to_string(frame).expect("protocol frames always serialize")
}

fn decode<T: DeserializeOwned>(bytes: &[u8], known_types: &[&str]) -> Result<T, DecodeError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge { len: bytes.len(), max: MAX_FRAME_BYTES });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8)?;
    serde_json::from_str(text).map_err(|err| classify(text, known_types, err))
}

/// Only on the error path: looks at the `type` tag alone so that "a type we do not
/// know" (a newer peer, a typo) is reported apart from "a known type, badly formed".
fn classify(text: &str, known_types: &[&str], err: serde_json::Error) -> DecodeError {
    #[derive(Deserialize)]
    struct Tag {
        #[serde(rename = "type")]
        kind: String,
    }
    match serde_json::from_str::<Tag>(text) {
        Ok(Tag { kind }) if !known_types.contains(&kind.as_str()) => DecodeError::UnknownType(kind),
        _ => DecodeError::Malformed(err.to_string()),
    }
}
