//! The whole client engine: the [`Connection`] plus everything that rides on it —
//! the outbox of user actions, each room's event stream, the ticker, typing and
//! presence. The browser adapter drives this one type.

use std::collections::VecDeque;
use std::time::Duration;

use hanmadi_protocol::http::Settings;
use hanmadi_protocol::limits::TextProblem;
use hanmadi_protocol::{
    Action, ActionKey, ClientFrame, Cursor, DecodeError, ErrorCode, Member, RejectCode, RoomId, Seq, UserId,
};

use crate::connection::{ConnectionOutput, SocketId};
use crate::outbox::{ActionState, Outbox, OutboxFull, PendingAction};
use crate::presence::Presence;
use crate::read_positions::ReadPositions;
use crate::rng::SplitMix64;
use crate::room_streams::{GapOutcome, RoomStreams, SequencedEvent};
use crate::tabs::{Following, FromFollower, FromLeader};
use crate::ticker::{Ticker, TickerValue};
use crate::token_renewal::TokenRenewal;
use crate::typing::Typing;
use crate::{Config, Connection, Instant, Status};

mod connection_inputs;
mod server_frames;
mod tab_inputs;

/// What the adapter must do, drained with [`Client::poll_output`].
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Open a WebSocket to `url` and report its events with this id.
    Open { socket: SocketId, url: String },
    /// Send this text frame on the socket.
    Send { socket: SocketId, text: String },
    /// Detach the socket's handlers, then close it with this code.
    Close { socket: SocketId, code: u16, reason: String },
    /// Keep this (the exported outbox) where it survives a reload, replacing the
    /// previous copy; hand it to [`Client::restore_outbox`] on the next start.
    SaveOutbox(String),
    /// Fetch a room's events with `after < seq < before` over HTTP and hand them to
    /// [`Client::on_history`] (or [`Client::on_history_failed`]), with the
    /// range they answer: an answer may come after the engine has moved on.
    FetchRange { room: RoomId, after: Seq, before: Seq },
    /// Load the room's newest messages over HTTP, show them, and follow it
    /// from there with [`Client::track_room`]: a room we just joined.
    LoadRoom { room: RoomId },
    /// Get a fresh session token and hand it to [`Client::on_token_refreshed`]
    /// (with its lifetime to [`Client::token_valid_for`]), or report
    /// [`Client::on_token_refresh_unreachable`]. Asked when the server refused
    /// the token (on the socket, or over HTTP: [`Client::on_api_unauthorized`]),
    /// and before it expires (see [`Client::token_valid_for`]); never again
    /// before the answer.
    RefreshToken,
    /// This tab follows another ([`Client::follow`]): carry this to the
    /// leading tab's [`Client::on_follower`].
    ToLeader(FromFollower),
    /// Where other tabs follow this one ([`Client::lead`]): carry this to
    /// each following tab's [`Client::on_leader`]. A tab alone has nobody to
    /// tell.
    ToFollowers(FromLeader),
    /// Something for the user interface.
    Event(Event),
}

