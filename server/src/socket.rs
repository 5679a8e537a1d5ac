//! The WebSocket endpoint: upgrade with limits and an origin check, then one task
//! per connection: handshake with a token, resume rooms from the log, apply actions
//! exactly once, and forward live events, presence, typing and the ticker.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::StreamExt;
use hanmadi_protocol::{
    close_code, decode_client, encode, Action, ActionKey, ClientFrame, Cursor, DecodeError, ErrorCode, Outcome,
    RejectCode, RoomId, Seq, ServerFrame, MAX_FRAME_BYTES, PROTOCOL_VERSION,
};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::Instant;

use crate::auth::TokenError;
use crate::hub::Fanout;
use crate::rate_limit::TokenBucket;
use crate::store::User;
use crate::{origin, AppState};

/// tungstenite's own hard limit. Twice our protocol limit, so that a frame a little
/// too large gets a polite error frame from the decoder, and only an absurd one
/// costs the connection.
const TRANSPORT_LIMIT: usize = 2 * MAX_FRAME_BYTES;
/// A connection that has not said hello by then is closed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Events replayed per database read while resuming.
const REPLAY_PAGE: u32 = 500;
/// Rooms one resume frame may name.
const MAX_CURSORS: usize = 1000;
/// Frames refused in a row for rate before the connection is closed.
const MAX_STRIKES: u32 = 200;
/// A typing signal is relayed at most this often per room and connection. Short:
/// clients already send one only every few seconds. A message resets it, since
/// a new signal right after one is legitimate (the message ended the burst).
const TYPING_EVERY: Duration = Duration::from_millis(300);

pub async fn upgrade(State(state): State<AppState>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let origin_allowed = origin::is_allowed(&headers, &state.allowed_origins);
    ws.max_frame_size(TRANSPORT_LIMIT).max_message_size(TRANSPORT_LIMIT).on_upgrade(move |socket| {
        let tracker = state.tracker.clone();
        tracker.track_future(async move {
            if origin_allowed {
                Session::new(socket, state).run().await;
            } else {
                // Accept, then close with a code the app understands: a refused
                // upgrade only shows up in the browser as an anonymous 1006, and the
                // app would retry forever instead of saying why.
                tracing::warn!("refused a socket from a disallowed origin");
                close(socket, close_code::FORBIDDEN, "origin not allowed").await;
            }
        })
    })
}

/// Closes with a code and a reason, then completes the closing handshake: reads
/// (and ignores) what the peer still sends until it closes too, for at most a
/// second. Dropping a socket with unread data would reset the connection, and the
/// peer could lose the close frame that tells it why.
async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    // The peer may already be gone; there is no one left to tell then.
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    let drain = async { while let Some(Ok(message)) = socket.next().await {
        if matches!(message, Message::Close(_)) {
            break;
        }
    } };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

struct Session {
    socket: WebSocket,
    state: AppState,
    user: Option<User>,
    /// Rooms this connection follows, with the seq its resume replayed up to:
    /// live copies of those events are skipped.
    following: HashMap<RoomId, Seq>,
    /// Events of our own actions sent directly; their broadcast copies are skipped.
    sent_directly: HashSet<(RoomId, Seq)>,
    frames: TokenBucket,
    actions: TokenBucket,
    strikes: u32,
    typing_relayed: HashMap<RoomId, Instant>,
}

/// What the session should do after handling one incoming frame.
enum Next {
    Continue,
    Close(u16, &'static str),
    /// The socket is broken; there is no one to send a close frame to.
    Stop,
}

impl Session {
    fn new(socket: WebSocket, state: AppState) -> Self {
        let limits = state.limits;
        Self {
            socket,
            state,
            user: None,
            following: HashMap::new(),
            sent_directly: HashSet::new(),
            frames: TokenBucket::new(limits.frames_per_sec.saturating_mul(3), limits.frames_per_sec),
            actions: TokenBucket::new(limits.actions_per_sec.saturating_mul(10), limits.actions_per_sec),
            strikes: 0,
            typing_relayed: HashMap::new(),
        }
    }

