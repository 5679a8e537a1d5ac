//! The rooms list as the sidebar shows it: fetched whole once per
//! connection, then kept current by the changes the socket tells and our own
//! applied actions, which are made again on top of a fetch that was on its way.
//! Each room of yours shows its newest message under its name (a direct
//! conversation's, under the other person's): the server's as listed, then
//! each message said, edited or deleted.

use hanmadi_client_core::sorted_map::SortedMap;
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::{LastMessage, MessageView, RoomKind, RoomSummary};
use hanmadi_protocol::{Member, MessageId, Millis, RoomId, Seq, UserId};
use leptos::prelude::*;

use super::fetches::Ticket;
use super::navigation::is_direct;
use super::reading::Unread;
use super::timeline::Timeline;
use super::Store;

/// A room as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    pub id: RoomId,
    /// A direct conversation's is the other person's name.
    pub name: String,
    pub member: bool,
    pub unread: Unread,
    pub kind: RoomKind,
    /// In a direct conversation, the other person.
    pub with: Option<UserId>,
    /// In a room of yours: its newest message still there, shown under its
    /// name.
    pub last: Option<LastMessage>,
}

impl RoomInfo {
    /// A room as it is first heard of: not ours, nothing unread.
    pub fn listed(id: RoomId, name: String, kind: RoomKind) -> Self {
        RoomInfo { id, name, member: false, unread: Unread::default(), kind, with: None, last: None }
    }
}

impl From<RoomSummary> for RoomInfo {
    fn from(summary: RoomSummary) -> Self {
        RoomInfo {
            member: summary.member,
            with: summary.with.map(|profile| profile.id),
            last: summary.last,
            ..RoomInfo::listed(summary.id, summary.name, summary.kind)
        }
    }
}

/// A change to the rooms list, as the socket tells it or our own actions make
/// it. Kept while a fetch of the whole list is on its way, to be made again on
/// top of what the fetch brings (which may have been read before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RoomChange {
    /// Created or renamed: listed under this name (a room new to us, as not
    /// ours; only a new room's kind is taken, a room's kind never changes).
    Listed { room: RoomId, name: String, kind: RoomKind },
    /// We joined (or created) the room, or left it.
    Member { room: RoomId, member: bool },
    /// Something said in a room that may change its newest message.
    Last { room: RoomId, change: LastChange },
}

/// What may change a room's newest message, as the socket
/// tells it. Each is made whatever order it comes in with a list fetched
/// meanwhile: a message said is taken only if newer than the one shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LastChange {
    Said(LastMessage),
    Edited {
        id: MessageId,
        text: String,
    },
    /// The one shown, if it is, gives way to `before`: the newest still there
    /// that this tab holds (none if it holds no other).
    Deleted {
        id: MessageId,
        before: Option<LastMessage>,
    },
}

impl LastChange {
    fn apply(&self, last: &mut Option<LastMessage>) {
        match self {
            LastChange::Said(said) => {
                if last.as_ref().is_none_or(|shown| shown.seq < said.seq) {
                    *last = Some(said.clone());
                }
            }
            LastChange::Edited { id, text } => {
                if let Some(shown) = last.as_mut().filter(|shown| shown.id == *id) {
                    shown.text.clone_from(text);
                }
            }
            LastChange::Deleted { id, before } => {
                if last.as_ref().is_some_and(|shown| shown.id == *id) {
                    last.clone_from(before);
                }
            }
        }
    }
}

/// A message as a room's newest: when, who wrote what, and its files.
pub(super) fn last_message(
    id: MessageId,
    (seq, at): (Seq, Millis),
    (author, author_name): (UserId, &str),
    text: &str,
    files: &[Attachment],
) -> LastMessage {
    LastMessage {
        id,
        seq,
        at,
        author,
        author_name: author_name.to_owned(),
        text: text.to_owned(),
        files: files.len() as u32,
        first_file: files.first().map(|file| file.name.clone()),
    }
}

/// A message held in a timeline as a room's newest.
fn last_of(message: &MessageView) -> LastMessage {
    let by = (message.author, message.author_name.as_str());
    last_message(message.id, (message.seq, message.at), by, &message.text, &message.attachments)
}

