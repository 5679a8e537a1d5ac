//! Forwarding what the delivery path put in this socket's mailbox, the
//! ticker, and the end of the session.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use futures_util::SinkExt;
use hanmadi_protocol::{close_code, encode, ServerFrame};
use tokio::sync::broadcast::error::RecvError;

use super::{Next, Session};
use crate::delivery::you_now;

impl Session {
    /// Sends what the mailbox holds.
    pub(super) async fn on_mail(&mut self) -> Next {
        if !self.forward_mail().await {
            return Next::Stop;
        }
        self.flush().await
    }

    pub(super) async fn flush(&mut self) -> Next {
        match tokio::time::timeout(self.state.limits.write_timeout, self.socket.flush()).await {
            Ok(Ok(())) => Next::Continue,
            Ok(Err(_)) | Err(_) => Next::Stop,
        }
    }

    /// Queues on the socket (without flushing) everything the mailbox holds, and
    /// the acks that were waiting for it. False if the socket broke.
    pub(super) async fn forward_mail(&mut self) -> bool {
        let taken = self.subscription.mailbox().take(&mut self.parcels);
        if !taken.lagged.is_empty() {
            tracing::info!(rooms = taken.lagged.len(), "slow consumer; resyncing its lagging rooms");
        }
        for room in &taken.lagged {
            // Too slow to keep up: the lost frames are not in the mailbox, but
            // their events are in the database. The client resumes the room
            // (unless the person has left it meanwhile).
            if self.following.contains_key(room)
                && !taken.left.contains(room)
                && !self.feed(encode(&ServerFrame::Resync { room: *room }).into()).await
            {
                return false;
            }
        }
        // The rooms list is for people signed in. What a connection drops
        // before its welcome, the list its client fetches after it holds.
        if let Some(user) = self.user.as_ref().map(|user| user.id) {
            if taken.list_stale {
                if !self.feed(encode(&ServerFrame::RoomListStale {}).into()).await {
                    return false;
                }
                // The person's own changes (`you_changed`) wait in the same
                // lane: any dropped with it are told again, whole, as now.
                if let Some(you) = you_now(&self.state.store, user).await {
                    if !self.feed(you).await {
                        return false;
                    }
                }
            }
            for listing in taken.listings {
                if !self.feed(listing).await {
                    return false;
                }
            }
        }
        while let Some(parcel) = self.parcels.pop_front() {
            let Some(sent) = self.following.get_mut(&parcel.room) else { continue };
            if let Some(seq) = parcel.seq {
                if seq <= *sent {
                    continue;
                }
                *sent = seq;
            }
            if !self.feed(parcel.text).await {
                return false;
            }
        }
        // The person left these rooms (here or elsewhere): the parcels above
        // were their last, typing is no longer relayed to them, and a read
        // reported there is for the store to refuse.
        for room in &taken.left {
            self.following.remove(room);
            self.typing_relayed.remove(room);
            self.read_held.remove(room);
        }
        // An ack whose event was lost with a lagging room is not worth holding.
        while let Some(held) = self.held_acks.front() {
            let due = !taken.lagged.is_empty()
                || held.waits_for.is_none_or(|(room, seq)| self.following.get(&room).is_none_or(|sent| *sent >= seq));
            if !due {
                break;
            }
            let held = self.held_acks.pop_front().expect("looked at the front");
            if !self.feed(held.frame).await {
                return false;
            }
        }
        true
    }

    pub(super) async fn on_tick(&mut self, tick: Result<Arc<str>, RecvError>) -> Next {
        match tick {
            Ok(text) => self.send_text(Utf8Bytes::from(&*text)).await,
            // Latest-wins: skip the backlog, send what is true now.
            Err(RecvError::Lagged(_)) => match self.state.ticker.snapshot() {
                Some(snapshot) => self.send_text(snapshot.into()).await,
                None => Next::Continue,
            },
            Err(RecvError::Closed) => Next::Continue,
        }
    }

    /// A session ended somewhere: if it is this socket's, the socket closes.
    /// Having missed some (a burst of sign-outs), it asks the database.
    pub(super) async fn on_session_ended(&mut self, ended: Result<Arc<str>, RecvError>) -> Next {
        let Some(signed_in) = &self.signed_in else { return Next::Continue };
        let still_open = match ended {
            Ok(session) => session != signed_in.session,
            Err(RecvError::Lagged(_)) => self.state.sessions.is_open(&signed_in.session).await.unwrap_or(true),
            Err(RecvError::Closed) => true,
        };
        if still_open {
            Next::Continue
        } else {
            Next::Close(close_code::UNAUTHORIZED, "signed out")
        }
    }
}
