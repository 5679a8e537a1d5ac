//! What the page shows, as the server would list it: the rooms list with
//! where the person has read each room up to and what is unread, and the
//! newest messages of each room they are in. Kept by `crate::last_seen` so the
//! app opens with it when the server cannot be reached; given back through
//! the same operations a fetch uses, so nothing else needs to know.

use hanmadi_protocol::http::{MessagesPage, Profile, RoomSummary};
use hanmadi_protocol::RoomId;
use leptos::prelude::*;

use super::Store;

/// The newest messages kept of each room.
pub const MESSAGES_KEPT: usize = 50;
/// The rooms (of yours) whose messages are kept: those first in the list.
pub const ROOMS_KEPT: usize = 20;

/// The rooms list, and the newest messages of rooms of yours.
pub struct Snapshot {
    pub rooms: Vec<RoomSummary>,
    pub pages: Vec<(RoomId, MessagesPage)>,
}

impl Store {
    /// The rooms list as the server would answer it now, and the newest
    /// messages of the first [`ROOMS_KEPT`] rooms of yours. A room's head is
    /// its newest message kept: following it again from there replays only
    /// what came after. `None` before any rooms list is shown (a reload on a
    /// slow network left at once): the page holds nothing worth keeping then,
    /// and what was kept before is worth more.
    pub fn snapshot(&self) -> Option<Snapshot> {
        if !self.has_rooms_list() {
            return None;
        }
        let rooms = self.rooms.get_untracked();
        let mut pages = Vec::new();
        let rooms = rooms
            .into_iter()
            .map(|info| {
                let state = self.room(info.id);
                let read = state.read.get_untracked();
                // Only the newest are walked, however long the room's history,
                // and none from across a hole: the page kept is read as whole.
                let mut newest: Vec<_> = state
                    .timeline
                    .with_untracked(|timeline| timeline.newest_whole().rev().take(MESSAGES_KEPT).cloned().collect());
                newest.reverse();
                // A room not loaded yet keeps the page kept before, which the
                // server's head, as listed, counts the unread from.
                let listed_head = state.listed.get_untracked().map_or(read, |listed| listed.head.max(read));
                let head = newest.last().map_or(listed_head, |message| message.seq.max(read));
                if info.member && !newest.is_empty() && pages.len() < ROOMS_KEPT {
                    // Without their notices ("Jun joined"), fetched again
                    // once the server answers (`socket::adapter`).
                    pages
                        .push((info.id, MessagesPage { head, messages: newest, notices: Vec::new(), complete: false }));
                }
                RoomSummary {
                    id: info.id,
                    name: info.name.clone(),
                    head,
                    members: 0,
                    member: info.member,
                    read,
                    unread: info.unread.messages,
                    mentions: info.unread.mentions,
                    kind: info.kind,
                    with: info.with.map(|id| Profile { id, name: info.name.clone() }),
                    last: info.last.clone(),
                    seen: state.seen.get_untracked(),
                }
            })
            .collect();
        Some(Snapshot { rooms, pages })
    }

    /// The rooms of yours whose messages are not loaded yet: what was kept
    /// of them before still stands.
    pub fn rooms_not_loaded(&self) -> Vec<RoomId> {
        let rooms = self.rooms.get_untracked();
        let unloaded = rooms
            .iter()
            .filter(|info| info.member && self.room(info.id).timeline.with_untracked(|t| t.entries().is_empty()));
        unloaded.map(|info| info.id).collect()
    }
}
