//! What was typed in a room's message box and not sent yet, kept per person
//! and room in localStorage: looking at another room, a reload or a crash
//! loses none of it, as in the chat apps people use. The people its mentions
//! mean are kept with it, so they are still sent by id. Sending or emptying
//! the box forgets it, and signing out forgets them all.
//!
//! Kept at each change: a few hundred bytes written now and then beat a
//! draft lost to a crash, and nothing here runs for other people's events.

use hanmadi_protocol::json::{self, Error, FromJson, Json};
use hanmadi_protocol::{Member, RoomId, UserId};
use serde::Serialize;

use crate::local_storage::{forget_prefixed, storage};

const PREFIX: &str = "hanmadi.draft.";

/// A message box's text as shown (`@Mina`), and whom its mentions mean.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Draft {
    pub text: String,
    pub picked: Vec<Member>,
}

impl FromJson for Draft {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Draft")?;
        let draft = Draft { text: o.field("text")?, picked: o.field("picked")? };
        o.deny_unknown()?;
        Ok(draft)
    }
}

fn key(user: UserId, room: RoomId) -> String {
    format!("{PREFIX}{user}.{room}")
}

/// `user`'s draft in `room`; empty if none was kept (or it cannot be read).
pub fn read(user: UserId, room: RoomId) -> Draft {
    let kept = storage().and_then(|storage| storage.get_item(&key(user, room)).ok().flatten());
    kept.and_then(|kept| json::from_str(&kept).ok()).unwrap_or_default()
}

/// Keeps `draft` as `user`'s in `room`; an empty one is forgotten.
pub fn keep(user: UserId, room: RoomId, draft: &Draft) {
    let Some(storage) = storage() else { return };
    if draft.text.trim().is_empty() {
        let _ = storage.remove_item(&key(user, room));
    } else if let Ok(json) = serde_json::to_string(draft) {
        // A full storage keeps the draft for this page's life alone.
        let _ = storage.set_item(&key(user, room), &json);
    }
}

/// Signed out: no one's unsent words stay on this browser.
pub fn forget_all() {
    if let Some(storage) = storage() {
        forget_prefixed(&storage, PREFIX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_back_as_it_was_kept() {
        let draft = Draft {
            text: "@미나 \"quoted\"\nsecond line".into(),
            picked: vec![Member { user: UserId(7), name: "미나".into() }],
        };
        let kept = serde_json::to_string(&draft).unwrap();
        assert_eq!(json::from_str::<Draft>(&kept).unwrap(), draft);
    }
}
