//! The connection state machine: one live socket at a time, reconnects with
//! backoff, a heartbeat judged by clock readings, close codes mapped to reactions,
//! and a status that does not flash on blips.

use std::collections::VecDeque;
use std::time::Duration;

use hanmadi_protocol::{close_code, decode_server, encode, ClientFrame, DecodeError, ServerFrame, PROTOCOL_VERSION};

use crate::rng::SplitMix64;
use crate::{Config, FailReason, Instant, Status};

/// Names one socket the adapter opened for us. Every report about a socket carries
/// its id, so a late event from a replaced socket is recognised and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(u64);

impl SocketId {
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// An id made outside the engine, for testing an adapter on its own; the
    /// engine hands out its own ids in [`ConnectionOutput::Open`].
    pub const fn from_raw(id: u64) -> Self {
        Self(id)
    }
}

/// Something the adapter must do (or show), drained with [`Connection::poll_output`].
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionOutput {
    /// Open a WebSocket to `url` and report its events with this id.
    Open { socket: SocketId, url: String },
    /// Send this text frame on the socket.
    Send { socket: SocketId, text: String },
    /// Detach the socket's handlers first, then close it with this code. Whatever
    /// the socket does afterwards must not reach the engine.
    Close { socket: SocketId, code: u16, reason: String },
    /// The status the user should now see.
    Status(Status),
    /// A frame for the rest of the app (the engine keeps the handshake and heartbeat).
    Received(ServerFrame),
    /// The server sent something we could not decode; it was skipped. Worth a
    /// console warning: it means the server and the app disagree.
    BadFrame { error: DecodeError, bytes: usize },
    /// The server welcomed us on a new socket: frames may flow now.
    Ready,
    /// The connection that was ready is gone; whatever was in flight on it may or
    /// may not have arrived.
    Lost,
    /// The server rejected the session token (close 4401). Get a fresh one and
    /// hand it to [`Connection::on_token_refreshed`]; nothing is retried until then.
    RefreshToken,
}

/// A heartbeat probe awaiting an answer (any frame at all answers it).
#[derive(Debug, Clone, Copy)]
struct Ping {
    sent: Instant,
}

#[derive(Debug, Clone)]
enum Phase {
    /// Never asked to connect, or closed on purpose.
    Closed,
    /// A socket was asked for and has not opened yet.
    Opening {
        socket: SocketId,
        since: Instant,
    },
    /// The socket is open, `hello` is sent, `welcome` has not come.
    Handshaking {
        socket: SocketId,
        since: Instant,
    },
    Connected {
        socket: SocketId,
        last_heard: Instant,
        ping: Option<Ping>,
        /// When the server welcomed it (see [`PROVEN_AFTER`]).
        welcomed: Instant,
    },
    /// Between attempts.
    Waiting {
        until: Instant,
    },
    /// The token was rejected; waiting for the app to refresh it.
    AwaitingToken,
    /// The browser says there is no network; no attempts until it says otherwise.
    Offline,
    Failed(FailReason),
}

/// The time since the connection was last good, while it is not.
#[derive(Debug, Clone, Copy)]
struct Outage {
    since: Instant,
    /// Reconnect attempts started in this outage.
    attempts: u32,
}

/// The socket's brain. See the crate docs for how it is driven.
#[derive(Debug)]
pub struct Connection {
    config: Config,
    rng: SplitMix64,
    phase: Phase,
    outputs: VecDeque<ConnectionOutput>,
    next_socket: u64,
    next_nonce: u64,
    online: bool,
    outage: Option<Outage>,
    /// The status last reported; differs from the truth while a blip is hidden.
    shown: Status,
    /// While a lost connection is being hidden from the badge: when to stop
    /// hiding. Only the loss of a proven connection (or the hand-over of
    /// another tab's) is hidden.
    blip_until: Option<Instant>,
    /// The wake-up time we last asked for; a wake-up far later means a clock jump.
    armed: Option<Instant>,
    /// Sent in `hello`.
    token: Option<String>,
    /// Fresh tokens refused in a row without a welcome between them: after
    /// [`MAX_UNPROVEN_REFRESHES`], stop instead of asking for another (never
    /// loop on a dead session).
    unproven_refreshes: u32,
}

/// A connection welcomed and still up after this long has proved itself: the
/// outage it ended is over. One lost sooner (a server that welcomes and then
/// closes, a proxy that cuts every socket after a moment) continues that
/// outage: its retries back off as any failed attempt's, it may become
/// suspended, and its loss is not hidden as a blip, so the badge never says
/// "Connected" through a reconnect loop.
const PROVEN_AFTER: Duration = Duration::from_secs(10);

