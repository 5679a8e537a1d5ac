//! Resuming rooms from the log (a page at a time, within a budget per
//! resume) and keeping read positions.

use hanmadi_protocol::{Cursor, ErrorCode, RoomId, Seq, ServerFrame};

use super::{Next, Session, MAX_CURSORS, MAX_REPLAY_PER_RESUME, REPLAY_PAGE};
use crate::store::{ReadPosition, User};

impl Session {
    pub(super) async fn on_resume(&mut self, user: &User, cursors: Vec<Cursor>) -> Next {
        if cursors.len() > MAX_CURSORS {
            return self.error(ErrorCode::Malformed, &format!("at most {MAX_CURSORS} rooms per resume")).await;
        }
        // A room named twice is resumed once, from the earlier cursor: one
        // frame must not buy a thousand replays of the same log.
        let mut cursors = cursors;
        cursors.sort_by_key(|cursor| (cursor.room, cursor.after));
        cursors.dedup_by_key(|cursor| cursor.room);
        // Presence shows the name the person has now: a rename made since
        // this socket's hello (on another device, say) must not come back
        // with a room this socket starts to follow; nor one read meanwhile
        // (`entered_as_read`).
        let changes_read = self.state.delivery.changes_read();
        let name = match self.state.store.user(user.id).await {
            Ok(now) => now.map_or_else(|| user.name.clone(), |now| now.name),
            Err(error) => return self.internal(error),
        };
        let mut replay_budget = MAX_REPLAY_PER_RESUME;
        for Cursor { room, after } in cursors {
            match self.state.store.is_member(room, user.id).await {
                Ok(true) => {}
                Ok(false) => {
                    // Followed still, its `left` event lost on the way here
                    // (a node that lost its bus resyncs every room): no more.
                    if self.following.remove(&room).is_some() {
                        self.state.delivery.unfollow(&self.subscription, room, user.id);
                    }
                    if let Next::Stop = self.send(&ServerFrame::NotMember { room }).await {
                        return Next::Stop;
                    }
                    continue;
                }
                Err(error) => return self.internal(error),
            }
            // Followed before the log is read, so no event can fall between the
            // replay and the live frames: what the replay sent, live skips.
            self.state.delivery.follow(&self.subscription, room, user.id, &name);
            self.state.delivery.entered_as_read(user.id, changes_read);
            let head = match self.replay(room, after, &mut replay_budget).await {
                Ok(Some(head)) => head,
                Ok(None) => return Next::Stop,
                Err(error) => return self.internal(error),
            };
            let sent = self.following.entry(room).or_insert(head);
            *sent = (*sent).max(head);
            if let Next::Stop = self.send(&ServerFrame::CaughtUp { room, head }).await {
                return Next::Stop;
            }
            let presence = self.state.delivery.presence_snapshot(room);
            if let Next::Stop = self.send(&presence).await {
                return Next::Stop;
            }
        }
        Next::Continue
    }

    /// Sends the room's events after `after`, as many as `budget` still
    /// allows (it is spent); returns the room's head as of now, or `None` if
    /// the socket broke. A cursor ahead of the log is not trusted: the
    /// client is told to reset the room, and the replay starts from the head.
    pub(super) async fn replay(&mut self, room: RoomId, after: Seq, budget: &mut usize) -> anyhow::Result<Option<Seq>> {
        let head = self.state.store.head(room).await?.unwrap_or(after);
        if after > head {
            tracing::warn!(%room, cursor = %after, %head, "a cursor ahead of the log; resetting the client's room");
            // The log went back (a restore): so may the read position.
            self.read_held.remove(&room);
            if let Next::Stop = self.send(&ServerFrame::Reset { room, head }).await {
                return Ok(None);
            }
            return Ok(Some(head));
        }
        let mut sent = after;
        while sent < head && *budget > 0 {
            let limit = REPLAY_PAGE.min(u32::try_from(*budget).unwrap_or(u32::MAX));
            let page = self.state.store.events(room, sent, Some(head.next()), limit).await?;
            let Some(last) = page.last() else { break };
            sent = last.seq;
            *budget -= page.len();
            for event in page {
                let frame = ServerFrame::Event { room, seq: event.seq, at: event.at, event: event.event };
                if let Next::Stop = self.send(&frame).await {
                    return Ok(None);
                }
            }
        }
        Ok(Some(head))
    }

    /// The person read `room` up to `seq` here: kept, and told to their other
    /// connections if it moved. Not acked (latest-wins: a report lost with
    /// the connection is sent again after the reconnect).
    pub(super) async fn on_read(&mut self, user: &User, room: RoomId, seq: Seq) -> Next {
        if self.read_held.get(&room).is_some_and(|held| seq <= *held) {
            return Next::Continue;
        }
        match self.state.store.read_up_to(user.id, room, seq).await {
            Ok(ReadPosition::Moved { to, direct_with }) => {
                self.read_held.insert(room, to);
                self.state.delivery.read_up_to(&self.subscription, user.id, room, to, direct_with);
                Next::Continue
            }
            Ok(ReadPosition::Unchanged { at }) => {
                self.read_held.insert(room, at);
                Next::Continue
            }
            Ok(ReadPosition::NotMember) => {
                self.error(ErrorCode::Forbidden, &format!("not a member of room {room}")).await
            }
            Err(error) => self.internal(error),
        }
    }
}
