//! One connection's queue of live frames, filled by the node's delivery path and
//! drained by the connection's task.
//!
//! Why not a channel: a full queue must say *which rooms* lost frames, so that only
//! those rooms are resynced (the rest of the connection carries on), and room-list
//! changes that overflow must turn into one "fetch the list again" rather than
//! be lost. A mutex around a `VecDeque` plus a [`Notify`] does both, costs
//! nothing while idle (an empty `VecDeque` allocates nothing) and lets the task
//! take everything waiting in one swap, so frames are written to the socket in
//! batches.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use hanmadi_protocol::{DeliveryClass, RoomId, Seq, ServerFrame};
use tokio::sync::Notify;

/// One encoded frame on its way to one connection.
#[derive(Debug, Clone)]
pub struct Parcel {
    pub room: RoomId,
    /// For room events: lets the connection skip what its resume already sent.
    pub seq: Option<Seq>,
    /// Encoded once for every follower; a clone is a reference count.
    pub text: Utf8Bytes,
}

/// How much a lost parcel matters, which decides what a full mailbox does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Room events and presence changes: losing one means the room must be
    /// resynced (the client resumes it and gets a fresh presence snapshot).
    Resyncable,
    /// Typing: meaningful for a few seconds; simply dropped.
    Ephemeral,
}

impl Class {
    /// What losing a frame costs follows from its delivery class.
    pub fn of(frame: &ServerFrame) -> Class {
        match frame.class() {
            DeliveryClass::Ephemeral => Class::Ephemeral,
            // A resume repairs the loss: events are replayed, presence comes
            // back as a snapshot.
            DeliveryClass::Reliable | DeliveryClass::LatestWins => Class::Resyncable,
            // Answers on the connection itself, never through mailboxes; were
            // one ever lost, a resync is the safe side.
            DeliveryClass::Action | DeliveryClass::Control => Class::Resyncable,
        }
    }
}

#[derive(Debug)]
pub struct Mailbox {
    state: Mutex<State>,
    wake: Notify,
    capacity: usize,
}

#[derive(Debug, Default)]
struct State {
    parcels: VecDeque<Parcel>,
    /// Rooms that lost parcels since the last [`Mailbox::take`], each once.
    lagged: Vec<RoomId>,
    /// Room-list changes (`room_listed` frames, and the person's own
    /// `read_up_to`, `seen` and `you_changed`) not sent yet, in the order
    /// they were made.
    listings: Vec<Utf8Bytes>,
    /// Room-list changes were dropped since the last [`Mailbox::take`].
    list_stale: bool,
    /// Rooms the person signed in here left (on this connection or another)
    /// since the last [`Mailbox::take`]: no parcel of theirs comes after.
    left: Vec<RoomId>,
}

/// What [`Mailbox::take`] hands over besides the parcels.
#[derive(Debug, Default)]
pub struct Taken {
    pub lagged: Vec<RoomId>,
    /// Empty when `list_stale`: the list fetched again holds them.
    pub listings: Vec<Utf8Bytes>,
    /// The client must fetch the rooms list again.
    pub list_stale: bool,
    /// Rooms the connection no longer follows, their parcels above being the
    /// last.
    pub left: Vec<RoomId>,
}