/// Fresh tokens tried before giving up on the session. More than one: a fresh
/// token can be replaced before it is used (another tab of the same browser
/// refreshed it meanwhile), and a refresh then gets the newest.
const MAX_UNPROVEN_REFRESHES: u32 = 3;

impl Connection {
    pub fn new(config: Config) -> Self {
        Self {
            rng: SplitMix64::new(config.seed),
            config,
            phase: Phase::Closed,
            outputs: VecDeque::new(),
            next_socket: 1,
            next_nonce: 1,
            online: true,
            outage: None,
            shown: Status::Closed,
            blip_until: None,
            armed: None,
            token: None,
            unproven_refreshes: 0,
        }
    }

    /// The session token to authenticate with, from the next `hello` on.
    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// Whether there is a token to say hello with.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The answer to [`ConnectionOutput::RefreshToken`] (or to a renewal the
    /// client asked for before the token expired): a fresh token, or `None` if
    /// none could be had (the session is over: the user must sign in again).
    pub fn on_token_refreshed(&mut self, now: Instant, token: Option<String>) {
        self.step(now, |this| {
            let refused = matches!(this.phase, Phase::AwaitingToken);
            match token {
                // After a refusal the fresh token is tried at once; if it is
                // refused too, stop rather than loop on a dead session.
                Some(token) if refused => {
                    this.token = Some(token);
                    this.unproven_refreshes += 1;
                    this.start_attempt(now);
                }
                // A renewal: the open socket is already signed in; the new
                // token is for the next hello.
                Some(token) => this.token = Some(token),
                None => {
                    this.close_live_socket(close_code::NORMAL, "signed out");
                    this.outage = None;
                    this.phase = Phase::Failed(FailReason::Unauthorized);
                }
            }
        });
    }

    /// The answer to [`ConnectionOutput::RefreshToken`] when the refresh could
    /// not reach the server (offline, server down): the session may well be
    /// fine. Try again after the usual backoff; the next attempt's refusal asks
    /// for a refresh again.
    pub fn on_token_refresh_unreachable(&mut self, now: Instant) {
        self.step(now, |this| {
            if matches!(this.phase, Phase::AwaitingToken) {
                this.schedule_retry(now);
            }
        });
    }

    /// The wall clock moved much further than the monotonic one since the last
    /// input: the machine slept (`performance.now()` stops during sleep in some
    /// browsers, so no timer looks late). Check the socket now.
    pub fn on_wake(&mut self, now: Instant) {
        self.step(now, |this| this.check_now(now));
    }

    /// The status as last reported through [`ConnectionOutput::Status`].
    pub fn status(&self) -> &Status {
        &self.shown
    }

    /// The next thing to do, if any. Drain this after every input.
    pub fn poll_output(&mut self) -> Option<ConnectionOutput> {
        self.outputs.pop_front()
    }

