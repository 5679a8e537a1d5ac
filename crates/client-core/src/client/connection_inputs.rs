//! The [`Client`]'s connection inputs, mostly passed through to the
//! [`Connection`](crate::Connection): connecting, the session's token, the
//! socket's events, the network and the page coming and going, and timers.

use super::{Client, Event};
use crate::connection::SocketId;
use crate::outbox::PendingAction;
use crate::read_positions::ReadPositions;
use crate::tabs::FromFollower;
use crate::Instant;

impl Client {
    /// Start connecting, and keep reconnecting until told otherwise. (A
    /// following tab does not: the leading tab is connected for it.)
    pub fn connect(&mut self, now: Instant) {
        if self.following.is_some() {
            return;
        }
        self.conn.connect(now);
        self.pump(now);
    }

    /// Close on purpose and stay closed; the outbox waits.
    pub fn disconnect(&mut self, now: Instant) {
        self.conn.disconnect(now);
        self.pump(now);
    }

    /// Signing out: the socket closes, the token is forgotten, and the outbox
    /// and the read positions are emptied. What they held was the ended
    /// session's to send; it must not go out under whoever signs in next, nor
    /// be told to their tabs. (The app asks before dropping the outbox.)
    pub fn sign_out(&mut self, now: Instant) {
        // Where they read last is theirs: it goes before the socket closes.
        self.on_hidden(now);
        self.conn.disconnect(now);
        self.set_token(None);
        self.drop_outbox();
        self.pump(now);
    }

    /// The user pressed "Retry now": try at once, the backoff starting over.
    pub fn retry_now(&mut self, now: Instant) {
        if self.following.is_some() {
            return self.ask_leader(FromFollower::RetryNow);
        }
        self.conn.retry_now(now);
        self.pump(now);
    }

    /// The session token to authenticate with. Give its lifetime to
    /// [`Client::token_valid_for`] so it is renewed before it expires.
    /// `None`: no session from now on; nothing is renewed, and the read
    /// positions not yet told are dropped. The outbox is left as it is (a
    /// tab taking the lead with nobody signed in, say): signing out and a
    /// session the server ended empty it ([`Client::sign_out`],
    /// [`Client::on_session_ended`]).
    pub fn set_token(&mut self, token: Option<String>) {
        if token.is_none() {
            self.session_over();
        }
        self.conn.set_token(token);
    }

    /// The token in hand stops working `valid_for` from `now`: a fresh one is
    /// asked for ([`Output::RefreshToken`]) once four fifths of that have
    /// passed, so a reconnect is never refused for an expired token.
    pub fn token_valid_for(&mut self, now: Instant, valid_for: std::time::Duration) {
        self.renewal.valid_for(now, valid_for);
    }

    /// The answer to [`Output::RefreshToken`]: a fresh token, or `None` if
    /// the server said the session is over (see [`Client::on_session_ended`]).
    pub fn on_token_refreshed(&mut self, now: Instant, token: Option<String>) {
        self.refreshing = false;
        match token {
            Some(_) => self.conn.on_token_refreshed(now, token),
            None => self.end_session(now),
        }
        self.pump(now);
    }

    /// The server ended the session, as another tab of this browser found
    /// (its refresh was refused): this tab's engine ends it too. The outbox
    /// is emptied, as signing out empties it: a guest who signs in again is
    /// a new user, and nothing the ended session made may go out under them.
    /// What this tab held is told ([`Event::SessionEnded`]), once per
    /// session, for the page to show the person.
    pub fn on_session_ended(&mut self, now: Instant) {
        self.end_session(now);
        self.pump(now);
    }

    fn end_session(&mut self, now: Instant) {
        // Told once: a refresh asked again after the end (an HTTP call
        // refused meanwhile), or another tab telling of it, finds no session
        // left to end.
        let ending = self.conn.has_token();
        self.set_token(None);
        self.conn.on_token_refreshed(now, None);
        if ending {
            let unsent = self.drop_outbox();
            self.event(Event::SessionEnded { unsent });
        }
    }

