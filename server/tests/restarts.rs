//! Exactly once through crashes: people keep talking in one room while the
//! server is killed with SIGKILL and started again, over and over. Each
//! person's client works as the app's engine does: an action waits in the
//! outbox under its idempotency key until it is acknowledged and is sent again,
//! same key, after every reconnect; the room resumes from the last seq seen.
//! Before each crash the network loses everything the server says for a
//! moment, so some actions are always committed with their acks lost: their
//! resends must be answered from the record, not applied again.
//! At the end every message is stored once, each person's in the order written,
//! and every client saw every message once, with no gap in the room's seqs.
//!
//! `cargo xtask test` runs 10 people through 10 restarts; `cargo xtask bench
//! restarts` runs 20 through 50 (`HANMADI_SOAK_PEOPLE`, `HANMADI_SOAK_RESTARTS`).

mod common;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use common::node::Node;
use common::proxy::{FaultProxy, Flow};
use common::{connect_at, sign_up_at, Database, Session};
use futures_util::{SinkExt, StreamExt};
use hanmadi_protocol::{
    decode_server, encode, Action, ActionKey, ClientFrame, Cursor, Outcome, RoomEvent, RoomId, Seq, ServerFrame,
    PROTOCOL_VERSION,
};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// How often each person writes a message: within the default rate limit,
/// so the story is about crashes and not about limits.
const WRITE_EVERY: Duration = Duration::from_millis(100);
/// How long the server's answers are lost before each crash: long enough for
/// most people to write a message whose ack is lost.
const ACKS_LOST_FOR: Duration = Duration::from_millis(150);
/// How long the whole story may take once the crashes stop.
const SETTLE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_repeated_crashes_exactly_once_and_in_order() {
    let people = setting("HANMADI_SOAK_PEOPLE", 10);
    let restarts = setting("HANMADI_SOAK_RESTARTS", 10);
    let database = Database::fresh().await;
    let mut node = Node::start(&database.url);

    let mut sessions = Vec::new();
    for n in 0..people {
        sessions.push(sign_up_at(node.addr, &format!("Person {n}")).await);
    }
    let room = connect_at(node.addr, &sessions[0]).await.create_room("through the storm").await;
    for session in &sessions[1..] {
        connect_at(node.addr, session).await.act(Action::JoinRoom { room }).await;
    }

    let network = FaultProxy::start(node.addr).await;
    let (stop_writing, writing_stopped) = watch::channel(false);
    let (announce_total, total) = watch::channel(None);
    let (flushed, mut flushes) = mpsc::unbounded_channel();
    let talkers: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(n, session)| {
            let talker = Talker::new(n, session, room);
            let talk = Talk { server: network.addr, writing_stopped: writing_stopped.clone(), total: total.clone() };
            tokio::spawn(talker.run(talk, flushed.clone()))
        })
        .collect();

    let started = Instant::now();
    for restart in 0..restarts {
        // Crashes at uneven moments: mid-send, mid-commit, mid-ack.
        tokio::time::sleep(Duration::from_millis(150 + (restart as u64 * 89) % 250)).await;
        network.set(Flow::Pass, Flow::Lose);
        tokio::time::sleep(ACKS_LOST_FOR).await;
        node.kill();
        network.reset_all();
        network.set(Flow::Pass, Flow::Pass);
        let database_url = database.url.clone();
        node = tokio::task::spawn_blocking(move || Node::start(&database_url)).await.unwrap();
        network.point_at(node.addr);
    }
    stop_writing.send(true).unwrap();

    let mut written = 0;
    for _ in 0..people {
        written += tokio::time::timeout(SETTLE, flushes.recv())
            .await
            .expect("every outbox is acknowledged once the crashes stop")
            .expect("a talker reports its outbox flushed");
    }
    announce_total.send(Some(written)).unwrap();
    let mut finished = Vec::new();
    for talker in talkers {
        finished.push(
            tokio::time::timeout(SETTLE, talker)
                .await
                .expect("every client sees every message once the crashes stop")
                .expect("no talker found a gap or a double"),
        );
    }
    let took = started.elapsed();

    let stored = stored_messages(&database.url, room).await;
    assert_eq!(stored.len(), written, "every acknowledged message is stored, and nothing else");
    assert_each_once_in_writing_order(&stored, "the database");
    for talker in &finished {
        assert_eq!(talker.seen, stored, "person {} saw the room as it is stored", talker.n);
    }
    let resent: usize = finished.iter().map(|talker| talker.resent).sum();
    println!(
        "{people} people through {restarts} SIGKILL restarts in {took:.1?}: {written} messages written, \
         {resent} sent again after a crash; stored once each and seen once by everyone, in order"
    );
}

