//! The bus between the nodes of a cluster: PostgreSQL's LISTEN/NOTIFY on one
//! channel. Committed room events are announced by `NOTIFY` inside the
//! transaction that commits them (so nothing that did not commit is ever
//! announced, and announcements arrive in commit order, which is each room's
//! sequence order); presence, typing and read positions are announced as
//! they happen. Every node, the announcing one included, delivers room events
//! from its listener, so one path keeps them in order. Room-list changes ride on the room events
//! themselves: a `created` or `renamed` event lists the room on every node,
//! for every connection, followed or not.
//!
//! A node that lost its listening connection may have missed announcements:
//! once it listens again it asks every connection to resync its rooms and the
//! other nodes to announce who they hold again. A node not heard from for
//! [`NODE_TIMEOUT`] is taken for dead and the people it held leave; one heard
//! from again (it was only paused, or held up) is asked who it holds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hanmadi_protocol::{Millis, RoomEvent, RoomId, Seq, UserId};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::presence::{Entry, NodeId};
use super::Delivery;
use crate::store::{Store, StoredEvent};

const CHANNEL: &str = "hanmadi";
/// PostgreSQL refuses payloads of 8,000 bytes or more; leave room for the envelope.
const MAX_PAYLOAD: usize = 7_600;
/// Larger events travel as a reference and are read from the database.
const MAX_INLINE_EVENT: usize = 6_000;
/// How often a node says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// A node silent for this long is taken for dead.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(5);
/// Typing announcements waiting to go out, at most: beyond, more are dropped.
const TYPING_BACKLOG: usize = 256;

/// What one notification says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum BusMessage {
    /// Room events one transaction committed, in sequence order.
    Events {
        events: Vec<BusEvent>,
    },
    /// The node is alive.
    Alive {
        node: NodeId,
    },
    /// A node (new, or back after losing its listener) asks everyone to announce
    /// who they hold; or, with `only`, asks that node alone (one it had taken
    /// for dead and hears from again).
    Sync {
        node: NodeId,
        /// Left out by a node from before it was, which asks everyone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        only: Option<NodeId>,
    },
    /// The node holds these people in these rooms.
    Present {
        node: NodeId,
        entries: Vec<Entry>,
    },
    /// The node no longer holds this person in this room.
    Absent {
        node: NodeId,
        room: RoomId,
        user: UserId,
    },
    Typing {
        node: NodeId,
        room: RoomId,
        user: UserId,
        name: String,
    },
    /// The person read the room up to `seq` on one of the node's connections.
    Read {
        node: NodeId,
        user: UserId,
        room: RoomId,
        seq: Seq,
        /// In a direct room, the other person, who is told it was seen. (Left
        /// out by a node from before it was, whose readers' others are then
        /// told at their next fetch of the rooms list.)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direct_with: Option<UserId>,
    },
    /// The person changed their name or settings through the node's API:
    /// each node reads who they are now, for the rooms they are present in
    /// and for their connections. (A node of the last version says what
    /// changed, which is not taken, and announces a rename as `renamed`,
    /// taken as this: what it carries is read from the store all the same.)
    #[serde(alias = "renamed")]
    YouChanged {
        node: NodeId,
        user: UserId,
    },
    /// The node is shutting down: forget whom it held now, without waiting.
    Gone {
        node: NodeId,
    },
}

/// A committed event, whole, or by reference when it is too large for a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub room: RoomId,
    pub seq: Seq,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<RoomEvent>,
}

impl BusMessage {
    fn node(&self) -> Option<NodeId> {
        match self {
            BusMessage::Events { .. } => None,
            BusMessage::Alive { node }
            | BusMessage::Sync { node, .. }
            | BusMessage::Present { node, .. }
            | BusMessage::Absent { node, .. }
            | BusMessage::Typing { node, .. }
            | BusMessage::Read { node, .. }
            | BusMessage::YouChanged { node, .. }
            | BusMessage::Gone { node } => Some(*node),
        }
    }

    /// The node this message shows alive: whichever sent it, unless it says
    /// it is going.
    fn alive(&self) -> Option<NodeId> {
        match self {
            BusMessage::Gone { .. } => None,
            other => other.node(),
        }
    }
}

