//! The [`Client`]'s inputs and outputs for tabs of one browser sharing one
//! connection (see `crate::tabs`): following a leading tab, and leading.

use hanmadi_protocol::{decode_server, ClientFrame, Cursor, RoomId, Seq, ServerFrame, UserId};

use super::{Client, Event, Output};
use crate::outbox::{Outbox, PendingAction};
use crate::tabs::{Following, FromFollower, FromLeader};
use crate::{Instant, Status};

impl Client {
    /// Another tab of this browser holds the connection: this one opens no
    /// socket, hands its actions to that tab ([`Output::ToLeader`]), and is
    /// fed what it receives. What waits in this tab's outbox is handed over
    /// too. Call before [`Client::connect`] (which then does nothing).
    ///
    /// Until the leader shows it holds them, the actions handed over are
    /// saved here ([`Output::SaveOutbox`] gives only those while following),
    /// so a hand-over during which every copy in memory goes still loses none.
    pub fn follow(&mut self) {
        let handed = self.outbox.entries().to_vec();
        for entry in &handed {
            self.ask_leader(FromFollower::Hand(entry.clone()));
        }
        self.following = Some(Following::new(handed));
        self.ask_leader(FromFollower::Hello);
        self.outbox_changed();
    }

    /// This tab leads from now on (the leading tab closed or crashed, or there
    /// was none): it connects, resumes every room from the cursors it holds
    /// and sends the outbox it has been showing. Then give it the leader's
    /// saved outbox, with [`Client::adopt_outbox`], in case the last copy
    /// shown here missed a change (given before, while still following, it
    /// would be handed to a leader that is gone, and the outbox told as this
    /// tab's would be only what it handed over).
    ///
    /// Without a token (signed out elsewhere) it leads but stays closed, and
    /// [`Client::connect`] starts it once signed in.
    pub fn lead(&mut self, now: Instant) {
        let Some(following) = self.following.take() else {
            if self.conn.has_token() {
                self.connect(now);
            }
            return;
        };
        self.outbox.requeue_sending();
        self.outbox.drop_keys(&self.recently_answered);
        // Saved at once, as the browser's one copy: the last leader's may
        // lack what was handed to it as it went.
        self.outbox_changed();
        if self.conn.has_token() {
            self.conn.take_over(now, following.status);
        } else if following.status != Status::Closed {
            self.event(Event::Status(Status::Closed));
        }
        self.pump(now);
    }

    /// A frame the leading tab's socket received.
    pub fn on_leader_frame(&mut self, now: Instant, text: &str) {
        if self.following.is_none() {
            return;
        }
        match decode_server(text) {
            Ok(ServerFrame::Welcome { user, .. }) => self.me = user,
            Ok(frame) => self.on_server_frame(now, frame),
            Err(error) => {
                self.bad_frames += 1;
                self.event(Event::BadFrame { error, bytes: text.len(), so_far: self.bad_frames });
            }
        }
    }

    /// Who the leading tab's socket was welcomed as, told to a tab that
    /// began following after the welcome went by.
    pub fn on_leader_welcomed(&mut self, user: UserId) {
        if self.following.is_some() {
            self.me = Some(user);
        }
    }

    /// The leading tab's connection status changed (or a new leader said
    /// what it is): the badge here shows it. What losing the connection or
    /// getting it back means for the rooms comes apart ([`Client::on_leader`]),
    /// since the status hides a quick reconnect.
    pub fn on_leader_status(&mut self, status: Status) {
        let Some(following) = &mut self.following else { return };
        if following.status != status {
            following.status = status.clone();
            self.event(Event::Status(status));
        }
    }

    /// The leading tab's connection was lost, or is ready again (its
    /// [`Output::ToFollowers`]): it means here what it means there. Lost,
    /// nobody is typing any more and each room is replayed before it is live
    /// again; ready, the rooms list is fetched again, for what changed while
    /// no connection was open.
    pub fn on_leader(&mut self, note: FromLeader) {
        if self.following.is_none() {
            return;
        }
        match note {
            FromLeader::Lost => self.connection_gone(),
            FromLeader::Ready => self.event(Event::RoomListStale),
        }
    }