impl RoomChange {
    pub(super) fn apply(&self, rooms: &mut Vec<RoomInfo>) {
        match self {
            RoomChange::Listed { room, name, kind } => match rooms.iter_mut().find(|info| info.id == *room) {
                Some(info) => info.name.clone_from(name),
                None => {
                    // Kept in id order, as the server lists them.
                    let at = rooms.partition_point(|info| info.id < *room);
                    rooms.insert(at, RoomInfo::listed(*room, name.clone(), *kind));
                }
            },
            RoomChange::Member { room, member } => {
                if let Some(info) = rooms.iter_mut().find(|info| info.id == *room) {
                    info.member = *member;
                }
            }
            RoomChange::Last { room, change } => {
                if let Some(info) = rooms.iter_mut().find(|info| info.id == *room) {
                    change.apply(&mut info.last);
                }
            }
        }
    }
}

/// What a room's page (`/rooms/{id}`) shows, by what the rooms list says of
/// the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomView {
    /// No list shown yet (a first visit, the server not answered yet): the
    /// room may turn out to be one she is not in, so nothing is fetched or
    /// reported read for it until the list says.
    Waiting,
    /// A public room she is not in: looked into before joining.
    LookedInto,
    /// The room itself: hers, or one the list does not hold (joined with an
    /// invite link a moment ago, or none at all, which its own paths say).
    Room,
}

/// Whether she may look into the room before joining: a public room she is
/// not in. Only these are listed under "Other rooms": a private room she
/// left stays in the list until it is fetched again, but is not hers to
/// look into or join any more.
pub fn to_look_into(room: &RoomInfo) -> bool {
    !room.member && room.kind == RoomKind::Public
}

impl Store {
    /// What `room`'s page shows. Tracked.
    pub fn room_view(&self, room: RoomId) -> RoomView {
        let listed = self.rooms.with(|rooms| rooms.iter().find(|info| info.id == room).map(to_look_into));
        match listed {
            Some(true) => RoomView::LookedInto,
            Some(false) => RoomView::Room,
            None if self.rooms_listed.get() => RoomView::Room,
            None => RoomView::Waiting,
        }
    }

    /// Whether a rooms list (fetched, or last seen) has been shown.
    pub fn has_rooms_list(&self) -> bool {
        self.rooms_listed.get_untracked()
    }

    /// No list could be fetched and none was last seen here: a room's page
    /// stops waiting for one (each connection asks for it again).
    pub fn no_rooms_listed(&self) {
        if !self.rooms_listed.get_untracked() {
            self.rooms_listed.set(true);
        }
    }
}

/// A fetch of the whole rooms list on its way (see [`Store::begin_rooms_fetch`]).
/// Dropped unfinished, it gives up and shows nothing new. Finished, it is
/// dropped once the list's read positions are shown too
/// ([`Store::listed_reads`]): until then the corrections they may need are
/// kept.
pub struct RoomsFetch {
    store: Store,
    ticket: Ticket,
}

impl RoomsFetch {
    /// The list arrived: it replaces the one shown, unread counts kept, and
    /// every change made since the fetch began is made again on top of it.
    /// (Only those: an older one may be older than the list, e.g. a rename
    /// undone while no connection was open to tell.) A list older than the
    /// one shown, from a fetch begun before it, is not worth showing, nor
    /// anything else it says (its read positions): false then.
    pub fn finish(&self, fresh: Vec<RoomInfo>) -> bool {
        let Some(heard) = self.store.list_fetches.lock().expect("list fetches").finish(self.ticket) else {
            return false;
        };
        self.store.rooms.update(|rooms| {
            let unread: SortedMap<RoomId, Unread> = rooms.iter().map(|room| (room.id, room.unread)).collect();
            *rooms = fresh
                .into_iter()
                .map(|room| RoomInfo { unread: unread.get(&room.id).copied().unwrap_or_default(), ..room })
                .collect();
            for change in &heard {
                change.apply(rooms);
            }
        });
        if !self.store.rooms_listed.get_untracked() {
            self.store.rooms_listed.set(true);
        }
        self.store.mark_conversations();
        true
    }
}