    async fn run(mut self) {
        let _counted = self.state.hub.count_connection();
        // Subscribed before any resume reads the log, so no event can fall between.
        let mut fanout = self.state.hub.subscribe();
        let mut ticker: Option<Receiver<Arc<str>>> = None;
        let shutdown = self.state.shutdown.clone();
        let handshake_deadline = tokio::time::sleep(HANDSHAKE_TIMEOUT);
        tokio::pin!(handshake_deadline);
        let next = loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => Next::Close(close_code::SERVICE_RESTART, "server restarting"),
                () = &mut handshake_deadline, if self.user.is_none() => {
                    Next::Close(close_code::POLICY_VIOLATION, "no hello within 10 seconds")
                }
                incoming = self.socket.next() => self.on_incoming(incoming).await,
                fan = fanout.recv() => self.on_fanout(fan).await,
                tick = next_tick(&mut ticker) => self.on_tick(tick).await,
            };
            if self.user.is_some() && ticker.is_none() {
                ticker = Some(self.state.ticker.subscribe());
                if let Some(snapshot) = self.state.ticker.snapshot() {
                    self.send_text(snapshot.into()).await;
                }
            }
            match next {
                Next::Continue => {}
                other => break other,
            }
        };
        if let Some(user) = &self.user {
            for room in self.following.keys() {
                self.state.hub.exit(*room, user.id);
            }
        }
        if let Next::Close(code, reason) = next {
            close(self.socket, code, reason).await;
        }
    }

    async fn on_incoming(&mut self, incoming: Option<Result<Message, axum::Error>>) -> Next {
        match incoming {
            None | Some(Ok(Message::Close(_))) => Next::Stop,
            Some(Err(error)) => {
                tracing::debug!(%error, "socket error");
                Next::Close(close_code::MESSAGE_TOO_BIG, "frame too large or broken")
            }
            Some(Ok(Message::Text(text))) => {
                if !self.frames.try_take() {
                    return self.refuse_for_rate().await;
                }
                self.strikes = 0;
                self.on_text(text.as_bytes()).await
            }
            Some(Ok(Message::Binary(_))) => {
                self.error(ErrorCode::BinaryNotSupported, "only text frames are spoken here").await
            }
            // tungstenite answers pings itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Next::Continue,
        }
    }

    async fn refuse_for_rate(&mut self) -> Next {
        self.strikes += 1;
        if self.strikes > MAX_STRIKES {
            return Next::Close(close_code::RATE_LIMITED, "too many frames");
        }
        let wait = self.frames.wait().as_millis();
        self.error(ErrorCode::RateLimited, &format!("too many frames; slow down (next in {wait} ms)")).await
    }

    async fn on_text(&mut self, text: &[u8]) -> Next {
        let frame = match decode_client(text) {
            Ok(frame) => frame,
            Err(error) => {
                let code = match error {
                    DecodeError::TooLarge { .. } => ErrorCode::TooLarge,
                    DecodeError::UnknownType(_) => ErrorCode::UnknownType,
                    DecodeError::InvalidUtf8 | DecodeError::Malformed(_) => ErrorCode::Malformed,
                };
                return self.error(code, &error.to_string()).await;
            }
        };
        match (frame, self.user.clone()) {
            (ClientFrame::Hello { protocol, .. }, _) if protocol != PROTOCOL_VERSION => {
                Next::Close(close_code::UNSUPPORTED_PROTOCOL, "unsupported protocol version")
            }
            (ClientFrame::Hello { token, .. }, None) => self.on_hello(token).await,
            (ClientFrame::Hello { .. }, Some(_)) => self.error(ErrorCode::Malformed, "hello was already said").await,
            (_, None) => self.error(ErrorCode::HandshakeRequired, "send hello first").await,
            (ClientFrame::Ping { nonce }, Some(_)) => self.send(&ServerFrame::Pong { nonce }).await,
            (ClientFrame::Resume { cursors }, Some(user)) => self.on_resume(&user, cursors).await,
            (ClientFrame::Action { key, action }, Some(user)) => self.on_action(&user, key, action).await,
            (ClientFrame::Typing { room }, Some(user)) => {
                let due = self.typing_relayed.get(&room).is_none_or(|last| last.elapsed() >= TYPING_EVERY);
                if self.following.contains_key(&room) && due {
                    self.typing_relayed.insert(room, Instant::now());
                    self.state.hub.typing(room, user.id, &user.name);
                }
                Next::Continue
            }
        }
    }

    async fn on_hello(&mut self, token: Option<String>) -> Next {
        let Some(token) = token else {
            return Next::Close(close_code::UNAUTHORIZED, "sign in first");
        };
        let user_id = match self.state.tokens.verify(&token) {
            Ok(user) => user,
            Err(TokenError::Expired { .. }) => return Next::Close(close_code::UNAUTHORIZED, "token expired"),
            Err(TokenError::Malformed | TokenError::BadSignature) => {
                return Next::Close(close_code::UNAUTHORIZED, "invalid token")
            }
        };
        match self.state.store.user(user_id).await {
            Ok(Some(user)) => {
                tracing::debug!(user = %user.id, "welcomed");
                let welcome = ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(user.id) };
                self.user = Some(user);
                self.send(&welcome).await
            }
            Ok(None) => Next::Close(close_code::UNAUTHORIZED, "unknown user"),
            Err(error) => self.internal(error),
        }
    }

    async fn on_resume(&mut self, user: &User, cursors: Vec<Cursor>) -> Next {
        if cursors.len() > MAX_CURSORS {
            return self.error(ErrorCode::Malformed, &format!("at most {MAX_CURSORS} rooms per resume")).await;
        }
        for Cursor { room, after } in cursors {
            match self.state.store.is_member(room, user.id).await {
                Ok(true) => {}
                Ok(false) => {
                    let message = format!("not a member of room {room}");
                    if let Next::Stop = self.error(ErrorCode::Forbidden, &message).await {
                        return Next::Stop;
                    }
                    continue;
                }
                Err(error) => return self.internal(error),
            }
            let head = match self.replay(room, after).await {
                Ok(Some(head)) => head,
                Ok(None) => return Next::Stop,
                Err(error) => return self.internal(error),
            };
            if self.following.insert(room, head).is_none() {
                self.state.hub.enter(room, user.id, &user.name);
            }
            if let Next::Stop = self.send(&ServerFrame::CaughtUp { room, head }).await {
                return Next::Stop;
            }
            let presence = self.state.hub.presence(room);
            if let Next::Stop = self.send(&presence).await {
                return Next::Stop;
            }
        }
        Next::Continue
    }

    /// Sends every event after `after` up to the head as of now; returns that head
    /// (`None` if the socket broke).
    async fn replay(&mut self, room: RoomId, after: Seq) -> anyhow::Result<Option<Seq>> {
        let head = self.state.store.head(room).await?.unwrap_or(after);
        let mut sent = after;
        while sent < head {
            let page = self.state.store.events(room, sent, Some(head.next()), REPLAY_PAGE).await?;
            let Some(last) = page.last() else { break };
            sent = last.seq;
            for event in page {
                let frame = ServerFrame::Event { room, seq: event.seq, at: event.at, event: event.event };
                if let Next::Stop = self.send(&frame).await {
                    return Ok(None);
                }
            }
        }
        Ok(Some(head.max(after)))
    }

    async fn on_action(&mut self, user: &User, key: ActionKey, action: Action) -> Next {
        if !self.actions.try_take() {
            // Not recorded under the key: the same action may succeed later.
            let wait = self.actions.wait().as_secs_f64().ceil();
            let message = format!("too many actions; try again in {wait} s");
            let outcome = Outcome::Rejected { code: RejectCode::RateLimited, message };
            return self.send(&ServerFrame::Ack { key, outcome }).await;
        }
        let applied = match self.state.store.apply(user, &key, &action).await {
            Ok(applied) => applied,
            Err(error) => return self.internal(error),
        };
        tracing::debug!(user = %user.id, kind = action_kind(&action), "action applied");
        if let Action::SendMessage { room, .. } = &action {
            // The message ends a burst of typing: the next keystroke starts a new one.
            self.typing_relayed.remove(room);
        }
        self.state.hub.publish(&applied.events);
        for event in &applied.events {
            if self.following.contains_key(&event.room) {
                self.sent_directly.insert((event.room, event.seq));
                let frame =
                    ServerFrame::Event { room: event.room, seq: event.seq, at: event.at, event: event.event.clone() };
                if let Next::Stop = self.send(&frame).await {
                    return Next::Stop;
                }
            }
        }
        if let (Action::CreateRoom { .. } | Action::RenameRoom { .. }, Outcome::Applied { room, seq: Some(_), .. }) =
            (&action, &applied.outcome)
        {
            self.state.hub.room_list_changed(*room);
        }
        if let (Action::LeaveRoom { room }, Outcome::Applied { .. }) = (&action, &applied.outcome) {
            if self.following.remove(room).is_some() {
                self.state.hub.exit(*room, user.id);
            }
        }
        self.send(&ServerFrame::Ack { key, outcome: applied.outcome }).await
    }

    async fn on_fanout(&mut self, fan: Result<Arc<Fanout>, RecvError>) -> Next {
        match fan {
            Ok(fan) if fan.everyone => self.send_text(Utf8Bytes::from(&*fan.text)).await,
            Ok(fan) => {
                let Some(replayed) = self.following.get(&fan.room) else { return Next::Continue };
                if let Some(seq) = fan.seq {
                    if seq <= *replayed || self.sent_directly.remove(&(fan.room, seq)) {
                        return Next::Continue;
                    }
                }
                if fan.from.is_some() && fan.from == self.user.as_ref().map(|user| user.id) {
                    return Next::Continue;
                }
                self.send_text(Utf8Bytes::from(&*fan.text)).await
            }
            Err(RecvError::Lagged(skipped)) => {
                // Too slow to keep up: the skipped frames are gone from the channel,
                // but not from the database. Each followed room resumes from there.
                tracing::info!(skipped, "slow consumer; resyncing its rooms");
                let rooms: Vec<RoomId> = self.following.keys().copied().collect();
                for room in rooms {
                    if let Next::Stop = self.send(&ServerFrame::Resync { room }).await {
                        return Next::Stop;
                    }
                }
                Next::Continue
            }
            Err(RecvError::Closed) => Next::Close(close_code::SERVICE_RESTART, "server restarting"),
        }
    }

    async fn on_tick(&mut self, tick: Result<Arc<str>, RecvError>) -> Next {
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

    fn internal(&self, error: anyhow::Error) -> Next {
        // Closing makes the client reconnect and resend whatever is unanswered;
        // idempotency keys make that safe.
        tracing::error!(error = format!("{error:#}"), "closing a socket after an internal error");
        Next::Close(close_code::INTERNAL_ERROR, "internal error")
    }

    async fn error(&mut self, code: ErrorCode, message: &str) -> Next {
        self.send(&ServerFrame::Error { code, message: message.to_owned() }).await
    }

    async fn send(&mut self, frame: &ServerFrame) -> Next {
        self.send_text(encode(frame).into()).await
    }

    async fn send_text(&mut self, text: Utf8Bytes) -> Next {
        match self.socket.send(Message::Text(text)).await {
            Ok(()) => Next::Continue,
            Err(_) => Next::Stop,
        }
    }
}

async fn next_tick(ticker: &mut Option<Receiver<Arc<str>>>) -> Result<Arc<str>, RecvError> {
    match ticker {
        Some(ticker) => ticker.recv().await,
        None => std::future::pending().await,
    }
}

/// For logs: what kind of action, never its content.
fn action_kind(action: &Action) -> &'static str {
    match action {
        Action::CreateRoom { .. } => "create_room",
        Action::JoinRoom { .. } => "join_room",
        Action::LeaveRoom { .. } => "leave_room",
        Action::RenameRoom { .. } => "rename_room",
        Action::SendMessage { .. } => "send_message",
        Action::EditMessage { .. } => "edit_message",
        Action::DeleteMessage { .. } => "delete_message",
        Action::AddReaction { .. } => "add_reaction",
        Action::RemoveReaction { .. } => "remove_reaction",
    }
}
