//! A restart storm: a crowd is connected, some of it talking in ten rooms,
//! when the server is killed with SIGKILL and started again. Every client is
//! the app's own engine (`hanmadi_client_core::Client`) driven over real
//! sockets, so it comes back as the app would: after a wait its own backoff
//! picks (full jitter, seeded per client), with its outbox resent under the
//! same idempotency keys and every room resumed from its cursor. Just before
//! the crash the network loses everything the server says, so some messages
//! are committed with their acks lost and must not be applied twice.
//!
//! The story prints what the crowd did: when each client first tried again
//! (the spread the jitter gives), when it was welcomed back, and how long until
//! everyone had read every room up to where it stood at the crash. Those
//! figures are only printed, never asserted: machines are noisy. What is
//! asserted is correctness: every message stored once, and every client saw
//! every message of its rooms once, in the stored order.
//!
//! `cargo xtask test` runs 40 clients; `cargo xtask bench storm` runs 200
//! (`HANMADI_STORM_CLIENTS`).

mod common;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use common::node::Node;
use common::proxy::{FaultProxy, Flow};
use common::{connect_at, sign_up_at, Database, Session};
use futures_util::{SinkExt, StreamExt};
use hanmadi_client_core::{Backoff, Client as Engine, Config, Event, Instant as EngineTime, Output, SocketId};
use hanmadi_protocol::{close_code, decode_server, Action, Outcome, RoomEvent, RoomId, Seq, ServerFrame};
use sqlx::AnyPool;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// Rooms the crowd talks in; each person is in two of them.
const ROOMS: usize = 10;
/// One person in this many writes.
const WRITERS_ONE_IN: usize = 4;
/// How often a writer writes: within the default rate limit.
const WRITE_EVERY: Duration = Duration::from_millis(500);
/// How long everyone talks before the crash.
const TALK_BEFORE_CRASH: Duration = Duration::from_secs(1);
/// How long the server's answers are lost before the crash: long enough for
/// writers to have a message committed with its ack lost.
const ACKS_LOST_FOR: Duration = Duration::from_millis(150);
/// How long any step of the story may take.
const SETTLE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_comes_back_after_a_crash_spread_out_and_exactly_once() {
    let people = setting("HANMADI_STORM_CLIENTS", 40);
    let database = Database::fresh().await;
    let flags = crowd_flags(people);
    let node = Node::start_with(&database.url, &flags);
    let mut sessions = Vec::new();
    for n in 0..people {
        sessions.push(sign_up_at(node.addr, &format!("Person {n}")).await);
    }
    let memberships = gather_in_rooms(node.addr, &sessions).await;
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&database.url).await.unwrap();

    let network = FaultProxy::start(node.addr).await;
    let url = format!("ws://{}/ws", network.addr);
    let origin = Instant::now();
    let (stage, story) = watch::channel(Stage::Talking);
    let (report, mut reports) = mpsc::unbounded_channel();
    let crowd: Vec<_> = sessions
        .into_iter()
        .zip(memberships)
        .enumerate()
        .map(|(n, (session, rooms))| {
            let person = Person::new(n, &url, session, rooms, origin, report.clone());
            tokio::spawn(person.live(story.clone()))
        })
        .collect();
    everyone_reaches(&mut reports, people, Milestone::Welcomed).await;
    tokio::time::sleep(TALK_BEFORE_CRASH).await;

    network.set(Flow::Pass, Flow::Lose);
    tokio::time::sleep(ACKS_LOST_FOR).await;
    let killed_at = Instant::now();
    node.kill();
    network.reset_all();
    network.set(Flow::Pass, Flow::Pass);
    stage.send_replace(Stage::Crashed { at: killed_at, heads: heads(&pool).await });
    let database_url = database.url.clone();
    let node = tokio::task::spawn_blocking(move || Node::start_with(&database_url, &flags)).await.unwrap();
    network.point_at(node.addr);
    let back_at = Instant::now();

    everyone_reaches(&mut reports, people, Milestone::CaughtUp).await;
    stage.send_replace(Stage::Quiet);
    everyone_reaches(&mut reports, people, Milestone::Flushed).await;
    stage.send_replace(Stage::Ending { heads: heads(&pool).await });
    let mut records = Vec::new();
    for person in crowd {
        records.push(
            tokio::time::timeout(SETTLE, person)
                .await
                .expect("every client reads every room to its end")
                .expect("no client met a refusal, an error or a gap"),
        );
    }

    let stored = stored_messages(&pool).await;
    let (lost, doubled) = lost_and_doubled(&stored, &records);
    let database_kind = database.url.split_once(':').map_or("?", |(scheme, _)| scheme);
    println!("{people} clients ({database_kind}), the server killed with SIGKILL:");
    print_timing(&records, killed_at, back_at);
    println!("  {} messages: {lost} lost, {doubled} doubled", stored.values().map(Vec::len).sum::<usize>());
    assert_eq!((lost, doubled), (0, 0), "no message lost or doubled, in the database or in any client");
    for record in &records {
        for room in &record.rooms {
            assert_eq!(
                texts(&record.seen, room),
                texts(&stored, room),
                "person {} saw room {room} as stored",
                record.n
            );
        }
    }
}

