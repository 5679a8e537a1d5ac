//! Where the person has read each room up to, and what is unread. The
//! position is kept on the server, so it survives a reload and follows the
//! person to their other tabs and devices; this tab learns it from the rooms
//! list, from its own reading, and from other screens' (`Event::ReadElsewhere`).
//! In a direct conversation, where the other person has read up to is kept
//! too (`Event::Seen`), so the room says what of yours they have seen.
//! Unread is counted from the position, never kept as a tally: a message
//! replayed after a reconnect is still one message.

use hanmadi_protocol::http::{MessageView, RoomSummary};
use hanmadi_protocol::markup;
use hanmadi_protocol::{RoomEvent, RoomId, Seq, UserId};
use leptos::prelude::*;

use super::timeline::Timeline;
use super::{RoomInfo, Store};

/// What the rooms list said of a room: the server's counts of unread messages
/// (and of those that mention the person) up to its head at that moment,
/// where it had the person's position, and in a direct conversation the
/// other person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub head: Seq,
    pub read: Seq,
    pub unread: Unread,
    pub seen: Seq,
}

impl From<&RoomSummary> for Listed {
    fn from(room: &RoomSummary) -> Self {
        Listed {
            head: room.head,
            read: room.read,
            unread: Unread { messages: room.unread, mentions: room.mentions },
            seen: room.seen,
        }
    }
}

/// An edit or deletion, heard live, of a message the rooms list may have
/// counted unread: how it changes the list's counts if the list was read
/// before it. Kept while a list is on its way (`Store::corrections`), as
/// the server may have read that list before the change too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Correction {
    /// The edit's or deletion's own seq.
    seq: Seq,
    /// The message changed.
    message: Seq,
    mentioned: u32,
    /// Whether it mentions you now: `None` once deleted.
    mentions_now: Option<u32>,
}

impl Correction {
    /// What `event` at `seq` changes of a message news to `me`.
    /// `timeline` holds the message as it stood before the event; one not
    /// held cannot be told apart, and its count stays.
    pub(super) fn of(me: Option<UserId>, seq: Seq, event: &RoomEvent, timeline: &Timeline) -> Option<Self> {
        let (RoomEvent::Edited { id, .. } | RoomEvent::Deleted { id }) = event else { return None };
        let before = timeline.message(*id).filter(|before| is_news_to(me, before))?;
        let mentions_now = match event {
            RoomEvent::Edited { text, .. } => Some(mentions_of(me, text)),
            _ => None,
        };
        Some(Correction { seq, message: before.seq, mentioned: mentions_of(me, &before.text), mentions_now })
    }
}

impl Listed {
    /// Corrects the counts for `change`, if it changes a message they
    /// counted: deleted since, it no longer counts; edited since, it counts
    /// as a mention if it mentions you now. (The list counted each message
    /// as it stood at its `head`: a change up to it is in its counts already.)
    pub(super) fn correct(&mut self, change: &Correction) {
        let counted = change.seq > self.head && change.message > self.read && change.message <= self.head;
        if !counted {
            return;
        }
        self.unread.mentions -= change.mentioned.min(self.unread.mentions);
        match change.mentions_now {
            Some(mentions) => self.unread.mentions += mentions,
            None => self.unread.messages = self.unread.messages.saturating_sub(1),
        }
    }
}

/// What is unread in a room: messages by others that are still there, and how
/// many of them mention you (the sidebar shows those apart).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    pub messages: u32,
    pub mentions: u32,
}

/// What is unread after `read`: the list's counts (while nothing was read
/// since it was made) plus what the timeline holds after the list's head;
/// otherwise what the timeline holds after `read`.
pub fn unread(timeline: &Timeline, me: Option<UserId>, read: Seq, listed: Option<Listed>) -> Unread {
    let (mut counted, after) = match listed {
        Some(listed) if read <= listed.read => (listed.unread, listed.head),
        _ => (Unread::default(), read),
    };
    for message in new_to(me, timeline, after) {
        counted.messages += 1;
        counted.mentions += mentions_of(me, &message.text);
    }
    counted
}

/// 1 if `text` mentions `me`, for the mentions counted apart.
fn mentions_of(me: Option<UserId>, text: &str) -> u32 {
    u32::from(me.is_some_and(|me| markup::mentions(text, me)))
}

/// Whether `room` is one of yours with something unread (a room left keeps
/// no count): what the tab title counts, Alt+Shift+↓ goes to, and "Mark all
/// as read" reads.
pub fn has_unread(room: &RoomInfo) -> bool {
    room.member && room.unread.messages > 0
}

/// The first message by others after `read`: where the "New messages" line goes.
fn first_unread(timeline: &Timeline, me: Option<UserId>, read: Seq) -> Option<Seq> {
    new_to(me, timeline, read).next().map(|m| m.seq)
}

/// The messages after `seq` that are news to `me`: by others (what you say
/// from another tab or device is not), and still there. What unread counts,
/// what the "New messages" line marks, and what "Jump to latest" counts.
pub fn new_to(me: Option<UserId>, timeline: &Timeline, seq: Seq) -> impl Iterator<Item = &MessageView> {
    timeline.messages_after(seq).filter(move |message| is_news_to(me, message))
}

/// Whether `message` is news to `me`: by someone else, and still there.
fn is_news_to(me: Option<UserId>, message: &MessageView) -> bool {
    Some(message.author) != me && !message.deleted
}

