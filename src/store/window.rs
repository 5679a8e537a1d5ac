//! Which stretch of a room's timeline is in the page. A room may hold tens of
//! thousands of rows in memory, but the page only ever renders about
//! [`WINDOW_ROWS`] of them around what the reader is looking at: the window slides
//! by [`STEP_ROWS`] as the reader nears either edge. Pure logic, tested natively;
//! the message list does the scrolling and keeps the view still.

use std::ops::Range;

use hanmadi_protocol::Seq;

use super::timeline::Timeline;

/// Rows in the page at most (a window that has slid, plus rows that arrived inside it).
pub const WINDOW_ROWS: usize = 200;
/// Rows the window moves by: half of it, so the rows on screen stay in the page.
pub const STEP_ROWS: usize = WINDOW_ROWS / 2;

/// The rows in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// The newest rows, following what arrives: the reader is at the bottom.
    #[default]
    Latest,
    /// A fixed stretch, by seq (both ends included), held while the reader is
    /// elsewhere: what arrives after `last` waits behind "Jump to latest".
    Fixed { first: Seq, last: Seq },
}

impl Window {
    /// The indices of the timeline's entries in the page: never across a
    /// hole in what is held (`Timeline::stretch_of`).
    pub fn range(self, timeline: &Timeline) -> Range<usize> {
        let entries = timeline.entries();
        match self {
            Window::Latest => {
                let newest = timeline.stretch_of(entries.len().saturating_sub(1));
                entries.len().saturating_sub(WINDOW_ROWS).max(newest.start)..entries.len()
            }
            Window::Fixed { first, last } => {
                let start = entries.partition_point(|entry| entry.seq() < first);
                let end = entries.partition_point(|entry| entry.seq() <= last);
                // Never across a hole, even one a history loaded anew has
                // opened under a window held from before.
                start..end.max(start).min(timeline.stretch_of(start).end.max(start))
            }
        }
    }

    /// The same rows, no longer following: the reader has scrolled up.
    pub fn hold(self, timeline: &Timeline) -> Window {
        fixed(timeline, self.range(timeline)).unwrap_or(self)
    }

    /// Whether the newest row held is in the page.
    pub fn shows_newest(self, timeline: &Timeline) -> bool {
        self.range(timeline).end == timeline.entries().len()
    }

    /// Whether nothing held comes just before the page's first row: the
    /// room's start, or a page to fetch.
    pub fn starts_what_is_held(self, timeline: &Timeline) -> bool {
        let range = self.range(timeline);
        range.start == timeline.stretch_of(range.start).start
    }

    /// Whether a hole comes just after the page's last row: newer rows are
    /// held past it, and the page after the last row is to fetch.
    pub fn ends_at_a_hole(self, timeline: &Timeline) -> bool {
        let range = self.range(timeline);
        !self.shows_newest(timeline) && range.end == timeline.stretch_of(range.end.saturating_sub(1)).end
    }

    /// Whether a hole stands between the page and the newest rows: it shows
    /// a stretch loaded far back, and "Jump to latest" is the way back.
    pub fn apart_from_newest(self, timeline: &Timeline) -> bool {
        let range = self.range(timeline);
        let newest = timeline.stretch_of(timeline.entries().len().saturating_sub(1));
        !range.is_empty() && range.end <= newest.start
    }

    /// Where the page's rows end, as the message list shows it.
    pub fn edges(self, timeline: &Timeline) -> Edges {
        let starts_held = self.starts_what_is_held(timeline);
        Edges {
            newest: self.shows_newest(timeline),
            starts_held,
            room_start: starts_held && self.range(timeline).start == 0 && timeline.holds_start(),
            hole_below: self.ends_at_a_hole(timeline),
            apart_from_newest: self.apart_from_newest(timeline),
        }
    }

    /// The window moved `STEP_ROWS` toward older rows, or `None` when nothing
    /// held comes before it (time to fetch the page before it).
    pub fn older(self, timeline: &Timeline) -> Option<Window> {
        let range = self.range(timeline);
        let stretch = timeline.stretch_of(range.start);
        if range.start == stretch.start {
            return None;
        }
        let start = range.start.saturating_sub(STEP_ROWS).max(stretch.start);
        let end = (start + WINDOW_ROWS).min(stretch.end).max(range.start);
        fixed(timeline, start..end)
    }

