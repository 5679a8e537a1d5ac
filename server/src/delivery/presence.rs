//! Who is present in each room, as this node sees the whole service: the entries
//! it owns (its own connections) merged with the entries other nodes announced
//! over the bus. Followers get versioned changes (joined / left / renamed), a
//! snapshot only when they resume a room.
//!
//! A person is present in a room while at least one connection, on any node,
//! follows it. Entries of another node live only as long as that node is heard
//! from: a node that dies takes its people with it when it is expired. One that
//! was only silent (paused, or held up) and is heard from again must be asked
//! who it holds, since it announces only changes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::{encode, Member, PresenceChange, RoomId, ServerFrame, UserId};

use super::mailbox::{Class, Parcel};
use super::registry::Registry;
use crate::versions::VersionClock;

/// How long a node asked who it holds has to answer before it is asked again.
const ASK_AGAIN_AFTER: Duration = Duration::from_secs(2);

/// A server process in a cluster, named at random when it starts.
pub type NodeId = u64;

/// One person in one room, as the bus carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub room: RoomId,
    pub user: UserId,
    pub name: String,
}

#[derive(Debug)]
struct Owned {
    name: String,
    connections: usize,
}

#[derive(Debug)]
struct Remote {
    last_heard: Instant,
    entries: HashMap<(RoomId, UserId), String>,
}

#[derive(Debug, Default)]
struct State {
    owned: HashMap<(RoomId, UserId), Owned>,
    remote: HashMap<NodeId, Remote>,
    /// Nodes expired and not heard from since, or heard from but not yet
    /// answered, with when they were last asked who they hold: one heard from
    /// again was only silent. Asked again each [`ASK_AGAIN_AFTER`] until it
    /// answers, since the question or the answer may be lost on a bus that
    /// is failing. (One id per node that died without a word, for the life
    /// of the process: a node that says it is going is not kept.)
    taken_for_dead: HashMap<NodeId, Option<Instant>>,
    /// The merged view followers see, per room by user.
    view: HashMap<RoomId, BTreeMap<UserId, String>>,
}

#[derive(Debug, Default)]
pub struct Presence {
    state: Mutex<State>,
    /// One clock for snapshots and changes: a change taken before a snapshot has
    /// a lower version than it, so a client drops it as already included.
    versions: VersionClock,
}

impl Presence {
    /// A connection of `user` now follows `room`. Returns true if this node now
    /// holds the person there (and should tell the other nodes).
    pub fn enter(&self, registry: &Registry, room: RoomId, user: UserId, name: &str) -> bool {
        let mut state = self.state.lock().expect("presence lock");
        let owned = state.owned.entry((room, user)).or_insert_with(|| Owned { name: name.to_owned(), connections: 0 });
        owned.connections += 1;
        let first = owned.connections == 1;
        if first {
            self.settle(&mut state, registry, room, user);
        }
        first
    }

    /// A connection of `user` stopped following `room`. Returns true if this node
    /// no longer holds the person there.
    pub fn exit(&self, registry: &Registry, room: RoomId, user: UserId) -> bool {
        let mut state = self.state.lock().expect("presence lock");
        let Some(owned) = state.owned.get_mut(&(room, user)) else { return false };
        owned.connections -= 1;
        let last = owned.connections == 0;
        if last {
            state.owned.remove(&(room, user));
            self.settle(&mut state, registry, room, user);
        }
        last
    }