/// A count from the environment, or the CI default.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |value| value.parse().unwrap_or_else(|_| panic!("{name}={value:?}")))
}

/// The node's limits, raised for a crowd that all comes from 127.0.0.1: every
/// guest signs up in one burst (three minutes' worth), and every socket comes
/// through the fault proxy, the case where `--max-sockets-per-address` is to be
/// raised to `--max-sockets` (its default, 20,000).
fn crowd_flags(people: usize) -> Vec<String> {
    ["--sign-ups-per-minute", &people.to_string(), "--max-sockets-per-address", "20000"].map(String::from).to_vec()
}

/// Makes the rooms (person `n` makes room `n`) and has each person join two
/// neighbouring ones, so every room has a share of the crowd coming back to
/// it. Each person's rooms, in order.
async fn gather_in_rooms(server: std::net::SocketAddr, sessions: &[Session]) -> Vec<Vec<RoomId>> {
    let count = ROOMS.min(sessions.len());
    let mut rooms = Vec::new();
    for (n, session) in sessions[..count].iter().enumerate() {
        rooms.push(connect_at(server, session).await.create_room(&format!("storm {n}")).await);
    }
    let mut memberships = Vec::new();
    for (n, session) in sessions.iter().enumerate() {
        let mut mine = vec![rooms[n % count], rooms[(n + 1) % count]];
        mine.dedup();
        let mut tab = connect_at(server, session).await;
        for &room in &mine {
            assert!(matches!(tab.act(Action::JoinRoom { room }).await, Outcome::Applied { .. }), "{n} joins {room}");
        }
        memberships.push(mine);
    }
    memberships
}

/// Every room's last seq, as committed.
type Heads = HashMap<RoomId, Seq>;

async fn heads(database: &AnyPool) -> Heads {
    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, head_seq FROM rooms").fetch_all(database).await.unwrap();
    rows.into_iter().map(|(room, head)| (RoomId(room as u64), Seq(head as u64))).collect()
}

/// Every room's messages, in seq order.
async fn stored_messages(database: &AnyPool) -> HashMap<RoomId, Vec<String>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT room_id, body FROM messages ORDER BY room_id, seq").fetch_all(database).await.unwrap();
    let mut by_room: HashMap<RoomId, Vec<String>> = HashMap::new();
    for (room, text) in rows {
        by_room.entry(RoomId(room as u64)).or_default().push(text);
    }
    by_room
}

fn texts<'a>(by_room: &'a HashMap<RoomId, Vec<String>>, room: &RoomId) -> &'a [String] {
    by_room.get(room).map_or(&[], Vec::as_slice)
}

/// Messages missing where they belong, and messages there twice: what people
/// wrote against what is stored, and what is stored against what each client
/// saw of its rooms.
fn lost_and_doubled(stored: &HashMap<RoomId, Vec<String>>, records: &[Record]) -> (usize, usize) {
    let everything: HashSet<&String> = stored.values().flatten().collect();
    let mut lost = records.iter().flat_map(|record| &record.written).filter(|text| !everything.contains(text)).count();
    let mut doubled = stored.values().map(Vec::len).sum::<usize>() - everything.len();
    for record in records {
        for room in &record.rooms {
            let seen = texts(&record.seen, room);
            let distinct: HashSet<&String> = seen.iter().collect();
            doubled += seen.len() - distinct.len();
            lost += texts(stored, room).iter().filter(|text| !distinct.contains(text)).count();
        }
    }
    (lost, doubled)
}