/// What changed, for the reactive store.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The badge's new status.
    Status(Status),
    /// A room's next events: in order, each exactly once. `live`: they are
    /// happening now (the room was caught up since the last connect), so a
    /// page showing the room shows them as they come; otherwise they are
    /// replayed from while this page was away from the server.
    RoomEvents { room: RoomId, events: Vec<SequencedEvent>, live: bool },
    /// The server has replayed a room up to `head` after a (re)connect.
    CaughtUp { room: RoomId, head: Seq },
    /// A gap in a room's events closed.
    GapClosed { room: RoomId, outcome: GapOutcome },
    /// The server's log of the room is behind what we held (its data was
    /// restored from a backup): drop what is shown of the room and load it
    /// again; the room is followed from `head`.
    RoomReset { room: RoomId, head: Seq },
    /// The outbox changed (read it with [`Client::outbox`]).
    OutboxChanged,
    /// The server applied an action; it has left the outbox. `here`: the
    /// user made it in this tab (not in another tab of the browser), so this
    /// page is where it should show its result (e.g. open the room).
    ActionApplied { key: ActionKey, action: Action, room: RoomId, seq: Option<Seq>, here: bool },
    /// The server refused an action for good. A message `stays` in the outbox
    /// as failed, for Retry or Delete; any other action has left it, and only
    /// the page's explanation remains. `reason` is the server's English;
    /// `problem`, what was wrong with a name or text; `here`, as for
    /// [`Event::ActionApplied`].
    ActionRejected {
        key: ActionKey,
        action: Action,
        stays: bool,
        here: bool,
        code: RejectCode,
        reason: String,
        problem: Option<TextProblem>,
    },
    /// Who is typing in a room changed.
    Typing { room: RoomId, names: Vec<String> },
    /// Who is in a room changed: everyone in it now, by user id.
    Presence { room: RoomId, members: Vec<Member> },
    /// The server ended the session (a refresh was refused: signed out on
    /// another device, or away past the token's grace; here or in another
    /// tab, [`Client::on_session_ended`]). The outbox was emptied, and
    /// `unsent` is what this tab held of it, failed or waiting: none of it
    /// can be sent now, so the page shows the person what was lost.
    SessionEnded { unsent: Vec<PendingAction> },
    /// The person is not in `room` any more (see [`Client::no_longer_in`]):
    /// the page shows it as not theirs. After its live `left`, this follows
    /// the [`Event::RoomEvents`] that holds it. A leave made here is told by
    /// its [`Event::ActionApplied`] (before which this may come too, when its
    /// `left` comes live).
    NoLongerIn { room: RoomId },
    /// The person read the room up to `seq` on another tab or device: what
    /// is unread here follows.
    ReadElsewhere { room: RoomId, seq: Seq },
    /// In a direct conversation, the other person has read it up to `seq`:
    /// what you said up to there was seen.
    Seen { room: RoomId, seq: Seq },
    /// The person changed their name or settings (whichever is given), in
    /// another tab, on another device or here: what shows them follows, and
    /// the saved session with it.
    YouChanged { name: Option<String>, settings: Option<Settings> },
    /// A room was created or renamed: list it under this name (or rename it).
    RoomListed { room: RoomId, name: String },
    /// The rooms list may be missing changes: fetch it whole, and apply every
    /// [`Event::RoomListed`] heard meanwhile on top of what it brings. Said on
    /// every new connection once it is ready (changes made while none was open
    /// are not replayed; a list fetched from then on misses nothing the
    /// connection will not tell), and when the server dropped changes on their
    /// way to us.
    RoomListStale,
    /// Ticker values are waiting: call [`Client::take_ticker_frame`] on the next
    /// animation frame.
    TickerChanged,
    /// The server refused a frame (a bug or a limit, worth showing or logging).
    ServerError { code: ErrorCode, message: String },
    /// The server sent a frame we could not decode: skipped, never fatal. Its
    /// size, why, and how many so far, for the log.
    BadFrame { error: DecodeError, bytes: usize, so_far: u64 },
}

/// The client engine. Sans-IO like [`Connection`]: feed it inputs with the time,
/// drain [`Client::poll_output`], arm a timer for [`Client::poll_timeout`].
#[derive(Debug)]
pub struct Client {
    config: Config,
    conn: Connection,
    keys: SplitMix64,
    outbox: Outbox,
    /// Set when the server rate-limited an action: nothing is sent before then.
    outbox_paused_until: Option<Instant>,
    streams: RoomStreams,
    ticker: Ticker,
    typing: Typing,
    me: Option<UserId>,
    presence: Presence,
    reads: ReadPositions,
    renewal: TokenRenewal,
    outputs: VecDeque<Output>,
    /// Frames from the server that could not be decoded, since the start.
    bad_frames: u64,
    /// Set while another tab of this browser holds the connection (`tabs`).
    following: Option<Following>,
    /// Keys of the actions made in this tab, until the server answers them.
    made_here: Vec<ActionKey>,
    /// An [`Output::RefreshToken`] is out and has not been answered.
    refreshing: bool,
    /// The last keys that left the outbox (answered, deleted, or sent again
    /// under a new key): a copy of an outbox saved or handed over before
    /// brings none of them back.
    recently_answered: VecDeque<ActionKey>,
}

