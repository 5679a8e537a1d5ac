//! One room's history as the message list shows it: messages in sequence order
//! with edits and deletions applied, notices for joins, leaves and renames, and
//! the grouping and day separators of a modern chat app. Pure logic, tested
//! natively.

use hanmadi_protocol::http::{MessageView, MessagesPage, Reaction};
use hanmadi_protocol::{MessageId, Millis, RoomEvent, Seq, UserId};

/// One row of the history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    Message(MessageView),
    /// "Jun joined", "Mina renamed the room to 점심".
    Notice {
        seq: Seq,
        at: Millis,
        text: Notice,
    },
}

/// What a notice says, kept structured so the view can translate it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Notice {
    Created {
        name: String,
    },
    Joined {
        name: String,
    },
    /// By name, but for leaves stored before the server kept it.
    Left {
        name: Option<String>,
    },
    Renamed {
        name: String,
    },
    /// Events from here on could not be had from the server (gone from its
    /// log): said in the timeline rather than leaving a silent hole.
    Missing,
}

impl Entry {
    pub fn seq(&self) -> Seq {
        match self {
            Entry::Message(message) => message.seq,
            Entry::Notice { seq, .. } => *seq,
        }
    }

    pub fn at(&self) -> Millis {
        match self {
            Entry::Message(message) => message.at,
            Entry::Notice { at, .. } => *at,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Timeline {
    /// Sorted by seq.
    entries: Vec<Entry>,
}

impl Timeline {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The row at `seq`, if it is held.
    pub fn entry(&self, seq: Seq) -> Option<&Entry> {
        self.entries.binary_search_by_key(&seq, Entry::seq).ok().map(|index| &self.entries[index])
    }

    /// The message `id`, if it is held and was created at `seq` (where a
    /// reply says its original is).
    pub fn message_at(&self, seq: Seq, id: MessageId) -> Option<&MessageView> {
        match self.entry(seq)? {
            Entry::Message(message) if message.id == id => Some(message),
            _ => None,
        }
    }

    /// Where the message `id` is, if it is held.
    pub fn seq_of(&self, id: MessageId) -> Option<Seq> {
        self.message(id).map(|message| message.seq)
    }

    /// The message `id` as it stands, if it is held.
    pub fn message(&self, id: MessageId) -> Option<&MessageView> {
        self.entries.iter().rev().find_map(|entry| match entry {
            Entry::Message(message) if message.id == id => Some(message),
            _ => None,
        })
    }

    /// The newest seq held.
    pub fn newest_seq(&self) -> Option<Seq> {
        self.entries.last().map(Entry::seq)
    }

    /// The messages held after `seq`, oldest first.
    pub fn messages_after(&self, seq: Seq) -> impl DoubleEndedIterator<Item = &MessageView> {
        let from = self.entries.partition_point(|entry| entry.seq() <= seq);
        self.entries[from..].iter().filter_map(|entry| match entry {
            Entry::Message(message) => Some(message),
            Entry::Notice { .. } => None,
        })
    }

    /// The newest message held that is still there: a conversation's line
    /// in the rooms list, and the one "Seen" may go under.
    pub fn newest_message(&self) -> Option<&MessageView> {
        self.messages_after(Seq::ZERO).rev().find(|message| !message.deleted)
    }

    /// The oldest seq held, for asking the server for the page before it.
    pub fn oldest_seq(&self) -> Option<Seq> {
        self.entries.first().map(Entry::seq)
    }

    /// The newest message by `author` that is still there: what ↑ in an empty
    /// composer edits.
    pub fn last_message_by(&self, author: UserId) -> Option<MessageId> {
        self.entries.iter().rev().find_map(|entry| match entry {
            Entry::Message(message) if message.author == author && !message.deleted => Some(message.id),
            _ => None,
        })
    }

    /// Whether the message `id` is held and was deleted: a question about it,
    /// or an answer to it, has nothing left to be about.
    pub fn was_deleted(&self, id: MessageId) -> bool {
        self.entries
            .iter()
            .rev()
            .any(|entry| matches!(entry, Entry::Message(message) if message.id == id && message.deleted))
    }

    /// Applies one event of the room's stream (delivered in order, exactly once).
    pub fn apply(&mut self, seq: Seq, at: Millis, event: &RoomEvent) {
        match event {
            RoomEvent::Message { id, author, author_name, text, reply_to, attachments } => {
                self.insert(Entry::Message(MessageView {
                    id: *id,
                    seq,
                    author: *author,
                    author_name: author_name.clone(),
                    text: text.clone(),
                    at,
                    edited: false,
                    deleted: false,
                    reply_to: *reply_to,
                    reactions: Vec::new(),
                    attachments: attachments.clone(),
                }))
            }
            RoomEvent::Edited { id, .. }
            | RoomEvent::Deleted { id }
            | RoomEvent::Reacted { id, .. }
            | RoomEvent::Unreacted { id, .. } => {
                if let Some(message) = self.message_mut(*id) {
                    Self::change(message, event);
                }
            }
            RoomEvent::Created { .. }
            | RoomEvent::Joined { .. }
            | RoomEvent::Left { .. }
            | RoomEvent::Renamed { .. } => self.add_notice(seq, at, event),
        }
    }

    /// A notice of the room's history (`RoomEvent::is_notice`), heard live or
    /// from a history page: once, whichever comes first.
    fn add_notice(&mut self, seq: Seq, at: Millis, event: &RoomEvent) {
        let text = match event {
            RoomEvent::Created { name, .. } => Notice::Created { name: name.clone() },
            RoomEvent::Joined { name, .. } => Notice::Joined { name: name.clone() },
            RoomEvent::Left { name, .. } => Notice::Left { name: name.clone() },
            RoomEvent::Renamed { name, .. } => Notice::Renamed { name: name.clone() },
            _ => return,
        };
        self.insert(Entry::Notice { seq, at, text });
    }

    /// What an edit, deletion or reaction does to the message it is about
    /// (any other event changes nothing): the one rule for the timeline and
    /// for the originals of replies held outside it.
    pub fn change(message: &mut MessageView, event: &RoomEvent) {
        match event {
            RoomEvent::Edited { text, .. } => {
                message.text.clone_from(text);
                message.edited = true;
            }
            RoomEvent::Deleted { .. } => {
                message.text.clear();
                message.deleted = true;
                message.reactions.clear();
                message.attachments.clear();
            }
            RoomEvent::Reacted { user, emoji, .. } => Reaction::add(&mut message.reactions, emoji, *user),
            RoomEvent::Unreacted { user, emoji, .. } => Reaction::remove(&mut message.reactions, emoji, *user),
            _ => {}
        }
    }

    /// Adds a scroll-back page: its messages (as they stand now) and the
    /// notices among them; any already held are left alone.
    pub fn add_history(&mut self, page: MessagesPage) {
        for message in page.messages {
            if self.message_mut(message.id).is_none() {
                self.insert(Entry::Message(message));
            }
        }
        for notice in page.notices {
            self.add_notice(notice.seq, notice.at, &notice.event);
        }
    }

    /// Marks where the room skipped events the server no longer had: `from` is
    /// the first of them. Dated like the row before it, so it sits in the
    /// right day.
    pub fn mark_missing(&mut self, from: Seq) {
        let before = self.entries.partition_point(|entry| entry.seq() < from);
        let at = before.checked_sub(1).map_or(0, |index| self.entries[index].at());
        self.insert(Entry::Notice { seq: from, at, text: Notice::Missing });
    }

    fn insert(&mut self, entry: Entry) {
        let seq = entry.seq();
        match self.entries.binary_search_by_key(&seq, Entry::seq) {
            Ok(_) => {} // already held
            Err(index) => self.entries.insert(index, entry),
        }
    }

    fn message_mut(&mut self, id: MessageId) -> Option<&mut MessageView> {
        // Edits and deletions almost always concern recent messages: search from the end.
        self.entries.iter_mut().rev().find_map(|entry| match entry {
            Entry::Message(message) if message.id == id => Some(message),
            _ => None,
        })
    }
}

/// How a message row is drawn: whether it starts a group (author and time shown)
/// and whether a day separator comes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowLayout {
    pub starts_group: bool,
    /// The local day (days since the epoch) when a separator goes before this row.
    pub day_separator: Option<i64>,
}

/// Messages by one author within five minutes form a group.
const GROUP_GAP_MS: Millis = 5 * 60 * 1000;

/// The layout of every entry. `utc_offset_minutes` is the viewer's time zone, so
/// days change at local midnight.
pub fn layout(entries: &[Entry], utc_offset_minutes: i64) -> Vec<RowLayout> {
    let day = |at: Millis| (at as i64 + utc_offset_minutes * 60_000).div_euclid(86_400_000);
    let mut rows = Vec::with_capacity(entries.len());
    let mut previous: Option<&Entry> = None;
    for entry in entries {
        let new_day = previous.is_none_or(|p| day(p.at()) != day(entry.at()));
        let starts_group = match (previous, entry) {
            (Some(Entry::Message(before)), Entry::Message(now)) => {
                new_day || before.author != now.author || now.at.saturating_sub(before.at) > GROUP_GAP_MS
            }
            _ => true,
        };
        rows.push(RowLayout { starts_group, day_separator: new_day.then(|| day(entry.at())) });
        previous = Some(entry);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::http::HistoryEvent;

    const MINUTE: Millis = 60_000;
    const DAY: Millis = 86_400_000;

    fn message(id: u64, author: u64) -> RoomEvent {
        RoomEvent::Message {
            id: MessageId(id),
            author: UserId(author),
            author_name: format!("u{author}"),
            text: format!("m{id}"),
            reply_to: None,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn events_the_server_lost_are_marked_where_they_were() {
        let mut timeline = Timeline::default();
        timeline.apply(Seq(1), MINUTE, &message(1, 1));
        timeline.apply(Seq(5), 3 * MINUTE, &message(5, 1));
        timeline.mark_missing(Seq(2));
        let seqs: Vec<Seq> = timeline.entries().iter().map(Entry::seq).collect();
        assert_eq!(seqs, [Seq(1), Seq(2), Seq(5)]);
        assert_eq!(
            timeline.entries()[1],
            Entry::Notice { seq: Seq(2), at: MINUTE, text: Notice::Missing },
            "between the messages around the hole, dated like the one before"
        );
    }

    #[test]
    fn edits_and_deletions_change_the_message_in_place() {
        let mut timeline = Timeline::default();
        timeline.apply(Seq(1), 0, &message(1, 1));
        timeline.apply(Seq(2), 0, &RoomEvent::Edited { id: MessageId(1), text: "fixed".into() });
        let Entry::Message(m) = &timeline.entries()[0] else { panic!() };
        assert_eq!((m.text.as_str(), m.edited), ("fixed", true));
        timeline.apply(Seq(3), 0, &RoomEvent::Deleted { id: MessageId(1) });
        let Entry::Message(m) = &timeline.entries()[0] else { panic!() };
        assert!(m.deleted && m.text.is_empty(), "a deleted message keeps no text");
        assert_eq!(timeline.entries().len(), 1);
    }

    #[test]
    fn the_last_message_to_edit_is_your_newest_one_still_there() {
        let mut timeline = Timeline::default();
        timeline.apply(Seq(1), 0, &message(1, 1));
        timeline.apply(Seq(2), 0, &message(2, 1));
        timeline.apply(Seq(3), 0, &message(3, 2));
        assert_eq!(timeline.last_message_by(UserId(1)), Some(MessageId(2)));
        timeline.apply(Seq(4), 0, &RoomEvent::Deleted { id: MessageId(2) });
        assert_eq!(timeline.last_message_by(UserId(1)), Some(MessageId(1)), "a deleted message cannot be edited");
        assert_eq!(timeline.last_message_by(UserId(9)), None);
    }

    #[test]
    fn reactions_gather_by_emoji_and_leave_with_the_last_person() {
        let mut timeline = Timeline::default();
        timeline.apply(Seq(1), 0, &message(1, 1));
        let react =
            |user: u64, emoji: &str| RoomEvent::Reacted { id: MessageId(1), user: UserId(user), emoji: emoji.into() };
        let unreact =
            |user: u64, emoji: &str| RoomEvent::Unreacted { id: MessageId(1), user: UserId(user), emoji: emoji.into() };
        timeline.apply(Seq(2), 0, &react(2, "👍"));
        timeline.apply(Seq(3), 0, &react(3, "❤️"));
        timeline.apply(Seq(4), 0, &react(3, "👍"));
        timeline.apply(Seq(5), 0, &react(3, "👍"));
        let reactions = |t: &Timeline| match &t.entries()[0] {
            Entry::Message(m) => m.reactions.iter().map(|r| (r.emoji.clone(), r.users.len())).collect::<Vec<_>>(),
            Entry::Notice { .. } => unreachable!(),
        };
        assert_eq!(
            reactions(&timeline),
            [("👍".to_owned(), 2), ("❤️".to_owned(), 1)],
            "first chosen first, each person once"
        );
        timeline.apply(Seq(6), 0, &unreact(3, "❤️"));
        assert_eq!(reactions(&timeline), [("👍".to_owned(), 2)]);
        timeline.apply(Seq(7), 0, &RoomEvent::Deleted { id: MessageId(1) });
        assert_eq!(reactions(&timeline), []);
    }

    #[test]
    fn history_pages_slot_in_before_live_messages_without_duplicates() {
        let mut timeline = Timeline::default();
        timeline.apply(Seq(10), 0, &message(10, 1));
        let old = |id: u64| MessageView {
            id: MessageId(id),
            seq: Seq(id),
            author: UserId(2),
            author_name: "u2".into(),
            text: format!("m{id}"),
            at: 0,
            edited: false,
            deleted: false,
            reply_to: None,
            reactions: Vec::new(),
            attachments: Vec::new(),
        };
        let notices = vec![
            HistoryEvent { seq: Seq(7), at: 0, event: RoomEvent::Joined { user: UserId(2), name: "Jun".into() } },
            HistoryEvent { seq: Seq(11), at: 0, event: RoomEvent::Left { user: UserId(2), name: None } },
        ];
        timeline.add_history(MessagesPage {
            head: Seq(11),
            messages: vec![old(8), old(9), old(10)],
            notices,
            complete: false,
        });
        // The leave was heard live too: it is held once.
        timeline.apply(Seq(11), 0, &RoomEvent::Left { user: UserId(2), name: None });
        let seqs: Vec<u64> = timeline.entries().iter().map(|e| e.seq().0).collect();
        assert_eq!(seqs, [7, 8, 9, 10, 11]);
        assert!(matches!(&timeline.entries()[0], Entry::Notice { text: Notice::Joined { name }, .. } if name == "Jun"));
        assert_eq!(timeline.oldest_seq(), Some(Seq(7)));
    }

    #[test]
    fn consecutive_messages_by_one_author_group_until_a_pause_or_a_new_day() {
        let mut timeline = Timeline::default();
        let arrivals = [
            (1, 1, 0),            // Mina
            (2, 1, MINUTE),       // Mina again, a minute later: grouped
            (3, 2, 2 * MINUTE),   // Jun: a new group
            (4, 2, 20 * MINUTE),  // Jun after a long pause: a new group
            (5, 2, DAY + MINUTE), // the next day: a separator and a new group
        ];
        for (n, author, at) in arrivals {
            timeline.apply(Seq(n), at, &message(n, author));
        }
        let rows = layout(timeline.entries(), 0);
        let groups: Vec<bool> = rows.iter().map(|r| r.starts_group).collect();
        assert_eq!(groups, [true, false, true, true, true]);
        let separators: Vec<Option<i64>> = rows.iter().map(|r| r.day_separator).collect();
        assert_eq!(separators, [Some(0), None, None, None, Some(1)]);
    }

    #[test]
    fn days_change_at_local_midnight() {
        let mut timeline = Timeline::default();
        // 23:30 and 00:30 UTC are the same day in Seoul (UTC+9), different days in UTC.
        timeline.apply(Seq(1), DAY - 30 * MINUTE, &message(1, 1));
        timeline.apply(Seq(2), DAY + 30 * MINUTE, &message(2, 1));
        assert!(layout(timeline.entries(), 0)[1].day_separator.is_some());
        assert!(layout(timeline.entries(), 9 * 60)[1].day_separator.is_none());
    }
}
