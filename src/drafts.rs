//! What was typed in a room's message box and not sent yet, kept per person
//! and room in localStorage: looking at another room, a reload or a crash
//! loses none of it, as in the chat apps people use. The people its mentions
//! mean are kept with it, so they are still sent by id. Sending or emptying
//! the box forgets it, and signing out forgets them all. The room's box in
//! another tab follows the draft while nothing was typed there since: a
//! message sent in one tab is not left in the other to be sent twice.
//!
//! Kept at each change of the text: a few hundred bytes written now and then
//! beat a draft lost to a crash, and nothing here runs for other people's
//! events.

use hanmadi_protocol::json::{self, Error, FromJson, Json};
use hanmadi_protocol::limits::MAX_MESSAGE_CHARS;
use hanmadi_protocol::{Member, RoomId, UserId};
use serde::Serialize;

use crate::local_storage::{forget_prefixed, storage};

const PREFIX: &str = "hanmadi.draft.";

/// Past this a draft is not kept: it could not be sent as it is, and a paste
/// of a book must not crowd the session and the outbox out of the storage.
const MOST_KEPT_CHARS: usize = 4 * MAX_MESSAGE_CHARS;

/// A message box's text as shown (`@Mina`), and whom its mentions mean.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub text: String,
    pub picked: Vec<Member>,
}

/// Fields it does not know are passed over: a draft kept by a newer version
/// of the app (in another tab, or before a rollback) is read, not lost.
impl FromJson for Draft {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Draft")?;
        Ok(Draft { text: o.field("text")?, picked: o.field("picked")? })
    }
}

fn key(user: UserId, room: RoomId) -> String {
    format!("{PREFIX}{user}.{room}")
}

/// `user`'s draft in `room`; empty if none was kept (or it cannot be read).
pub fn read(user: UserId, room: RoomId) -> Draft {
    parse(storage().and_then(|storage| storage.get_item(&key(user, room)).ok().flatten()))
}

/// A kept draft; empty if there is none, or it cannot be read.
fn parse(kept: Option<String>) -> Draft {
    kept.and_then(|kept| json::from_str(&kept).ok()).unwrap_or_default()
}

/// The draft `user`'s other tab just kept in `room` (empty if it forgot it),
/// if that is what `event` is about.
pub fn changed_elsewhere(event: &web_sys::StorageEvent, user: UserId, room: RoomId) -> Option<Draft> {
    if event.key()? != key(user, room) {
        return None;
    }
    Some(parse(event.new_value()))
}

/// Keeps `draft` as `user`'s in `room`. An empty one is forgotten, and so
/// is one that cannot be kept (too long, the storage full): an older draft
/// must not come back in its place. Signed out (the server not yet told),
/// nothing is kept.
pub fn keep(user: UserId, room: RoomId, draft: &Draft) {
    let Some(storage) = storage() else { return };
    if storage.get_item(crate::session::KEY).ok().flatten().is_none() {
        return;
    }
    let key = key(user, room);
    let worth_keeping = !draft.text.trim().is_empty() && draft.text.chars().nth(MOST_KEPT_CHARS).is_none();
    let json = worth_keeping.then(|| serde_json::to_string(draft).ok()).flatten();
    if json.is_none_or(|json| storage.set_item(&key, &json).is_err()) {
        let _ = storage.remove_item(&key);
    }
}

/// Signed out: no one's unsent words stay on this browser.
pub fn forget_all() {
    forget_prefixed(PREFIX);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_back_as_it_was_kept_and_one_from_a_newer_app_too() {
        let draft = Draft {
            text: "@미나 \"quoted\"\nsecond line".into(),
            picked: vec![Member { user: UserId(7), name: "미나".into() }],
        };
        let kept = serde_json::to_string(&draft).unwrap();
        assert_eq!(json::from_str::<Draft>(&kept).unwrap(), draft);
        let newer = r#"{"text":"hi","picked":[],"reply_to":12}"#;
        assert_eq!(json::from_str::<Draft>(newer).unwrap(), Draft { text: "hi".into(), picked: vec![] });
    }
}
