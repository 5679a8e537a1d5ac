//! This node's connections and, per room, the connections following it (and,
//! per person, the connections signed in as them): the tables that let a
//! frame wake only the sockets that want it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::{RoomId, UserId};

use super::mailbox::{Class, Mailbox, Parcel};

/// A connection's number on this node.
pub type ConnId = u64;

#[derive(Debug)]
struct Follower {
    conn: ConnId,
    user: UserId,
    mailbox: Arc<Mailbox>,
}

/// A connection signed in as a person, as that person's table holds it.
#[derive(Debug)]
struct SignedIn {
    conn: ConnId,
    mailbox: Arc<Mailbox>,
}

#[derive(Debug)]
struct Connection {
    mailbox: Arc<Mailbox>,
    /// Who is signed in on this connection (known from its sign-in, or from
    /// its first follow).
    user: Option<UserId>,
    rooms: Vec<RoomId>,
}

#[derive(Debug, Default)]
pub struct Registry {
    /// Read on every frame, written only when a connection follows or leaves a
    /// room: a read-write lock lets publishers run side by side.
    rooms: RwLock<HashMap<RoomId, Vec<Follower>>>,
    connections: Mutex<HashMap<ConnId, Connection>>,
    /// Each person's signed-in connections, for what concerns the person on
    /// every screen rather than a room's followers (where they read up to).
    people: Mutex<HashMap<UserId, Vec<SignedIn>>>,
    next: AtomicU64,
}

impl Registry {
    pub fn connect(&self, mailbox: Arc<Mailbox>) -> ConnId {
        let conn = self.next.fetch_add(1, Ordering::Relaxed);
        self.connections
            .lock()
            .expect("registry lock")
            .insert(conn, Connection { mailbox, user: None, rooms: Vec::new() });
        conn
    }

    /// The connection is signed in as `user`: from now on it hears what is
    /// [`told`](Registry::tell) to them.
    pub fn sign_in(&self, conn: ConnId, user: UserId) {
        let mut connections = self.connections.lock().expect("registry lock");
        let Some(connection) = connections.get_mut(&conn) else { return };
        connection.user = Some(user);
        let mailbox = Arc::clone(&connection.mailbox);
        drop(connections);
        self.people.lock().expect("registry lock").entry(user).or_default().push(SignedIn { conn, mailbox });
    }

    /// Forgets the connection; returns who it was and the rooms it was following.
    pub fn disconnect(&self, conn: ConnId) -> Option<(UserId, Vec<RoomId>)> {
        let connection = self.connections.lock().expect("registry lock").remove(&conn)?;
        let mut rooms = self.rooms.write().expect("registry lock");
        for room in &connection.rooms {
            remove_follower(&mut rooms, *room, conn);
        }
        drop(rooms);
        let user = connection.user?;
        let mut people = self.people.lock().expect("registry lock");
        if let Some(connections) = people.get_mut(&user) {
            connections.retain(|signed_in| signed_in.conn != conn);
            if connections.is_empty() {
                people.remove(&user);
            }
        }
        drop(people);
        Some((user, connection.rooms))
    }

    /// From now on, frames published to `room` reach the connection. Returns false
    /// if it already followed the room.
    pub fn follow(&self, room: RoomId, conn: ConnId, user: UserId) -> bool {
        let mut connections = self.connections.lock().expect("registry lock");
        let Some(connection) = connections.get_mut(&conn) else { return false };
        if connection.rooms.contains(&room) {
            return false;
        }
        connection.rooms.push(room);
        connection.user = Some(user);
        let mailbox = Arc::clone(&connection.mailbox);
        drop(connections);
        self.rooms.write().expect("registry lock").entry(room).or_default().push(Follower { conn, user, mailbox });
        true
    }

    pub fn follows(&self, room: RoomId, conn: ConnId) -> bool {
        self.connections.lock().expect("registry lock").get(&conn).is_some_and(|c| c.rooms.contains(&room))
    }

    /// Returns false if the connection was not following the room.
    pub fn unfollow(&self, room: RoomId, conn: ConnId) -> bool {
        let mut connections = self.connections.lock().expect("registry lock");
        let Some(connection) = connections.get_mut(&conn) else { return false };
        let Some(at) = connection.rooms.iter().position(|r| *r == room) else { return false };
        connection.rooms.swap_remove(at);
        drop(connections);
        remove_follower(&mut self.rooms.write().expect("registry lock"), room, conn);
        true
    }