/// The payloads announcing `events`: as few as fit under PostgreSQL's limit.
pub fn event_payloads<'e>(events: impl IntoIterator<Item = &'e StoredEvent>) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut chunk: Vec<BusEvent> = Vec::new();
    let mut chunk_len = 0;
    for stored in events {
        let whole =
            BusEvent { room: stored.room, seq: stored.seq, at: Some(stored.at), event: Some(stored.event.clone()) };
        let mut piece = serde_json::to_string(&whole).expect("events serialize");
        let bus_event = if piece.len() <= MAX_INLINE_EVENT {
            whole
        } else {
            let reference = BusEvent { room: stored.room, seq: stored.seq, at: None, event: None };
            piece = serde_json::to_string(&reference).expect("events serialize");
            reference
        };
        if chunk_len + piece.len() > MAX_PAYLOAD && !chunk.is_empty() {
            payloads.push(encode(&BusMessage::Events { events: std::mem::take(&mut chunk) }));
            chunk_len = 0;
        }
        chunk_len += piece.len() + 1;
        chunk.push(bus_event);
    }
    if !chunk.is_empty() {
        payloads.push(encode(&BusMessage::Events { events: chunk }));
    }
    payloads
}

/// Announces, inside the transaction (or on the pool), one payload.
pub async fn notify<'e>(executor: impl Executor<'e, Database = Any>, payload: &str) -> sqlx::Result<()> {
    // Wrapped so the row has a type the `Any` driver can read (`pg_notify` returns void).
    sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
        .bind(CHANNEL)
        .bind(payload)
        .execute(executor)
        .await?;
    Ok(())
}

fn encode(message: &BusMessage) -> String {
    serde_json::to_string(message).expect("bus messages serialize")
}

/// The sending side: announcements queued here go out one at a time, in order,
/// so a person's arrival is never announced after their departure. Typing
/// waits in a lane of its own, bounded: a typist says so again every few
/// seconds, and the others forget it a few seconds later, so one dropped while
/// the bus is behind is not missed, and a flood of it cannot grow the queue
/// without bound (nor hold up the presence behind it).
///
/// A room's events travel apart, announced by the transaction that commits
/// them, so a typing still queued when its typist's message is sent could
/// reach the other nodes after the message, and show "Jun is typing…" under
/// what he just said for seconds. It is dropped instead (see
/// [`Outgoing::said`]).
#[derive(Debug, Clone)]
pub struct Outgoing {
    node: NodeId,
    ordered: mpsc::UnboundedSender<BusMessage>,
    typing: mpsc::Sender<(Ticket, BusMessage)>,
    typists: Arc<Typists>,
}

/// When a typing was queued, or a message sent, on one count.
type Ticket = u64;

/// What decides whether a typing queued is still worth sending.
#[derive(Debug, Default)]
struct Typists {
    next: AtomicU64,
    /// Who sent a message where, as of when: a typing of theirs there queued
    /// before it is stale. Kept only while typing is queued.
    said: Mutex<HashMap<(RoomId, UserId), Ticket>>,
}

impl Typists {
    fn ticket(&self) -> Ticket {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn said(&self) -> MutexGuard<'_, HashMap<(RoomId, UserId), Ticket>> {
        self.said.lock().expect("typists")
    }
}

impl Outgoing {
    pub fn node(&self) -> NodeId {
        self.node
    }

    pub fn send(&self, message: BusMessage) {
        match message {
            // Dropped when its lane is full.
            BusMessage::Typing { .. } => {
                let _ = self.typing.try_send((self.typists.ticket(), message));
            }
            // The sender task ends only at shutdown, when there is nobody left to tell.
            other => {
                let _ = self.ordered.send(other);
            }
        }
    }

    /// `user` is sending a message to `room`: what they typed there before
    /// it, if not announced yet, never is.
    pub fn said(&self, room: RoomId, user: UserId) {
        let ticket = self.typists.ticket();
        self.typists.said().insert((room, user), ticket);
    }
}

/// The receiving end of [`Outgoing`], for [`start`]'s sender.
pub struct Queued {
    node: NodeId,
    ordered: mpsc::UnboundedReceiver<BusMessage>,
    typing: mpsc::Receiver<(Ticket, BusMessage)>,
    typists: Arc<Typists>,
}