/// A count from the environment, or the CI default.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |value| value.parse().unwrap_or_else(|_| panic!("{name}={value:?}")))
}

/// Every text once, and each person's texts in the order they were written.
fn assert_each_once_in_writing_order(texts: &[String], whose: &str) {
    let mut last_written: HashMap<&str, u64> = HashMap::new();
    for text in texts {
        let (person, number) = text.rsplit_once(" #").expect("a soak message");
        let number: u64 = number.parse().expect("numbered");
        let before = last_written.insert(person, number);
        assert!(before < Some(number), "{whose}: {text:?} came after #{before:?} (a double or out of order)");
    }
}

async fn stored_messages(database_url: &str, room: RoomId) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    sqlx::query_scalar("SELECT body FROM messages WHERE room_id = $1 ORDER BY seq")
        .bind(room.0 as i64)
        .fetch_all(&pool)
        .await
        .unwrap()
}

/// What every talker knows: where the server is (behind the fault proxy),
/// whether to stop writing, and (once everyone's outbox is flushed) how many
/// messages to expect.
struct Talk {
    server: std::net::SocketAddr,
    writing_stopped: watch::Receiver<bool>,
    total: watch::Receiver<Option<usize>>,
}

/// One person's client: an outbox whose actions are all sent at once, in
/// order, as the app's engine does, and the room's timeline checked for gaps
/// and doubles as it arrives.
struct Talker {
    n: usize,
    session: Session,
    room: RoomId,
    outbox: VecDeque<Pending>,
    written: u64,
    /// Actions sent again (same key) on a new connection.
    resent: usize,
    last_seq: Seq,
    /// Between a `resync` and its `caught_up`, live events past a gap arrive
    /// before the replay fills it: they are skipped (the replay brings them).
    resyncing: bool,
    seen: Vec<String>,
}

/// A message in the outbox, under its key.
struct Pending {
    key: ActionKey,
    text: String,
    /// Sent on some earlier connection: sending it again is a resend.
    sent_before: bool,
}

enum Ended {
    /// Every message was seen.
    Done,
    /// The connection broke (the server died): connect again.
    Lost,
}

impl Talker {
    fn new(n: usize, session: Session, room: RoomId) -> Self {
        let (outbox, written, resent, last_seq, resyncing, seen) =
            (VecDeque::new(), 0, 0, Seq::ZERO, false, Vec::new());
        Talker { n, session, room, outbox, written, resent, last_seq, resyncing, seen }
    }

    async fn run(mut self, talk: Talk, flushed: mpsc::UnboundedSender<usize>) -> Talker {
        let mut reported_flushed = false;
        loop {
            let Some(mut socket) = self.connect(talk.server).await else {
                // The server is down: try again soon.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            match self.converse(&mut socket, &talk, &flushed, &mut reported_flushed).await {
                Ended::Done => return self,
                Ended::Lost => continue,
            }
        }
    }