    /// The rows around `seq` (the row at it, or the first after it), with it
    /// in the middle: where a reply's quote or a link to a message opens the
    /// room. The newest rows are followed again if the window reaches them.
    pub fn around(timeline: &Timeline, seq: Seq) -> Window {
        let entries = timeline.entries();
        let at = entries.partition_point(|entry| entry.seq() < seq);
        let stretch = timeline.stretch_of(at.min(entries.len().saturating_sub(1)));
        let start = at.saturating_sub(STEP_ROWS).max(stretch.start);
        let end = (start + WINDOW_ROWS).min(stretch.end);
        let start = end.saturating_sub(WINDOW_ROWS).max(stretch.start).min(start);
        if end == entries.len() {
            return Window::Latest;
        }
        fixed(timeline, start..end).unwrap_or_default()
    }

    /// The window moved `STEP_ROWS` toward newer rows, or `None` when it
    /// shows the newest, or a hole comes after it (time to fetch the page
    /// after it).
    pub fn newer(self, timeline: &Timeline) -> Option<Window> {
        let range = self.range(timeline);
        let stretch = timeline.stretch_of(range.end.saturating_sub(1));
        if range.end >= stretch.end {
            return None;
        }
        let end = (range.end + STEP_ROWS).min(stretch.end);
        let start = end.saturating_sub(WINDOW_ROWS).max(stretch.start).min(range.end);
        fixed(timeline, start..end)
    }
}

/// Where the page's rows end (see [`Window::edges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edges {
    /// The newest row held is in the page.
    pub newest: bool,
    /// Nothing held comes before the first row: the room's start, or a page
    /// to fetch.
    pub starts_held: bool,
    /// The first row is the room's first.
    pub room_start: bool,
    /// A hole comes after the last row: the page after it is to fetch.
    pub hole_below: bool,
    /// A hole stands between the page and the newest rows.
    pub apart_from_newest: bool,
}

/// Where the reader is in the list, as the message list measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScrollPosition {
    /// At the very bottom of the page's rows.
    pub at_bottom: bool,
    /// Close enough to the top of the page's rows to bring older ones in.
    pub near_top: bool,
    /// Close enough to the bottom of the page's rows to bring newer ones in.
    pub near_bottom: bool,
}

/// What the message list does after the reader scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrolled {
    /// At the newest row: follow what arrives, nothing is unseen.
    Follow,
    /// Stay on these rows (holding them if they were following).
    Keep(Window),
    /// Move to these rows, keeping the row on screen where it is.
    Slide(Window),
    /// Hold these rows and fetch the page before the first of them.
    FetchOlder(Window),
    /// Hold these rows and fetch the page after the last of them.
    FetchNewer(Window),
}

impl Window {
    /// The window after the reader scrolled to `position`.
    pub fn scrolled(self, timeline: &Timeline, position: ScrollPosition) -> Scrolled {
        if position.at_bottom && self.shows_newest(timeline) {
            return Scrolled::Follow;
        }
        let held = self.hold(timeline);
        if position.near_bottom {
            if let Some(newer) = held.newer(timeline) {
                return Scrolled::Slide(newer);
            }
            if held.ends_at_a_hole(timeline) {
                return Scrolled::FetchNewer(held);
            }
        }
        if position.near_top {
            return match held.older(timeline) {
                Some(older) => Scrolled::Slide(older),
                None => Scrolled::FetchOlder(held),
            };
        }
        Scrolled::Keep(held)
    }
}