impl Queued {
    /// The next announcement to send, or `None` once nothing more can be
    /// queued. A heartbeat due goes first: waiting behind a backlog, it would
    /// have this node taken for dead while it is only busy. Typing goes last.
    async fn next(&mut self, heartbeat: &mut Interval) -> Option<BusMessage> {
        loop {
            let (queued, typing) = tokio::select! {
                biased;
                _ = heartbeat.tick() => return Some(BusMessage::Alive { node: self.node }),
                message = self.ordered.recv() => return message,
                Some(typing) = self.typing.recv() => typing,
            };
            if !self.stale(queued, &typing) {
                return Some(typing);
            }
        }
    }

    /// Whether `typing`, queued at `queued`, was followed by a message from
    /// its typist in its room.
    fn stale(&self, queued: Ticket, typing: &BusMessage) -> bool {
        let BusMessage::Typing { room, user, .. } = typing else { return false };
        let mut said = self.typists.said();
        let stale = said.get(&(*room, *user)).is_some_and(|said| *said > queued);
        // Nothing queued is older than what is recorded now: it can go.
        if self.typing.is_empty() {
            said.clear();
        }
        stale
    }
}

/// A queue for announcements, and its receiving end for [`start`].
pub fn outgoing(node: NodeId) -> (Outgoing, Queued) {
    let (ordered, ordered_queue) = mpsc::unbounded_channel();
    let (typing, typing_queue) = mpsc::channel(TYPING_BACKLOG);
    let typists = Arc::new(Typists::default());
    (
        Outgoing { node, ordered, typing, typists: Arc::clone(&typists) },
        Queued { node, ordered: ordered_queue, typing: typing_queue, typists },
    )
}

/// Ticks every [`HEARTBEAT`], the first at once; one late (the task was
/// busy, or the process paused) is not made up for with a burst.
fn every_heartbeat() -> Interval {
    let mut every = tokio::time::interval(HEARTBEAT);
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    every
}

/// Listens (before returning, so no announcement made after this node starts
/// serving can be missed), then runs the sender (with the heartbeat), the
/// listener and the expiry of silent nodes until `shutdown`.
pub async fn start(
    database_url: &str,
    pool: AnyPool,
    outgoing: Queued,
    delivery: Arc<Delivery>,
    store: Arc<Store>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen(CHANNEL).await?;
    let node = delivery.node();
    tokio::spawn(send_all(pool, outgoing, shutdown.clone()));
    delivery.announce(BusMessage::Sync { node, only: None });
    tokio::spawn(listen(listener, Arc::clone(&delivery), store, shutdown.clone()));
    tokio::spawn(expire_silent_nodes(delivery, shutdown));
    Ok(())
}

/// Sends what is queued, and says every [`HEARTBEAT`] that this node is
/// alive; says it is going last.
async fn send_all(pool: AnyPool, mut outgoing: Queued, shutdown: CancellationToken) {
    let mut heartbeat = every_heartbeat();
    loop {
        let message = tokio::select! {
            () = shutdown.cancelled() => break,
            message = outgoing.next(&mut heartbeat) => match message {
                Some(message) => message,
                None => break,
            },
        };
        send_one(&pool, &message).await;
    }
    send_one(&pool, &BusMessage::Gone { node: outgoing.node }).await;
}

async fn send_one(pool: &AnyPool, message: &BusMessage) {
    let payloads = match message {
        // Whole rooms of people may not fit one payload.
        BusMessage::Present { node, entries } => entries
            .chunks(40)
            .map(|entries| encode(&BusMessage::Present { node: *node, entries: entries.to_vec() }))
            .collect(),
        other => vec![encode(other)],
    };
    for payload in payloads {
        if let Err(error) = notify(pool, &payload).await {
            // Presence, typing and read positions are not worth more than a
            // log line (a lost read position comes with the next rooms list);
            // room events never take this path (they are announced in their
            // transaction).
            tracing::warn!(%error, "could not announce on the cluster bus");
        }
    }
}