    /// `user` left `room`: none of their connections on this node follows it
    /// any more, and each is told through its mailbox. Returns how many did.
    pub fn unfollow_person(&self, room: RoomId, user: UserId) -> usize {
        let mut rooms = self.rooms.write().expect("registry lock");
        let Some(followers) = rooms.get_mut(&room) else { return 0 };
        let (theirs, others): (Vec<Follower>, Vec<Follower>) =
            std::mem::take(followers).into_iter().partition(|follower| follower.user == user);
        if others.is_empty() {
            rooms.remove(&room);
        } else {
            *followers = others;
        }
        drop(rooms);
        let mut connections = self.connections.lock().expect("registry lock");
        for follower in &theirs {
            if let Some(connection) = connections.get_mut(&follower.conn) {
                connection.rooms.retain(|followed| *followed != room);
            }
            follower.mailbox.left(room);
        }
        theirs.len()
    }

    /// Whether any connection of this node follows `room`.
    pub fn is_followed(&self, room: RoomId) -> bool {
        self.rooms.read().expect("registry lock").contains_key(&room)
    }

    /// Hands a parcel to every follower of its room, except the connections of
    /// `except` (typing is not echoed to the typist).
    pub fn publish(&self, parcel: &Parcel, class: Class, except: Option<UserId>) {
        let rooms = self.rooms.read().expect("registry lock");
        let Some(followers) = rooms.get(&parcel.room) else { return };
        for follower in followers.iter().filter(|f| Some(f.user) != except) {
            follower.mailbox.push(parcel.clone(), class);
        }
    }

    /// Many parcels under one lock, in order (a batch of committed events,
    /// which are reliable: `Class::of` an event is resyncable).
    pub fn publish_all<'p>(&self, parcels: impl IntoIterator<Item = &'p Parcel>) {
        let rooms = self.rooms.read().expect("registry lock");
        for parcel in parcels {
            for follower in rooms.get(&parcel.room).into_iter().flatten() {
                follower.mailbox.push(parcel.clone(), Class::Resyncable);
            }
        }
    }

    /// Whether a connection here is signed in as `user`.
    pub fn is_signed_in(&self, user: UserId) -> bool {
        self.people.lock().expect("registry lock").contains_key(&user)
    }

    /// Hands a change of the person's own (a read position, their name or
    /// settings) to every connection signed in as `user` except `except` (the
    /// one that made it). It waits with the room-list changes, and a lost one
    /// is repaired with them: the list fetched again holds the read
    /// positions, and the connection is told who the person is again.
    pub fn tell(&self, user: UserId, change: &Utf8Bytes, except: Option<ConnId>) {
        let people = self.people.lock().expect("registry lock");
        for signed_in in people.get(&user).into_iter().flatten().filter(|s| Some(s.conn) != except) {
            signed_in.mailbox.list(std::slice::from_ref(change));
        }
    }

    /// Hands room-list changes to every connection, members of the rooms or not.
    pub fn list_rooms(&self, listings: &[Utf8Bytes]) {
        for connection in self.connections.lock().expect("registry lock").values() {
            connection.mailbox.list(listings);
        }
    }

    /// Every connection signed in as `user` must fetch the rooms list again:
    /// a private or direct room of theirs changed, which no delta may carry
    /// past its members.
    pub fn list_stale_for(&self, user: UserId) {
        let people = self.people.lock().expect("registry lock");
        for signed_in in people.get(&user).into_iter().flatten() {
            signed_in.mailbox.list_stale();
        }
    }

    /// Every connection must fetch the rooms list again.
    pub fn list_stale_everywhere(&self) {
        for connection in self.connections.lock().expect("registry lock").values() {
            connection.mailbox.list_stale();
        }
    }

    /// Every follower of `room` must resync it.
    pub fn lag_room(&self, room: RoomId) {
        for follower in self.rooms.read().expect("registry lock").get(&room).into_iter().flatten() {
            follower.mailbox.lag([room]);
        }
    }

    /// Every connection must resync every room it follows, and fetch the rooms
    /// list again: frames may have been lost on the way to this node.
    pub fn lag_everything(&self) {
        for connection in self.connections.lock().expect("registry lock").values() {
            connection.mailbox.lag(connection.rooms.iter().copied());
            connection.mailbox.list_stale();
        }
    }

    pub fn connected(&self) -> usize {
        self.connections.lock().expect("registry lock").len()
    }
}