    /// The leading tab's outbox (as it saves it), shown here with the
    /// actions handed to it that it does not show yet.
    pub fn on_leader_outbox(&mut self, json: &str) -> Result<(), String> {
        let Some(following) = &mut self.following else { return Ok(()) };
        let shown = following.merge(Outbox::parse(json)?);
        self.outbox.replace(shown);
        // A copy older than an answer heard here (a new leader's, before it
        // heard the answer itself) does not bring the action back.
        self.outbox.drop_keys(&self.recently_answered);
        self.outbox_changed();
        Ok(())
    }

    /// Another tab took the lead: everything handed to the one before that it
    /// had not shown it holds is handed again (the new leader keeps each key
    /// once, the server applies it once), and everything deleted here that
    /// it had not shown it dropped is deleted again (it may be in the outbox
    /// the new leader adopted).
    pub fn on_new_leader(&mut self) {
        let Some(following) = &self.following else { return };
        let (handed, discarded) = (following.handed.clone(), following.discarded.clone());
        // The last leader's connection went with it: the new one replays
        // what it missed before the rooms are live again.
        self.connection_gone();
        for entry in handed {
            self.ask_leader(FromFollower::Hand(entry));
        }
        for key in discarded {
            self.ask_leader(FromFollower::Discard { key });
        }
        self.ask_leader(FromFollower::Hello);
    }

    /// What a following tab asks of this one, the leader.
    pub fn on_follower(&mut self, now: Instant, request: FromFollower) {
        if self.following.is_some() {
            return;
        }
        match request {
            FromFollower::Hello => {
                // The server answers a resume with each room's presence: the
                // new tab has not seen it.
                let cursors: Vec<Cursor> = self.streams.cursors().map(|(room, after)| Cursor { room, after }).collect();
                if !cursors.is_empty() {
                    self.conn.send_frame(&ClientFrame::Resume { cursors });
                }
            }
            // With no session (signed out, or ended), what a follower hands
            // over belongs to no one: it stays the follower's, which tells it
            // when the session's end reaches it.
            FromFollower::Hand(_) if !self.conn.has_token() => {}
            FromFollower::Hand(entry) => {
                if !self.recently_answered.contains(&entry.key) && self.outbox.hand(entry) {
                    self.outbox_changed();
                    self.flush_outbox();
                }
            }
            FromFollower::Retry { key } => {
                self.retry_action(now, &key);
            }
            FromFollower::Discard { key } => {
                self.discard_action(&key);
            }
            FromFollower::Typing { room } => self.typing(now, room),
            FromFollower::Track { room, after } => {
                self.conn.send_frame(&ClientFrame::Resume { cursors: vec![Cursor { room, after }] });
            }
            FromFollower::Check => self.conn.on_visible(now),
            FromFollower::RetryNow => self.retry_now(now),
        }
        self.pump(now);
    }

    /// The person read `room` up to `seq` in another tab of this browser:
    /// shown here, and told to the server by whichever tab leads.
    pub fn on_read_in_other_tab(&mut self, now: Instant, room: RoomId, seq: Seq) {
        if self.reads.read(room, seq) {
            self.event(Event::ReadElsewhere { room, seq });
            self.send_reads(now);
            self.pump(now);
        }
    }

    pub(super) fn ask_leader(&mut self, request: FromFollower) {
        self.outputs.push_back(Output::ToLeader(request));
    }

    /// An outbox adopted while following goes to the leader, key by key.
    pub(super) fn hand_to_leader(&mut self, entry: PendingAction) {
        let Some(following) = &mut self.following else { return };
        if self.outbox.hand(entry.clone()) {
            following.handed.push(entry.clone());
            self.ask_leader(FromFollower::Hand(entry));
        }
    }
}