    /// `user` is called `name` now, as the store has it: every entry of
    /// theirs takes it, this node's and its copies of the other nodes'. Each
    /// node renames them all as it hears of the change (no node waits for
    /// another to announce its own), so a room shows the new name whichever
    /// entry it shows. Returns this node's own entries that took it, for
    /// the other nodes.
    pub fn rename(&self, registry: &Registry, user: UserId, name: &str) -> Vec<Entry> {
        let mut state = self.state.lock().expect("presence lock");
        let State { owned, remote, .. } = &mut *state;
        let mut renamed = Vec::new();
        let mut rooms: Vec<RoomId> = Vec::new();
        for ((room, _), owned) in owned.iter_mut().filter(|((_, owner), owned)| *owner == user && owned.name != name) {
            name.clone_into(&mut owned.name);
            renamed.push(Entry { room: *room, user, name: name.to_owned() });
            rooms.push(*room);
        }
        let copies = remote.values_mut().flat_map(|remote| remote.entries.iter_mut());
        for ((room, _), held) in copies.filter(|((_, holder), held)| *holder == user && *held != name) {
            name.clone_into(held);
            rooms.push(*room);
        }
        rooms.sort_unstable();
        rooms.dedup();
        for room in rooms {
            self.settle(&mut state, registry, room, user);
        }
        renamed
    }

    /// Whether `user` is present in some room, as this node sees it.
    pub fn holds(&self, user: UserId) -> bool {
        self.state.lock().expect("presence lock").view.values().any(|people| people.contains_key(&user))
    }

    /// The name `user` is shown under in `room`, if present there.
    pub fn name_in(&self, room: RoomId, user: UserId) -> Option<String> {
        self.state.lock().expect("presence lock").view.get(&room)?.get(&user).cloned()
    }

    /// Everyone this node holds, to announce to a node that asks.
    pub fn owned(&self) -> Vec<Entry> {
        let state = self.state.lock().expect("presence lock");
        state
            .owned
            .iter()
            .map(|((room, user), owned)| Entry { room: *room, user: *user, name: owned.name.clone() })
            .collect()
    }

    /// `node` is alive (any message from it but a goodbye says so). Returns
    /// whether to ask it now who it holds: it had been taken for dead (its
    /// people's entries were dropped here), has not answered since, and was
    /// not asked within [`ASK_AGAIN_AFTER`].
    pub fn heard_from(&self, node: NodeId, now: Instant) -> bool {
        let mut state = self.state.lock().expect("presence lock");
        state.remote.entry(node).or_insert_with(|| Remote { last_heard: now, entries: HashMap::new() }).last_heard =
            now;
        let Some(asked) = state.taken_for_dead.get_mut(&node) else { return false };
        let due = asked.is_none_or(|at| now.saturating_duration_since(at) >= ASK_AGAIN_AFTER);
        if due {
            *asked = Some(now);
        }
        due
    }

    /// `node` holds these people (a new entry, one renamed, or a full announcement).
    pub fn remote_present(&self, registry: &Registry, node: NodeId, entries: Vec<Entry>, now: Instant) {
        let mut state = self.state.lock().expect("presence lock");
        // It says who it holds: if it was asked, it has answered.
        state.taken_for_dead.remove(&node);
        let remote = state.remote.entry(node).or_insert_with(|| Remote { last_heard: now, entries: HashMap::new() });
        remote.last_heard = now;
        let keys: Vec<(RoomId, UserId)> = entries
            .into_iter()
            .map(|Entry { room, user, name }| {
                remote.entries.insert((room, user), name);
                (room, user)
            })
            .collect();
        for (room, user) in keys {
            self.settle(&mut state, registry, room, user);
        }
    }

    /// `node` no longer holds `user` in `room`.
    pub fn remote_absent(&self, registry: &Registry, node: NodeId, room: RoomId, user: UserId) {
        let mut state = self.state.lock().expect("presence lock");
        let removed = state.remote.get_mut(&node).and_then(|remote| remote.entries.remove(&(room, user)));
        if removed.is_some() {
            self.settle(&mut state, registry, room, user);
        }
    }

    /// Forgets every node not heard from since `deadline`, and the people only
    /// they held. Returns the nodes forgotten.
    pub fn expire(&self, registry: &Registry, deadline: Instant) -> Vec<NodeId> {
        let mut state = self.state.lock().expect("presence lock");
        let dead: Vec<NodeId> =
            state.remote.iter().filter(|(_, remote)| remote.last_heard < deadline).map(|(node, _)| *node).collect();
        for node in &dead {
            self.drop_node(&mut state, registry, *node);
            state.taken_for_dead.insert(*node, None);
        }
        dead
    }