/// Hands what is announced on the bus to the delivery path. Whatever was
/// announced while the listener was not listening is lost: every room is
/// resynced, and the other nodes asked again, once it listens again. Not
/// before: a room resynced then would read a head whose next events may be
/// announced before the listener is back, and never be heard.
async fn listen(mut listener: PgListener, delivery: Arc<Delivery>, store: Arc<Store>, shutdown: CancellationToken) {
    // Set when the listener fails. `try_recv` connects and listens again on
    // a later call, and says nothing when it manages: the first notification
    // after that (this node's own heartbeat, at the latest) says so.
    let mut deaf = false;
    loop {
        let received = tokio::select! {
            () = shutdown.cancelled() => return,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(notification)) => {
                if std::mem::take(&mut deaf) {
                    tracing::warn!("listening on the cluster bus again; resyncing every room");
                    delivery.lost_bus();
                }
                match serde_json::from_str::<BusMessage>(notification.payload()) {
                    Ok(message) if message.node() == Some(delivery.node()) => {}
                    Ok(message) => on_message(&delivery, &store, message).await,
                    Err(error) => tracing::warn!(%error, "ignored an unreadable message on the cluster bus"),
                }
            }
            Ok(None) => {
                // The connection dropped, and try_recv has connected and
                // listened again already.
                tracing::warn!("lost the cluster bus connection; resyncing every room");
                deaf = false;
                delivery.lost_bus();
            }
            Err(error) => {
                tracing::warn!(%error, "the cluster bus failed; retrying in a second");
                deaf = true;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn on_message(delivery: &Delivery, store: &Store, message: BusMessage) {
    let now = Instant::now();
    if let Some(node) = message.alive() {
        delivery.heard_from(node, now);
    }
    match message {
        BusMessage::Events { events } => {
            // Room names are far below `MAX_INLINE_EVENT`: the events that list
            // a room always travel whole.
            delivery.listed(events.iter().filter_map(|e| Some((e.room, e.event.as_ref()?))));
            let mut committed = Vec::with_capacity(events.len());
            for BusEvent { room, seq, at, event } in events {
                if !delivery.is_followed(room) {
                    continue;
                }
                match (at, event) {
                    (Some(at), Some(event)) => committed.push(StoredEvent { room, seq, at, event }),
                    _ => match store.events(room, Seq(seq.0 - 1), Some(seq.next()), 1).await {
                        Ok(mut read) => committed.append(&mut read),
                        Err(error) => {
                            tracing::error!(error = format!("{error:#}"), "could not read an announced event");
                            delivery.lag_room(room);
                        }
                    },
                }
            }
            delivery.committed(&committed);
        }
        BusMessage::Alive { .. } => {}
        BusMessage::Sync { node: _, only } => {
            let me = delivery.node();
            if only.is_none_or(|asked| asked == me) {
                delivery.announce(BusMessage::Present { node: me, entries: delivery.presence().owned() });
            }
        }
        BusMessage::Present { node, entries } => delivery.remote_present(node, entries, now),
        BusMessage::Absent { node, room, user } => delivery.remote_absent(node, room, user),
        BusMessage::Typing { node: _, room, user, name } => delivery.deliver_typing(room, user, &name),
        BusMessage::Read { node: _, user, room, seq, direct_with } => {
            delivery.deliver_read(user, room, seq, None, direct_with)
        }
        BusMessage::YouChanged { node: _, user } => delivery.person_changed(user),
        BusMessage::Gone { node } => delivery.forget_node(node),
    }
}

/// Every [`HEARTBEAT`], forgets the nodes not heard from for [`NODE_TIMEOUT`].
async fn expire_silent_nodes(delivery: Arc<Delivery>, shutdown: CancellationToken) {
    let mut every = every_heartbeat();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        delivery.expire_nodes(Instant::now() - NODE_TIMEOUT);
    }
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::{decode_server, MessageId, ServerFrame, UserId};

    use super::*;

    fn message(seq: u64, text: &str) -> StoredEvent {
        let event = RoomEvent::Message {
            id: MessageId(seq),
            author: UserId(1),
            author_name: "Mina".into(),
            text: text.into(),
            reply_to: None,
            attachments: Vec::new(),
        };
        StoredEvent { room: RoomId(3), seq: Seq(seq), at: 1, event }
    }

    fn typing(user: u64) -> BusMessage {
        BusMessage::Typing { node: 1, room: RoomId(3), user: UserId(user), name: "Mina".into() }
    }

    fn absent(user: u64) -> BusMessage {
        BusMessage::Absent { node: 1, room: RoomId(3), user: UserId(user) }
    }

    #[tokio::test(start_paused = true)]
    async fn heartbeats_go_first_and_typing_is_bounded_and_last() {
        let (outgoing, mut queued) = outgoing(1);
        let mut heartbeat = every_heartbeat();
        for user in 0..1_000 {
            outgoing.send(typing(user));
        }
        for user in 0..3 {
            outgoing.send(absent(user));
        }
        let alive = Some(BusMessage::Alive { node: 1 });
        assert_eq!(queued.next(&mut heartbeat).await, alive);
        assert_eq!(queued.next(&mut heartbeat).await, Some(absent(0)));
        tokio::time::advance(HEARTBEAT).await;
        assert_eq!(queued.next(&mut heartbeat).await, alive, "a heartbeat due waits for no backlog");
        assert_eq!(queued.next(&mut heartbeat).await, Some(absent(1)));
        assert_eq!(queued.next(&mut heartbeat).await, Some(absent(2)));
        let mut typed = 0;
        while let Some(BusMessage::Typing { user, .. }) = queued.next(&mut heartbeat).await {
            assert_eq!(user, UserId(typed), "typing keeps its order");
            typed += 1;
        }
        assert_eq!(typed, TYPING_BACKLOG as u64, "typing beyond the backlog is dropped");
    }

    #[tokio::test(start_paused = true)]
    async fn a_typing_still_queued_when_its_typist_sends_a_message_is_never_announced_after_it() {
        let (outgoing, mut queued) = outgoing(1);
        let mut heartbeat = every_heartbeat();
        assert_eq!(queued.next(&mut heartbeat).await, Some(BusMessage::Alive { node: 1 }));
        outgoing.send(typing(1));
        outgoing.send(typing(2));
        outgoing.said(RoomId(3), UserId(1));
        outgoing.said(RoomId(4), UserId(2));
        outgoing.send(typing(1));
        let mut announced = Vec::new();
        while let Some(BusMessage::Typing { user, .. }) = queued.next(&mut heartbeat).await {
            announced.push(user.0);
            if announced.len() == 2 {
                break;
            }
        }
        assert_eq!(announced, [2, 1], "the typing before the message is dropped, another room's or after it kept");
        assert!(queued.typists.said().is_empty(), "forgotten once no typing is queued");
    }

    #[test]
    fn a_sync_asks_one_node_or_everyone_as_before() {
        let everyone = r#"{"k":"sync","node":1}"#;
        assert_eq!(serde_json::from_str::<BusMessage>(everyone).unwrap(), BusMessage::Sync { node: 1, only: None });
        assert_eq!(encode(&BusMessage::Sync { node: 1, only: None }), everyone);
        let one = BusMessage::Sync { node: 1, only: Some(2) };
        assert_eq!(serde_json::from_str::<BusMessage>(&encode(&one)).unwrap(), one);
    }

    #[test]
    fn a_rename_told_by_a_node_of_the_last_version_is_heard_as_a_change() {
        let renamed = r#"{"k":"renamed","node":2,"user":7,"name":"Mina Kim"}"#;
        let heard = serde_json::from_str::<BusMessage>(renamed).unwrap();
        assert_eq!(heard, BusMessage::YouChanged { node: 2, user: UserId(7) });
        let changed = r#"{"k":"you_changed","node":2,"user":7,"settings":{"shares_seen":false}}"#;
        assert_eq!(serde_json::from_str::<BusMessage>(changed).unwrap(), heard, "what it says changed is read anew");
    }

    #[test]
    fn the_events_that_list_a_room_always_travel_whole() {
        let longest = "😀".repeat(hanmadi_protocol::limits::MAX_ROOM_NAME_CHARS);
        let created = StoredEvent {
            room: RoomId(3),
            seq: Seq(1),
            at: 1,
            event: RoomEvent::Created { name: longest.clone(), by: UserId(1) },
        };
        let BusMessage::Events { events } = serde_json::from_str(&event_payloads([&created])[0]).unwrap() else {
            panic!("an events message")
        };
        assert_eq!(events[0].event, Some(created.event), "every node lists the room without reading it back");
    }

    #[test]
    fn payloads_stay_under_the_limit_and_keep_every_event_in_order() {
        let events: Vec<StoredEvent> =
            (1..=200).map(|seq| message(seq, &"가".repeat(if seq % 50 == 0 { 4000 } else { 100 }))).collect();
        let payloads = event_payloads(&events);
        assert!(payloads.len() > 1);
        let mut seqs = Vec::new();
        for payload in &payloads {
            assert!(payload.len() < 8000, "{} bytes", payload.len());
            let BusMessage::Events { events } = serde_json::from_str(payload).unwrap() else { panic!("{payload}") };
            for event in events {
                let inline = event.event.is_some();
                assert_eq!(inline, event.seq.0 % 50 != 0, "12 KB events travel by reference");
                seqs.push(event.seq.0);
            }
        }
        assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    }

    /// A node alone on an SQLite file in a folder of its own (kept while
    /// the folder is).
    async fn node_on_sqlite() -> (tempfile::TempDir, Arc<Store>, Arc<Delivery>) {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("db.sqlite").display());
        let (pool, dialect) = crate::db::connect(&url).await.unwrap();
        let store = Arc::new(Store::new(pool.clone(), dialect));
        let delivery =
            Delivery::start(dialect, &url, pool, Arc::clone(&store), 64, CancellationToken::new()).await.unwrap();
        (folder, store, delivery)
    }

    /// Mina follows the room on her tablet, through this node, and on her
    /// phone, through node 2. She renames herself twice on her laptop; node
    /// 2 says so. The room shows her under the name she chose last, whichever
    /// node's entry it shows, and her tablet is told it: as the store has it
    /// when this node reads it, whatever the notice.
    #[tokio::test]
    async fn a_change_heard_from_another_node_is_read_from_the_store_for_the_room_and_her_tablet() {
        let (_folder, store, delivery) = node_on_sqlite().await;
        let mina = store.create_user("Mina").await.unwrap().unwrap();
        let room = RoomId(3);
        let tablet = delivery.open();
        delivery.sign_in(&tablet, mina.id);
        delivery.follow(&tablet, room, mina.id, "Mina");
        let phone = Entry { room, user: mina.id, name: "Mina".into() };
        on_message(&delivery, &store, BusMessage::Present { node: 2, entries: vec![phone] }).await;

        for name in ["Mina Kim", "Kim Mina"] {
            store.rename_user(mina.id, name).await.unwrap().unwrap();
        }
        on_message(&delivery, &store, BusMessage::YouChanged { node: 2, user: mina.id }).await;

        let told = loop {
            tokio::time::timeout(Duration::from_secs(5), tablet.mailbox().ready()).await.expect("told");
            let listings = tablet.mailbox().take(&mut Default::default()).listings;
            if let Some(last) = listings.last() {
                break decode_server(last.as_bytes()).unwrap();
            }
        };
        let ServerFrame::YouChanged { name, .. } = told else { panic!("{told:?}") };
        assert_eq!(name.as_deref(), Some("Kim Mina"));
        // Her tablet leaves: the room still shows her, through her phone's
        // entry, under the new name.
        delivery.unfollow(&tablet, room, mina.id);
        let ServerFrame::Presence { members, .. } = delivery.presence_snapshot(room) else { unreachable!() };
        assert_eq!(members.iter().map(|member| member.name.as_str()).collect::<Vec<_>>(), ["Kim Mina"]);
    }

    /// Mina's phone read her name to enter a room under it; before it
    /// entered, a rename was read here and found no entry of hers there to
    /// rename. The room does not keep the old name.
    #[tokio::test]
    async fn a_room_entered_under_a_name_read_before_a_rename_takes_the_new_one() {
        let (_folder, store, delivery) = node_on_sqlite().await;
        let mina = store.create_user("Mina").await.unwrap().unwrap();
        let room = RoomId(3);
        let phone = delivery.open();
        delivery.sign_in(&phone, mina.id);

        let before = delivery.changes_read();
        store.rename_user(mina.id, "Mina Kim").await.unwrap().unwrap();
        on_message(&delivery, &store, BusMessage::YouChanged { node: 2, user: mina.id }).await;
        tokio::time::timeout(Duration::from_secs(5), phone.mailbox().ready()).await.expect("told");
        delivery.follow(&phone, room, mina.id, "Mina");
        delivery.entered_as_read(mina.id, before);

        let shown = || {
            let ServerFrame::Presence { members, .. } = delivery.presence_snapshot(room) else { unreachable!() };
            members.into_iter().map(|member| member.name).collect::<Vec<_>>()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while shown() != ["Mina Kim"] {
            assert!(tokio::time::Instant::now() < deadline, "still shown as {:?}", shown());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
