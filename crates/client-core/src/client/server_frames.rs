//! The [`Client`]'s answers to the server: each frame that arrives, the
//! acknowledgement of an action (and the rooms it makes us follow), and what
//! the rooms' event streams then ask for.

use hanmadi_protocol::{
    Action, ActionKey, ClientFrame, Cursor, Outcome, RejectCode, RoomEvent, RoomId, Seq, ServerFrame,
};

use super::{Client, Event, Output};
use crate::outbox::PendingAction;
use crate::room_streams::{last_says_left, SequencedEvent, StreamOutput};
use crate::tabs::FromFollower;
use crate::Instant;

impl Client {
    pub(super) fn on_server_frame(&mut self, now: Instant, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome { user, .. } => self.me = user,
            ServerFrame::Pong { .. } => {}
            ServerFrame::Error { code, message } => self.event(Event::ServerError { code, message }),
            ServerFrame::Ack { key, outcome } => self.on_ack(now, key, outcome),
            ServerFrame::Event { room, seq, at, event } => {
                if let RoomEvent::Message { author, .. } = &event {
                    if self.typing.stopped(room, *author) {
                        self.typing_changed(room);
                    }
                }
                let mut out = Vec::new();
                self.streams.on_event(room, SequencedEvent { seq, at, event }, &mut out);
                self.stream_outputs(out);
            }
            ServerFrame::CaughtUp { room, head } => {
                let mut out = Vec::new();
                self.streams.on_caught_up(room, head, &mut out);
                self.stream_outputs(out);
                self.event(Event::CaughtUp { room, head });
            }
            ServerFrame::NotMember { room } => self.no_longer_in(room),
            ServerFrame::Reset { room, head } => {
                if self.streams.reset(room, head) {
                    self.event(Event::RoomReset { room, head });
                }
            }
            ServerFrame::Resync { room } => {
                self.streams.on_resync(room);
                if let Some(after) = self.streams.cursor(room) {
                    self.conn.send_frame(&ClientFrame::Resume { cursors: vec![Cursor { room, after }] });
                }
            }
            ServerFrame::Ticker { updates } => {
                let had_changes = self.ticker.has_changes();
                self.ticker.apply(updates);
                if !had_changes && self.ticker.has_changes() {
                    self.event(Event::TickerChanged);
                }
            }
            ServerFrame::Presence { room, version, members } => {
                // Kept only for the rooms followed, like their events: a snapshot still
                // on its way when a room is untracked must not bring its presence back.
                if self.streams.cursor(room).is_some() {
                    self.presence.on_snapshot(room, version, members);
                    self.presence_changed(room);
                }
            }
            ServerFrame::PresenceChanged { room, version, change } => {
                if self.presence.on_change(room, version, change) {
                    self.presence_changed(room);
                }
            }
            ServerFrame::RoomListed { room, name } => self.event(Event::RoomListed { room, name }),
            ServerFrame::RoomListStale {} => self.event(Event::RoomListStale),
            ServerFrame::ReadUpTo { room, seq } => {
                if self.reads.confirmed(room, seq) {
                    self.event(Event::ReadElsewhere { room, seq });
                }
            }
            ServerFrame::Seen { room, seq } => self.event(Event::Seen { room, seq }),
            ServerFrame::YouChanged { name, settings } => self.event(Event::YouChanged { name, settings }),
            ServerFrame::Typing { room, user, name } => {
                if Some(user) != self.me && self.typing.on_typing(room, user, name, now + self.config.typing_ttl) {
                    self.typing_changed(room);
                }
            }
        }
    }

    pub(super) fn on_ack(&mut self, now: Instant, key: ActionKey, outcome: Outcome) {
        match outcome {
            Outcome::Applied { room, seq, .. } => {
                // An unknown key is the answer to a repeat we already had: ignore it.
                if let Some(PendingAction { key, action, .. }) = self.outbox.applied(&key) {
                    let here = self.answered(&key, true);
                    self.outbox_changed();
                    self.follow_after(&action, room);
                    self.event(Event::ActionApplied { key, action, room, seq, here });
                }
            }
            // Not a refusal: the server had no budget for it yet and did not
            // record it, so it goes again, same key, after a pause.
            Outcome::Rejected { code: RejectCode::RateLimited, .. } => {
                if self.outbox.postpone(&key) {
                    self.outbox_paused_until.get_or_insert(now + self.config.rate_limited_pause);
                    self.outbox_changed();
                }
            }
            Outcome::Rejected { code, message, problem } => {
                if let Some((action, stays)) = self.outbox.rejected(&key, code, message.clone(), problem) {
                    let here = self.answered(&key, !stays);
                    self.outbox_changed();
                    self.event(Event::ActionRejected { key, action, stays, here, code, reason: message, problem });
                }
            }
        }
        // The queue may have waited for this answer (see `Outbox::take_queued`).
        self.flush_outbox();
    }

    /// Which rooms are followed follows our own applied actions: a room we
    /// created has no history to load, one we joined has, one we left is
    /// followed no more.
    ///
    /// An invite or a direct conversation names its room only in the answer,
    /// and the room may be one we are in already (an invite used twice, the
    /// conversation we had): it is loaded unless it is followed. Its name and
    /// kind are nowhere but in the rooms list (a private room is never
    /// announced with `room_listed`), so the list is asked for again.
    pub(super) fn follow_after(&mut self, action: &Action, room: RoomId) {
        match action {
            Action::CreateRoom { .. } => self.follow_room(room, Seq::ZERO),
            Action::JoinRoom { .. } => self.outputs.push_back(Output::LoadRoom { room }),
            Action::JoinWithInvite { .. } | Action::OpenDirect { .. } => {
                if self.streams.cursor(room).is_none() {
                    self.outputs.push_back(Output::LoadRoom { room });
                }
                self.event(Event::RoomListStale);
            }
            Action::LeaveRoom { .. } => self.untrack_room(room),
            _ => {}
        }
    }

    /// Follows a room from `after`: the server replays what came since
    /// (through the leading tab's socket, where another tab holds it).
    pub(super) fn follow_room(&mut self, room: RoomId, after: Seq) {
        self.streams.track(room, after);
        let after = self.streams.cursor(room).unwrap_or(after);
        if self.following.is_some() {
            self.ask_leader(FromFollower::Track { room, after });
        } else {
            self.conn.send_frame(&ClientFrame::Resume { cursors: vec![Cursor { room, after }] });
        }
    }

    pub(super) fn stream_outputs(&mut self, out: Vec<StreamOutput>) {
        for output in out {
            match output {
                StreamOutput::Deliver { room, events, live } => {
                    // A replay's "left" was followed by a return: a resume
                    // needs her in the room.
                    let left = live && self.me.is_some_and(|me| last_says_left(&events, me));
                    self.event(Event::RoomEvents { room, events, live });
                    if left {
                        self.no_longer_in(room);
                    }
                }
                StreamOutput::FetchRange { room, after, before } => {
                    self.outputs.push_back(Output::FetchRange { room, after, before })
                }
                StreamOutput::GapClosed { room, outcome } => self.event(Event::GapClosed { room, outcome }),
            }
        }
    }
}
