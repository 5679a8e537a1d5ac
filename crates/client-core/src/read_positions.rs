//! Where the person has read each room up to, as the server should hear it.
//! The server keeps the position (so unread counts survive a reload and follow
//! the person to their other tabs and devices); this says when to tell it.
//!
//! A position only moves forward. A room read as it arrives would move it with
//! every message, so the server hears at most once per `every` per room, the
//! newest position then, and whatever is held back goes at once when the page
//! hides or closes. Nothing acknowledges a `read` frame: after a reconnect,
//! every position the server has not confirmed (by telling us itself) goes
//! again; repeating one costs nothing, since it cannot move back.

use std::time::Duration;

use hanmadi_protocol::{RoomId, Seq};

use crate::sorted_map::SortedMap;
use crate::Instant;

#[derive(Debug, Default)]
pub struct ReadPositions {
    /// A sorted vector rather than a `HashMap` (bundle size, see `sorted_map`);
    /// `due` comes out in room order from it.
    rooms: SortedMap<RoomId, Position>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Position {
    /// Read up to here, as far as this engine knows.
    read: Seq,
    /// The newest position sent on this connection, or confirmed by the server.
    told: Seq,
    /// The newest position the server itself said it holds.
    confirmed: Seq,
    last_sent: Option<Instant>,
}

impl ReadPositions {
    /// The person read `room` up to `seq` here. True if that moved it forward.
    pub fn read(&mut self, room: RoomId, seq: Seq) -> bool {
        let position = self.rooms.get_or_insert_with(room, Position::default);
        if seq <= position.read {
            return false;
        }
        position.read = seq;
        true
    }

    /// The server holds `seq` for `room` (read on another screen). True if that
    /// moved this engine's position forward: the page has less unread.
    pub fn confirmed(&mut self, room: RoomId, seq: Seq) -> bool {
        let position = self.rooms.get_or_insert_with(room, Position::default);
        position.confirmed = position.confirmed.max(seq);
        position.told = position.told.max(seq);
        if seq <= position.read {
            return false;
        }
        position.read = seq;
        true
    }

    /// The positions to send now, each marked as told: those ahead of what the
    /// server was told, and not sent within `every`.
    pub fn due(&mut self, now: Instant, every: Duration) -> Vec<(RoomId, Seq)> {
        self.rooms
            .iter_mut()
            .filter(|(_, position)| position.read > position.told && position.may_send(now, every))
            .map(|(room, position)| {
                position.told = position.read;
                position.last_sent = Some(now);
                (*room, position.read)
            })
            .collect()
    }

    /// When a position held back by `every` may go.
    pub fn next_due(&self, every: Duration) -> Option<Instant> {
        self.rooms
            .values()
            .filter(|position| position.read > position.told)
            .filter_map(|position| position.last_sent.map(|sent| sent + every))
            .min()
    }

    /// Where each room is read up to, by room: those read at all.
    pub fn positions(&self) -> impl Iterator<Item = (RoomId, Seq)> + '_ {
        self.rooms
            .iter()
            .filter(|(_, position)| !position.read.is_zero())
            .map(|(room, position)| (*room, position.read))
    }

    /// A new connection: what was sent on the old one may not have arrived.
    pub fn on_reconnect(&mut self) {
        for position in self.rooms.values_mut() {
            position.told = position.confirmed;
            position.last_sent = None;
        }
    }
}

impl Position {
    fn may_send(&self, now: Instant, every: Duration) -> bool {
        self.last_sent.is_none_or(|sent| now.saturating_since(sent) >= every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: Duration = Duration::from_secs(1);
    const ROOM: RoomId = RoomId(1);

    fn at(millis: u64) -> Instant {
        Instant::from_millis(millis)
    }

    #[test]
    fn a_room_read_as_it_arrives_is_told_at_most_once_a_second_with_the_newest_position() {
        let mut positions = ReadPositions::default();
        assert!(positions.read(ROOM, Seq(5)));
        assert_eq!(positions.due(at(0), EVERY), vec![(ROOM, Seq(5))]);
        for (millis, seq) in [(100, 6), (400, 7), (900, 8)] {
            positions.read(ROOM, Seq(seq));
            assert_eq!(positions.due(at(millis), EVERY), vec![], "held back at {millis} ms");
        }
        assert_eq!(positions.next_due(EVERY), Some(at(1_000)));
        assert_eq!(positions.due(at(1_000), EVERY), vec![(ROOM, Seq(8))]);
        assert_eq!(positions.next_due(EVERY), None, "nothing left to tell");
    }

    #[test]
    fn a_position_never_moves_back() {
        let mut positions = ReadPositions::default();
        positions.read(ROOM, Seq(9));
        assert!(!positions.read(ROOM, Seq(4)));
        assert!(!positions.confirmed(ROOM, Seq(7)));
        assert_eq!(positions.due(at(0), EVERY), vec![(ROOM, Seq(9))]);
    }

    #[test]
    fn after_a_reconnect_what_the_server_has_not_confirmed_goes_again() {
        let mut positions = ReadPositions::default();
        positions.read(ROOM, Seq(3));
        positions.read(RoomId(2), Seq(10));
        positions.confirmed(RoomId(2), Seq(10));
        assert_eq!(positions.due(at(0), EVERY), vec![(ROOM, Seq(3))], "the server told us of room 2 itself");
        positions.on_reconnect();
        assert_eq!(positions.due(at(10), EVERY), vec![(ROOM, Seq(3))], "at once, on the new connection");
    }

    #[test]
    fn where_each_room_is_read_is_known_while_held_back() {
        let mut positions = ReadPositions::default();
        positions.read(RoomId(2), Seq(4));
        positions.due(at(0), EVERY);
        positions.read(RoomId(2), Seq(6));
        positions.confirmed(ROOM, Seq(3));
        positions.confirmed(RoomId(3), Seq::ZERO);
        assert_eq!(positions.positions().collect::<Vec<_>>(), [(ROOM, Seq(3)), (RoomId(2), Seq(6))]);
    }

    #[test]
    fn reading_elsewhere_moves_the_position_and_is_not_sent_back() {
        let mut positions = ReadPositions::default();
        assert!(positions.confirmed(ROOM, Seq(12)));
        assert_eq!(positions.due(at(0), EVERY), vec![]);
        assert!(positions.read(ROOM, Seq(13)));
        assert_eq!(positions.due(at(0), EVERY), vec![(ROOM, Seq(13))]);
    }
}