/// The figures: the spread of first attempts after the kill, the
/// welcomes after the server was back, and the time until everyone had caught up.
fn print_timing(records: &[Record], killed_at: Instant, back_at: Instant) {
    let first_after_kill = |instants: &[Instant]| *instants.iter().find(|at| **at > killed_at).expect("once more");
    let since_kill = |at: Instant| at.saturating_duration_since(killed_at);
    let since_back = |at: Instant| at.saturating_duration_since(back_at);
    let attempts: usize =
        records.iter().map(|record| record.attempts.iter().filter(|at| **at > killed_at).count()).sum();
    println!("  back {} ms after the kill", since_kill(back_at).as_millis());
    println!(
        "  first reconnect attempts, after the kill: {} (the first backoff wait is at most {} ms)",
        Spread::of(records.iter().map(|record| since_kill(first_after_kill(&record.attempts)))),
        Backoff::default().ceiling(0).as_millis()
    );
    println!(
        "  welcomed again, after the server was back: {}; {attempts} attempts, {} of them failed",
        Spread::of(records.iter().map(|record| since_back(first_after_kill(&record.welcomes)))),
        attempts - records.len()
    );
    println!(
        "  caught up to the heads at the crash, after the server was back: {}",
        Spread::of(records.iter().map(|record| since_back(record.caught_up.expect("caught up"))))
    );
}

/// Durations across the crowd: earliest, latest, median, 90th percentile.
struct Spread(Vec<Duration>);

impl Spread {
    fn of(durations: impl Iterator<Item = Duration>) -> Self {
        let mut durations: Vec<Duration> = durations.collect();
        durations.sort();
        Spread(durations)
    }

    fn millis_at(&self, quantile: f64) -> u128 {
        let last = self.0.len() - 1;
        self.0[(last as f64 * quantile).round() as usize].as_millis()
    }
}

impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = (self.millis_at(0.0), self.millis_at(1.0));
        let (median, p90) = (self.millis_at(0.5), self.millis_at(0.9));
        write!(f, "+{first} → +{last} ms, spread {} ms (p50 +{median}, p90 +{p90})", last - first)
    }
}

/// Where the story is, as every person sees it.
#[derive(Debug, Clone)]
enum Stage {
    Talking,
    /// The server was killed `at`, when the rooms' heads were `heads`. Writers
    /// go on: what they write waits in the outbox.
    Crashed {
        at: Instant,
        heads: Heads,
    },
    /// Everyone caught up: nobody writes any more.
    Quiet,
    /// Every outbox is empty: read every room up to these heads, and stop.
    Ending {
        heads: Heads,
    },
}

/// What a person tells the story, once each stage asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Milestone {
    Welcomed,
    /// Welcomed after the crash, and read every room up to its head at the crash.
    CaughtUp,
    /// Every action written has been acknowledged.
    Flushed,
}