/// How many answered keys are remembered: far more than can be in flight
/// during a hand-over between tabs.
const RECENTLY_ANSWERED: usize = 256;

impl Client {
    /// A client that has not started connecting: restore the saved outbox,
    /// set the token, then [`Client::connect`].
    pub fn new(config: Config) -> Self {
        Self {
            conn: Connection::new(config.clone()),
            // A separate stream from the jitter's, so keys do not depend on timing.
            keys: SplitMix64::new(config.seed ^ 0x6B65_7973_6B65_7973),
            outbox: Outbox::new(config.outbox_capacity),
            outbox_paused_until: None,
            streams: RoomStreams::default(),
            ticker: Ticker::default(),
            typing: Typing::default(),
            me: None,
            presence: Presence::default(),
            reads: ReadPositions::default(),
            renewal: TokenRenewal::default(),
            outputs: VecDeque::new(),
            bad_frames: 0,
            following: None,
            made_here: Vec::new(),
            refreshing: false,
            recently_answered: VecDeque::new(),
            config,
        }
    }

    /// What the connection badge shows (the last [`Event::Status`]); while
    /// following, the leading tab's.
    pub fn status(&self) -> &Status {
        match &self.following {
            Some(following) => &following.status,
            None => self.conn.status(),
        }
    }

    /// The user's actions not yet answered, oldest first, with their state.
    pub fn outbox(&self) -> &[PendingAction] {
        self.outbox.entries()
    }