    /// Empties the outbox and its saved copy, returning what was this tab's
    /// to send: all of it in a leading (or lone) tab; in a following tab,
    /// which shows the leader's outbox, what it handed over that the leader
    /// has not yet shown it holds.
    fn drop_outbox(&mut self) -> Vec<PendingAction> {
        let shown = self.outbox.take_all();
        let handed = self.following.as_mut().map(|following| std::mem::take(&mut following.handed));
        let had_any = !shown.is_empty() || handed.as_ref().is_some_and(|handed| !handed.is_empty());
        if had_any {
            self.outbox_changed();
        }
        handed.unwrap_or(shown)
    }

    /// The session is over (signed out, or ended by the server): nothing of
    /// it is to be renewed, and where it had read is not the next person's.
    fn session_over(&mut self) {
        self.renewal.forget();
        self.reads = ReadPositions::default();
    }

    /// The refresh asked by [`Output::RefreshToken`] could not reach the server:
    /// the session is kept, and tried again after a backoff.
    pub fn on_token_refresh_unreachable(&mut self, now: Instant) {
        self.refreshing = false;
        self.renewal.unreachable(now);
        self.conn.on_token_refresh_unreachable(now);
        self.pump(now);
    }

    /// An HTTP call (the rooms list, a history page) was refused for the
    /// token, expired while the tab slept: it is refreshed as the socket's
    /// would be, once for every caller, and the caller tries again after the
    /// answer ([`Client::on_token_refreshed`], or unreachable).
    pub fn on_api_unauthorized(&mut self) {
        self.refresh_token();
    }

    /// The socket opened by [`Output::Open`] is open.
    pub fn on_socket_open(&mut self, now: Instant, socket: SocketId) {
        self.conn.on_socket_open(now, socket);
        self.pump(now);
    }

    /// A text frame arrived on the socket.
    pub fn on_frame(&mut self, now: Instant, socket: SocketId, text: &str) {
        self.conn.on_frame(now, socket, text);
        self.pump(now);
    }

    /// The socket closed, or failed to open (browsers report that as 1006).
    pub fn on_socket_closed(&mut self, now: Instant, socket: SocketId, code: u16, reason: &str) {
        self.conn.on_socket_closed(now, socket, code, reason);
        self.pump(now);
    }

    /// The browser says the network is back: try at once.
    pub fn on_online(&mut self, now: Instant) {
        self.conn.on_online(now);
        self.pump(now);
    }

    /// The browser says the network is gone: wait for it instead of retrying.
    pub fn on_offline(&mut self, now: Instant) {
        self.conn.on_offline(now);
        self.pump(now);
    }

    /// The machine slept (see [`Connection::on_wake`]).
    pub fn on_wake(&mut self, now: Instant) {
        if self.following.is_some() {
            return self.ask_leader(FromFollower::Check);
        }
        self.conn.on_wake(now);
        self.pump(now);
    }

    /// The page became visible again: its timers may have been frozen, so
    /// the socket is checked at once.
    /// (Where another tab holds the socket, that tab is asked to.)
    pub fn on_visible(&mut self, now: Instant) {
        if self.following.is_some() {
            return self.ask_leader(FromFollower::Check);
        }
        self.conn.on_visible(now);
        self.pump(now);
    }

    /// The timer armed for [`Client::poll_timeout`] fired (or any time later).
    pub fn on_timeout(&mut self, now: Instant) {
        self.conn.on_timeout(now);
        if self.following.is_none() && self.renewal.is_due(now) {
            self.refresh_token();
        }
        for room in self.typing.expire(now) {
            self.typing_changed(room);
        }
        let mut out = Vec::new();
        self.streams.retry_due(now, &mut out);
        self.stream_outputs(out);
        if self.outbox_paused_until.is_some_and(|until| until <= now) {
            self.outbox_paused_until = None;
            self.flush_outbox();
        }
        self.send_reads(now);
        self.pump(now);
    }
}