impl Mailbox {
    /// `capacity`: parcels the connection may fall behind by before rooms lose
    /// parcels and must be resynced.
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self { state: Mutex::new(State::default()), wake: Notify::new(), capacity: capacity.max(1) })
    }

    pub fn push(&self, parcel: Parcel, class: Class) {
        let mut state = self.state.lock().expect("mailbox lock");
        if state.parcels.len() < self.capacity {
            state.parcels.push_back(parcel);
        } else if class == Class::Resyncable && !state.lagged.contains(&parcel.room) {
            state.lagged.push(parcel.room);
        } else {
            return;
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Marks rooms as having lost parcels (e.g. the cluster bus lost its
    /// connection and notifications may have been missed).
    pub fn lag(&self, rooms: impl IntoIterator<Item = RoomId>) {
        let mut state = self.state.lock().expect("mailbox lock");
        for room in rooms {
            if !state.lagged.contains(&room) {
                state.lagged.push(room);
            }
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Queues room-list changes, in order after those still waiting. Past the
    /// mailbox's capacity they are all dropped for one "fetch the list again":
    /// a slow reader costs one fetch, never a wrong list. Once that is due, more
    /// changes are not worth keeping: the fetch comes after them.
    pub fn list(&self, listings: &[Utf8Bytes]) {
        let mut state = self.state.lock().expect("mailbox lock");
        if state.list_stale {
            return;
        }
        if state.listings.len() + listings.len() > self.capacity {
            state.listings = Vec::new();
            state.list_stale = true;
        } else {
            state.listings.extend_from_slice(listings);
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Room-list changes may have been lost on the way to this node.
    pub fn list_stale(&self) {
        let mut state = self.state.lock().expect("mailbox lock");
        state.listings = Vec::new();
        if std::mem::replace(&mut state.list_stale, true) {
            return;
        }
        drop(state);
        self.wake.notify_one();
    }

    /// The person left `room`: the connection stops following it once the
    /// parcels waiting are sent (the last of them says they left).
    pub fn left(&self, room: RoomId) {
        self.state.lock().expect("mailbox lock").left.push(room);
        self.wake.notify_one();
    }

    /// Moves every waiting parcel into `into` (which should be empty: its
    /// allocation is swapped in, so a busy connection reuses two buffers).
    pub fn take(&self, into: &mut VecDeque<Parcel>) -> Taken {
        let mut state = self.state.lock().expect("mailbox lock");
        std::mem::swap(&mut state.parcels, into);
        Taken {
            lagged: std::mem::take(&mut state.lagged),
            listings: std::mem::take(&mut state.listings),
            list_stale: std::mem::take(&mut state.list_stale),
            left: std::mem::take(&mut state.left),
        }
    }

    /// Resolves when something was pushed since the last call resolved (a push
    /// while nobody waits is remembered, so no wake-up is lost).
    pub async fn ready(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::{Member, PresenceChange, UserId, Version};

    use super::*;

    #[test]
    fn what_a_lost_frame_costs_follows_from_its_delivery_class() {
        let typing = ServerFrame::Typing { room: RoomId(1), user: UserId(2), name: "Mina".into() };
        assert_eq!(Class::of(&typing), Class::Ephemeral, "typing is simply dropped");
        let joined = PresenceChange::Joined { user: UserId(2), name: "Mina".into() };
        let change = ServerFrame::PresenceChanged { room: RoomId(1), version: Version(3), change: joined };
        let snapshot = ServerFrame::Presence { room: RoomId(1), version: Version(4), members: Vec::<Member>::new() };
        assert_eq!(Class::of(&change), Class::Resyncable, "a lost presence change is repaired by a snapshot");
        assert_eq!(Class::of(&snapshot), Class::Resyncable);
    }

    fn parcel(room: u64, seq: u64) -> Parcel {
        Parcel { room: RoomId(room), seq: Some(Seq(seq)), text: Utf8Bytes::from_static("{}") }
    }

    #[test]
    fn a_full_mailbox_names_each_room_that_lost_frames_once() {
        let mailbox = Mailbox::new(2);
        mailbox.push(parcel(1, 1), Class::Resyncable);
        mailbox.push(parcel(2, 1), Class::Resyncable);
        mailbox.push(parcel(1, 2), Class::Resyncable);
        mailbox.push(parcel(1, 3), Class::Resyncable);
        mailbox.push(parcel(3, 1), Class::Ephemeral);
        let mut parcels = VecDeque::new();
        let taken = mailbox.take(&mut parcels);
        assert_eq!(parcels.len(), 2);
        assert_eq!(taken.lagged, vec![RoomId(1)], "room 2's frame arrived; typing in room 3 is not worth a resync");
        let mut again = VecDeque::new();
        assert!(mailbox.take(&mut again).lagged.is_empty(), "a lag is reported once");
    }

    fn listing(room: u64) -> Utf8Bytes {
        Utf8Bytes::from(format!("room {room}"))
    }

    fn listed_rooms(taken: &Taken) -> Vec<&str> {
        taken.listings.iter().map(Utf8Bytes::as_str).collect()
    }

    #[test]
    fn room_list_changes_wait_in_order_until_taken() {
        let mailbox = Mailbox::new(4);
        mailbox.list(&[listing(1), listing(2)]);
        mailbox.list(&[listing(1)]);
        let mut parcels = VecDeque::new();
        let taken = mailbox.take(&mut parcels);
        assert_eq!(listed_rooms(&taken), ["room 1", "room 2", "room 1"], "a rename after a creation comes after it");
        assert!(!taken.list_stale);
        assert!(mailbox.take(&mut parcels).listings.is_empty());
    }

    #[test]
    fn room_list_changes_past_the_capacity_become_one_refetch() {
        let mailbox = Mailbox::new(4);
        mailbox.list(&[listing(1), listing(2), listing(3)]);
        mailbox.list(&[listing(4), listing(5)]);
        mailbox.list(&[listing(6)]);
        let mut parcels = VecDeque::new();
        let taken = mailbox.take(&mut parcels);
        assert!(taken.list_stale, "the client fetches the list instead");
        assert!(taken.listings.is_empty(), "what the fetch brings is not sent twice");
        mailbox.list(&[listing(7)]);
        let taken = mailbox.take(&mut parcels);
        assert_eq!(listed_rooms(&taken), ["room 7"], "changes after it are sent again");
        assert!(!taken.list_stale);
    }

    #[test]
    fn a_lost_bus_makes_the_list_stale_once() {
        let mailbox = Mailbox::new(4);
        mailbox.list(&[listing(1)]);
        mailbox.list_stale();
        mailbox.list_stale();
        let mut parcels = VecDeque::new();
        let taken = mailbox.take(&mut parcels);
        assert!(taken.list_stale && taken.listings.is_empty());
        assert!(!mailbox.take(&mut parcels).list_stale);
    }

    #[tokio::test]
    async fn a_push_before_anyone_waits_still_wakes_the_reader() {
        let mailbox = Mailbox::new(4);
        mailbox.push(parcel(1, 1), Class::Resyncable);
        tokio::time::timeout(std::time::Duration::from_secs(1), mailbox.ready()).await.expect("woken");
    }
}