    /// When to call [`Connection::on_timeout`] next, if at all. Calling it early or
    /// late is harmless: the engine compares clock readings and never assumes a
    /// timer fired on time (background tabs throttle timers).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.armed
    }

    /// Start connecting (app start, or after [`Connection::disconnect`] or a failure).
    pub fn connect(&mut self, now: Instant) {
        self.step(now, |this| {
            if matches!(this.phase, Phase::Closed | Phase::Failed(_)) {
                this.outage = None;
                this.start_attempt(now);
            }
        });
    }

    /// Start connecting in place of another tab of this browser, whose
    /// connection the page has been showing as `shown` (it closed or
    /// crashed): for the badge this is that connection's blip, hidden for
    /// [`Config::blip_grace`], so a quick hand-over never flashes it.
    pub fn take_over(&mut self, now: Instant, shown: Status) {
        self.step(now, |this| {
            if matches!(this.phase, Phase::Closed | Phase::Failed(_)) {
                let was_up = !matches!(shown, Status::Connecting | Status::Closed);
                this.outage = was_up.then_some(Outage { since: now, attempts: 0 });
                this.blip_until = was_up.then_some(now + this.config.blip_grace);
                this.shown = shown;
                this.start_attempt(now);
            }
        });
    }

    /// Close on purpose (code 1000) and stay closed.
    pub fn disconnect(&mut self, now: Instant) {
        self.step(now, |this| {
            this.close_live_socket(close_code::NORMAL, "closed by the app");
            this.outage = None;
            this.phase = Phase::Closed;
        });
    }

    /// The user pressed "Retry now": try at once, with the backoff starting over.
    pub fn retry_now(&mut self, now: Instant) {
        self.step(now, |this| match this.phase {
            Phase::Waiting { .. } | Phase::Offline | Phase::Failed(_) | Phase::AwaitingToken => {
                this.outage = Some(Outage { since: now, attempts: 0 });
                this.start_attempt(now);
            }
            Phase::Closed => this.start_attempt(now),
            Phase::Opening { .. } | Phase::Handshaking { .. } | Phase::Connected { .. } => {}
        });
    }

    pub fn on_socket_open(&mut self, now: Instant, socket: SocketId) {
        self.step(now, |this| {
            if let Phase::Opening { socket: live, since } = this.phase {
                if live == socket {
                    this.phase = Phase::Handshaking { socket, since };
                    let hello = ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: this.token.clone() };
                    this.send(socket, &hello);
                }
            }
        });
    }

    pub fn on_frame(&mut self, now: Instant, socket: SocketId, text: &str) {
        self.step(now, |this| {
            if this.live_socket() != Some(socket) {
                return;
            }
            match decode_server(text) {
                Ok(frame) => this.handle_frame(now, socket, frame),
                Err(error) => this.outputs.push_back(ConnectionOutput::BadFrame { error, bytes: text.len() }),
            }
        });
    }

    /// The socket closed (or failed: browsers report a failed open as close 1006).
    pub fn on_socket_closed(&mut self, now: Instant, socket: SocketId, code: u16, reason: &str) {
        self.step(now, |this| {
            if this.live_socket() != Some(socket) {
                return;
            }
            match code {
                close_code::POLICY_VIOLATION | close_code::FORBIDDEN => {
                    this.phase = Phase::Failed(FailReason::Forbidden { reason: reason.to_owned() });
                }
                close_code::UNSUPPORTED_PROTOCOL => {
                    this.phase = Phase::Failed(FailReason::UnsupportedProtocol);
                }
                close_code::UNAUTHORIZED if this.unproven_refreshes >= MAX_UNPROVEN_REFRESHES => {
                    this.phase = Phase::Failed(FailReason::Unauthorized);
                }
                close_code::UNAUTHORIZED => {
                    this.outage.get_or_insert(Outage { since: now, attempts: 0 });
                    this.phase = Phase::AwaitingToken;
                    this.outputs.push_back(ConnectionOutput::RefreshToken);
                }
                _ => this.schedule_retry(now),
            }
        });
    }

    /// The browser's `online` event.
    pub fn on_online(&mut self, now: Instant) {
        self.step(now, |this| {
            this.online = true;
            if matches!(this.phase, Phase::Offline) {
                this.outage = Some(Outage { since: now, attempts: 0 });
                this.start_attempt(now);
            } else {
                this.check_now(now);
            }
        });
    }

    /// The browser's `offline` event. An open socket is checked rather than closed:
    /// `navigator.onLine` is often wrong, and a working socket is worth keeping.
    pub fn on_offline(&mut self, now: Instant) {
        self.step(now, |this| {
            this.online = false;
            match this.phase {
                Phase::Waiting { .. } => this.phase = Phase::Offline,
                _ => this.check_now(now),
            }
        });
    }

    /// The tab became visible again (`visibilitychange`, `pageshow`): timers may
    /// have been frozen, so check the socket at once.
    pub fn on_visible(&mut self, now: Instant) {
        self.step(now, |this| this.check_now(now));
    }

    /// The timer from [`Connection::poll_timeout`] fired (or any time at all).
    pub fn on_timeout(&mut self, now: Instant) {
        self.step(now, |_| {});
    }

    /// Sends a frame if the connection is ready; false if it is not (the caller
    /// keeps what matters and sends it after [`ConnectionOutput::Ready`]).
    pub fn send_frame(&mut self, frame: &ClientFrame) -> bool {
        match self.ready_socket() {
            Some(socket) => {
                self.send(socket, frame);
                true
            }
            None => false,
        }
    }

    /// Whether frames can be sent now.
    pub fn is_ready(&self) -> bool {
        self.ready_socket().is_some()
    }

    /// Every input goes through here: notice clock jumps, run the input, act on
    /// deadlines that have passed, then report readiness changes, update the status
    /// and the wake-up time.
    fn step(&mut self, now: Instant, input: impl FnOnce(&mut Self)) {
        let ready_before = self.ready_socket();
        // Proven by now, whether a timer said so or not (a throttled tab, a
        // sleep): the loss the input may report is a proven connection's.
        self.end_proven_outage(now);
        let proven_before = self.outage.is_none();
        if let Some(armed) = self.armed {
            if now > armed + self.config.clock_jump {
                self.on_clock_jump(now);
            }
        }
        input(self);
        self.advance(now);
        let ready_after = self.ready_socket();
        if ready_before != ready_after {
            if ready_before.is_some() {
                self.outputs.push_back(ConnectionOutput::Lost);
                if proven_before {
                    self.blip_until = Some(now + self.config.blip_grace);
                }
            }
            if ready_after.is_some() {
                self.outputs.push_back(ConnectionOutput::Ready);
            }
        }
        self.refresh_status(now);
        self.armed = self.next_deadline();
    }

    fn ready_socket(&self) -> Option<SocketId> {
        match self.phase {
            Phase::Connected { socket, .. } => Some(socket),
            _ => None,
        }
    }

    fn handle_frame(&mut self, now: Instant, socket: SocketId, frame: ServerFrame) {
        match (&mut self.phase, frame) {
            (Phase::Handshaking { .. }, ServerFrame::Welcome { protocol, user }) => {
                if protocol == PROTOCOL_VERSION {
                    self.phase = Phase::Connected { socket, last_heard: now, ping: None, welcomed: now };
                    self.unproven_refreshes = 0;
                    // Who the server says we are, for the client.
                    self.outputs.push_back(ConnectionOutput::Received(ServerFrame::Welcome { protocol, user }));
                } else {
                    self.close_live_socket(close_code::NORMAL, "unsupported protocol");
                    self.phase = Phase::Failed(FailReason::UnsupportedProtocol);
                }
            }
            (Phase::Connected { last_heard, ping, .. }, frame) => {
                // Anything at all from the server proves the socket is alive.
                *last_heard = now;
                *ping = None;
                if !matches!(frame, ServerFrame::Pong { .. }) {
                    self.outputs.push_back(ConnectionOutput::Received(frame));
                }
            }
            (_, frame) => self.outputs.push_back(ConnectionOutput::Received(frame)),
        }
    }

    /// Acts on every deadline that has passed by `now`.
    fn advance(&mut self, now: Instant) {
        self.end_proven_outage(now);
        match self.phase {
            Phase::Opening { since, .. } | Phase::Handshaking { since, .. }
                if now >= since + self.config.connect_timeout =>
            {
                self.close_live_socket(close_code::HEARTBEAT_TIMEOUT, "connect timeout");
                self.schedule_retry(now);
                self.advance(now);
            }
            Phase::Connected { ping: Some(ping), .. } if now >= ping.sent + self.config.heartbeat_timeout => {
                self.close_live_socket(close_code::HEARTBEAT_TIMEOUT, "no answer to ping");
                self.schedule_retry(now);
                self.advance(now);
            }
            Phase::Connected { ping: None, last_heard, .. } if now >= last_heard + self.config.heartbeat_idle => {
                self.send_ping(now);
            }
            Phase::Waiting { until } if now >= until => self.start_attempt(now),
            _ => {}
        }
    }

    /// A timer fired late: the tab was throttled (hidden tabs get about one
    /// timer a minute) or the machine slept. Either way the socket is checked
    /// now, but no deadline already running is moved: a ping sent before is
    /// judged by when it was sent, or a throttled tab would replace its ping at
    /// every late timer and never notice a dead socket.
    fn on_clock_jump(&mut self, now: Instant) {
        self.check_now(now);
    }

    /// Something suggests the socket may be dead or the wait pointless (clock jump,
    /// network back, tab visible): find out now instead of at the next deadline.
    fn check_now(&mut self, now: Instant) {
        match self.phase {
            // A ping already waiting keeps its deadline.
            Phase::Connected { ping: None, .. } => self.send_ping(now),
            Phase::Waiting { .. } if self.online => self.phase = Phase::Waiting { until: now },
            _ => {}
        }
    }

    fn send_ping(&mut self, now: Instant) {
        let Phase::Connected { socket, .. } = self.phase else { return };
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        self.send(socket, &ClientFrame::Ping { nonce });
        if let Phase::Connected { ping, .. } = &mut self.phase {
            *ping = Some(Ping { sent: now });
        }
    }

    fn start_attempt(&mut self, now: Instant) {
        self.close_live_socket(close_code::NORMAL, "replaced by a new attempt");
        if let Some(outage) = &mut self.outage {
            outage.attempts += 1;
        }
        let socket = SocketId(self.next_socket);
        self.next_socket += 1;
        self.outputs.push_back(ConnectionOutput::Open { socket, url: self.config.url.clone() });
        self.phase = Phase::Opening { socket, since: now };
    }

    /// The live socket failed or was lost: wait, then try again.
    fn schedule_retry(&mut self, now: Instant) {
        let outage = *self.outage.get_or_insert(Outage { since: now, attempts: 0 });
        let delay = if self.is_suspended(outage, now) {
            let interval = self.config.suspended_interval;
            let half = u64::try_from(interval.as_millis() / 2).unwrap_or(u64::MAX);
            Duration::from_millis(half + self.rng.up_to(half))
        } else {
            self.config.backoff.delay(outage.attempts, &mut self.rng)
        };
        self.phase = if self.online { Phase::Waiting { until: now + delay } } else { Phase::Offline };
    }

    fn is_suspended(&self, outage: Outage, now: Instant) -> bool {
        now.saturating_since(outage.since) >= self.config.suspend_after
    }

    fn live_socket(&self) -> Option<SocketId> {
        match self.phase {
            Phase::Opening { socket, .. } | Phase::Handshaking { socket, .. } | Phase::Connected { socket, .. } => {
                Some(socket)
            }
            _ => None,
        }
    }

    fn close_live_socket(&mut self, code: u16, reason: &str) {
        if let Some(socket) = self.live_socket() {
            self.outputs.push_back(ConnectionOutput::Close { socket, code, reason: reason.to_owned() });
            self.phase = Phase::Closed;
        }
    }

    fn send(&mut self, socket: SocketId, frame: &ClientFrame) {
        self.outputs.push_back(ConnectionOutput::Send { socket, text: encode(frame) });
    }

    fn true_status(&self, now: Instant) -> Status {
        match &self.phase {
            Phase::Closed => Status::Closed,
            Phase::Connected { .. } => Status::Connected,
            Phase::Offline => Status::Offline,
            Phase::Failed(reason) => Status::Failed { reason: reason.clone() },
            Phase::Opening { .. } | Phase::Handshaking { .. } | Phase::AwaitingToken => match self.outage {
                None => Status::Connecting,
                Some(outage) => Status::Reconnecting { attempt: outage.attempts.max(1), next_try: None },
            },
            Phase::Waiting { until } => {
                let outage = self.outage.expect("waiting always belongs to an outage");
                if self.is_suspended(outage, now) {
                    Status::Suspended { next_try: *until }
                } else {
                    Status::Reconnecting { attempt: outage.attempts + 1, next_try: Some(*until) }
                }
            }
        }
    }

    /// The connection up now has stayed long enough: the outage it ended is over.
    fn end_proven_outage(&mut self, now: Instant) {
        if self.proven_at().is_some_and(|at| now >= at) {
            self.outage = None;
        }
    }

    /// When the connection up now, welcomed after an outage, proves itself.
    fn proven_at(&self) -> Option<Instant> {
        match self.phase {
            Phase::Connected { welcomed, .. } if self.outage.is_some() => Some(welcomed + PROVEN_AFTER),
            _ => None,
        }
    }

    /// Reports the true status, except that losing a proven connection is hidden
    /// for [`Config::blip_grace`]: if it is back by then, the user never sees a flash.
    fn refresh_status(&mut self, now: Instant) {
        let truth = self.true_status(now);
        let is_blip = self.shown == Status::Connected && matches!(truth, Status::Reconnecting { .. });
        if is_blip && self.blip_until.is_some_and(|until| now < until) {
            return;
        }
        self.blip_until = None;
        if truth != self.shown {
            self.shown = truth.clone();
            self.outputs.push_back(ConnectionOutput::Status(truth));
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let phase_deadline = match self.phase {
            Phase::Opening { since, .. } | Phase::Handshaking { since, .. } => {
                Some(since + self.config.connect_timeout)
            }
            Phase::Connected { ping: Some(ping), .. } => Some(ping.sent + self.config.heartbeat_timeout),
            Phase::Connected { ping: None, last_heard, .. } => Some(last_heard + self.config.heartbeat_idle),
            Phase::Waiting { until } => Some(until),
            Phase::Closed | Phase::Offline | Phase::Failed(_) | Phase::AwaitingToken => None,
        };
        [phase_deadline, self.blip_until, self.proven_at()].into_iter().flatten().min()
    }
}
