//! Each room's reliable event stream: delivered exactly once and in sequence order,
//! whatever order and however often the network hands events over.
//!
//! The cursor of a room is the last *contiguous* sequence number delivered.
//! Anything at or below it is a duplicate; anything beyond the next one is held
//! back and the gap before it is reported, to be fetched over HTTP, page after
//! page (the server answers at most 1,000 events at a time) until it is closed.
//! Only a range the server answers with nothing new is given up on: those
//! events no longer exist, and the app says so in the timeline.

use std::time::Duration;

use hanmadi_protocol::{Millis, RoomEvent, RoomId, Seq, UserId};

use crate::sorted_map::SortedMap;
use crate::Instant;

/// A held-back event waiting for the gap before it to close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequencedEvent {
    pub seq: Seq,
    pub at: Millis,
    pub event: RoomEvent,
}

/// How a gap closed: the app says so in the timeline when events were lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapOutcome {
    /// The missing events arrived by themselves (they were only late).
    Recovered,
    /// A history fetch filled the gap.
    Backfilled,
    /// The server did not have the missing events; the room skipped past them.
    /// `from` is the first seq that will never be shown: the timeline marks
    /// the place, so nothing is missing silently.
    Resynced { from: Seq },
}

/// What the streams ask of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamOutput {
    /// The next events of a room, in order, each exactly once. `live`: they
    /// come after the head the server caught the room up to since the
    /// connection was last lost, so they are happening now, not replayed (or
    /// fetched) from while the app was away.
    Deliver { room: RoomId, events: Vec<SequencedEvent>, live: bool },
    /// Fetch the events with `after < seq < before` over HTTP and hand them to
    /// [`RoomStreams::on_history`].
    FetchRange { room: RoomId, after: Seq, before: Seq },
    /// A gap closed.
    GapClosed { room: RoomId, outcome: GapOutcome },
}

#[derive(Debug, Default)]
struct Stream {
    delivered: Seq,
    held: SortedMap<Seq, SequencedEvent>,
    /// The highest seq known to exist beyond what is held: events above
    /// [`MAX_HELD`] are let go (memory stays bounded) and fetched again later,
    /// and a resume's replay may stop short of the head it names.
    known_head: Seq,
    /// The gap being fetched, if any, so it is asked for once.
    fetching: Option<(Seq, Seq)>,
    /// A fetch that failed: the end of its range, and when to ask again.
    retry: Option<(Seq, Instant)>,
    failed_fetches: u32,
    /// The head the server replayed the room up to since the connection was
    /// last lost: what comes after it comes as it happens.
    caught_up_to: Option<Seq>,
}

/// Waits before asking again for a range whose fetch failed: 1 s, doubling, at most 30 s.
fn retry_delay(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(5)).min(Duration::from_secs(30))
}

#[derive(Debug, Default)]
pub struct RoomStreams {
    rooms: SortedMap<RoomId, Stream>,
}

/// Events held back per room while a gap is fetched. Beyond, the newest are
/// let go and fetched again once the gap is closed: memory stays bounded and
/// nothing is skipped.
const MAX_HELD: usize = 2000;

impl RoomStreams {
    /// Starts (or moves forward) a room's cursor: the app has everything up to `after`.
    pub fn track(&mut self, room: RoomId, after: Seq) {
        let stream = self.rooms.get_or_insert_with(room, Stream::default);
        stream.delivered = stream.delivered.max(after);
        stream.held.retain(|seq, _| *seq > after);
    }

    /// The server's log ends at `head`, before our cursor: everything held is
    /// forgotten and the room is followed from `head`. False if not tracked.
    pub fn reset(&mut self, room: RoomId, head: Seq) -> bool {
        match self.rooms.get_mut(&room) {
            Some(stream) => {
                *stream = Stream { delivered: head, ..Stream::default() };
                true
            }
            None => false,
        }
    }

    pub fn untrack(&mut self, room: RoomId) {
        self.rooms.remove(&room);
    }