    async fn connect(&self, address: std::net::SocketAddr) -> Option<Socket> {
        let (mut socket, _) = connect_async(format!("ws://{address}/ws")).await.ok()?;
        let hello = ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(self.session.token.clone()) };
        socket.send(Message::text(encode(&hello))).await.ok()?;
        Some(socket)
    }

    async fn converse(
        &mut self,
        socket: &mut Socket,
        talk: &Talk,
        flushed: &mpsc::UnboundedSender<usize>,
        reported_flushed: &mut bool,
    ) -> Ended {
        if self.resume(socket).await.is_err() {
            return Ended::Lost;
        }
        for n in 0..self.outbox.len() {
            self.resent += usize::from(self.outbox[n].sent_before);
            if self.send(socket, n).await.is_err() {
                return Ended::Lost;
            }
        }
        let mut write = tokio::time::interval(WRITE_EVERY);
        loop {
            let sent = tokio::select! {
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        let frame = decode_server(text.as_bytes()).expect("the server sends valid frames");
                        self.take(socket, frame).await
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return Ended::Lost,
                    Some(Ok(_)) => Ok(()),
                },
                _ = write.tick() => {
                    let stopped = *talk.writing_stopped.borrow();
                    if stopped { Ok(()) } else { self.write(socket).await }
                }
            };
            if sent.is_err() {
                return Ended::Lost;
            }
            if *talk.writing_stopped.borrow() && self.outbox.is_empty() && !*reported_flushed {
                *reported_flushed = true;
                flushed.send(self.written as usize).unwrap();
            }
            if talk.total.borrow().is_some_and(|total| self.seen.len() >= total) {
                return Ended::Done;
            }
        }
    }

    async fn resume(&mut self, socket: &mut Socket) -> Result<(), ()> {
        let resume = ClientFrame::Resume { cursors: vec![Cursor { room: self.room, after: self.last_seq }] };
        socket.send(Message::text(encode(&resume))).await.map_err(drop)
    }

    /// Writes the next message into the outbox and sends it.
    async fn write(&mut self, socket: &mut Socket) -> Result<(), ()> {
        self.written += 1;
        let key = ActionKey::new(format!("soak-{}-{}", self.n, self.written)).unwrap();
        let text = format!("person {} #{}", self.n, self.written);
        self.outbox.push_back(Pending { key, text, sent_before: false });
        self.send(socket, self.outbox.len() - 1).await
    }

    /// Sends the outbox's `n`th action.
    async fn send(&mut self, socket: &mut Socket, n: usize) -> Result<(), ()> {
        let pending = &mut self.outbox[n];
        pending.sent_before = true;
        let action = ClientFrame::Action {
            key: pending.key.clone(),
            action: Action::SendMessage {
                room: self.room,
                text: pending.text.clone(),
                reply_to: None,
                attachments: Vec::new(),
            },
        };
        socket.send(Message::text(encode(&action))).await.map_err(drop)
    }

    async fn take(&mut self, socket: &mut Socket, frame: ServerFrame) -> Result<(), ()> {
        match frame {
            ServerFrame::Welcome { user, .. } => assert_eq!(user, Some(self.session.user.id)),
            ServerFrame::Event { room, .. } if room != self.room => {}
            ServerFrame::Event { seq, .. } if self.resyncing && seq != self.last_seq.next() => {}
            ServerFrame::Event { seq, event, .. } => {
                let n = self.n;
                assert_eq!(seq, self.last_seq.next(), "person {n}: after seq {} came {seq}", self.last_seq);
                self.last_seq = seq;
                if let RoomEvent::Message { text, .. } = event {
                    self.seen.push(text);
                }
            }
            ServerFrame::CaughtUp { room, .. } if room == self.room => self.resyncing = false,
            ServerFrame::Resync { room } if room == self.room => {
                self.resyncing = true;
                return self.resume(socket).await;
            }
            ServerFrame::Ack { key, outcome } => {
                let oldest = self.outbox.pop_front().expect("an ack answers an action in flight");
                assert_eq!(key, oldest.key, "person {}: acks come in the order sent ({outcome:?})", self.n);
                assert!(matches!(outcome, Outcome::Applied { .. }), "person {}: refused: {outcome:?}", self.n);
            }
            ServerFrame::Error { code, message } => panic!("person {}: error {code:?}: {message}", self.n),
            _ => {}
        }
        Ok(())
    }
}
