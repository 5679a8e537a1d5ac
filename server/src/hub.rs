//! Fan-out of live frames to every connection: room events, presence and typing.
//!
//! One broadcast channel carries everything, already encoded once; each
//! connection forwards what concerns the rooms it follows. A connection that falls
//! so far behind that the channel overwrote frames it had not read is told to
//! resync those rooms from the database: never silently dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hanmadi_protocol::{encode, Member, RoomId, Seq, ServerFrame, UserId};
use tokio::sync::broadcast;

use crate::store::StoredEvent;
use crate::versions::VersionClock;

/// One frame on its way to every connection following `room`.
#[derive(Debug)]
pub struct Fanout {
    pub room: RoomId,
    /// For reliable events: lets a connection skip what its resume already sent.
    pub seq: Option<Seq>,
    /// Who caused it; typing is not echoed to its typist.
    pub from: Option<UserId>,
    /// For every connection, whatever rooms it follows (the rooms list changed).
    pub everyone: bool,
    pub text: Arc<str>,
}

pub struct Hub {
    tx: broadcast::Sender<Arc<Fanout>>,
    /// Per room, who is connected and following it, with how many connections.
    present: Mutex<HashMap<RoomId, BTreeMap<UserId, (String, usize)>>>,
    versions: VersionClock,
    connections: AtomicUsize,
}

impl Hub {
    /// `buffer`: frames a connection may fall behind by before it must resync.
    pub fn new(buffer: usize) -> Self {
        Self {
            tx: broadcast::channel(buffer.max(1)).0,
            present: Mutex::new(HashMap::new()),
            versions: VersionClock::default(),
            connections: AtomicUsize::new(0),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Fanout>> {
        self.tx.subscribe()
    }

    /// Committed events, to everyone following their rooms.
    pub fn publish(&self, events: &[StoredEvent]) {
        for event in events {
            let frame = ServerFrame::Event { room: event.room, seq: event.seq, at: event.at, event: event.event.clone() };
            self.send(event.room, Some(event.seq), None, &frame);
        }
    }

    /// A room was created or renamed: every connection should refresh its list.
    pub fn room_list_changed(&self, room: RoomId) {
        let text = encode(&ServerFrame::RoomListChanged {}).into();
        let _ = self.tx.send(Arc::new(Fanout { room, seq: None, from: None, everyone: true, text }));
    }

    /// `user` is typing in `room`. The name shown is the one presence holds,
    /// which follows renames; `name` (from the connection's hello) is the fallback.
    pub fn typing(&self, room: RoomId, user: UserId, name: &str) {
        let current = self.present.lock().expect("presence lock").get(&room).and_then(|m| m.get(&user)).map(|(name, _)| name.clone());
        let frame = ServerFrame::Typing { room, user, name: current.unwrap_or_else(|| name.to_owned()) };
        self.send(room, None, Some(user), &frame);
    }

    /// A connection of `user` now follows `room`.
    pub fn enter(&self, room: RoomId, user: UserId, name: &str) {
        let mut present = self.present.lock().expect("presence lock");
        let entry = present.entry(room).or_default().entry(user).or_insert_with(|| (name.to_owned(), 0));
        entry.1 += 1;
        let changed = entry.1 == 1;
        drop(present);
        if changed {
            self.publish_presence(room);
        }
    }

    /// A connection of `user` stopped following `room` (left it, or disconnected).
    pub fn exit(&self, room: RoomId, user: UserId) {
        let mut present = self.present.lock().expect("presence lock");
        let Some(members) = present.get_mut(&room) else { return };
        let gone = match members.get_mut(&user) {
            Some(entry) if entry.1 > 1 => {
                entry.1 -= 1;
                false
            }
            Some(_) => members.remove(&user).is_some(),
            None => false,
        };
        if members.is_empty() {
            present.remove(&room);
        }
        drop(present);
        if gone {
            self.publish_presence(room);
        }
    }

    /// `user` renamed themselves: every room they are present in hears the new name.
    pub fn rename(&self, user: UserId, name: &str) {
        let mut present = self.present.lock().expect("presence lock");
        let rooms: Vec<RoomId> = present
            .iter_mut()
            .filter_map(|(room, members)| {
                let entry = members.get_mut(&user)?;
                entry.0 = name.to_owned();
                Some(*room)
            })
            .collect();
        drop(present);
        for room in rooms {
            self.publish_presence(room);
        }
    }

    /// Who is here now, as a frame with a fresh version.
    pub fn presence(&self, room: RoomId) -> ServerFrame {
        let present = self.present.lock().expect("presence lock");
        let members = present
            .get(&room)
            .map(|members| members.iter().map(|(user, (name, _))| Member { user: *user, name: name.clone() }).collect())
            .unwrap_or_default();
        ServerFrame::Presence { room, version: self.versions.next(), members }
    }

    pub fn connected(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Counts a connection for the live stats until the guard is dropped.
    pub fn count_connection(self: &Arc<Self>) -> ConnectionCount {
        self.connections.fetch_add(1, Ordering::Relaxed);
        ConnectionCount(Arc::clone(self))
    }

    fn publish_presence(&self, room: RoomId) {
        let frame = self.presence(room);
        self.send(room, None, None, &frame);
    }

    fn send(&self, room: RoomId, seq: Option<Seq>, from: Option<UserId>, frame: &ServerFrame) {
        // No receivers is fine: nobody is connected.
        let _ = self.tx.send(Arc::new(Fanout { room, seq, from, everyone: false, text: encode(frame).into() }));
    }
}

pub struct ConnectionCount(Arc<Hub>);

impl Drop for ConnectionCount {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}