    /// Where the person has read each room up to, as far as this engine
    /// knows, by room (rooms never read left out). A leading tab tells a tab
    /// that joins it: the server never tells a connection of positions sent
    /// on it, so a tab opened while one was held back (see
    /// [`Config::read_every`]) would not hear it.
    pub fn read_positions(&self) -> impl Iterator<Item = (RoomId, Seq)> + '_ {
        self.reads.positions()
    }

    /// The user the server says we are, once welcomed.
    pub fn me(&self) -> Option<UserId> {
        self.me
    }

    /// The next thing to do, if any: drain this after every input, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When to call [`Client::on_timeout`] next, if at all. Ask again after
    /// every input; a timer that fires early or late is harmless.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.conn.poll_timeout(),
            self.typing.next_expiry(),
            self.streams.next_retry(),
            self.outbox_paused_until,
            self.renewal.next_wake().filter(|_| self.following.is_none()),
            // Only a connection can send them: held for the next one, not
            // woken for (a deadline in the past would wake the tab at once,
            // over and over, until it reconnects).
            self.reads.next_due(self.config.read_every).filter(|_| self.conn.is_ready()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Takes over the outbox another tab of this browser left behind when it
    /// closed before its actions went out: merged by key, older actions first,
    /// and sent if connected, once what is already in flight (which they now
    /// come before) is answered. Adopting the same outbox twice, or two tabs
    /// adopting it, sends each action under its own key: the server applies
    /// it once.
    pub fn adopt_outbox(&mut self, now: Instant, saved: &str) -> Result<(), String> {
        if self.following.is_some() {
            for entry in Outbox::parse(saved)? {
                self.hand_to_leader(entry);
            }
            self.outbox_changed();
            return Ok(());
        }
        self.outbox.import(saved)?;
        self.outbox.drop_keys(&self.recently_answered);
        self.outbox_changed();
        self.flush_outbox();
        self.pump(now);
        Ok(())
    }

    /// Restores the outbox saved before a reload. Call before [`Client::connect`].
    pub fn restore_outbox(&mut self, saved: &str) -> Result<(), String> {
        self.outbox.import(saved)?;
        self.event(Event::OutboxChanged);
        Ok(())
    }

    // ---- the user's actions ----

    /// The user did something. It is queued with a fresh idempotency key (returned),
    /// saved, and sent at once if connected. A full outbox refuses it; nothing
    /// already queued is lost.
    pub fn act(&mut self, now: Instant, action: Action) -> Result<ActionKey, OutboxFull> {
        let key = self.new_key();
        self.act_as(now, key.clone(), action)?;
        Ok(key)
    }

    /// A fresh idempotency key, for an action that must wait before it can be
    /// made: a message whose files are still to be uploaded keeps its key
    /// (with the files, across reloads) until [`Client::act_as`] makes it.
    pub fn reserve_key(&mut self) -> ActionKey {
        self.new_key()
    }

    /// [`Client::act`] under a key reserved earlier ([`Client::reserve_key`]).
    /// Made again with the same key (a reload between making it and
    /// forgetting what it waited for), it changes nothing: the outbox holds
    /// it already, or the server answered it lately; and one the server
    /// answered longer ago is answered again, the same, by its idempotency.
    pub fn act_as(&mut self, now: Instant, key: ActionKey, action: Action) -> Result<(), OutboxFull> {
        let known = |pending: &PendingAction| pending.key == key;
        if self.outbox.entries().iter().any(known) || self.recently_answered.contains(&key) {
            return Ok(());
        }
        if let Action::SendMessage { room, .. } = &action {
            self.typing.sent_message(*room);
        }
        self.outbox.push(key.clone(), action.clone())?;
        self.made_here.push(key.clone());
        if let Some(following) = &mut self.following {
            let entry = PendingAction { key: key.clone(), action, state: ActionState::Queued };
            following.handed.push(entry.clone());
            self.ask_leader(FromFollower::Hand(entry));
        }
        self.outbox_changed();
        self.flush_outbox();
        self.pump(now);
        Ok(())
    }

    /// "Retry" on a failed action: it goes again under a new key (returned).
    /// While following, the leading tab retries it (and picks the key).
    pub fn retry_action(&mut self, now: Instant, key: &ActionKey) -> Option<ActionKey> {
        if self.following.is_some() {
            self.ask_leader(FromFollower::Retry { key: key.clone() });
            return None;
        }
        let new_key = self.new_key();
        if !self.outbox.retry(key, new_key.clone()) {
            return None;
        }
        self.gone_from_outbox(key);
        self.outbox_changed();
        self.flush_outbox();
        self.pump(now);
        Some(new_key)
    }

    /// "Delete" on a queued or failed action. False if it is already in flight.
    /// While following, the leading tab deletes it, and so does each new
    /// leader until one shows it is gone.
    pub fn discard_action(&mut self, key: &ActionKey) -> bool {
        if let Some(following) = &mut self.following {
            following.discard(key);
            self.ask_leader(FromFollower::Discard { key: key.clone() });
        }
        let discarded = self.outbox.discard(key);
        if discarded {
            self.gone_from_outbox(key);
            self.outbox_changed();
        }
        discarded
    }

    /// The user typed in a room's composer. Tells the server at most every
    /// [`Config::typing_every`], and only while connected: typing is not worth queuing.
    pub fn typing(&mut self, now: Instant, room: RoomId) {
        if let Some(following) = &self.following {
            if following.status == Status::Connected && self.typing.should_announce(room, now, self.config.typing_every)
            {
                self.ask_leader(FromFollower::Typing { room });
            }
            return;
        }
        if self.conn.is_ready() && self.typing.should_announce(room, now, self.config.typing_every) {
            self.conn.send_frame(&ClientFrame::Typing { room });
            self.pump(now);
        }
    }

    /// The person has read `room` up to `seq` (it is on screen, in a visible
    /// page). The server hears it soon (at most every [`Config::read_every`]
    /// per room), keeps it, and tells the person's other screens; a position
    /// only moves forward. While offline it waits for the next connection.
    pub fn read(&mut self, now: Instant, room: RoomId, seq: Seq) {
        if self.reads.read(room, seq) {
            self.send_reads(now);
            self.pump(now);
        }
    }

    /// The page is being hidden or closed: read positions held back by
    /// [`Config::read_every`] go now, while the socket is still there.
    pub fn on_hidden(&mut self, now: Instant) {
        if self.conn.is_ready() {
            for (room, seq) in self.reads.due(now, Duration::ZERO) {
                self.conn.send_frame(&ClientFrame::Read { room, seq });
            }
            self.pump(now);
        }
    }

    // ---- rooms' event streams ----

    /// Follows a room's events from `after` (what the app already has, e.g. from
    /// the history page it loaded). Resumes it at once if connected.
    pub fn track_room(&mut self, now: Instant, room: RoomId, after: Seq) {
        self.follow_room(room, after);
        self.pump(now);
    }

    /// `room` is not the person's any more, as its live `left`, the server's
    /// refusal to resume it, or the rooms list says (left on another screen,
    /// or here): the server follows it on this connection no more, and
    /// neither does the engine, so the room is loaded anew should they come
    /// back. [`Event::NoLongerIn`] tells the page, once: a room not followed
    /// is already known to be left.
    pub fn no_longer_in(&mut self, room: RoomId) {
        if self.streams.cursor(room).is_some() {
            self.untrack_room(room);
            self.event(Event::NoLongerIn { room });
        }
    }

    /// Stops following a room. Who is in it is no longer known, so nobody is shown.
    pub(crate) fn untrack_room(&mut self, room: RoomId) {
        self.streams.untrack(room);
        if self.presence.forget(room) {
            self.event(Event::Presence { room, members: Vec::new() });
        }
    }

    /// Every room followed (tracked), in room order.
    pub fn rooms_followed(&self) -> impl Iterator<Item = RoomId> + '_ {
        self.streams.cursors().map(|(room, _)| room)
    }

    /// The cursor of a tracked room: every event up to it has been delivered.
    pub fn room_cursor(&self, room: RoomId) -> Option<Seq> {
        self.streams.cursor(room)
    }

    /// The answer to the [`Output::FetchRange`] for `range` (`after`, `before`).
    pub fn on_history(&mut self, now: Instant, room: RoomId, range: (Seq, Seq), events: Vec<SequencedEvent>) {
        let mut out = Vec::new();
        self.streams.on_history(room, range, events, &mut out);
        self.stream_outputs(out);
        self.pump(now);
    }

    /// An [`Output::FetchRange`] failed; it is asked again after a pause.
    pub fn on_history_failed(&mut self, now: Instant, room: RoomId, range: (Seq, Seq)) {
        self.streams.on_history_failed(room, range, now);
    }

    // ---- the ticker ----

    /// The ticker values changed since the last frame, newest per symbol.
    pub fn take_ticker_frame(&mut self) -> Vec<TickerValue> {
        self.ticker.take_frame()
    }

    /// Ticker updates dropped for being older than the value shown.
    pub fn ticker_dropped_stale(&self) -> u64 {
        self.ticker.dropped_stale()
    }

    // ---- internals ----

    /// Drains the connection's outputs into ours, acting on readiness and frames.
    fn pump(&mut self, now: Instant) {
        while let Some(output) = self.conn.poll_output() {
            match output {
                ConnectionOutput::Open { socket, url } => self.outputs.push_back(Output::Open { socket, url }),
                ConnectionOutput::Send { socket, text } => self.outputs.push_back(Output::Send { socket, text }),
                ConnectionOutput::Close { socket, code, reason } => {
                    self.outputs.push_back(Output::Close { socket, code, reason })
                }
                ConnectionOutput::Status(status) => self.event(Event::Status(status)),
                ConnectionOutput::BadFrame { error, bytes } => {
                    self.bad_frames += 1;
                    self.event(Event::BadFrame { error, bytes, so_far: self.bad_frames });
                }
                ConnectionOutput::Received(frame) => self.on_server_frame(now, frame),
                ConnectionOutput::Ready => self.on_ready(now),
                ConnectionOutput::Lost => self.on_lost(),
                ConnectionOutput::RefreshToken => self.refresh_token(),
            }
        }
    }

    /// A fresh connection: resume every room, then resend the outbox in order
    /// at once (no pause: whatever the person's budget cannot take yet, the
    /// server defers again, and says so), have the rooms
    /// list fetched (here and in the following tabs), and tell the read
    /// positions the server may have missed.
    fn on_ready(&mut self, now: Instant) {
        self.outbox_paused_until = None;
        self.reads.on_reconnect();
        self.event(Event::RoomListStale);
        self.outputs.push_back(Output::ToFollowers(FromLeader::Ready));
        self.streams.on_reconnect();
        // In room order: the streams are kept by room.
        let cursors: Vec<Cursor> = self.streams.cursors().map(|(room, after)| Cursor { room, after }).collect();
        if !cursors.is_empty() {
            self.conn.send_frame(&ClientFrame::Resume { cursors });
        }
        self.flush_outbox();
        self.send_reads(now);
    }

    fn send_reads(&mut self, now: Instant) {
        if !self.conn.is_ready() {
            return;
        }
        for (room, seq) in self.reads.due(now, self.config.read_every) {
            self.conn.send_frame(&ClientFrame::Read { room, seq });
        }
    }

    /// The connection was lost, whether the badge shows it or not: what was
    /// in flight goes again on the next one, and the following tabs are told.
    fn on_lost(&mut self) {
        if self.outbox.requeue_sending() {
            self.outbox_changed();
        }
        self.connection_gone();
        self.outputs.push_back(Output::ToFollowers(FromLeader::Lost));
    }

    /// The connection the events came through is gone (this tab's, or the
    /// leading tab's): nobody is typing any more, who is in each room waits
    /// for the next connection's snapshots, and each room is replayed from
    /// its cursor before what comes is live again.
    fn connection_gone(&mut self) {
        for room in self.typing.clear() {
            self.typing_changed(room);
        }
        self.presence.connection_lost();
        self.streams.on_connection_lost();
    }

    fn flush_outbox(&mut self) {
        if !self.conn.is_ready() || self.outbox_paused_until.is_some() {
            return;
        }
        let queued = self.outbox.take_queued();
        if queued.is_empty() {
            return;
        }
        for (key, action) in queued {
            self.conn.send_frame(&ClientFrame::Action { key, action });
        }
        self.outbox_changed();
    }

    /// Saves the outbox: the whole of it where this tab leads (or is alone);
    /// while following, only what was handed to the leader and not yet shown
    /// held by it (the rest is the leader's, saved there).
    fn outbox_changed(&mut self) {
        let json = match &self.following {
            None => self.outbox.export(),
            Some(following) => serde_json::to_string(&following.handed).expect("outbox entries always serialize"),
        };
        self.outputs.push_back(Output::SaveOutbox(json));
        self.event(Event::OutboxChanged);
    }

    /// Asks for a fresh token, unless one is on its way.
    fn refresh_token(&mut self) {
        if !self.refreshing {
            self.refreshing = true;
            self.outputs.push_back(Output::RefreshToken);
        }
    }

    /// The server answered `key`: whether it was made in this tab. `gone`:
    /// the action left the outbox (applied, or refused for good), so no copy
    /// saved or handed over before the answer brings it back. A refused
    /// message stays, "Not sent", for Retry or Delete: every copy keeps it.
    fn answered(&mut self, key: &ActionKey, gone: bool) -> bool {
        if let Some(following) = &mut self.following {
            following.answered(key);
        }
        if gone {
            self.gone_from_outbox(key);
        }
        let here = self.made_here.contains(key);
        self.made_here.retain(|made| made != key);
        here
    }

    /// `key` left the outbox (answered, deleted, or sent again under a new
    /// key): no copy saved or handed over before brings it back.
    fn gone_from_outbox(&mut self, key: &ActionKey) {
        if self.recently_answered.len() == RECENTLY_ANSWERED {
            self.recently_answered.pop_front();
        }
        self.recently_answered.push_back(key.clone());
    }

    fn typing_changed(&mut self, room: RoomId) {
        let names = self.typing.names(room);
        self.event(Event::Typing { room, names });
    }

    fn presence_changed(&mut self, room: RoomId) {
        let members = self.presence.members(room);
        self.event(Event::Presence { room, members });
    }

    fn event(&mut self, event: Event) {
        self.outputs.push_back(Output::Event(event));
    }

    /// 128 random bits as 32 hex digits: unique across tabs, devices and reloads
    /// as long as each start is seeded differently.
    fn new_key(&mut self) -> ActionKey {
        let key = format!("{:016x}{:016x}", self.keys.next_u64(), self.keys.next_u64());
        ActionKey::new(key).expect("hex digits make a valid key")
    }
}
