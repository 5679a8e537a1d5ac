//! Newtype ids, so a room id can never be passed where a message id is meant.
//! On the wire each is a plain number or string.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// A chat room.
    RoomId
);
numeric_id!(
    /// A message, unique across rooms.
    MessageId
);
numeric_id!(
    /// An uploaded file (one uploader's copy of it: see `attachments`).
    AttachmentId
);
numeric_id!(
    /// A user (a guest session's identity).
    UserId
);
numeric_id!(
    /// A room's sequence number: every reliable event in a room gets the next one,
    /// in the same transaction that stores it. Starts at 1; `Seq(0)` means "nothing yet".
    Seq
);
numeric_id!(
    /// A latest-wins value's version: larger is newer, per key.
    Version
);

/// How a message's text mentions a person: `<@12>`, by id, so a rename never
/// breaks it. The app offers members with `@` and draws the token as a chip
/// with the person's current name; the server counts a room's unread messages
/// holding yours as your mentions there.
pub fn mention_token(user: UserId) -> String {
    format!("<@{user}>")
}

impl Seq {
    pub const ZERO: Seq = Seq(0);

    /// Whether this is [`Seq::ZERO`]: nothing yet (a field left out of JSON).
    pub fn is_zero(&self) -> bool {
        *self == Seq::ZERO
    }

    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

/// The idempotency key of one user action: the server applies an action with a
/// given key at most once and answers repeats with the original result. Made by the
/// client, 1 to 64 characters of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ActionKey(String);

impl ActionKey {
    pub const MAX_LEN: usize = 64;

    /// Checks the key's shape; the error says what is wrong.
    pub fn new(key: impl Into<String>) -> Result<Self, String> {
        let key = key.into();
        if key.is_empty() || key.len() > Self::MAX_LEN {
            return Err(format!("an action key must be 1 to {} characters long", Self::MAX_LEN));
        }
        if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err("an action key may contain only letters, digits, '-' and '_'".to_owned());
        }
        Ok(Self(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ActionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ActionKey::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}