    /// Forgets a node that said it is going, and the people only it held.
    pub fn forget(&self, registry: &Registry, node: NodeId) {
        let mut state = self.state.lock().expect("presence lock");
        self.drop_node(&mut state, registry, node);
        state.taken_for_dead.remove(&node);
    }

    fn drop_node(&self, state: &mut State, registry: &Registry, node: NodeId) {
        let Some(remote) = state.remote.remove(&node) else { return };
        for (room, user) in remote.entries.into_keys() {
            self.settle(state, registry, room, user);
        }
    }

    /// Who is present in `room` now, with a version later changes build on.
    pub fn snapshot(&self, room: RoomId) -> ServerFrame {
        let state = self.state.lock().expect("presence lock");
        let members = state
            .view
            .get(&room)
            .map(|people| people.iter().map(|(user, name)| Member { user: *user, name: name.clone() }).collect())
            .unwrap_or_default();
        ServerFrame::Presence { room, version: self.versions.next(), members }
    }

    /// Brings the view of one person in one room in line with the entries, and
    /// tells the room's followers what changed. Runs under the state lock, so
    /// changes reach mailboxes in version order.
    fn settle(&self, state: &mut State, registry: &Registry, room: RoomId, user: UserId) {
        let held = state
            .owned
            .get(&(room, user))
            .map(|owned| owned.name.clone())
            .or_else(|| state.remote.values().find_map(|remote| remote.entries.get(&(room, user)).cloned()));
        let people = state.view.entry(room).or_default();
        let change = match (people.get(&user), held) {
            (None, Some(name)) => {
                people.insert(user, name.clone());
                PresenceChange::Joined { user, name }
            }
            (Some(_), None) => {
                people.remove(&user);
                PresenceChange::Left { user }
            }
            (Some(shown), Some(name)) if *shown != name => {
                people.insert(user, name.clone());
                PresenceChange::Renamed { user, name }
            }
            _ => return,
        };
        if people.is_empty() {
            state.view.remove(&room);
        }
        let frame = ServerFrame::PresenceChanged { room, version: self.versions.next(), change };
        let parcel = Parcel { room, seq: None, text: Utf8Bytes::from(encode(&frame)) };
        registry.publish(&parcel, Class::of(&frame), None);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::time::Duration;

    use hanmadi_protocol::decode_server;

    use super::*;
    use crate::delivery::mailbox::Mailbox;

    const ROOM: RoomId = RoomId(7);
    const MINA: UserId = UserId(1);
    const JUN: UserId = UserId(2);

    /// A registry with one follower of ROOM, and its mailbox.
    fn watched() -> (Registry, Arc<Mailbox>) {
        let registry = Registry::default();
        let mailbox = Mailbox::new(1024);
        let conn = registry.connect(Arc::clone(&mailbox));
        registry.follow(ROOM, conn, UserId(99));
        (registry, mailbox)
    }

    fn changes(mailbox: &Mailbox) -> Vec<PresenceChange> {
        let mut parcels = VecDeque::new();
        mailbox.take(&mut parcels);
        parcels
            .iter()
            .map(|parcel| match decode_server(parcel.text.as_bytes()).unwrap() {
                ServerFrame::PresenceChanged { change, .. } => change,
                other => panic!("not a presence change: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_second_connection_of_the_same_person_changes_nothing() {
        let (registry, mailbox) = watched();
        let presence = Presence::default();
        assert!(presence.enter(&registry, ROOM, MINA, "Mina"));
        assert!(!presence.enter(&registry, ROOM, MINA, "Mina"));
        assert_eq!(changes(&mailbox), vec![PresenceChange::Joined { user: MINA, name: "Mina".into() }]);
        assert!(!presence.exit(&registry, ROOM, MINA));
        assert!(changes(&mailbox).is_empty(), "one tab of two closed: still here");
        assert!(presence.exit(&registry, ROOM, MINA));
        assert_eq!(changes(&mailbox), vec![PresenceChange::Left { user: MINA }]);
    }

    #[test]
    fn a_join_costs_each_follower_one_change_whatever_the_room_size() {
        let (registry, mailbox) = watched();
        let presence = Presence::default();
        for user in 100..600 {
            presence.enter(&registry, ROOM, UserId(user), "someone");
        }
        assert_eq!(changes(&mailbox).len(), 500);
        match presence.snapshot(ROOM) {
            ServerFrame::Presence { members, .. } => assert_eq!(members.len(), 500),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn people_held_elsewhere_are_present_until_their_node_goes_quiet() {
        let (registry, mailbox) = watched();
        let presence = Presence::default();
        let start = Instant::now();
        let jun = Entry { room: ROOM, user: JUN, name: "Jun".into() };
        presence.remote_present(&registry, 42, vec![jun.clone()], start);
        presence.enter(&registry, ROOM, JUN, "Jun");
        assert_eq!(changes(&mailbox), vec![PresenceChange::Joined { user: JUN, name: "Jun".into() }]);
        presence.rename(&registry, JUN, "Junho");
        assert_eq!(
            changes(&mailbox),
            vec![PresenceChange::Renamed { user: JUN, name: "Junho".into() }],
            "this node's entry and node 42's both take the new name"
        );
        presence.exit(&registry, ROOM, JUN);
        assert!(changes(&mailbox).is_empty(), "still here through node 42, as Junho");
        let later = start + Duration::from_secs(30);
        presence.heard_from(43, later);
        assert_eq!(presence.expire(&registry, later - Duration::from_secs(10)), vec![42]);
        assert_eq!(changes(&mailbox), vec![PresenceChange::Left { user: JUN }]);
    }

    #[test]
    fn a_node_heard_from_again_after_it_was_taken_for_dead_is_asked_who_it_holds_once() {
        let (registry, mailbox) = watched();
        let presence = Presence::default();
        let start = Instant::now();
        assert!(!presence.heard_from(42, start), "a new node announces its people itself");
        presence.remote_present(&registry, 42, vec![Entry { room: ROOM, user: JUN, name: "Jun".into() }], start);
        let paused = start + Duration::from_secs(6);
        assert_eq!(presence.expire(&registry, paused - Duration::from_secs(5)), vec![42]);
        assert_eq!(
            changes(&mailbox),
            vec![PresenceChange::Joined { user: JUN, name: "Jun".into() }, PresenceChange::Left { user: JUN }]
        );
        assert!(presence.heard_from(42, paused), "back: Jun is still there, but only node 42 can say so");
        assert!(!presence.heard_from(42, paused), "asked once for now");
        let unanswered = paused + ASK_AGAIN_AFTER;
        assert!(presence.heard_from(42, unanswered), "no answer yet (lost on the way): asked again");
        presence.remote_present(&registry, 42, vec![Entry { room: ROOM, user: JUN, name: "Jun".into() }], unanswered);
        let answered = unanswered + ASK_AGAIN_AFTER;
        assert!(!presence.heard_from(42, answered), "answered: asked no more");

        let quiet_again = answered + Duration::from_secs(6);
        assert_eq!(presence.expire(&registry, quiet_again - Duration::from_secs(5)), vec![42]);
        presence.forget(&registry, 42);
        assert!(!presence.heard_from(42, quiet_again), "its goodbye came late: it is going, not back");
    }

    #[test]
    fn a_snapshot_is_newer_than_every_change_before_it() {
        let (registry, _mailbox) = watched();
        let presence = Presence::default();
        presence.enter(&registry, ROOM, MINA, "Mina");
        let ServerFrame::Presence { version: first, .. } = presence.snapshot(ROOM) else { unreachable!() };
        presence.rename(&registry, MINA, "미나");
        let ServerFrame::Presence { version: second, members, .. } = presence.snapshot(ROOM) else { unreachable!() };
        assert!(second > first);
        assert_eq!(members, vec![Member { user: MINA, name: "미나".into() }]);
    }
}