impl Store {
    /// The room is on screen in a visible page: everything it holds is read.
    /// Returns the new position if it moved, for the server to hear. The first
    /// time this finds something unread, the "New messages" line is placed
    /// before it (and stays while the room is open); but not before messages
    /// from `watched_from` on, which arrived while the person was looking:
    /// the line marks what came while they were away.
    pub fn mark_read(&self, room: RoomId, watched_from: Option<Seq>) -> Option<Seq> {
        let state = self.room(room);
        let me = self.me.get_untracked();
        let read = state.read.get_untracked();
        let (newest, first_new) = state.timeline.with_untracked(|t| (t.newest_seq(), first_unread(t, me, read)));
        let came_while_away = first_new.is_some_and(|first| watched_from.is_none_or(|watched| first < watched));
        let unread_here = self.rooms.with_untracked(|rooms| rooms.iter().any(|r| r.id == room && has_unread(r)));
        if unread_here && came_while_away && state.new_line_after.with_untracked(Option::is_none) {
            state.new_line_after.set(Some(read));
        }
        let newest = newest.filter(|newest| *newest > read)?;
        state.read.set(newest);
        self.count_unread(room);
        Some(newest)
    }

    /// Where the "New messages" line goes while `room` is open: before the
    /// first message by someone else after where reading had stopped. As older
    /// pages load, it moves up to the one that really was first, however
    /// much was unread. Tracked.
    pub fn new_line_at(&self, room: RoomId) -> Option<Seq> {
        let state = self.room(room);
        let after = state.new_line_after.get()?;
        let me = self.me.get();
        // A message deleted since is still a row, and the line stays above
        // it: moving down would put it over what the reader watched arrive.
        state.timeline.with(|timeline| timeline.messages_after(after).find(|m| Some(m.author) != me).map(|m| m.seq))
    }

    /// Where reading had stopped when `room` was opened with its "New
    /// messages" line, while it is open.
    pub fn new_line_after(&self, room: RoomId) -> Option<Seq> {
        self.room(room).new_line_after.get_untracked()
    }

    /// The person has read `room` up to `seq`: on another screen, or by
    /// joining it (a newcomer starts with nothing unread, as the server
    /// counts, however long the room's history).
    pub fn read_up_to(&self, room: RoomId, seq: Seq) {
        let state = self.room(room);
        if seq > state.read.get_untracked() {
            state.read.set(seq);
            self.count_unread(room);
        }
    }

    /// "Mark all as read": each room of yours with something unread is read
    /// up to the newest of it this tab knows of (the list's head, or a newer
    /// message held). Returns each new position, for the server and the
    /// other tabs to hear.
    pub fn mark_all_read(&self) -> Vec<(RoomId, Seq)> {
        let unread: Vec<RoomId> = self
            .rooms
            .with_untracked(|rooms| rooms.iter().filter(|room| has_unread(room)).map(|room| room.id).collect());
        unread
            .into_iter()
            .filter_map(|room| {
                let state = self.room(room);
                let head = state.listed.get_untracked().map(|listed| listed.head);
                let newest = state.timeline.with_untracked(Timeline::newest_seq).max(head)?;
                (newest > state.read.get_untracked()).then(|| {
                    self.read_up_to(room, newest);
                    (room, newest)
                })
            })
            .collect()
    }

    /// In a direct conversation, the other person has read `room` up to
    /// `seq`. Only ever forward: a list fetched before they read further
    /// may arrive after the socket said so.
    pub fn seen_up_to(&self, room: RoomId, seq: Seq) {
        let seen = &self.room(room).seen;
        if seq > seen.get_untracked() {
            seen.set(seq);
        }
    }

    /// Whether she shares what she reads. While she does not, she is not
    /// shown what others read either: no "Seen" shows, whatever the server
    /// said before she chose, or says in a frame already on its way.
    pub fn set_shares_seen(&self, shares: bool) {
        if self.shares_seen.get_untracked() != shares {
            self.shares_seen.set(shares);
        }
    }

    /// In a direct conversation, your message to mark "Seen": the newest
    /// still there, if it is yours and the other person has read up to it
    /// (and you share what you read).
    /// (Once they answer, the answer says it.) Tracked.
    pub fn seen_at(&self, room: RoomId) -> Option<Seq> {
        let state = self.room(room);
        let me = self.me.get().filter(|_| self.shares_seen.get())?;
        let seen = state.seen.get();
        state.timeline.with(|timeline| {
            let newest = timeline.newest_message()?;
            (newest.author == me && newest.seq <= seen).then_some(newest.seq)
        })
    }

    /// The rooms list arrived with the server's positions and counts. The
    /// server may have read them before edits and deletions heard while the
    /// list was on its way: those are made again on them (a change the list
    /// counts already is not, by its head). They are kept for as long as
    /// any list is on its way (see `RoomsFetch`), not only until a newer one
    /// is read: the pages of two lists fetched at once are read in any order.
    pub fn listed_reads(&self, listed: impl IntoIterator<Item = (RoomId, Listed)>) {
        for (room, mut listed) in listed {
            // Let go of before any signal is set.
            for (_, change) in self.corrections.lock().expect("corrections").iter().filter(|(of, _)| *of == room) {
                listed.correct(change);
            }
            let state = self.room(room);
            state.listed.set(Some(listed));
            if listed.read > state.read.get_untracked() {
                state.read.set(listed.read);
            }
            self.seen_up_to(room, listed.seen);
            self.count_unread(room);
        }
    }

    /// Counts `room`'s unread messages and mentions again, for the sidebar and
    /// the tab title.
    pub(super) fn count_unread(&self, room: RoomId) {
        let state = self.room(room);
        let (me, read, listed) = (self.me.get_untracked(), state.read.get_untracked(), state.listed.get_untracked());
        let count = state.timeline.with_untracked(|timeline| unread(timeline, me, read, listed));
        let changed = self.rooms.with_untracked(|rooms| rooms.iter().any(|r| r.id == room && r.unread != count));
        if changed {
            self.update_room(room, |info| info.unread = count);
        }
    }
}