impl Drop for RoomsFetch {
    /// Once no list is on its way, the changes heard meanwhile are of no
    /// more use: the next list is read after them.
    fn drop(&mut self) {
        let mut fetches = self.store.list_fetches.lock().expect("list fetches");
        fetches.end();
        if !fetches.on_its_way() {
            self.store.corrections.lock().expect("corrections").clear();
        }
    }
}

impl Store {
    /// A fetch of the whole rooms list (`GET /api/rooms`) begins; hand what it
    /// brings to [`RoomsFetch::finish`]. Between the two, the socket keeps
    /// telling changes, which the list may or may not hold: they are made again
    /// on top of it.
    pub fn begin_rooms_fetch(&self) -> RoomsFetch {
        let ticket = self.list_fetches.lock().expect("list fetches").begin();
        RoomsFetch { store: self.clone(), ticket }
    }

    /// Tells each direct conversation's timeline what it is (one made after
    /// is told as it is made, `Store::room`): whoever opens a conversation
    /// hears its first events before a rooms list says what it is.
    fn mark_conversations(&self) {
        let direct: Vec<RoomId> = self
            .rooms
            .with_untracked(|rooms| rooms.iter().filter(|info| is_direct(info)).map(|info| info.id).collect());
        let held: Vec<_> = {
            let states = self.room_states.lock().expect("room states");
            direct.iter().filter_map(|room| states.get(room).map(|state| state.timeline.clone())).collect()
        };
        for timeline in held {
            timeline.maybe_update(Timeline::is_conversation);
        }
    }

    pub(super) fn change_rooms(&self, change: RoomChange) {
        self.rooms.update(|rooms| change.apply(rooms));
        self.remember_for_fetches(change);
    }

    /// Keeps `change` to be made again on top of the lists being fetched.
    fn remember_for_fetches(&self, change: RoomChange) {
        self.list_fetches.lock().expect("list fetches").heard(change);
    }

    /// A direct conversation is named after the other person as they are
    /// named now. While they are online in it, `present` carries their
    /// current name, and the conversation takes it (made again on top of a
    /// list fetched meanwhile, like any change heard).
    pub(super) fn name_conversation_as_now(&self, room: RoomId, present: &[Member]) {
        let renamed = self.rooms.with_untracked(|rooms| {
            let info = rooms.iter().find(|info| info.id == room)?;
            let other = present.iter().find(|member| Some(member.user) == info.with)?;
            (other.name != info.name).then(|| other.name.clone())
        });
        if let Some(name) = renamed {
            self.change_rooms(RoomChange::Listed { room, name, kind: RoomKind::Direct });
        }
    }

    /// A room's newest message changes, if `change` changes
    /// it: a replayed older message or an edit of another is not a change
    /// to the whole list shown (each is heard again and again on a resume).
    /// It is still kept for a list being fetched, which may differ from the
    /// one shown (a deletion this tab could not replace, say).
    pub(super) fn change_last(&self, room: RoomId, change: LastChange) {
        let changes = self.rooms.with_untracked(|rooms| {
            rooms.iter().find(|info| info.id == room).is_some_and(|info| {
                let mut last = info.last.clone();
                change.apply(&mut last);
                last != info.last
            })
        });
        let change = RoomChange::Last { room, change };
        if changes {
            self.change_rooms(change);
        } else {
            self.remember_for_fetches(change);
        }
    }

    /// The newest message still there that this tab holds of `room`.
    pub(super) fn newest_held(&self, room: RoomId) -> Option<LastMessage> {
        self.room(room).timeline.with_untracked(|timeline| timeline.newest_message().map(last_of))
    }

    pub(super) fn update_room(&self, room: RoomId, change: impl FnOnce(&mut RoomInfo)) {
        self.rooms.update(|rooms| {
            if let Some(info) = rooms.iter_mut().find(|info| info.id == room) {
                change(info);
            }
        });
    }
}