    pub fn cursor(&self, room: RoomId) -> Option<Seq> {
        self.rooms.get(&room).map(|stream| stream.delivered)
    }

    /// Every tracked room with its cursor, for resuming after a reconnect, in
    /// room order.
    pub fn cursors(&self) -> impl Iterator<Item = (RoomId, Seq)> + '_ {
        self.rooms.iter().map(|(room, stream)| (*room, stream.delivered))
    }

    /// An event arrived live or in a resume replay. Events of untracked rooms are
    /// ignored: the app loads a room's history before it tracks the room.
    pub fn on_event(&mut self, room: RoomId, event: SequencedEvent, out: &mut Vec<StreamOutput>) {
        let Some(stream) = self.rooms.get_mut(&room) else { return };
        if event.seq <= stream.delivered {
            return;
        }
        stream.held.insert_if_absent(event.seq, event);
        let gap_was_open = stream.fetching.is_some();
        Self::drain(room, stream, out);
        match (gap_was_open, stream.held.is_empty()) {
            // A fetch reaching further than what came (to the head a short
            // replay named) carries on: asking again at each event of a
            // replay would send a request per event.
            (true, true) if stream.fetching.is_some_and(|(_, before)| before > stream.delivered.next()) => {}
            (true, true) => {
                stream.fetching = None;
                Self::gap_closed(room, stream, GapOutcome::Recovered, out);
            }
            (true, false) => Self::let_go_beyond_max_held(stream),
            (false, false) => {
                Self::let_go_beyond_max_held(stream);
                Self::ask_for_missing(room, stream, out);
            }
            _ => {}
        }
    }

    /// The answer to the [`StreamOutput::FetchRange`] for `after < seq < before`:
    /// the events the server has in that range (possibly none, if they no
    /// longer exist). An answer to a range no longer asked for (asked before a
    /// reconnect, or before its gap closed by itself) is dropped: what it
    /// lacks says nothing of the range asked now, and what it holds came, or
    /// will come, another way (the resume's replay, the fetch asked now).
    pub fn on_history(
        &mut self,
        room: RoomId,
        (after, before): (Seq, Seq),
        events: Vec<SequencedEvent>,
        out: &mut Vec<StreamOutput>,
    ) {
        let Some(stream) = self.rooms.get_mut(&room) else { return };
        if stream.fetching != Some((after, before)) {
            return;
        }
        stream.fetching = None;
        stream.failed_fetches = 0;
        let cursor_before = stream.delivered;
        let newest_answered = events.last().map(|event| event.seq);
        Self::merge(room, stream, events, out);
        let brought_meanwhile = newest_answered.is_some_and(|newest| newest <= stream.delivered);
        if stream.delivered.next() >= before {
            Self::gap_closed(room, stream, GapOutcome::Backfilled, out);
        } else if stream.delivered > cursor_before || brought_meanwhile {
            // A page, not the whole range (the server caps its answers), or
            // events the socket brought meanwhile: ask for the rest, from
            // where the room is now.
            Self::ask(room, stream, before, out);
        } else {
            // The server answered and had nothing of the range: those events are
            // gone for good, and waiting for them would stall the room forever.
            Self::skip_to(room, stream, before, out);
        }
    }

    /// The gap up to the first held event is closed. If more is missing beyond
    /// it (a later gap before an event held, events let go above what is held,
    /// or a head the server replayed the room up to), that is the next range
    /// to fetch: nothing else would ask for it in a quiet room.
    fn gap_closed(room: RoomId, stream: &mut Stream, outcome: GapOutcome, out: &mut Vec<StreamOutput>) {
        out.push(StreamOutput::GapClosed { room, outcome });
        Self::ask_for_missing(room, stream, out);
    }

    /// Asks for the first range missing after the cursor, if any: up to the
    /// first event held, or past the newest known to exist.
    fn ask_for_missing(room: RoomId, stream: &mut Stream, out: &mut Vec<StreamOutput>) {
        let known_beyond = (stream.known_head > stream.delivered).then(|| stream.known_head.next());
        let before = stream.held.keys().next().copied().or(known_beyond);
        if let Some(before) = before.filter(|before| *before > stream.delivered.next()) {
            Self::ask(room, stream, before, out);
        }
    }

    /// Asks for the room's events from the cursor up to `before`, once.
    fn ask(room: RoomId, stream: &mut Stream, before: Seq, out: &mut Vec<StreamOutput>) {
        stream.fetching = Some((stream.delivered, before));
        out.push(StreamOutput::FetchRange { room, after: stream.delivered, before });
    }

    /// Keeps the oldest [`MAX_HELD`] held events and remembers how far the rest went.
    fn let_go_beyond_max_held(stream: &mut Stream) {
        if stream.held.len() <= MAX_HELD {
            return;
        }
        let keep_below = *stream.held.keys().nth(MAX_HELD).expect("more than MAX_HELD");
        let let_go = stream.held.split_off(&keep_below);
        if let Some(highest) = let_go.last_key() {
            stream.known_head = stream.known_head.max(*highest);
        }
    }

    /// The server finished replaying a room up to `head`. If the cursor is still
    /// short of it, events went missing in the replay: fetch them.
    pub fn on_caught_up(&mut self, room: RoomId, head: Seq, out: &mut Vec<StreamOutput>) {
        let Some(stream) = self.rooms.get_mut(&room) else { return };
        stream.caught_up_to = Some(head);
        // Everything up to it exists: what one fetch does not reach, the next will.
        stream.known_head = stream.known_head.max(head);
        if stream.fetching.is_none() {
            Self::ask_for_missing(room, stream, out);
        }
    }

    /// The history fetch for `after < seq < before` failed (network): ask again
    /// after a growing pause, unless the gap closes by itself first. A range no
    /// longer asked for is not asked again.
    pub fn on_history_failed(&mut self, room: RoomId, (after, before): (Seq, Seq), now: Instant) {
        let Some(stream) = self.rooms.get_mut(&room) else { return };
        if stream.fetching == Some((after, before)) {
            stream.fetching = None;
            stream.retry = Some((before, now + retry_delay(stream.failed_fetches)));
            stream.failed_fetches += 1;
        }
    }

    /// When the next failed fetch is due to be asked again.
    pub fn next_retry(&self) -> Option<Instant> {
        self.rooms.values().filter_map(|stream| stream.retry.map(|(_, at)| at)).min()
    }

    /// Asks again for every failed range that is due and still missing.
    pub fn retry_due(&mut self, now: Instant, out: &mut Vec<StreamOutput>) {
        for (room, stream) in self.rooms.iter_mut() {
            let Some((before, at)) = stream.retry else { continue };
            if at > now {
                continue;
            }
            stream.retry = None;
            if stream.fetching.is_none() && stream.delivered.next() < before {
                Self::ask(*room, stream, before, out);
            }
        }
    }

    /// After a reconnect the server replays from each cursor, which fills any gap;
    /// fetches in flight are no longer needed.
    pub fn on_reconnect(&mut self) {
        self.on_connection_lost();
        for stream in self.rooms.values_mut() {
            stream.fetching = None;
            stream.retry = None;
            // The replay and the head it names say anew what exists (the
            // server's log may have gone back, restored from a backup).
            stream.known_head = stream.delivered;
        }
    }

    /// The connection events come through was lost (this tab's own, or the
    /// leading tab's that a following tab hears through): until the server
    /// has caught each room up again, what comes is from while it was lost.
    pub fn on_connection_lost(&mut self) {
        for stream in self.rooms.values_mut() {
            stream.caught_up_to = None;
        }
    }

    /// The server skipped some of `room`'s live events and replays them (a
    /// resync): until it has caught the room up again, what comes is from
    /// while they were missed, not live.
    pub fn on_resync(&mut self, room: RoomId) {
        if let Some(stream) = self.rooms.get_mut(&room) {
            stream.caught_up_to = None;
        }
    }

    fn merge(room: RoomId, stream: &mut Stream, events: Vec<SequencedEvent>, out: &mut Vec<StreamOutput>) {
        for event in events.into_iter().filter(|event| event.seq > stream.delivered) {
            stream.held.insert_if_absent(event.seq, event);
        }
        Self::drain(room, stream, out);
    }

    /// Gives up on everything missing before `seq`: delivers what is held below it,
    /// in order, then carries on from `seq`.
    fn skip_to(room: RoomId, stream: &mut Stream, seq: Seq, out: &mut Vec<StreamOutput>) {
        let from = stream.delivered.next();
        let rest = stream.held.split_off(&seq);
        let skipped: Vec<SequencedEvent> = std::mem::replace(&mut stream.held, rest).into_values().collect();
        if !skipped.is_empty() {
            let live = Self::live(stream, &skipped);
            out.push(StreamOutput::Deliver { room, events: skipped, live });
        }
        stream.delivered = stream.delivered.max(Seq(seq.0 - 1));
        stream.fetching = None;
        Self::drain(room, stream, out);
        Self::gap_closed(room, stream, GapOutcome::Resynced { from }, out);
    }

    /// Delivers the held events that directly follow the cursor.
    fn drain(room: RoomId, stream: &mut Stream, out: &mut Vec<StreamOutput>) {
        let mut events = Vec::new();
        while let Some(event) = stream.held.remove(&stream.delivered.next()) {
            stream.delivered = event.seq;
            events.push(event);
        }
        if !events.is_empty() {
            let live = Self::live(stream, &events);
            out.push(StreamOutput::Deliver { room, events, live });
        }
    }

    /// Whether `events` happen now: they come after the head the room was
    /// caught up to.
    fn live(stream: &Stream, events: &[SequencedEvent]) -> bool {
        stream.caught_up_to.zip(events.first()).is_some_and(|(head, first)| first.seq > head)
    }
}

