//! What was typed in a room's message box and not sent yet, kept per person
//! and room in localStorage: looking at another room, a reload or a crash
//! loses none of it, as in the chat apps people use. The people its mentions
//! mean are kept with it, so they are still sent by id, and the message it
//! answers, so it is still sent as a reply. Sending it, or emptying the box
//! with no reply begun, forgets it, and the session's end (signing out, or
//! the server ending it: `crate::unsent` shows them first) forgets them all. The
//! room's box in another tab follows the draft while nothing was typed or
//! answered there since: a message sent in one tab is not left in the other
//! to be sent twice.
//!
//! Kept at each change of the text or of the message it answers: a few
//! hundred bytes written now and then
//! beat a draft lost to a crash, and nothing here runs for other people's
//! events.

use hanmadi_protocol::json::{self, Error, FromJson, Json};
use hanmadi_protocol::limits::MAX_MESSAGE_CHARS;
use hanmadi_protocol::{Member, RoomId, UserId};
use serde::Serialize;

use crate::local_storage::{forget_prefixed, keys, storage};
use crate::store::Replying;

const PREFIX: &str = "hanmadi.draft.";

/// Past this a draft is not kept: it could not be sent as it is, and a paste
/// of a book must not crowd the session and the outbox out of the storage.
const MOST_KEPT_CHARS: usize = 4 * MAX_MESSAGE_CHARS;

/// A message box's text as shown (`@Mina`), whom its mentions mean, and
/// the message it answers.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub text: String,
    pub picked: Vec<Member>,
    pub replying: Option<Replying>,
}

/// Fields it does not know are passed over: a draft kept by a newer version
/// of the app (in another tab, or before a rollback) is read, not lost. One
/// kept before replies were (no `replying`), or answering in a shape this
/// app cannot read, keeps its words and answers nothing.
impl FromJson for Draft {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Draft")?;
        let replying = o.optional("replying").unwrap_or(None);
        Ok(Draft { text: o.field("text")?, picked: o.field("picked")?, replying })
    }
}

/// Written by its `Serialize` derive, beside the store's type.
impl FromJson for Replying {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let mut o = value.into_object("struct Replying")?;
        Ok(Replying { room: o.field("room")?, message: o.field("message")?, author: o.field("author")? })
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

/// Keeps `draft` as `user`'s in `room`. An empty one (no words, answering
/// nothing) is forgotten, and so
/// is one that cannot be kept (too long, the storage full): an older draft
/// must not come back in its place. Signed out (the server not yet told),
/// nothing is kept.
pub fn keep(user: UserId, room: RoomId, draft: &Draft) {
    let Some(storage) = storage() else { return };
    if storage.get_item(crate::session::KEY).ok().flatten().is_none() {
        return;
    }
    let key = key(user, room);
    let said_something = !draft.text.trim().is_empty() || draft.replying.is_some();
    let worth_keeping = said_something && draft.text.chars().nth(MOST_KEPT_CHARS).is_none();
    let json = worth_keeping.then(|| serde_json::to_string(draft).ok()).flatten();
    if json.is_none_or(|json| storage.set_item(&key, &json).is_err()) {
        let _ = storage.remove_item(&key);
    }
}

/// Every draft `user` has kept, by room, with words in it (the session is
/// ending: `crate::unsent` shows them).
pub fn all(user: UserId) -> Vec<(RoomId, String)> {
    let Some(storage) = storage() else { return Vec::new() };
    let mine = format!("{PREFIX}{user}.");
    keys(&storage)
        .iter()
        .filter_map(|key| {
            let room = RoomId(key.strip_prefix(&mine)?.parse().ok()?);
            Some((room, read(user, room).text))
        })
        .collect()
}

/// The session is over: no one's unsent words stay on this browser.
pub fn forget_all() {
    forget_prefixed(PREFIX);
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::MessageId;

    use super::*;

    #[test]
    fn a_draft_reads_back_as_it_was_kept_and_one_from_an_older_or_a_newer_app_too() {
        let draft = Draft {
            text: "@미나 \"quoted\"\nsecond line".into(),
            picked: vec![Member { user: UserId(7), name: "미나".into() }],
            replying: Some(Replying { room: RoomId(3), message: MessageId(41), author: "Jun".into() }),
        };
        let kept = serde_json::to_string(&draft).unwrap();
        assert_eq!(json::from_str::<Draft>(&kept).unwrap(), draft);
        let hi = Draft { text: "hi".into(), ..Draft::default() };
        let older = r#"{"text":"hi","picked":[]}"#;
        assert_eq!(json::from_str::<Draft>(older).unwrap(), hi);
        let newer = r#"{"text":"hi","picked":[],"replying":null,"sticker":12}"#;
        assert_eq!(json::from_str::<Draft>(newer).unwrap(), hi);
        let reshaped = r#"{"text":"hi","picked":[],"replying":{"thread":4}}"#;
        assert_eq!(json::from_str::<Draft>(reshaped).unwrap(), hi);
    }
}
