//! The node's delivery path: from a commit (or the cluster bus) to the sockets
//! that follow the room, and nothing else.
//!
//! ```text
//! writer --commit--> bus --> registry of this node --> mailboxes of the followers
//! ```
//!
//! On SQLite the node is alone and the bus is a function call made right after
//! the commit. On PostgreSQL the bus is LISTEN/NOTIFY ([`bus`]): every node,
//! including the one that committed, delivers room events from its listener, in
//! commit order; presence and typing cross nodes the same way. Room-list
//! changes need no announcement of their own: they are the `created`,
//! `renamed`, `joined` and `left` events every node hears, whether it
//! delivers the room or not. A public room's change goes to everyone; a
//! private or direct room's reaches only its members (and whoever left it),
//! as "fetch the list again".
//! A person's read position goes to their other connections, on every node,
//! whatever rooms those follow.
//!
//! Each connection has a [`Mailbox`]: a connection wakes only for the rooms it
//! follows, lags only on its own rooms, and is resynced per room, never dropped.

mod bus;
mod mailbox;
mod presence;
mod registry;
mod you;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::{encode, RoomEvent, RoomId, Seq, ServerFrame, UserId};
use sqlx::AnyPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use bus::event_payloads;
pub(crate) use bus::notify;
use bus::{BusMessage, Outgoing};
use mailbox::Class;
pub use mailbox::{Mailbox, Parcel};
use presence::{Entry, NodeId, Presence};
use registry::{ConnId, Registry};
use you::ChangedPeople;
pub use you::{you_changed, you_now};

use crate::db::Dialect;
use crate::store::{Store, StoredEvent};

/// What a burst of room-list changes holds of one room.
struct Listing {
    room: RoomId,
    /// Its newest name, if it was created or renamed.
    name: Option<String>,
    /// Who made, joined or left it: the room is theirs now, or no longer, on
    /// every screen of theirs (a room left, private, is still in the list
    /// those screens show).
    came_or_went: Vec<UserId>,
}

/// Room-list changes are gathered this long before every connection is handed
/// them: a burst of new rooms wakes each connection once, not once per room.
const ROOM_LIST_COALESCE: Duration = Duration::from_millis(250);

pub struct Delivery {
    node: NodeId,
    registry: Registry,
    presence: Presence,
    mailbox_capacity: usize,
    /// Rooms created, renamed, joined or left since the last burst went out,
    /// each once, in the order first heard.
    listings: Mutex<Vec<Listing>>,
    room_list: Notify,
    /// The cluster bus, on PostgreSQL.
    bus: Option<Outgoing>,
    /// Which rooms of a burst are private or direct, and who is in them;
    /// who a changed person is now.
    store: Arc<Store>,
    changed_people: ChangedPeople,
}

