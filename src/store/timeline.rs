//! One room's history as the message list shows it: messages in sequence order
//! with edits and deletions applied, notices for joins, leaves and renames, and
//! the grouping and day separators of a modern chat app. Pure logic, tested
//! natively.

use std::ops::Range;

use hanmadi_protocol::http::{MessageView, MessagesPage, PageFrom, Reaction};
use hanmadi_protocol::{MessageId, Millis, RoomEvent, Seq, UserId};

use super::stretches::Stretches;

/// A stretch of history no further from a message than this many seqs
/// reaches it with one page before it (a page of the server's largest size,
/// 200 messages, spans 200 seqs at least); a message further back gets a
/// page of its own.
const NEAR_SEQS: u64 = 200;
/// Seqs of a page of its own after the message it was fetched for (fewer
/// than the page's 200 messages, so the message is in it): it sits near the
/// middle.
const AFTER_LINKED: u64 = 100;

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
    /// Which of them stand side by side as in the room: a page fetched far
    /// back leaves a hole between it and the rest.
    whole: Stretches,
    /// The room is a direct conversation, which shows no notices but a
    /// hole's: "Room “Mina, Jun” was created", "Mina joined" and "Jun
    /// joined" say nothing its two people do not know.
    conversation: bool,
}

impl Timeline {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The indices of the entries held whole with the one at `index`: no
    /// hole between any two of them.
    pub fn stretch_of(&self, index: usize) -> Range<usize> {
        let Some(entry) = self.entries.get(index) else { return index..index };
        let Some((first, last)) = self.whole.around(entry.seq()) else { return index..index + 1 };
        self.entries.partition_point(|entry| entry.seq() < first)
            ..self.entries.partition_point(|entry| entry.seq() <= last)
    }

    /// Whether the oldest row held is where the room's history starts.
    pub fn holds_start(&self) -> bool {
        self.whole.reaches_start(self.oldest_seq().unwrap_or(Seq::ZERO))
    }

    /// The timeline of a direct conversation, which shows no notices.
    pub fn of_conversation() -> Self {
        Self { conversation: true, ..Self::default() }
    }

    /// The room turned out to be a direct conversation (its first events
    /// may come before any rooms list says so): the notices held go, and
    /// none is taken from now on. Whether anything changed.
    pub fn is_conversation(&mut self) -> bool {
        if self.conversation {
            return false;
        }
        self.conversation = true;
        self.entries.retain(|entry| matches!(entry, Entry::Message(_) | Entry::Notice { text: Notice::Missing, .. }));
        true
    }

    /// Everything held is forgotten (it went stale), but what the room is.
    pub fn forget(&mut self) {
        *self = Self { conversation: self.conversation, ..Self::default() };
    }

    /// Whether the row at `seq` is held, if there is one: no hole over it.
    pub fn holds(&self, seq: Seq) -> bool {
        self.whole.holds(seq)
    }

    /// The page to fetch next so that `seq` is held: the newest when nothing
    /// is; the page before the stretch just after it when that is near;
    /// else a page of its own around it. `None` when it is held, or newer
    /// than anything held (the room has not reached it yet).
    pub fn page_toward(&self, seq: Seq) -> Option<PageFrom> {
        if self.entries.is_empty() {
            return Some(PageFrom::Before(None));
        }
        if self.holds(seq) {
            return None;
        }
        let after = self.entries.get(self.entries.partition_point(|entry| entry.seq() <= seq))?.seq();
        if after.0 - seq.0 <= NEAR_SEQS {
            Some(PageFrom::Before(Some(after)))
        } else {
            Some(PageFrom::Before(Some(Seq(seq.0 + AFTER_LINKED))))
        }
    }

    /// The page around `seq` to fetch before anything is held, beside the
    /// room's newest page: read on from a little before the message, so
    /// that when the message is recent it reaches the head, or the newest
    /// page, and the two are one stretch (a page before a seq past the
    /// newest page's first row would leave a hole below it).
    pub fn page_ahead(seq: Seq) -> PageFrom {
        PageFrom::After(Seq(seq.0.saturating_sub(AFTER_LINKED)))
    }

