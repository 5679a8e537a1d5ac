//! One socket per browser: the tabs of one browser share one connection.
//!
//! One tab leads: its engine holds the socket and the outbox, as a lone tab's
//! does. Every other tab follows: its engine opens no socket, hands what the
//! user does to the leader ([`FromFollower`], through
//! [`crate::Output::ToLeader`]), and is fed what the leader's socket receives
//! (`Client::on_leader_frame`), the leader's status, what it tells of its
//! connection ([`FromLeader`]) and its outbox. So each tab's page is built by
//! the same engine rules from the same stream, and the server sees one socket
//! and one outbox.
//!
//! Choosing the leader and carrying the messages between tabs are the
//! adapter's (a Web Lock and a `BroadcastChannel` in the browser); this module
//! keeps what a follower must remember so that nothing is lost when the
//! leader goes away: the actions it handed over that the leader has not yet
//! shown it holds, and those deleted there that it has not yet shown it
//! dropped.

use hanmadi_protocol::{ActionKey, RoomId, Seq};

use crate::outbox::PendingAction;
use crate::Status;

/// What a following tab asks of the leader's engine
/// (see [`crate::Client::on_follower`]).
#[derive(Debug, Clone, PartialEq)]
pub enum FromFollower {
    /// A tab just started following: tell it the status and the outbox, and
    /// have the server send every room's presence again for it.
    Hello,
    /// An action made (or restored) in that tab, under its key: kept through
    /// every hand-over, so the server applies it once.
    Hand(PendingAction),
    /// "Retry" on a message that was not sent.
    Retry { key: ActionKey },
    /// "Delete" on a message that was not sent.
    Discard { key: ActionKey },
    /// A keystroke in a room's composer.
    Typing { room: RoomId },
    /// That tab follows a room from `after` (it loaded its history, or joined
    /// it): the server should replay what came since, to every tab.
    Track { room: RoomId, after: Seq },
    /// That tab became visible or woke from sleep: check the socket at once
    /// (the leader may be a hidden tab whose timers are throttled).
    Check,
    /// "Retry now" on the connection badge.
    RetryNow,
}

/// What the leading tab tells the following tabs of its connection (see
/// [`crate::Client::on_leader`]), through [`crate::Output::ToFollowers`]. Its
/// status does not say it: a quick reconnect is hidden from the badge, yet
/// the connection the events came through was lost all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FromLeader {
    /// The connection was lost.
    Lost,
    /// A connection is ready (again).
    Ready,
}

/// A following tab's own memory.
#[derive(Debug)]
pub(crate) struct Following {
    /// The leader's status, shown as this tab's.
    pub status: Status,
    /// Actions made here (or restored here) and handed to the leader, until
    /// the leader's outbox shows it holds them or the server answered them.
    /// Handed again to each new leader; kept in this tab's outbox meanwhile.
    pub handed: Vec<PendingAction>,
    /// Actions deleted here ("Delete" on one not sent), until the leader's
    /// outbox shows it no longer holds them. Deleted again by each new
    /// leader: the one before may have gone without reading it, leaving
    /// them in the outbox it saved, which the next one adopts.
    pub discarded: Vec<ActionKey>,
}

impl Following {
    pub fn new(handed: Vec<PendingAction>) -> Self {
        Self { status: Status::Connecting, handed, discarded: Vec::new() }
    }

    /// The leader's outbox arrived: what it holds is no longer ours to keep,
    /// and what was deleted here that it does not hold is gone for good.
    /// Returns the outbox to show: the leader's, then what it does not hold
    /// yet.
    pub fn merge(&mut self, leaders: Vec<PendingAction>) -> Vec<PendingAction> {
        let holds = |key: &ActionKey| leaders.iter().any(|held| &held.key == key);
        self.handed.retain(|mine| !holds(&mine.key));
        self.discarded.retain(|key| holds(key));
        leaders.into_iter().chain(self.handed.iter().cloned()).collect()
    }

    /// The server answered this key: the leader had it.
    pub fn answered(&mut self, key: &ActionKey) {
        self.handed.retain(|mine| &mine.key != key);
    }

    /// The person deleted this action here: it is no longer handed, and
    /// stays deleted through hand-overs.
    pub fn discard(&mut self, key: &ActionKey) {
        self.handed.retain(|mine| &mine.key != key);
        if !self.discarded.contains(key) {
            self.discarded.push(key.clone());
        }
    }
}
