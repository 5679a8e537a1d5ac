//! What the person last saw, kept in localStorage, so the app opens with it
//! when the server cannot be reached: a reload with no network (the service
//! worker, `public/sw.js`, serves the app itself) shows the rooms, their
//! unread counts and the newest messages of each room (`Store::snapshot`
//! bounds it), and what is typed then is queued as always.
//!
//! Saved when the page is hidden or goes away (never on every event: a flood
//! must not turn into storage writes), under the person's id, so another
//! person signing in on this browser never sees it; dropped on signing out.

use hanmadi_protocol::http::{MessagesPage, RoomSummary};
use hanmadi_protocol::json;
use hanmadi_protocol::{RoomId, UserId};
use leptos::prelude::*;

use crate::local_storage::{forget_prefixed, keys, storage};
use crate::store::snapshot::Snapshot;
use crate::store::Store;

const PREFIX: &str = "hanmadi.last-seen.";

fn rooms_key(user: UserId) -> String {
    format!("{PREFIX}{user}.rooms")
}

fn room_key(user: UserId, room: RoomId) -> String {
    format!("{PREFIX}{user}.room.{room}")
}

/// Keeps what `store` shows, replacing what was kept before, but for the
/// rooms it has not loaded yet, and nothing before a rooms list is shown
/// (`Store::snapshot`). A full storage keeps what fitted: the rooms list
/// first, then room after room.
pub fn save(store: &Store) {
    let (Some(storage), Some(user)) = (storage(), store.me().get_untracked()) else { return };
    let Some(Snapshot { rooms, pages }) = store.snapshot() else { return };
    let still_stands: Vec<String> = store.rooms_not_loaded().into_iter().map(|room| room_key(user, room)).collect();
    let kept_rooms = format!("{PREFIX}{user}.room.");
    for key in keys(&storage).into_iter().filter(|key| key.starts_with(&kept_rooms) && !still_stands.contains(key)) {
        let _ = storage.remove_item(&key);
    }
    if let Ok(json) = serde_json::to_string(&rooms) {
        let _ = storage.set_item(&rooms_key(user), &json);
    }
    for (room, page) in pages {
        if let Ok(json) = serde_json::to_string(&page) {
            let _ = storage.set_item(&room_key(user, room), &json);
        }
    }
}

/// What was kept for `user`: the rooms list, and the messages kept of each
/// room. `None` if nothing (readable) was.
pub fn load(user: UserId) -> Option<Snapshot> {
    let storage = storage()?;
    let rooms: Vec<RoomSummary> = json::from_str(&storage.get_item(&rooms_key(user)).ok()??).ok()?;
    let pages = rooms
        .iter()
        .filter(|room| room.member)
        .filter_map(|room| {
            let json = storage.get_item(&room_key(user, room.id)).ok()??;
            Some((room.id, json::from_str::<MessagesPage>(&json).ok()?))
        })
        .collect();
    Some(Snapshot { rooms, pages })
}

/// Signed out: nothing of what anyone saw stays on this browser.
pub fn forget() {
    forget_prefixed(PREFIX);
}