fn fixed(timeline: &Timeline, range: Range<usize>) -> Option<Window> {
    let rows = timeline.entries().get(range)?;
    Some(Window::Fixed { first: rows.first()?.seq(), last: rows.last()?.seq() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::timeline::{Entry, Timeline};
    use hanmadi_protocol::http::{MessagesPage, PageFrom};
    use hanmadi_protocol::{MessageId, RoomEvent, UserId};

    fn timeline(seqs: impl IntoIterator<Item = u64>) -> Timeline {
        let mut timeline = Timeline::default();
        for seq in seqs {
            let event = RoomEvent::Message {
                id: MessageId(seq),
                author: UserId(1),
                author_name: "Mina".into(),
                text: "hi".into(),
                reply_to: None,
                attachments: Vec::new(),
            };
            timeline.apply(Seq(seq), 0, &event);
        }
        timeline
    }

    fn shown(window: Window, timeline: &Timeline) -> (u64, u64) {
        let entries = timeline.entries();
        let range = window.range(timeline);
        (entries[range.start].seq().0, entries[range.end - 1].seq().0)
    }

    #[test]
    fn a_long_room_shows_only_its_newest_rows_and_follows_new_ones() {
        let room = timeline(1..=10_000);
        assert_eq!(shown(Window::Latest, &room), (9_801, 10_000));
        let room = timeline(1..=10_001);
        assert_eq!(shown(Window::Latest, &room), (9_802, 10_001), "still the newest 200");
    }

    #[test]
    fn a_held_window_keeps_its_rows_while_new_ones_arrive() {
        let room = timeline(1..=1_000);
        let held = Window::Latest.hold(&room);
        let later = timeline(1..=1_050);
        assert_eq!(shown(held, &later), (801, 1_000));
        assert!(!held.shows_newest(&later), "the 50 new rows wait behind Jump to latest");
        assert!(Window::Latest.shows_newest(&later));
    }

    #[test]
    fn scrolling_up_slides_the_window_and_drops_rows_far_below() {
        let room = timeline(1..=10_000);
        let entries = &room;
        let mut window = Window::Latest;
        let mut steps = 0;
        while let Some(older) = window.older(entries) {
            let (before, after) = (window.range(entries), older.range(entries));
            assert!(after.len() <= WINDOW_ROWS, "never more than {WINDOW_ROWS} rows in the page");
            assert!(after.start < before.start && after.end > before.start, "the rows on screen stay in the page");
            window = older;
            steps += 1;
        }
        assert_eq!(shown(window, &room), (1, 200), "ends at the oldest row held");
        assert_eq!(steps, 98);
        while let Some(newer) = window.newer(entries) {
            let (before, after) = (window.range(entries), newer.range(entries));
            assert!(after.len() <= WINDOW_ROWS);
            assert!(after.end > before.end && after.start < before.end);
            window = newer;
        }
        assert!(window.shows_newest(entries));
        assert_eq!(shown(window, &room), (9_801, 10_000));
    }

    #[test]
    fn a_short_room_fits_whole_and_asks_for_older_pages_at_once() {
        let room = timeline(1..=30);
        assert_eq!(Window::Latest.range(&room), 0..30);
        assert_eq!(Window::Latest.older(&room), None);
        assert_eq!(Window::Latest.newer(&room), None);
        assert_eq!(Window::Latest.older(&Timeline::default()), None);
        assert_eq!(Window::Latest.hold(&Timeline::default()), Window::Latest);
    }

    #[test]
    fn a_page_of_history_slots_in_above_and_the_window_reaches_into_it() {
        let mut room = timeline(301..=500);
        let window = Window::Latest.hold(&room);
        assert_eq!(window.older(&room), None, "nothing older held yet");
        let page = timeline(251..=300);
        let messages = page.entries().iter().filter_map(|e| match e {
            Entry::Message(m) => Some(m.clone()),
            Entry::Notice { .. } => None,
        });
        room.add_page(
            MessagesPage { head: Seq(500), messages: messages.collect(), notices: Vec::new(), complete: false },
            PageFrom::Before(Some(Seq(301))),
        );
        assert_eq!(shown(window, &room), (301, 500), "the rows on screen did not move");
        let older = window.older(&room).expect("the new page is reachable");
        assert_eq!(shown(older, &room), (251, 450));
    }

    #[test]
    fn scrolling_decides_between_following_holding_sliding_and_fetching() {
        let room = timeline(1..=1_000);
        let entries = &room;
        let at = |at_bottom, near_top, near_bottom| ScrollPosition { at_bottom, near_top, near_bottom };
        let held = Window::Latest.hold(entries);
        assert_eq!(Window::Latest.scrolled(entries, at(true, false, true)), Scrolled::Follow);
        assert_eq!(
            Window::Latest.scrolled(entries, at(false, false, true)),
            Scrolled::Keep(held),
            "a little way up: hold"
        );
        assert_eq!(
            Window::Latest.scrolled(entries, at(false, true, false)),
            Scrolled::Slide(held.older(entries).unwrap()),
            "straight to the top: hold and slide at once, or no scroll event may ever come again"
        );
        let up = held.older(entries).unwrap();
        assert_eq!(up.scrolled(entries, at(true, false, true)), Scrolled::Slide(up.newer(entries).unwrap()));
        assert_eq!(up.scrolled(entries, at(false, false, false)), Scrolled::Keep(up));
        assert_eq!(held.scrolled(entries, at(true, false, true)), Scrolled::Follow);

        let short = timeline(951..=1_000);
        assert_eq!(
            Window::Latest.scrolled(&short, at(false, true, false)),
            Scrolled::FetchOlder(Window::Fixed { first: Seq(951), last: Seq(1_000) }),
        );
    }

    #[test]
    fn a_message_far_back_opens_in_the_middle_of_its_window() {
        let room = timeline(1..=10_000);
        let entries = &room;
        assert_eq!(shown(Window::around(entries, Seq(5_000)), &room), (4_900, 5_099));
        assert_eq!(shown(Window::around(entries, Seq(30)), &room), (1, 200), "near the start: the first rows");
        assert_eq!(Window::around(entries, Seq(9_950)), Window::Latest, "near the end: follow the newest again");
        let with_gap = timeline((1..=100).chain(300..=1_000));
        assert_eq!(
            shown(Window::around(&with_gap, Seq(200)), &with_gap),
            (1, 399),
            "a seq with no row opens at the first row after it"
        );
    }

    /// A room of 1,200 messages whose newest 200 are held, and a page of its
    /// own fetched around message 500 (`Timeline::page_toward`): a hole
    /// between 600 and 1,001.
    fn with_a_stretch_far_back() -> Timeline {
        let mut room = timeline(1_001..=1_200);
        let far_back = timeline(401..=600);
        let messages = far_back.entries().iter().filter_map(|e| match e {
            Entry::Message(m) => Some(m.clone()),
            Entry::Notice { .. } => None,
        });
        let page =
            MessagesPage { head: Seq(1_200), messages: messages.collect(), notices: Vec::new(), complete: false };
        room.add_page(page, PageFrom::Before(Some(Seq(601))));
        room
    }

    #[test]
    fn a_message_far_back_opens_in_its_own_stretch_and_never_beside_the_newest() {
        let room = with_a_stretch_far_back();
        let linked = Window::around(&room, Seq(500));
        assert_eq!(shown(linked, &room), (401, 600), "the stretch around it, not across the hole");
        assert!(linked.apart_from_newest(&room), "Jump to latest is the way back");
        assert!(linked.ends_at_a_hole(&room) && linked.starts_what_is_held(&room));
        assert_eq!(linked.newer(&room), None, "the rows after the hole are not next to it");
        assert_eq!(linked.older(&room), None);
        assert_eq!(shown(Window::Latest, &room), (1_001, 1_200), "the newest do not reach into it either");
        assert!(!Window::Latest.apart_from_newest(&room));
        assert_eq!(Window::Latest.older(&room), None, "scrolling up from the newest fetches the hole's rows");

        let at = |at_bottom, near_top, near_bottom| ScrollPosition { at_bottom, near_top, near_bottom };
        assert_eq!(linked.scrolled(&room, at(true, false, true)), Scrolled::FetchNewer(linked), "reading on");
        assert_eq!(linked.scrolled(&room, at(false, true, false)), Scrolled::FetchOlder(linked), "reading back");
    }

    #[test]
    fn reading_on_from_far_back_fills_the_hole_and_reaches_the_newest() {
        let mut room = with_a_stretch_far_back();
        let mut window = Window::around(&room, Seq(500));
        let mut pages = 0;
        while window.ends_at_a_hole(&room) {
            let last = room.entries()[window.range(&room).end - 1].seq();
            let next = timeline(last.0 + 1..=(last.0 + 100).min(1_000));
            let messages = next.entries().iter().filter_map(|e| match e {
                Entry::Message(m) => Some(m.clone()),
                Entry::Notice { .. } => None,
            });
            let page =
                MessagesPage { head: Seq(1_200), messages: messages.collect(), notices: Vec::new(), complete: false };
            room.add_page(page, PageFrom::After(last));
            pages += 1;
            let before = window.range(&room);
            window = window.newer(&room).expect("the page is next to it now");
            let after = window.range(&room);
            assert!(after.len() <= WINDOW_ROWS && after.start < before.end, "the rows on screen stay in the page");
        }
        assert_eq!(pages, 4, "the 400 messages of the hole, 100 at a time");
        while let Some(newer) = window.newer(&room) {
            window = newer;
        }
        assert!(window.shows_newest(&room) && !window.apart_from_newest(&room));
        assert_eq!(room.stretch_of(0), 0..800, "all held whole now");
    }

    #[test]
    fn a_window_held_from_before_never_reaches_across_a_hole_opened_under_it() {
        let held = Window::Fixed { first: Seq(401), last: Seq(1_100) };
        let room = with_a_stretch_far_back();
        assert_eq!(shown(held, &room), (401, 600), "up to the hole, not the newest rows after it");
    }

    #[test]
    fn rows_backfilled_inside_a_held_window_join_it() {
        let with_gap = timeline((1..=100).chain(150..=200));
        let window = Window::Latest.hold(&with_gap);
        let backfilled = timeline(1..=200);
        assert_eq!(window.range(&backfilled), 0..200);
    }
}