impl Delivery {
    /// Starts the delivery path; on PostgreSQL it joins the cluster first.
    /// `mailbox_capacity`: frames a connection may lag by before a resync.
    pub async fn start(
        dialect: Dialect,
        database_url: &str,
        pool: AnyPool,
        store: Arc<Store>,
        mailbox_capacity: usize,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Arc<Self>> {
        let mut node_bytes = [0u8; 8];
        getrandom::fill(&mut node_bytes).map_err(|e| anyhow::anyhow!("no randomness for the node id: {e}"))?;
        let node = u64::from_le_bytes(node_bytes);
        let (bus, outgoing) = match dialect {
            Dialect::Sqlite => (None, None),
            Dialect::Postgres => {
                let (bus, outgoing) = bus::outgoing(node);
                (Some(bus), Some(outgoing))
            }
        };
        let delivery = Arc::new(Self {
            node,
            registry: Registry::default(),
            presence: Presence::default(),
            mailbox_capacity,
            listings: Mutex::new(Vec::new()),
            room_list: Notify::new(),
            bus,
            store: Arc::clone(&store),
            changed_people: ChangedPeople::default(),
        });
        if let Some(outgoing) = outgoing {
            bus::start(database_url, pool, outgoing, Arc::clone(&delivery), store, shutdown.clone())
                .await
                .context("cannot listen on PostgreSQL for the other nodes")?;
            tracing::info!(node = format!("{node:016x}"), "joined the cluster");
        }
        tokio::spawn(Arc::clone(&delivery).coalesce_room_list_changes(shutdown.clone()));
        tokio::spawn(Arc::clone(&delivery).tell_people_what_changed(shutdown));
        Ok(delivery)
    }

    /// A new connection's subscription; dropping it forgets the connection.
    pub fn open(self: &Arc<Self>) -> Subscription {
        let mailbox = Mailbox::new(self.mailbox_capacity);
        let conn = self.registry.connect(Arc::clone(&mailbox));
        Subscription { delivery: Arc::clone(self), conn, mailbox }
    }

    /// The connection is signed in as `user`: it hears where they read up to
    /// on their other connections, and what they change of themselves.
    pub fn sign_in(&self, subscription: &Subscription, user: UserId) {
        self.registry.sign_in(subscription.conn, user);
    }

    /// From now on the connection gets the room's frames, and its person is present there.
    /// Entering presence comes first: the others hear of the newcomer, the
    /// newcomer does not (its snapshot, taken after this, includes itself).
    pub fn follow(&self, subscription: &Subscription, room: RoomId, user: UserId, name: &str) {
        if self.registry.follows(room, subscription.conn) {
            return;
        }
        if self.presence.enter(&self.registry, room, user, name) {
            self.announce(BusMessage::Present {
                node: self.node,
                entries: vec![Entry { room, user, name: name.to_owned() }],
            });
        }
        self.registry.follow(room, subscription.conn, user);
    }

    pub fn unfollow(&self, subscription: &Subscription, room: RoomId, user: UserId) {
        if self.registry.unfollow(room, subscription.conn) {
            self.left(room, user);
        }
    }

    /// Who is present in `room`, for a connection that just resumed it.
    pub fn presence_snapshot(&self, room: RoomId) -> ServerFrame {
        self.presence.snapshot(room)
    }

    /// Events just committed by this node's writer.
    pub fn after_commit(&self, events: &[StoredEvent]) {
        // With a bus, the listener delivers them, in order with other nodes' events.
        if self.bus.is_none() {
            self.listed(events.iter().map(|stored| (stored.room, &stored.event)));
            self.committed(events);
        }
    }

    /// `user` is typing in `room`. The name shown is the one presence holds, which
    /// follows renames; `name` (from the connection's hello) is the fallback.
    pub fn typing(&self, room: RoomId, user: UserId, name: &str) {
        let name = self.presence.name_in(room, user).unwrap_or_else(|| name.to_owned());
        self.deliver_typing(room, user, &name);
        self.announce(BusMessage::Typing { node: self.node, room, user, name });
    }

    /// `user` is sending a message to `room`: their typing there not
    /// announced to the other nodes yet never is, as it would reach them
    /// after the message (`bus::Outgoing::said`).
    pub fn said(&self, room: RoomId, user: UserId) {
        if let Some(bus) = &self.bus {
            bus.said(room, user);
        }
    }

    /// `user` read `room` up to `seq` on the connection of `from` (and the
    /// store moved their position there): their other connections, on every
    /// node, are told; and in a direct room, the other person (`direct_with`),
    /// that what they said up to there was seen.
    pub fn read_up_to(&self, from: &Subscription, user: UserId, room: RoomId, seq: Seq, direct_with: Option<UserId>) {
        self.deliver_read(user, room, seq, Some(from.conn), direct_with);
        self.announce(BusMessage::Read { node: self.node, user, room, seq, direct_with });
    }

    /// `user` changed their name or settings: every room they are present
    /// in, and every connection of theirs, on every node, is told who they
    /// are now (`you.rs`), so their other tabs and devices show it at once
    /// rather than at their next token.
    pub fn you_changed(&self, user: UserId) {
        self.person_changed(user);
        self.announce(BusMessage::YouChanged { node: self.node, user });
    }

    pub fn connected(&self) -> usize {
        self.registry.connected()
    }

    // ---- what the bus calls ----

    fn node(&self) -> NodeId {
        self.node
    }

    fn presence(&self) -> &Presence {
        &self.presence
    }

    fn announce(&self, message: BusMessage) {
        if let Some(bus) = &self.bus {
            debug_assert_eq!(bus.node(), self.node);
            bus.send(message);
        }
    }

    fn is_followed(&self, room: RoomId) -> bool {
        self.registry.is_followed(room)
    }

    /// Hands committed events to the followers of their rooms. Whoever left
    /// a room stops following it on every connection of theirs, right after
    /// the event that says so: their other tabs and devices hear nothing
    /// more of it, and are no longer present in it.
    fn committed(&self, events: &[StoredEvent]) {
        let leaves = |stored: &StoredEvent| matches!(stored.event, RoomEvent::Left { .. });
        for batch in events.split_inclusive(leaves) {
            self.publish_events(batch);
            if let Some(StoredEvent { room, event: RoomEvent::Left { user, .. }, .. }) = batch.last() {
                for _ in 0..self.registry.unfollow_person(*room, *user) {
                    self.left(*room, *user);
                }
            }
        }
    }

    fn publish_events(&self, events: &[StoredEvent]) {
        let parcels: Vec<Parcel> = events
            .iter()
            .filter(|stored| self.registry.is_followed(stored.room))
            .map(|stored| {
                let frame = ServerFrame::Event {
                    room: stored.room,
                    seq: stored.seq,
                    at: stored.at,
                    event: stored.event.clone(),
                };
                Parcel { room: stored.room, seq: Some(stored.seq), text: Utf8Bytes::from(encode(&frame)) }
            })
            .collect();
        self.registry.publish_all(&parcels);
    }

    fn deliver_typing(&self, room: RoomId, user: UserId, name: &str) {
        if !self.registry.is_followed(room) {
            return;
        }
        let frame = ServerFrame::Typing { room, user, name: name.to_owned() };
        self.registry.publish(
            &Parcel { room, seq: None, text: Utf8Bytes::from(encode(&frame)) },
            Class::of(&frame),
            Some(user),
        );
    }

    fn deliver_read(&self, user: UserId, room: RoomId, seq: Seq, except: Option<ConnId>, direct_with: Option<UserId>) {
        let frame = ServerFrame::ReadUpTo { room, seq };
        self.registry.tell(user, &Utf8Bytes::from(encode(&frame)), except);
        if let Some(other) = direct_with {
            let frame = ServerFrame::Seen { room, seq };
            self.registry.tell(other, &Utf8Bytes::from(encode(&frame)), None);
        }
    }

    /// Notes the rooms that committed events created, renamed, joined or left,
    /// for the next burst of room-list changes. Called with every committed
    /// event, followed here or not. A join or a leave changes no public
    /// listing, but whoever made, joined or left a room has it in or out of
    /// the list on all their screens, and a private room's list follows
    /// each of its members to all of theirs.
    fn listed<'e>(&self, events: impl IntoIterator<Item = (RoomId, &'e RoomEvent)>) {
        let mut listings = self.listings.lock().expect("listings lock");
        let mut noted = false;
        for (room, event) in events {
            let (name, came_or_went) = match event {
                RoomEvent::Created { name, by } => (Some(name), Some(*by)),
                RoomEvent::Renamed { name, .. } => (Some(name), None),
                RoomEvent::Joined { user, .. } | RoomEvent::Left { user, .. } => (None, Some(*user)),
                _ => continue,
            };
            let listing = match listings.iter().position(|listing| listing.room == room) {
                Some(at) => &mut listings[at],
                None => {
                    listings.push(Listing { room, name: None, came_or_went: Vec::new() });
                    listings.last_mut().expect("just pushed")
                }
            };
            if let Some(name) = name {
                listing.name = Some(name.clone());
            }
            listing.came_or_went.extend(came_or_went);
            noted = true;
        }
        drop(listings);
        if noted {
            self.room_list.notify_one();
        }
    }

    fn lag_room(&self, room: RoomId) {
        self.registry.lag_room(room);
    }

    /// The bus may have lost announcements: every room resyncs, and every node
    /// is asked who it holds.
    fn lost_bus(&self) {
        self.registry.lag_everything();
        self.announce(BusMessage::Sync { node: self.node, only: None });
    }

    /// A message from `node` says it is alive. If it had been taken for dead,
    /// its people left here and nothing it says from now on would bring them
    /// back (it only announces changes): it is asked who it holds.
    fn heard_from(&self, node: NodeId, now: Instant) {
        if self.presence.heard_from(node, now) {
            tracing::warn!(node = format!("{node:016x}"), "a node taken for dead is heard again; asking whom it holds");
            self.announce(BusMessage::Sync { node: self.node, only: Some(node) });
        }
    }

    fn remote_present(&self, node: NodeId, entries: Vec<Entry>, now: Instant) {
        self.presence.remote_present(&self.registry, node, entries, now);
    }

    fn remote_absent(&self, node: NodeId, room: RoomId, user: UserId) {
        self.presence.remote_absent(&self.registry, node, room, user);
    }

    fn forget_node(&self, node: NodeId) {
        self.presence.forget(&self.registry, node);
    }

    fn expire_nodes(&self, deadline: Instant) {
        for node in self.presence.expire(&self.registry, deadline) {
            tracing::warn!(node = format!("{node:016x}"), "a node went quiet; its people have left");
        }
    }

    fn left(&self, room: RoomId, user: UserId) {
        if self.presence.exit(&self.registry, room, user) {
            self.announce(BusMessage::Absent { node: self.node, room, user });
        }
    }

    async fn coalesce_room_list_changes(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.room_list.notified() => {}
            }
            tokio::time::sleep(ROOM_LIST_COALESCE).await;
            let burst = std::mem::take(&mut *self.listings.lock().expect("listings lock"));
            if burst.is_empty() {
                // Woken for changes the previous burst already took.
                continue;
            }
            let rooms: Vec<RoomId> = burst.iter().map(|listing| listing.room).collect();
            let hidden = match self.store.members_of_hidden(&rooms).await {
                Ok(hidden) => hidden,
                Err(error) => {
                    // Not knowing which rooms are private, name none: every
                    // list is fetched again, and shows each person their own.
                    tracing::error!(error = format!("{error:#}"), "cannot tell private rooms from public ones");
                    self.registry.list_stale_everywhere();
                    continue;
                }
            };
            let mut told: Vec<UserId> = Vec::new();
            let mut listings: Vec<Utf8Bytes> = Vec::new();
            for Listing { room, name, came_or_went } in burst {
                match hidden.get(&room) {
                    Some(members) => told.extend(members.iter().chain(&came_or_went)),
                    None => {
                        let listed = name.map(|name| Utf8Bytes::from(encode(&ServerFrame::RoomListed { room, name })));
                        listings.extend(listed);
                        told.extend(came_or_went);
                    }
                }
            }
            if !listings.is_empty() {
                self.registry.list_rooms(&listings);
            }
            told.sort_unstable();
            told.dedup();
            for person in told {
                self.registry.list_stale_for(person);
            }
        }
    }
}

/// One connection's place in the delivery path.
pub struct Subscription {
    delivery: Arc<Delivery>,
    conn: ConnId,
    mailbox: Arc<Mailbox>,
}

impl Subscription {
    pub fn mailbox(&self) -> &Mailbox {
        &self.mailbox
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some((user, rooms)) = self.delivery.registry.disconnect(self.conn) {
            for room in rooms {
                self.delivery.left(room, user);
            }
        }
    }
}
