//! Typing indicators, an ephemeral signal: each "is typing" expires on the
//! receiver a few seconds after the last one, and the sender repeats it at most
//! every few seconds while the user keeps typing.

use std::time::Duration;

use hanmadi_protocol::{RoomId, UserId};

use crate::sorted_map::SortedMap;
use crate::Instant;

#[derive(Debug, Default)]
pub struct Typing {
    /// Per room, who is typing and until when (ordered by user for stable names).
    typists: SortedMap<RoomId, SortedMap<UserId, (String, Instant)>>,
    /// When we last told the server we were typing, per room.
    last_sent: SortedMap<RoomId, Instant>,
}

impl Typing {
    /// Someone is typing. Returns true if the room's list of names changed.
    pub fn on_typing(&mut self, room: RoomId, user: UserId, name: String, until: Instant) -> bool {
        let typists = self.typists.get_or_insert_with(room, SortedMap::new);
        let changed = typists.get(&user).is_none_or(|(old_name, _)| *old_name != name);
        typists.insert(user, (name, until));
        changed
    }

    /// Someone's message arrived: they have stopped typing. True if that changed anything.
    pub fn stopped(&mut self, room: RoomId, user: UserId) -> bool {
        self.typists.get_mut(&room).is_some_and(|typists| typists.remove(&user).is_some())
    }

    /// Forgets every signal that has run out; returns the rooms whose names changed.
    pub fn expire(&mut self, now: Instant) -> Vec<RoomId> {
        let mut changed = Vec::new();
        for (room, typists) in self.typists.iter_mut() {
            let before = typists.len();
            typists.retain(|_, (_, until)| *until > now);
            if typists.len() != before {
                changed.push(*room);
            }
        }
        self.typists.retain(|_, typists| !typists.is_empty());
        // In room order, as the map keeps them.
        changed
    }

    /// Who is typing in a room, in a stable order.
    pub fn names(&self, room: RoomId) -> Vec<String> {
        self.typists.get(&room).map(|t| t.values().map(|(name, _)| name.clone()).collect()).unwrap_or_default()
    }

    /// The next moment a signal runs out.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.typists.values().flat_map(|typists| typists.values().map(|(_, until)| *until)).min()
    }

    /// Whether our own keystroke should be announced now (at most once per `every`).
    pub fn should_announce(&mut self, room: RoomId, now: Instant, every: Duration) -> bool {
        match self.last_sent.get(&room) {
            Some(last) if now.saturating_since(*last) < every => false,
            _ => {
                self.last_sent.insert(room, now);
                true
            }
        }
    }

    /// Our message went out: the next keystroke is a new burst of typing.
    pub fn sent_message(&mut self, room: RoomId) {
        self.last_sent.remove(&room);
    }

    /// Everything typed before a disconnect is stale by the time we are back.
    pub fn clear(&mut self) -> Vec<RoomId> {
        // In room order, as the map keeps them.
        let rooms = std::mem::take(&mut self.typists).into_keys().collect();
        self.last_sent.clear();
        rooms
    }
}