fn remove_follower(rooms: &mut HashMap<RoomId, Vec<Follower>>, room: RoomId, conn: ConnId) {
    if let Some(followers) = rooms.get_mut(&room) {
        followers.retain(|f| f.conn != conn);
        if followers.is_empty() {
            rooms.remove(&room);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use hanmadi_protocol::Seq;

    use super::*;

    fn parcel(room: u64) -> Parcel {
        Parcel { room: RoomId(room), seq: Some(Seq(1)), text: Utf8Bytes::from_static("{}") }
    }

    fn waiting(mailbox: &Mailbox) -> usize {
        let mut parcels = VecDeque::new();
        mailbox.take(&mut parcels);
        parcels.len()
    }

    #[test]
    fn a_frame_reaches_only_the_followers_of_its_room() {
        let registry = Registry::default();
        let (a, b) = (Mailbox::new(8), Mailbox::new(8));
        let conn_a = registry.connect(Arc::clone(&a));
        let conn_b = registry.connect(Arc::clone(&b));
        registry.follow(RoomId(1), conn_a, UserId(1));
        registry.follow(RoomId(2), conn_b, UserId(2));
        registry.publish(&parcel(1), Class::Resyncable, None);
        assert_eq!((waiting(&a), waiting(&b)), (1, 0));
    }

    #[test]
    fn typing_skips_the_typists_own_connections() {
        let registry = Registry::default();
        let (mine, theirs) = (Mailbox::new(8), Mailbox::new(8));
        let conn_mine = registry.connect(Arc::clone(&mine));
        let conn_theirs = registry.connect(Arc::clone(&theirs));
        registry.follow(RoomId(1), conn_mine, UserId(1));
        registry.follow(RoomId(1), conn_theirs, UserId(2));
        registry.publish(&parcel(1), Class::Ephemeral, Some(UserId(1)));
        assert_eq!((waiting(&mine), waiting(&theirs)), (0, 1));
    }

    #[test]
    fn a_change_told_to_a_person_reaches_their_other_connections_only() {
        let registry = Registry::default();
        let (reading, other_tab, someone_else) = (Mailbox::new(8), Mailbox::new(8), Mailbox::new(8));
        let conn_reading = registry.connect(Arc::clone(&reading));
        let conn_other_tab = registry.connect(Arc::clone(&other_tab));
        let conn_someone_else = registry.connect(Arc::clone(&someone_else));
        registry.sign_in(conn_reading, UserId(1));
        registry.sign_in(conn_other_tab, UserId(1));
        registry.sign_in(conn_someone_else, UserId(2));
        registry.tell(UserId(1), &Utf8Bytes::from_static("{}"), Some(conn_reading));
        let told = |mailbox: &Mailbox| mailbox.take(&mut VecDeque::new()).listings.len();
        assert_eq!((told(&reading), told(&other_tab), told(&someone_else)), (0, 1, 0));

        registry.disconnect(conn_other_tab);
        registry.tell(UserId(1), &Utf8Bytes::from_static("{}"), None);
        assert_eq!((told(&reading), told(&other_tab)), (1, 0), "a closed tab is told nothing more");
    }

    #[test]
    fn a_person_leaving_a_room_stops_every_connection_of_theirs_following_it() {
        let registry = Registry::default();
        let (phone, laptop, someone_else) = (Mailbox::new(8), Mailbox::new(8), Mailbox::new(8));
        let conn_phone = registry.connect(Arc::clone(&phone));
        let conn_laptop = registry.connect(Arc::clone(&laptop));
        let conn_someone_else = registry.connect(Arc::clone(&someone_else));
        registry.follow(RoomId(1), conn_phone, UserId(1));
        registry.follow(RoomId(1), conn_laptop, UserId(1));
        registry.follow(RoomId(2), conn_laptop, UserId(1));
        registry.follow(RoomId(1), conn_someone_else, UserId(2));

        assert_eq!(registry.unfollow_person(RoomId(1), UserId(1)), 2);
        let left = |mailbox: &Mailbox| mailbox.take(&mut VecDeque::new()).left;
        assert_eq!((left(&phone), left(&laptop), left(&someone_else)), (vec![RoomId(1)], vec![RoomId(1)], vec![]));
        registry.publish(&parcel(1), Class::Resyncable, None);
        assert_eq!((waiting(&phone), waiting(&laptop), waiting(&someone_else)), (0, 0, 1));
        assert!(!registry.follows(RoomId(1), conn_laptop) && registry.follows(RoomId(2), conn_laptop));
        assert_eq!(registry.unfollow_person(RoomId(1), UserId(1)), 0, "already gone");
    }

    #[test]
    fn a_disconnected_connection_is_gone_from_every_room() {
        let registry = Registry::default();
        let mailbox = Mailbox::new(8);
        let conn = registry.connect(Arc::clone(&mailbox));
        assert!(registry.follow(RoomId(1), conn, UserId(1)));
        assert!(!registry.follow(RoomId(1), conn, UserId(1)), "following twice is once");
        registry.follow(RoomId(2), conn, UserId(1));
        let (user, mut rooms) = registry.disconnect(conn).unwrap();
        rooms.sort();
        assert_eq!(user, UserId(1));
        assert_eq!(rooms, vec![RoomId(1), RoomId(2)]);
        assert!(!registry.is_followed(RoomId(1)) && !registry.is_followed(RoomId(2)));
        assert_eq!(registry.connected(), 0);
    }
}
