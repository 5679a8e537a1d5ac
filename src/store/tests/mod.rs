//! The store's stories: what each event from the engine does to what the
//! page shows, by subject in the modules below. Here, what they share:
//! Mina's store, the lobby, and what is said in it.

mod conversations;
mod landed;
mod read_positions;
mod room_events;
mod rooms_list;
mod selection;
mod up_arrow;

use super::*;
use hanmadi_client_core::SequencedEvent;
use hanmadi_protocol::http::{HistoryEvent, LastMessage, MessageView, MessagesPage, PageFrom};
use hanmadi_protocol::Version;
use hanmadi_protocol::{mention_token, ActionKey};
use reading::Unread;

const LOBBY: RoomId = RoomId(1);
/// A room's newest page (its head is its newest message).
const NEWEST: PageFrom = PageFrom::Before(None);
const MINA: UserId = UserId(1);
const JUN: UserId = UserId(2);

fn store_as_mina() -> Store {
    let store = Store::new();
    store.me.set(Some(MINA));
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store
}

fn lobby() -> RoomInfo {
    RoomInfo { member: true, ..RoomInfo::listed(LOBBY, "lobby".into(), RoomKind::Public) }
}

/// The rooms list as shown: id, name, and whether we are a member.
fn listed(store: &Store) -> Vec<(u64, String, bool)> {
    store.rooms.with(|rooms| rooms.iter().map(|room| (room.id.0, room.name.clone(), room.member)).collect())
}

fn shown(id: u64, name: &str, member: bool) -> (u64, String, bool) {
    (id, name.to_owned(), member)
}

fn room_listed(room: u64, name: &str) -> Event {
    Event::RoomListed { room: RoomId(room), name: name.into() }
}

fn applied(action: Action, room: u64) -> Event {
    let key = ActionKey::new("k").unwrap();
    Event::ActionApplied { key, action, room: RoomId(room), seq: Some(Seq(2)), here: true }
}

fn message_from(author: UserId, seq: u64) -> Event {
    said(seq, author, "hi")
}

/// `author` (Jun's name on it, whoever it is) says `text` in the lobby at `seq`.
fn said(seq: u64, author: UserId, text: &str) -> Event {
    let event = RoomEvent::Message {
        id: MessageId(seq),
        author,
        author_name: "Jun".into(),
        text: text.into(),
        reply_to: None,
        attachments: Vec::new(),
    };
    in_lobby(seq, event)
}

/// `event` happens in the lobby at `seq`, and is heard live.
fn in_lobby(seq: u64, event: RoomEvent) -> Event {
    Event::RoomEvents { room: LOBBY, events: vec![SequencedEvent { seq: Seq(seq), at: 0, event }], live: true }
}

fn member(user: UserId, name: &str) -> Member {
    Member { user, name: name.into() }
}

/// What the rooms list says of a room where nobody's reading is seen: its
/// head, where Mina had read up to, and what is unread after that.
fn listed_at(head: u64, read: u64, unread: Unread) -> Listed {
    Listed { head: Seq(head), read: Seq(read), unread, seen: Seq::ZERO }
}

/// Message `seq` (its id too) as a page of history holds it.
fn view(seq: u64, author: UserId, text: &str) -> MessageView {
    MessageView {
        id: MessageId(seq),
        seq: Seq(seq),
        author,
        author_name: "x".into(),
        text: text.into(),
        at: 0,
        edited: false,
        deleted: false,
        reply_to: None,
        reactions: Vec::new(),
        attachments: Vec::new(),
    }
}

fn unread(store: &Store) -> u32 {
    store.rooms.with(|rooms| rooms[0].unread.messages)
}

/// A page of history holding a message at each seq, by its author.
fn history(seqs: impl IntoIterator<Item = (u64, UserId)>) -> MessagesPage {
    let messages: Vec<_> = seqs.into_iter().map(|(seq, author)| view(seq, author, "hi")).collect();
    let head = messages.last().map_or(Seq::ZERO, |message| message.seq);
    MessagesPage { head, messages, notices: Vec::new(), complete: false }
}
