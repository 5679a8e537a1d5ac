//! The WebSocket endpoint: upgrade with limits and an origin check, then one task
//! per connection: handshake with a token, resume rooms from the log, apply actions
//! exactly once, keep read positions, and forward live events, presence,
//! typing, read positions and the ticker. Resuming and read positions are in
//! `resume`, forwarding the mailbox and the ticker in `mail`.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::future::Either;
use futures_util::{SinkExt, StreamExt};
use hanmadi_protocol::limits::OUTBOX_CAPACITY;
use hanmadi_protocol::{
    close_code, decode_client, encode, Action, ActionKey, ClientFrame, DecodeError, ErrorCode, Outcome, RejectCode,
    RoomId, Seq, ServerFrame, MAX_FRAME_BYTES, PROTOCOL_VERSION,
};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::Instant;

use crate::action_budget::{ActionBudget, Admitted};
use crate::auth::TokenError;
use crate::census::Seat;
use crate::delivery::{self, Parcel, Subscription};
use crate::liveness::{Due, Liveness};
use crate::rate_limit::TokenBucket;
use crate::store::{Settled, User};
use crate::writer::{Lane, Reply};
use crate::{origin, AppState};

mod mail;
mod resume;

/// tungstenite's own hard limit. Twice our protocol limit, so that a frame a little
/// too large gets a polite error frame from the decoder, and only an absurd one
/// costs the connection.
const TRANSPORT_LIMIT: usize = 2 * MAX_FRAME_BYTES;
/// tungstenite zeroes its whole read buffer (128 KiB by default) for every
/// socket, and most chat frames are a few hundred bytes: a small buffer that
/// grows for the rare large frame keeps an idle socket at a few KiB.
const READ_BUFFER: usize = 2 * 1024;
/// Frames are queued until this much is waiting, then written; a batch of
/// frames taken from the mailbox is flushed at once whatever its size.
const WRITE_BUFFER: usize = 16 * 1024;
/// A connection that has not said hello by then is closed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Events replayed per database read while resuming.
const REPLAY_PAGE: u32 = 500;
/// Rooms one resume frame may name.
const MAX_CURSORS: usize = 1000;
/// Events one resume frame may have replayed, over all its rooms. A room
/// cut short still gets `caught_up` with its true head, and the client
/// fetches the rest over HTTP, page by page: one frame cannot make the
/// server send a whole database.
const MAX_REPLAY_PER_RESUME: usize = 5_000;
/// Frames refused for rate, since the client was last quiet for a whole
/// burst, before the connection is closed.
const MAX_STRIKES: u32 = 200;
/// A typing signal is relayed at most this often per room and connection. Short:
/// clients already send one only every few seconds. A message resets it, since
/// a new signal right after one is legitimate (the message ended the burst).
const TYPING_EVERY: Duration = Duration::from_millis(300);
/// Actions of one connection handed to the writer and not yet answered.
const MAX_IN_FLIGHT: usize = 32;

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let admission = if origin::is_allowed(&headers, &state.allowed_origins) {
        match state.census.admit(peer.ip()) {
            Ok(seat) => Admission::Admitted(seat),
            Err(full) => {
                tracing::warn!(%peer, reason = full.reason(), "refused a socket over a cap");
                Admission::Refused(close_code::TRY_AGAIN_LATER, full.reason())
            }
        }
    } else {
        tracing::warn!("refused a socket from a disallowed origin");
        Admission::Refused(close_code::FORBIDDEN, "origin not allowed")
    };
    // Boxed: axum keeps the callback's place in the connection's task for
    // as long as the connection lives, so it holds a pointer, not the state.
    let admitted = Box::new((state, admission));
    ws.max_frame_size(TRANSPORT_LIMIT)
        .max_message_size(TRANSPORT_LIMIT)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| {
            let (state, admission) = *admitted;
            state.tracker.clone().track_future(connection(socket, state, admission))
        })
}

