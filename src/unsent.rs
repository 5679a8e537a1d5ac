//! What a session the server ended had not sent: the outbox's messages and
//! edits, the messages waiting with their files, and the drafts. Everyone
//! here is a guest, so signing in again makes a new user, and none of it can
//! be sent as the person who wrote it (the engine drops the outbox:
//! `Client::on_token_refreshed`). Rather than losing their words without a
//! trace, the first-run prompt shows them as one text to copy, until
//! dismissed or until the person signs in again
//! (`components::unsent_notice`).
//!
//! Kept in localStorage, so every tab shows it (the store follows the
//! `storage` event), each tab adding its part (`socket::session_ended`).
//! Kept as the text shown, worded when kept: strings to read back, where a
//! structure would cost the bundle its reading and writing for a notice
//! seldom shown.

use hanmadi_client_core::PendingAction;
use hanmadi_protocol::{Action, AttachmentId, RoomId};

use crate::i18n::Lang;
use crate::local_storage::{forget_prefixed, keys, storage};

const PREFIX: &str = "hanmadi.unsent.";

/// What the words were for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Message,
    Edit,
    Draft,
}

/// Everything an ended session left unsent, worded in the page's language.
#[derive(Debug)]
pub struct Notice {
    lang: Lang,
    /// Each piece of words: what it was for, then the words.
    words: Vec<String>,
    /// Actions with no words of the person's to show, or only a room's
    /// name: reactions, deletions, rooms created, renamed, joined or left.
    others: usize,
}

impl Notice {
    pub fn new(lang: Lang) -> Self {
        Notice { lang, words: Vec::new(), others: 0 }
    }

    /// Adds words written for `room`; nothing if there are none (a draft
    /// that only began a reply).
    pub fn add(&mut self, kind: Kind, room: &str, text: &str, files: &[String]) {
        if !text.trim().is_empty() || !files.is_empty() {
            let about = self.lang.unsent_about(kind, room, &files.join(", "));
            self.words.push(if text.is_empty() { about } else { format!("{about}\n{text}") });
        }
    }

    /// Adds what the outbox held, in the order it was made. `room_name`
    /// names a room as the rooms list does; `file_names`, files already
    /// uploaded for a message.
    pub fn add_outbox(
        &mut self,
        unsent: &[PendingAction],
        room_name: &dyn Fn(RoomId) -> String,
        file_names: &dyn Fn(&[AttachmentId]) -> Vec<String>,
    ) {
        for pending in unsent {
            match &pending.action {
                Action::SendMessage { room, text, attachments, .. } => {
                    self.add(Kind::Message, &room_name(*room), text, &file_names(attachments))
                }
                Action::EditMessage { room, text, .. } => self.add(Kind::Edit, &room_name(*room), text, &[]),
                _ => self.others += 1,
            }
        }
    }

    /// The notice as shown: each piece, then the count of the others, a
    /// blank line apart. Empty if there is nothing to say.
    pub fn text(&self) -> String {
        let others = (self.others > 0).then(|| self.lang.unsent_others(self.others));
        let pieces: Vec<&str> = self.words.iter().map(String::as_str).chain(others.as_deref()).collect();
        pieces.join("\n\n")
    }
}

/// Keeps `notice` beside what is kept already, under a key of its own that
/// sorts by when it was kept: tabs keep their parts at about the same moment,
/// and localStorage gives no way to read, add to and write one shared key
/// without losing another tab's part. Nothing is kept for an empty notice.
pub fn keep(notice: &Notice) {
    let text = notice.text();
    let Some(storage) = storage().filter(|_| !text.is_empty()) else { return };
    let random = (js_sys::Math::random() * 2f64.powi(32)) as u64;
    let key = format!("{PREFIX}{:015}.{random:08x}", js_sys::Date::now() as u64);
    if storage.set_item(&key, &text).is_err() {
        crate::console::warn(format_args!("what was not sent could not be kept to show"));
    }
}

/// Everything kept to show, in the order kept, if anything.
pub fn saved() -> Option<String> {
    let storage = storage()?;
    let mut kept: Vec<String> = keys(&storage).into_iter().filter(|key| key.starts_with(PREFIX)).collect();
    kept.sort();
    let parts: Vec<String> = kept.iter().filter_map(|key| storage.get_item(key).ok().flatten()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Whether a localStorage key holds a part of what is kept to show.
pub fn is_kept_part(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// Dismissed, or the person signed in again.
pub fn forget() {
    forget_prefixed(PREFIX);
}

#[cfg(test)]
mod tests {
    use hanmadi_client_core::ActionState;
    use hanmadi_protocol::{ActionKey, MessageId};

    use super::*;

    fn pending(action: Action) -> PendingAction {
        PendingAction { key: ActionKey::new("k".repeat(16)).unwrap(), action, state: ActionState::Queued }
    }

    fn send(room: RoomId, text: &str, attachments: Vec<AttachmentId>) -> PendingAction {
        pending(Action::SendMessage { room, text: text.into(), reply_to: None, attachments })
    }

    #[test]
    fn the_outbox_shows_its_words_in_order_where_they_were_for_and_counts_what_has_none() {
        let (lobby, walk) = (RoomId(1), RoomId(2));
        let unsent = [
            send(lobby, "see you at 6", vec![]),
            pending(Action::AddReaction { room: lobby, message: MessageId(3), emoji: "👍".into() }),
            pending(Action::EditMessage { room: walk, message: MessageId(4), text: "by the river".into() }),
            send(walk, "", vec![AttachmentId(9), AttachmentId(10)]),
            pending(Action::JoinRoom { room: RoomId(5) }),
        ];
        let room_name = |room: RoomId| if room == lobby { "lobby".to_owned() } else { "walk".to_owned() };
        let file_names = |ids: &[AttachmentId]| ids.iter().map(|id| format!("file{}.png", id.0)).collect();
        let mut notice = Notice::new(Lang::En);
        notice.add_outbox(&unsent, &room_name, &file_names);
        notice.add(Kind::Draft, "lobby", "  ", &[]);
        notice.add(Kind::Draft, "walk", "half\na thought", &[]);
        assert_eq!(
            notice.text(),
            "Message in lobby\nsee you at 6\n\n\
             Edit in walk\nby the river\n\n\
             Message in walk · files not sent: file9.png, file10.png\n\n\
             Draft in walk\nhalf\na thought\n\n\
             2 other actions were not sent either (reactions, deletions, rooms created, renamed, joined or left).",
            "an empty draft says nothing"
        );
    }

    #[test]
    fn in_korean_and_with_nothing_to_say() {
        let mut notice = Notice::new(Lang::Ko);
        assert_eq!(notice.text(), "", "nothing is kept for it");
        notice.add(Kind::Message, "로비", "안녕", &["지도.png".to_owned()]);
        notice.add_outbox(&[pending(Action::LeaveRoom { room: RoomId(1) })], &|_| String::new(), &|_| Vec::new());
        assert_eq!(
            notice.text(),
            "로비: 보내지 못한 메시지 · 보내지 못한 파일: 지도.png\n안녕\n\n\
             그 밖의 작업 1건(반응, 삭제, 대화방 만들기·이름 바꾸기·참여·나가기)도 보내지 못했어요."
        );
    }
}