async fn everyone_reaches(
    reports: &mut mpsc::UnboundedReceiver<(usize, Milestone)>,
    people: usize,
    milestone: Milestone,
) {
    let mut reached = HashSet::new();
    while reached.len() < people {
        let (n, reported) = tokio::time::timeout(SETTLE, reports.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {people} {milestone:?} within {SETTLE:?}", reached.len()))
            .expect("people report");
        if reported == milestone {
            reached.insert(n);
        }
    }
}

/// What one client did and saw, for the figures and the checks.
struct Record {
    n: usize,
    rooms: Vec<RoomId>,
    /// Every socket the engine opened.
    attempts: Vec<Instant>,
    welcomes: Vec<Instant>,
    caught_up: Option<Instant>,
    written: Vec<String>,
    seen: HashMap<RoomId, Vec<String>>,
}

/// What one socket did, reported to its person's engine.
enum SocketEvent {
    Opened,
    Frame(String),
    Closed(u16),
}

/// One person: the engine, and the adapter around it that does what it asks
/// (open, send, close sockets; wake it on time), as the browser adapter does.
struct Person {
    engine: Engine,
    origin: Instant,
    writes: bool,
    sockets: HashMap<SocketId, mpsc::UnboundedSender<String>>,
    socket_events: mpsc::UnboundedSender<(SocketId, SocketEvent)>,
    inputs: mpsc::UnboundedReceiver<(SocketId, SocketEvent)>,
    reports: mpsc::UnboundedSender<(usize, Milestone)>,
    flushed: bool,
    record: Record,
}

impl Person {
    fn new(
        n: usize,
        url: &str,
        session: Session,
        rooms: Vec<RoomId>,
        origin: Instant,
        reports: mpsc::UnboundedSender<(usize, Milestone)>,
    ) -> Self {
        let mut engine = Engine::new(Config::new(url, n as u64));
        engine.set_token(Some(session.token));
        let (socket_events, inputs) = mpsc::unbounded_channel();
        let (attempts, welcomes, caught_up, written, seen) = (Vec::new(), Vec::new(), None, Vec::new(), HashMap::new());
        let record = Record { n, rooms, attempts, welcomes, caught_up, written, seen };
        let writes = n.is_multiple_of(WRITERS_ONE_IN);
        Person {
            engine,
            origin,
            writes,
            sockets: HashMap::new(),
            socket_events,
            inputs,
            reports,
            flushed: false,
            record,
        }
    }

    async fn live(mut self, mut story: watch::Receiver<Stage>) -> Record {
        let now = self.now();
        self.engine.connect(now);
        for room in self.record.rooms.clone() {
            self.engine.track_room(now, room, Seq::ZERO);
        }
        let mut write = tokio::time::interval(WRITE_EVERY);
        loop {
            self.perform();
            let (done, writing) = {
                let stage = story.borrow_and_update();
                (self.progress(&stage), self.writes && matches!(*stage, Stage::Talking | Stage::Crashed { .. }))
            };
            if done {
                return self.record;
            }
            let wake = self.engine.poll_timeout().map(|at| self.origin + Duration::from_millis(at.as_millis()));
            tokio::select! {
                input = self.inputs.recv() => self.take(input.expect("the person holds a sender")),
                () = wake_at(wake) => self.engine.on_timeout(self.now()),
                _ = write.tick(), if writing => self.write(),
                changed = story.changed() => changed.expect("the story outlives its people"),
            }
        }
    }

    /// The engine's clock: milliseconds since the story began.
    fn now(&self) -> EngineTime {
        EngineTime::from_millis(self.origin.elapsed().as_millis() as u64)
    }

    /// Does what the engine asks.
    fn perform(&mut self) {
        let n = self.record.n;
        while let Some(output) = self.engine.poll_output() {
            match output {
                Output::Open { socket, url } => self.open(socket, url),
                Output::Send { socket, text } => {
                    if let Some(socket) = self.sockets.get(&socket) {
                        let _ = socket.send(text);
                    }
                }
                Output::Close { socket, .. } => drop(self.sockets.remove(&socket)),
                // Nothing reloads in this story.
                Output::SaveOutbox(_) => {}
                Output::Event(event) => self.note(event),
                Output::FetchRange { room, after, before } => {
                    panic!("person {n}: a gap in room {room} after {after}, before {before}: a resume leaves none")
                }
                Output::RefreshToken => panic!("person {n}: the token was refused"),
                Output::LoadRoom { room } => panic!("person {n}: joined room {room}, and nobody joins in this story"),
                Output::ToLeader(request) => panic!("person {n}: one tab each, following nobody: {request:?}"),
                // One tab each: nobody follows.
                Output::ToFollowers(_) => {}
            }
        }
    }

    fn open(&mut self, socket: SocketId, url: String) {
        self.record.attempts.push(Instant::now());
        let (send, outgoing) = mpsc::unbounded_channel();
        self.sockets.insert(socket, send);
        tokio::spawn(run_socket(url, socket, outgoing, self.socket_events.clone()));
    }

    fn note(&mut self, event: Event) {
        let n = self.record.n;
        match event {
            Event::RoomEvents { room, events, .. } => {
                let texts = events.into_iter().filter_map(|sequenced| match sequenced.event {
                    RoomEvent::Message { text, .. } => Some(text),
                    _ => None,
                });
                self.record.seen.entry(room).or_default().extend(texts);
            }
            Event::ActionRejected { code, reason, .. } => panic!("person {n}: refused ({code:?}): {reason}"),
            Event::ServerError { code, message } => panic!("person {n}: error {code:?}: {message}"),
            Event::BadFrame { error, .. } => panic!("person {n}: a frame the engine cannot read: {error:?}"),
            _ => {}
        }
    }

    fn take(&mut self, (socket, event): (SocketId, SocketEvent)) {
        let now = self.now();
        match event {
            SocketEvent::Opened => self.engine.on_socket_open(now, socket),
            SocketEvent::Frame(text) => {
                if matches!(decode_server(&text), Ok(ServerFrame::Welcome { .. })) {
                    self.record.welcomes.push(Instant::now());
                    self.report(Milestone::Welcomed);
                }
                self.engine.on_frame(now, socket, &text);
            }
            SocketEvent::Closed(code) => {
                self.sockets.remove(&socket);
                self.engine.on_socket_closed(now, socket, code, "");
            }
        }
    }

    fn write(&mut self) {
        let text = format!("person {} #{}", self.record.n, self.record.written.len() + 1);
        let room = self.record.rooms[self.record.written.len() % self.record.rooms.len()];
        let action = Action::SendMessage { room, text: text.clone(), reply_to: None, attachments: Vec::new() };
        self.engine.act(self.now(), action).expect("the outbox has room");
        self.record.written.push(text);
    }

    /// Reports what the stage waits for; true once every room is read to its end.
    fn progress(&mut self, stage: &Stage) -> bool {
        match stage {
            Stage::Talking => {}
            Stage::Crashed { at, heads } => {
                let back = self.record.welcomes.last().is_some_and(|welcomed| welcomed > at);
                if self.record.caught_up.is_none() && back && self.has_read_to(heads) {
                    self.record.caught_up = Some(Instant::now());
                    self.report(Milestone::CaughtUp);
                }
            }
            Stage::Quiet => {
                if !self.flushed && self.engine.outbox().is_empty() {
                    self.flushed = true;
                    self.report(Milestone::Flushed);
                }
            }
            Stage::Ending { heads } => return self.has_read_to(heads),
        }
        false
    }

    fn has_read_to(&self, heads: &Heads) -> bool {
        self.record.rooms.iter().all(|room| self.engine.room_cursor(*room) >= heads.get(room).copied())
    }

    fn report(&self, milestone: Milestone) {
        let _ = self.reports.send((self.record.n, milestone));
    }
}

async fn wake_at(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One socket the engine asked for, as the browser's `WebSocket` is: it
/// reports opening, each text frame and the close (1006 when it failed or
/// broke), and sends what it is handed. When the engine lets go of it (drops
/// its sender) it closes and reports nothing more.
async fn run_socket(
    url: String,
    id: SocketId,
    mut outgoing: mpsc::UnboundedReceiver<String>,
    events: mpsc::UnboundedSender<(SocketId, SocketEvent)>,
) {
    let code = match connect_async(url).await {
        Err(_) => close_code::ABNORMAL,
        Ok((mut socket, _)) => {
            let _ = events.send((id, SocketEvent::Opened));
            loop {
                tokio::select! {
                    text = outgoing.recv() => match text {
                        Some(text) => {
                            if socket.send(Message::text(text)).await.is_err() {
                                break close_code::ABNORMAL;
                            }
                        }
                        None => {
                            let _ = socket.close(None).await;
                            return;
                        }
                    },
                    message = socket.next() => match message {
                        Some(Ok(Message::Text(text))) => {
                            let _ = events.send((id, SocketEvent::Frame(text.as_str().to_owned())));
                        }
                        Some(Ok(Message::Close(frame))) => {
                            break frame.map_or(close_code::ABNORMAL, |frame| u16::from(frame.code));
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break close_code::ABNORMAL,
                    },
                }
            }
        }
    };
    let _ = events.send((id, SocketEvent::Closed(code)));
}