/// Whether a socket may stay, decided before the upgrade.
enum Admission {
    Admitted(Seat),
    /// Accepted, then closed with this code and reason: a refused upgrade
    /// only shows up in the browser as an anonymous 1006, and the app would
    /// retry at full speed instead of saying why.
    Refused(u16, &'static str),
}

/// A connection's whole life, as one future built before it is awaited.
/// Not an `async` block: a block keeps what it captured beside what it
/// awaits, and each byte of a connection's task is 10 KB at 10,000 sockets.
fn connection(socket: WebSocket, state: AppState, admission: Admission) -> impl Future<Output = ()> {
    match admission {
        Admission::Admitted(seat) => Either::Left(Session::new(socket, state, seat).run()),
        Admission::Refused(code, reason) => Either::Right(close(socket, code, reason)),
    }
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
    let drain = async {
        while let Some(Ok(message)) = socket.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

struct Session {
    socket: WebSocket,
    state: AppState,
    subscription: Subscription,
    user: Option<User>,
    /// Rooms this connection follows, with the last seq sent on it (replayed or
    /// live): live copies at or below it are skipped.
    following: HashMap<RoomId, Seq>,
    /// Actions handed to the writer, oldest first; the writer answers in order.
    in_flight: VecDeque<InFlight>,
    /// Where the writer keeps this connection's actions in order.
    lane: Lane,
    /// Acks waiting for their own event to go out first (on a cluster the event
    /// comes back through the bus, possibly after the writer's answer).
    held_acks: VecDeque<HeldAck>,
    /// The mailbox's parcels being sent; kept to reuse its allocation.
    parcels: VecDeque<Parcel>,
    frames: TokenBucket,
    /// The person's action budget as this connection uses it, once welcomed.
    actions: Option<ActionBudget>,
    /// Frames refused for rate; forgiven only once the bucket has filled up
    /// again, so a steady flood just over the rate is cut off, not tolerated.
    strikes: u32,
    typing_relayed: HashMap<RoomId, Instant>,
    /// How far the store holds the person's read position in each room, as
    /// far as this connection has learnt: a report no further is dropped
    /// here, so repeating one (a client's bug, or a flood) costs no write.
    read_held: HashMap<RoomId, Seq>,
    liveness: Liveness,
    /// This socket's place under the caps, given back when the session ends.
    seat: Seat,
    /// The sign-in session this socket was welcomed with: when it ends
    /// (signed out, revoked), the socket closes.
    signed_in: Option<SignedIn>,
}

struct SignedIn {
    session: Arc<str>,
    ended: Receiver<Arc<str>>,
}

struct InFlight {
    admitted: Admitted,
    then: AfterApply,
    reply: Reply,
}

/// The writer's answer, or its absence if it dropped the action.
type Answer = Result<anyhow::Result<Settled>, tokio::sync::oneshot::error::RecvError>;

/// What the connection does once an action is applied, besides the ack.
enum AfterApply {
    Nothing,
    /// A message ends a burst of typing: the next keystroke starts a new one.
    TypingEnded(RoomId),
    Left(RoomId),
}

struct HeldAck {
    /// The event that must go out first, if the action made one; an ack with
    /// none waits only for the acks before it, so acks keep their order.
    waits_for: Option<(RoomId, Seq)>,
    frame: Utf8Bytes,
}

/// What the session should do after handling one incoming frame.
enum Next {
    Continue,
    Close(u16, &'static str),
    /// The socket is broken; there is no one to send a close frame to.
    Stop,
}

/// Frames a fresh connection may send at once: three seconds' worth, and at
/// least a full outbox with room for the resume and pings around it.
fn frame_burst(per_second: u32) -> u32 {
    per_second.saturating_mul(3).max(2 * OUTBOX_CAPACITY as u32)
}

impl Session {
    fn new(socket: WebSocket, state: AppState, seat: Seat) -> Self {
        let limits = state.limits;
        Self {
            socket,
            subscription: state.delivery.open(),
            state,
            user: None,
            following: HashMap::new(),
            in_flight: VecDeque::new(),
            lane: Lane::default(),
            held_acks: VecDeque::new(),
            parcels: VecDeque::new(),
            frames: TokenBucket::new(frame_burst(limits.frames_per_sec), limits.frames_per_sec),
            actions: None,
            strikes: 0,
            typing_relayed: HashMap::new(),
            read_held: HashMap::new(),
            liveness: Liveness::new(limits.idle_timeout),
            seat,
            signed_in: None,
        }
    }

    /// Not an `async fn`: one moves `self` into a second place of its state,
    /// and a connection's task would carry its session twice.
    #[allow(clippy::manual_async_fn)]
    fn run(mut self) -> impl Future<Output = ()> {
        async move {
            let mut ticker: Option<Receiver<Arc<str>>> = None;
            let shutdown = self.state.shutdown.clone();
            let handshake_deadline = tokio::time::sleep(HANDSHAKE_TIMEOUT);
            tokio::pin!(handshake_deadline);
            let next = loop {
                let next = tokio::select! {
                    () = shutdown.cancelled() => Next::Close(close_code::SERVICE_RESTART, "server restarting"),
                    due = self.liveness.due() => match due {
                        Due::Ping => self.ping().await,
                        Due::Dead => Next::Close(close_code::HEARTBEAT_TIMEOUT, "no sign of life"),
                    },
                    () = &mut handshake_deadline, if self.user.is_none() => {
                        Next::Close(close_code::POLICY_VIOLATION, "no hello within 10 seconds")
                    }
                    // Not reading while too many actions are in flight is the
                    // backpressure that keeps one client from flooding the writer.
                    incoming = self.socket.next(), if self.in_flight.len() < MAX_IN_FLIGHT => {
                        self.on_incoming(incoming).await
                    }
                    () = self.subscription.mailbox().ready() => self.on_mail().await,
                    answer = next_answer(&mut self.in_flight) => self.on_answer(answer).await,
                    tick = next_tick(&mut ticker) => self.on_tick(tick).await,
                    ended = next_ended(&mut self.signed_in) => self.on_session_ended(ended).await,
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
            // Leaves every room (and its presence) before the goodbye, not after.
            let Session { socket, subscription, .. } = self;
            drop(subscription);
            if let Next::Close(code, reason) = next {
                close(socket, code, reason).await;
            }
        }
    }

    async fn on_incoming(&mut self, incoming: Option<Result<Message, axum::Error>>) -> Next {
        if let Some(Ok(_)) = incoming {
            self.liveness.heard();
        }
        match incoming {
            None | Some(Ok(Message::Close(_))) => Next::Stop,
            Some(Err(error)) => {
                tracing::debug!(%error, "socket error");
                Next::Close(close_code::MESSAGE_TOO_BIG, "frame too large or broken")
            }
            Some(Ok(message)) => {
                // Every frame costs the same, whatever its kind: a flood of
                // binary frames or pings is a flood too.
                if self.frames.is_full() {
                    self.strikes = 0;
                }
                if !self.frames.try_take() {
                    return self.refuse_for_rate(&message).await;
                }
                match message {
                    Message::Text(text) => self.on_text(text.as_bytes()).await,
                    Message::Binary(_) => {
                        self.error(ErrorCode::BinaryNotSupported, "only text frames are spoken here").await
                    }
                    // tungstenite answers pings itself; a pong answers ours.
                    Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Next::Continue,
                }
            }
        }
    }

    /// Refuses a frame over the connection's frame rate. An action among them
    /// is answered by its key, as one over the person's action budget is: not
    /// recorded, so its client sends it again after a pause, and the actions
    /// after it wait behind it. A bare error names no action, and the outbox
    /// would wait for an answer for as long as the socket lives (a leader tab
    /// flushing the outboxes of every tab at once can outrun the frame burst).
    async fn refuse_for_rate(&mut self, frame: &Message) -> Next {
        self.strikes += 1;
        if self.strikes > MAX_STRIKES {
            return Next::Close(close_code::RATE_LIMITED, "too many frames");
        }
        let wait = self.frames.wait().as_millis();
        let message = format!("too many frames; slow down (next in {wait} ms)");
        if let (Some(key), Some(budget)) = (action_key(frame), self.actions.as_mut()) {
            budget.hold_back(key.clone());
            let outcome = Outcome::Rejected { code: RejectCode::RateLimited, message, problem: None };
            return self.send(&ServerFrame::Ack { key, outcome }).await;
        }
        self.error(ErrorCode::RateLimited, &message).await
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
                    self.state.delivery.typing(room, user.id, &user.name);
                }
                Next::Continue
            }
            (ClientFrame::Read { room, seq }, Some(user)) => self.on_read(&user, room, seq).await,
        }
    }

    async fn on_hello(&mut self, token: Option<String>) -> Next {
        let Some(token) = token else {
            return Next::Close(close_code::UNAUTHORIZED, "sign in first");
        };
        // Listening before the check: a session that ends right after it is not missed.
        let ended = self.state.sessions.subscribe_ended();
        let (user_id, session) = match self.state.sessions.check(&token).await {
            Ok(signed_in) => signed_in,
            Err(TokenError::Expired { .. }) => return Next::Close(close_code::UNAUTHORIZED, "token expired"),
            Err(TokenError::Ended) => return Next::Close(close_code::UNAUTHORIZED, "signed out"),
            Err(TokenError::Unavailable) => {
                return Next::Close(close_code::TRY_AGAIN_LATER, "sessions cannot be checked just now")
            }
            Err(
                TokenError::Malformed | TokenError::BadSignature | TokenError::UnknownKey(_) | TokenError::NoSession,
            ) => return Next::Close(close_code::UNAUTHORIZED, "invalid token"),
        };
        if let Err(full) = self.seat.claim(user_id) {
            return Next::Close(close_code::TRY_AGAIN_LATER, full.reason());
        }
        // Signed in before who they are is read: a name or settings changed
        // from now on is told after what is read here, never lost between.
        self.state.delivery.sign_in(&self.subscription, user_id);
        match self.state.store.you(user_id).await {
            Ok(Some((user, settings))) => {
                tracing::debug!(user = %user.id, "welcomed");
                self.signed_in = Some(SignedIn { session, ended });
                self.actions = Some(ActionBudget::new(Arc::clone(&self.state.action_tokens), user.id));
                let welcome = ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(user.id) };
                // What changed while this device was away, it learns now.
                let you = delivery::you_changed(&user, settings);
                self.user = Some(user);
                match self.send(&welcome).await {
                    Next::Continue => self.send(&you).await,
                    stop => stop,
                }
            }
            Ok(None) => Next::Close(close_code::UNAUTHORIZED, "unknown user"),
            Err(error) => self.internal(error),
        }
    }

    async fn on_action(&mut self, user: &User, key: ActionKey, action: Action) -> Next {
        let admitted = self.actions.as_mut().expect("actions come after hello").admit(key);
        tracing::debug!(user = %user.id, kind = action_kind(&action), "action submitted");
        let then = match &action {
            Action::SendMessage { room, .. } => {
                self.state.delivery.said(*room, user.id);
                AfterApply::TypingEnded(*room)
            }
            Action::LeaveRoom { room } => AfterApply::Left(*room),
            _ => AfterApply::Nothing,
        };
        let reply = self.state.writer.submit(&self.lane, user.clone(), admitted.clone(), action).await;
        self.in_flight.push_back(InFlight { admitted, then, reply });
        Next::Continue
    }

    /// The writer answered the oldest action in flight.
    async fn on_answer(&mut self, answer: Answer) -> Next {
        let InFlight { admitted, then, .. } =
            self.in_flight.pop_front().expect("an answer comes for an action in flight");
        let settled = match answer {
            Ok(Ok(settled)) => settled,
            Ok(Err(error)) => return self.failed(&admitted, error),
            Err(_) => return self.failed(&admitted, anyhow::anyhow!("the writer dropped an action")),
        };
        let budget = self.actions.as_mut().expect("actions come after hello");
        budget.settled(&admitted, &settled);
        let key = admitted.key;
        let outcome = match settled {
            Settled::New(outcome) | Settled::Repeat(outcome) => outcome,
            Settled::Deferred => {
                let message = budget.retry_message();
                Outcome::Rejected { code: RejectCode::RateLimited, message, problem: None }
            }
        };
        // Whatever the commit put in the mailbox goes out before the ack.
        if !self.forward_mail().await {
            return Next::Stop;
        }
        let waits_for = match &outcome {
            Outcome::Applied { room, seq, .. } => {
                self.after_apply(then);
                seq.map(|seq| (*room, seq))
            }
            Outcome::Rejected { .. } => None,
        };
        let frame = Utf8Bytes::from(encode(&ServerFrame::Ack { key, outcome }));
        let event_not_sent_yet =
            waits_for.is_some_and(|(room, seq)| self.following.get(&room).is_some_and(|sent| *sent < seq));
        if event_not_sent_yet || !self.held_acks.is_empty() {
            self.held_acks.push_back(HeldAck { waits_for, frame });
            return self.flush().await;
        }
        self.send_text(frame).await
    }

    /// What an applied action changes for this connection besides its ack.
    fn after_apply(&mut self, then: AfterApply) {
        match then {
            AfterApply::TypingEnded(room) => {
                self.typing_relayed.remove(&room);
            }
            AfterApply::Left(room) => {
                // A read reported there is for the store to refuse (see
                // `mail` for a leave elsewhere, which may come after this).
                self.read_held.remove(&room);
                if self.following.remove(&room).is_some() {
                    let user = self.user.as_ref().expect("actions come after hello").id;
                    self.state.delivery.unfollow(&self.subscription, room, user);
                }
            }
            AfterApply::Nothing => {}
        }
    }

    /// The writer failed `admitted`, and applies none of the connection's
    /// actions behind it (its `Lane`): the socket closes, and the tokens they
    /// took go back to the person, whose client sends them all again.
    fn failed(&mut self, admitted: &Admitted, error: anyhow::Error) -> Next {
        if let Some(budget) = &mut self.actions {
            budget.unapplied(admitted);
            for later in &self.in_flight {
                budget.unapplied(&later.admitted);
            }
        }
        self.internal(error)
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
        self.write(Message::Text(text)).await
    }

    async fn ping(&mut self) -> Next {
        self.write(Message::Ping(Default::default())).await
    }

    /// Sends and flushes; a peer that takes no bytes for the write timeout
    /// (its window full, its network gone) is given up on.
    async fn write(&mut self, message: Message) -> Next {
        match tokio::time::timeout(self.state.limits.write_timeout, self.socket.send(message)).await {
            Ok(Ok(())) => Next::Continue,
            Ok(Err(_)) | Err(_) => Next::Stop,
        }
    }

    /// Queues a frame without flushing, so a batch leaves in few writes.
    async fn feed(&mut self, text: Utf8Bytes) -> bool {
        let fed = tokio::time::timeout(self.state.limits.write_timeout, self.socket.feed(Message::Text(text))).await;
        matches!(fed, Ok(Ok(())))
    }
}

/// The writer's answer to the oldest action in flight (never, if none is).
async fn next_answer(in_flight: &mut VecDeque<InFlight>) -> Answer {
    match in_flight.front_mut() {
        Some(oldest) => (&mut oldest.reply).await,
        None => std::future::pending().await,
    }
}

async fn next_ended(signed_in: &mut Option<SignedIn>) -> Result<Arc<str>, RecvError> {
    match signed_in {
        Some(signed_in) => signed_in.ended.recv().await,
        None => std::future::pending().await,
    }
}

async fn next_tick(ticker: &mut Option<Receiver<Arc<str>>>) -> Result<Arc<str>, RecvError> {
    match ticker {
        Some(ticker) => ticker.recv().await,
        None => std::future::pending().await,
    }
}

/// The key of the action `frame` carries, if it is one.
fn action_key(frame: &Message) -> Option<ActionKey> {
    let Message::Text(text) = frame else { return None };
    match decode_client(text.as_bytes()) {
        Ok(ClientFrame::Action { key, .. }) => Some(key),
        _ => None,
    }
}

/// For logs: what kind of action, never its content.
fn action_kind(action: &Action) -> &'static str {
    match action {
        Action::CreateRoom { .. } => "create_room",
        Action::JoinRoom { .. } => "join_room",
        Action::JoinWithInvite { .. } => "join_with_invite",
        Action::OpenDirect { .. } => "open_direct",
        Action::LeaveRoom { .. } => "leave_room",
        Action::RenameRoom { .. } => "rename_room",
        Action::SendMessage { .. } => "send_message",
        Action::EditMessage { .. } => "edit_message",
        Action::DeleteMessage { .. } => "delete_message",
        Action::AddReaction { .. } => "add_reaction",
        Action::RemoveReaction { .. } => "remove_reaction",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection's task, whatever it is doing: at 10,000 idle sockets
    /// each KiB here is 10 MB of the server's memory (2.6 KiB measured; the
    /// session was once held twice, at 4.2 KiB).
    const CONNECTION_BUDGET: usize = 3 * 1024;

    /// The size of what `make` returns, without calling it.
    fn size_of_output<A, B, C, R>(_make: fn(A, B, C) -> R) -> usize {
        std::mem::size_of::<R>()
    }

    #[test]
    fn a_connection_task_stays_small() {
        let task = size_of_output(connection);
        let session = std::mem::size_of::<Session>();
        assert!(
            task <= CONNECTION_BUDGET,
            "a connection's task is {task} bytes, over {CONNECTION_BUDGET}: is its session ({session} bytes) held twice?"
        );
    }
}