    /// Whether rows as new as `page`'s messages are held: added, it would
    /// not stand as the room's newest. Its notices are not weighed: a direct
    /// conversation holds none, and would wait for them forever (a page read
    /// on has notices past its messages only when it reaches the head).
    pub fn holds_as_new_as(&self, page: &MessagesPage) -> bool {
        page.messages.iter().map(|message| message.seq).max() <= self.newest_seq()
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

    /// The messages of the newest stretch held whole, oldest first: what a
    /// reload may start from, with no hole in it.
    pub fn newest_whole(&self) -> impl DoubleEndedIterator<Item = &MessageView> {
        let start = self.stretch_of(self.entries.len().saturating_sub(1)).start;
        self.entries[start..].iter().filter_map(|entry| match entry {
            Entry::Message(message) => Some(message),
            Entry::Notice { .. } => None,
        })
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

    /// The oldest seq held.
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
        self.heard_live(seq);
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
    /// from a history page: once, whichever comes first; never in a direct
    /// conversation.
    fn add_notice(&mut self, seq: Seq, at: Millis, event: &RoomEvent) {
        if self.conversation {
            return;
        }
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

    /// The room's stream goes on from the newest row held to `seq`, with
    /// nothing between: it is followed from the newest page on.
    fn heard_live(&mut self, seq: Seq) {
        let from = self.newest_seq().map_or(seq, |newest| newest.min(seq));
        self.whole.hold(from, seq);
    }

    /// Adds a page of history, fetched from where `from` says: its messages
    /// (as they stand now) and the notices among them; any already held are
    /// left alone. Every seq the page speaks for is held whole from now on.
    pub fn add_page(&mut self, page: MessagesPage, from: PageFrom) {
        let seqs = page.messages.iter().map(|message| message.seq).chain(page.notices.iter().map(|notice| notice.seq));
        let (lowest, highest) = seqs.fold((None, None), |(low, high): (Option<Seq>, Option<Seq>), seq| {
            (Some(low.map_or(seq, |low| low.min(seq))), Some(high.map_or(seq, |high| high.max(seq))))
        });
        let spoken_for = match from {
            PageFrom::Before(before) => {
                // Nothing past the head is held: it has not happened yet.
                let last = before.map_or(page.head, |before| Seq(before.0.saturating_sub(1)).min(page.head));
                (if page.complete { Some(Seq::ZERO) } else { lowest }).map(|first| (first, last))
            }
            PageFrom::After(after) => {
                let last = if page.complete { Some(page.head) } else { highest };
                // Read on from the room's start: nothing comes before it.
                let first = if after == Seq::ZERO { Seq::ZERO } else { Seq(after.0 + 1) };
                last.map(|last| (first, last))
            }
        };
        if let Some((first, last)) = spoken_for {
            self.whole.hold(first, last);
        }
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
        self.heard_live(from);
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

    fn page(seqs: impl IntoIterator<Item = u64>, head: u64) -> MessagesPage {
        let mut messages = Timeline::default();
        for seq in seqs {
            messages.apply(Seq(seq), MINUTE, &message(seq, 1));
        }
        let messages = messages.messages_after(Seq::ZERO).cloned().collect();
        MessagesPage { head: Seq(head), messages, notices: Vec::new(), complete: false }
    }

    #[test]
    fn a_message_far_back_is_reached_by_one_page_of_its_own_not_every_page_between() {
        let mut timeline = Timeline::default();
        assert_eq!(timeline.page_toward(Seq(4_000)), Some(PageFrom::Before(None)), "the newest first");
        timeline.add_page(page(4_801..=5_000, 5_000), PageFrom::Before(None));
        assert_eq!(timeline.page_toward(Seq(4_900)), None, "held");
        assert_eq!(timeline.page_toward(Seq(5_300)), None, "newer than the room has reached");
        assert_eq!(
            timeline.page_toward(Seq(4_650)),
            Some(PageFrom::Before(Some(Seq(4_801)))),
            "near: the page before what is held reaches it"
        );
        let far = timeline.page_toward(Seq(1_000));
        assert_eq!(far, Some(PageFrom::Before(Some(Seq(1_100)))), "far: a page of its own, with it in the middle");
        timeline.add_page(page(900..=1_099, 5_000), far.unwrap());
        assert_eq!(timeline.page_toward(Seq(1_000)), None);
        assert_eq!(timeline.stretch_of(0), 0..200, "held apart from the newest");
        assert_eq!(timeline.stretch_of(200), 200..400);
        assert_eq!(timeline.newest_whole().count(), 200, "a reload keeps the newest, not across the hole");
        assert!(!timeline.holds_start());
    }

    #[test]
    fn a_page_fetched_beside_the_newest_joins_it_for_a_recent_message_and_never_stands_as_the_newest() {
        // A link 150 back opened in a new tab: the page read on from 100
        // before it, and the room's newest 50, fetched at once.
        let ahead = Timeline::page_ahead(Seq(4_850));
        assert_eq!(ahead, PageFrom::After(Seq(4_750)));
        let around = page(4_751..=4_950, 5_000);
        let mut timeline = Timeline::default();
        assert!(!timeline.holds_as_new_as(&around), "nothing newer held: it would stand as the newest");
        timeline.add_page(page(4_951..=5_000, 5_000), PageFrom::Before(None));
        assert!(timeline.holds_as_new_as(&around));
        // A direct conversation holds no notices: one past the messages
        // weighs nothing, or its link would wait for a row never held.
        let mut left = around.clone();
        left.notices.push(HistoryEvent {
            seq: Seq(5_001),
            at: 0,
            event: RoomEvent::Left { user: UserId(2), name: None },
        });
        assert!(timeline.holds_as_new_as(&left));
        timeline.add_page(around, ahead);
        assert_eq!(timeline.stretch_of(0), 0..250, "one stretch, no hole below the newest page");

        // The room's own page failed, and the resume has replayed its start only.
        let mut replaying = Timeline::default();
        replaying.add_page(page(1..=10, 5_000), PageFrom::After(Seq::ZERO));
        assert!(!replaying.holds_as_new_as(&page(901..=1_100, 5_000)));
        assert_eq!(Timeline::page_ahead(Seq(40)), PageFrom::After(Seq::ZERO), "from the start");
        assert!(replaying.holds_start(), "a page read on from the start holds it: nothing to fetch above");
    }

    #[test]
    fn nothing_past_the_head_is_held() {
        let mut timeline = Timeline::default();
        timeline.add_page(page(4_901..=5_000, 5_000), PageFrom::Before(Some(Seq(5_100))));
        assert!(timeline.whole.holds(Seq(5_000)));
        assert!(!timeline.whole.holds(Seq(5_001)), "not happened yet");
    }

    #[test]
    fn pages_read_on_or_reaching_the_start_say_how_much_they_hold() {
        let mut timeline = Timeline::default();
        timeline.add_page(page(101..=150, 150), PageFrom::Before(None));
        timeline.add_page(page(10..=20, 150), PageFrom::Before(Some(Seq(30))));
        assert!(timeline.whole.holds(Seq(25)), "the page speaks for everything before 30 down to its oldest");
        assert!(!timeline.whole.holds(Seq(30)) && !timeline.whole.holds(Seq(100)), "the hole up to the newest");
        let mut last = page(21..=40, 150);
        last.complete = false;
        timeline.add_page(last, PageFrom::After(Seq(20)));
        assert_eq!(timeline.stretch_of(0), 0..31, "read on to 40");
        let mut rest = page(41..=60, 150);
        rest.complete = true;
        timeline.add_page(rest, PageFrom::After(Seq(40)));
        assert_eq!(timeline.stretch_of(0).len(), timeline.entries().len(), "a complete page reaches the head");
        let mut first = page(1..=9, 150);
        first.complete = true;
        timeline.add_page(first, PageFrom::Before(Some(Seq(10))));
        assert!(timeline.holds_start(), "a complete page reaches back to the start");
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
    fn a_conversation_shows_no_notice_but_a_holes_heard_live_or_paged_before_or_after_it_is_known() {
        let joined = |user| RoomEvent::Joined { user: UserId(user), name: format!("u{user}") };
        let mut timeline = Timeline::default();
        timeline.apply(Seq(1), 0, &RoomEvent::Created { name: "u1, u2".into(), by: UserId(1) });
        timeline.apply(Seq(2), 0, &joined(1));
        timeline.apply(Seq(4), MINUTE, &message(4, 1));
        timeline.mark_missing(Seq(5));
        assert_eq!(timeline.entries().len(), 4, "not known for a conversation yet");

        assert!(timeline.is_conversation());
        assert!(!timeline.is_conversation(), "told once");
        let seqs = |timeline: &Timeline| timeline.entries().iter().map(|entry| entry.seq().0).collect::<Vec<_>>();
        assert_eq!(seqs(&timeline), [4, 5], "the message and the hole stay");
        timeline.apply(Seq(6), MINUTE, &joined(2));
        let mut with_join = page([4], 6);
        with_join.notices.push(HistoryEvent { seq: Seq(3), at: 0, event: joined(2) });
        timeline.add_page(with_join, PageFrom::Before(None));
        assert_eq!(seqs(&timeline), [4, 5]);
        assert!(timeline.whole.holds(Seq(3)), "a notice not shown is held all the same: no page is fetched for it");

        timeline.forget();
        timeline.apply(Seq(7), 0, &joined(1));
        assert!(timeline.entries().is_empty(), "still a conversation once what it held went stale");
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
        timeline.add_page(
            MessagesPage { head: Seq(11), messages: vec![old(8), old(9), old(10)], notices, complete: false },
            PageFrom::Before(None),
        );
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