/// Whether the last of `me`'s own joins and leaves among `events` is a leave
/// (a batch may hold her leaving and coming back).
pub fn last_says_left(events: &[SequencedEvent], me: UserId) -> bool {
    let own = events.iter().rev().find_map(|sequenced| match sequenced.event {
        RoomEvent::Left { user, .. } if user == me => Some(true),
        RoomEvent::Joined { user, .. } if user == me => Some(false),
        _ => None,
    });
    own.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hanmadi_protocol::UserId;

    const ROOM: RoomId = RoomId(1);

    fn event(seq: u64) -> SequencedEvent {
        SequencedEvent { seq: Seq(seq), at: 0, event: RoomEvent::Left { user: UserId(seq), name: None } }
    }

    fn delivered(out: &[StreamOutput]) -> Vec<u64> {
        out.iter()
            .flat_map(|o| match o {
                StreamOutput::Deliver { events, .. } => events.iter().map(|e| e.seq.0).collect(),
                _ => vec![],
            })
            .collect()
    }

    #[test]
    fn what_a_reconnect_replays_is_not_live_and_what_comes_once_caught_up_is() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let live = |out: &[StreamOutput]| -> Vec<bool> {
            out.iter()
                .filter_map(|o| match o {
                    StreamOutput::Deliver { live, .. } => Some(*live),
                    _ => None,
                })
                .collect()
        };
        let mut out = Vec::new();
        for _connection in 0..2 {
            streams.on_reconnect();
            out.clear();
            let replayed = streams.cursor(ROOM).unwrap().next();
            streams.on_event(ROOM, event(replayed.0), &mut out);
            streams.on_caught_up(ROOM, replayed, &mut out);
            streams.on_event(ROOM, event(replayed.0 + 1), &mut out);
            assert_eq!(live(&out), [false, true], "replayed, then happening");
        }
        // The replay stopped short of the head (the server's budget): what is
        // fetched up to it came while away too.
        streams.on_reconnect();
        out.clear();
        let cursor = streams.cursor(ROOM).unwrap().0;
        streams.on_caught_up(ROOM, Seq(cursor + 2), &mut out);
        streams.on_history(ROOM, (Seq(cursor), Seq(cursor + 3)), vec![event(cursor + 1), event(cursor + 2)], &mut out);
        streams.on_event(ROOM, event(cursor + 3), &mut out);
        assert_eq!(live(&out), [false, true], "fetched, then happening");
    }

    #[test]
    fn a_head_named_before_a_reconnect_is_not_fetched_after_it() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(10));
        let mut out = Vec::new();
        streams.on_caught_up(ROOM, Seq(100), &mut out);
        assert_eq!(out, [StreamOutput::FetchRange { room: ROOM, after: Seq(10), before: Seq(101) }]);
        // The server's log went back to 90 (restored from a backup) meanwhile.
        streams.on_reconnect();
        out.clear();
        streams.on_caught_up(ROOM, Seq(90), &mut out);
        assert_eq!(out, [StreamOutput::FetchRange { room: ROOM, after: Seq(10), before: Seq(91) }]);
        streams.on_history(ROOM, (Seq(10), Seq(91)), (11..=90).map(event).collect(), &mut out);
        assert_eq!(streams.cursor(ROOM), Some(Seq(90)));
        assert_eq!(out.last(), Some(&StreamOutput::GapClosed { room: ROOM, outcome: GapOutcome::Backfilled }));
    }

    #[test]
    fn duplicates_are_dropped_and_order_is_kept() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let mut out = Vec::new();
        for seq in [1, 2, 2, 1, 3] {
            streams.on_event(ROOM, event(seq), &mut out);
        }
        assert_eq!(delivered(&out), [1, 2, 3]);
    }

    #[test]
    fn a_late_event_closes_its_gap_by_itself() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let mut out = Vec::new();
        streams.on_event(ROOM, event(1), &mut out);
        streams.on_event(ROOM, event(3), &mut out);
        assert!(out.contains(&StreamOutput::FetchRange { room: ROOM, after: Seq(1), before: Seq(3) }));
        streams.on_event(ROOM, event(4), &mut out);
        let fetches = out.iter().filter(|o| matches!(o, StreamOutput::FetchRange { .. })).count();
        assert_eq!(fetches, 1, "one gap, one fetch");
        streams.on_event(ROOM, event(2), &mut out);
        assert_eq!(delivered(&out), [1, 2, 3, 4]);
        assert_eq!(out.last(), Some(&StreamOutput::GapClosed { room: ROOM, outcome: GapOutcome::Recovered }));
    }

    #[test]
    fn a_fetched_range_backfills_the_gap() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(10));
        let mut out = Vec::new();
        streams.on_event(ROOM, event(14), &mut out);
        assert_eq!(out, [StreamOutput::FetchRange { room: ROOM, after: Seq(10), before: Seq(14) }]);
        streams.on_history(ROOM, (Seq(10), Seq(14)), vec![event(11), event(12), event(13)], &mut out);
        assert_eq!(delivered(&out), [11, 12, 13, 14]);
        assert_eq!(out.last(), Some(&StreamOutput::GapClosed { room: ROOM, outcome: GapOutcome::Backfilled }));
    }

    #[test]
    fn events_the_server_no_longer_has_are_skipped_instead_of_stalling() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let mut out = Vec::new();
        streams.on_event(ROOM, event(5), &mut out);
        streams.on_history(ROOM, (Seq(0), Seq(5)), vec![event(2)], &mut out);
        assert_eq!(delivered(&out), [2, 5], "what exists is delivered, in order");
        assert_eq!(
            out.last(),
            Some(&StreamOutput::GapClosed { room: ROOM, outcome: GapOutcome::Resynced { from: Seq(1) } }),
            "1, 3 and 4 are gone: the timeline marks the place of the first"
        );
        assert_eq!(streams.cursor(ROOM), Some(Seq(5)));
    }

    /// Answers every fetch the way the server does: what exists in the range,
    /// at most a page of it.
    fn serve_fetches(streams: &mut RoomStreams, out: &mut Vec<StreamOutput>, exists_up_to: u64) -> usize {
        let mut fetches = 0;
        while let Some(StreamOutput::FetchRange { after, before, .. }) =
            out.iter().rev().find(|o| matches!(o, StreamOutput::FetchRange { .. })).cloned()
        {
            if !matches!(out.last(), Some(StreamOutput::FetchRange { .. })) {
                break;
            }
            fetches += 1;
            let page: Vec<_> = (after.0 + 1..before.0.min(exists_up_to + 1)).take(1000).map(event).collect();
            streams.on_history(ROOM, (after, before), page, out);
        }
        fetches
    }

    #[test]
    fn a_gap_of_five_thousand_events_is_backfilled_page_after_page() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let mut out = Vec::new();
        streams.on_event(ROOM, event(5001), &mut out);
        let fetches = serve_fetches(&mut streams, &mut out, 5001);
        assert_eq!(fetches, 5, "five pages of a thousand");
        assert_eq!(delivered(&out), (1..=5001).collect::<Vec<_>>(), "every event once, in order");
        assert_eq!(out.last(), Some(&StreamOutput::GapClosed { room: ROOM, outcome: GapOutcome::Backfilled }));
    }

    #[test]
    fn a_flood_past_the_holding_limit_is_let_go_and_fetched_again_not_skipped() {
        let mut streams = RoomStreams::default();
        streams.track(ROOM, Seq(0));
        let mut out = Vec::new();
        for seq in 2..=5000 {
            streams.on_event(ROOM, event(seq), &mut out);
        }
        assert!(streams.rooms[&ROOM].held.len() <= MAX_HELD, "memory stays bounded");
        serve_fetches(&mut streams, &mut out, 5000);
        assert_eq!(delivered(&out), (1..=5000).collect::<Vec<_>>(), "every event once, in order");
        assert!(!out.iter().any(|o| matches!(o, StreamOutput::GapClosed { outcome: GapOutcome::Resynced { .. }, .. })));
        assert_eq!(streams.cursor(ROOM), Some(Seq(5000)));
    }

    #[test]
    fn untracked_rooms_are_ignored() {
        let mut streams = RoomStreams::default();
        let mut out = Vec::new();
        streams.on_event(ROOM, event(1), &mut out);
        assert!(out.is_empty());
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;
    use hanmadi_protocol::UserId;

    #[test]
    fn a_failed_fetch_is_asked_again_later_with_growing_pauses() {
        let room = RoomId(1);
        let mut streams = RoomStreams::default();
        streams.track(room, Seq(0));
        let mut out = Vec::new();
        let event = SequencedEvent { seq: Seq(3), at: 0, event: RoomEvent::Left { user: UserId(1), name: None } };
        streams.on_event(room, event, &mut out);
        let fetch = StreamOutput::FetchRange { room, after: Seq(0), before: Seq(3) };
        assert_eq!(out, std::slice::from_ref(&fetch));

        out.clear();
        streams.on_history_failed(room, (Seq(0), Seq(3)), Instant::from_millis(0));
        assert_eq!(streams.next_retry(), Some(Instant::from_millis(1000)));
        streams.retry_due(Instant::from_millis(999), &mut out);
        assert!(out.is_empty());
        streams.retry_due(Instant::from_millis(1000), &mut out);
        assert_eq!(out, [fetch]);
        streams.on_history_failed(room, (Seq(0), Seq(3)), Instant::from_millis(1000));
        assert_eq!(streams.next_retry(), Some(Instant::from_millis(3000)), "the pause doubles");
    }
}
