//! Which stretch of a room's timeline is in the page. A room may hold tens of
//! thousands of rows in memory, but the page only ever renders about
//! [`WINDOW_ROWS`] of them around what the reader is looking at: the window slides
//! by [`STEP_ROWS`] as the reader nears either edge. Pure logic, tested natively;
//! the message list does the scrolling and keeps the view still.

use std::ops::Range;

use hanmadi_protocol::Seq;

use super::timeline::Entry;

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
    /// The indices of `entries` (sorted by seq) in the page.
    pub fn range(self, entries: &[Entry]) -> Range<usize> {
        match self {
            Window::Latest => entries.len().saturating_sub(WINDOW_ROWS)..entries.len(),
            Window::Fixed { first, last } => {
                let start = entries.partition_point(|entry| entry.seq() < first);
                let end = entries.partition_point(|entry| entry.seq() <= last);
                start..end.max(start)
            }
        }
    }

    /// The same rows, no longer following: the reader has scrolled up.
    pub fn hold(self, entries: &[Entry]) -> Window {
        fixed(entries, self.range(entries)).unwrap_or(self)
    }

    /// Whether the newest row held is in the page.
    pub fn shows_newest(self, entries: &[Entry]) -> bool {
        self.range(entries).end == entries.len()
    }

    /// The window moved `STEP_ROWS` toward older rows, or `None` when it already
    /// starts at the oldest row held (time to fetch the page before it).
    pub fn older(self, entries: &[Entry]) -> Option<Window> {
        let range = self.range(entries);
        if range.start == 0 {
            return None;
        }
        let start = range.start.saturating_sub(STEP_ROWS);
        let end = (start + WINDOW_ROWS).min(entries.len()).max(range.start);
        fixed(entries, start..end)
    }

    /// The rows around `seq` (the row at it, or the first after it), with it
    /// in the middle: where a reply's quote or a link to a message opens the
    /// room. The newest rows are followed again if the window reaches them.
    pub fn around(entries: &[Entry], seq: Seq) -> Window {
        let at = entries.partition_point(|entry| entry.seq() < seq);
        let start = at.saturating_sub(STEP_ROWS);
        let end = (start + WINDOW_ROWS).min(entries.len());
        let start = end.saturating_sub(WINDOW_ROWS).min(start);
        if end == entries.len() {
            return Window::Latest;
        }
        fixed(entries, start..end).unwrap_or_default()
    }

    /// The window moved `STEP_ROWS` toward newer rows, or `None` when it already
    /// shows the newest.
    pub fn newer(self, entries: &[Entry]) -> Option<Window> {
        let range = self.range(entries);
        if range.end == entries.len() {
            return None;
        }
        let end = (range.end + STEP_ROWS).min(entries.len());
        let start = end.saturating_sub(WINDOW_ROWS).min(range.end);
        fixed(entries, start..end)
    }
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
    /// Hold these rows and fetch the page before the oldest row held.
    FetchOlder(Window),
}

impl Window {
    /// The window after the reader scrolled to `position`.
    pub fn scrolled(self, entries: &[Entry], position: ScrollPosition) -> Scrolled {
        if position.at_bottom && self.shows_newest(entries) {
            return Scrolled::Follow;
        }
        let held = self.hold(entries);
        if position.near_bottom {
            if let Some(newer) = held.newer(entries) {
                return Scrolled::Slide(newer);
            }
        }
        if position.near_top {
            return match held.older(entries) {
                Some(older) => Scrolled::Slide(older),
                None => Scrolled::FetchOlder(held),
            };
        }
        Scrolled::Keep(held)
    }
}

fn fixed(entries: &[Entry], range: Range<usize>) -> Option<Window> {
    let rows = entries.get(range)?;
    Some(Window::Fixed { first: rows.first()?.seq(), last: rows.last()?.seq() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::timeline::Timeline;
    use hanmadi_protocol::http::MessagesPage;
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
        let range = window.range(entries);
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
        let held = Window::Latest.hold(room.entries());
        let later = timeline(1..=1_050);
        assert_eq!(shown(held, &later), (801, 1_000));
        assert!(!held.shows_newest(later.entries()), "the 50 new rows wait behind Jump to latest");
        assert!(Window::Latest.shows_newest(later.entries()));
    }

    #[test]
    fn scrolling_up_slides_the_window_and_drops_rows_far_below() {
        let room = timeline(1..=10_000);
        let entries = room.entries();
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
        assert_eq!(Window::Latest.range(room.entries()), 0..30);
        assert_eq!(Window::Latest.older(room.entries()), None);
        assert_eq!(Window::Latest.newer(room.entries()), None);
        assert_eq!(Window::Latest.older(&[]), None);
        assert_eq!(Window::Latest.hold(&[]), Window::Latest);
    }

    #[test]
    fn a_page_of_history_slots_in_above_and_the_window_reaches_into_it() {
        let mut room = timeline(301..=500);
        let window = Window::Latest.hold(room.entries());
        assert_eq!(window.older(room.entries()), None, "nothing older held yet");
        let page = timeline(251..=300);
        let messages = page.entries().iter().filter_map(|e| match e {
            Entry::Message(m) => Some(m.clone()),
            Entry::Notice { .. } => None,
        });
        room.add_history(MessagesPage {
            head: Seq(500),
            messages: messages.collect(),
            notices: Vec::new(),
            complete: false,
        });
        assert_eq!(shown(window, &room), (301, 500), "the rows on screen did not move");
        let older = window.older(room.entries()).expect("the new page is reachable");
        assert_eq!(shown(older, &room), (251, 450));
    }

    #[test]
    fn scrolling_decides_between_following_holding_sliding_and_fetching() {
        let room = timeline(1..=1_000);
        let entries = room.entries();
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
            Window::Latest.scrolled(short.entries(), at(false, true, false)),
            Scrolled::FetchOlder(Window::Fixed { first: Seq(951), last: Seq(1_000) }),
        );
    }

    #[test]
    fn a_message_far_back_opens_in_the_middle_of_its_window() {
        let room = timeline(1..=10_000);
        let entries = room.entries();
        assert_eq!(shown(Window::around(entries, Seq(5_000)), &room), (4_900, 5_099));
        assert_eq!(shown(Window::around(entries, Seq(30)), &room), (1, 200), "near the start: the first rows");
        assert_eq!(Window::around(entries, Seq(9_950)), Window::Latest, "near the end: follow the newest again");
        let with_gap = timeline((1..=100).chain(300..=1_000));
        assert_eq!(
            shown(Window::around(with_gap.entries(), Seq(200)), &with_gap),
            (1, 399),
            "a seq not held opens at the first row after it"
        );
    }

    #[test]
    fn rows_backfilled_inside_a_held_window_join_it() {
        let with_gap = timeline((1..=100).chain(150..=200));
        let window = Window::Latest.hold(with_gap.entries());
        let backfilled = timeline(1..=200);
        assert_eq!(window.range(backfilled.entries()), 0..200);
    }
}
