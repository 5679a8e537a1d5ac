//! A deterministic world for the client engine: a virtual clock, a simulated chat
//! server with a durable log and idempotent actions, and a network that drops,
//! duplicates, loses and stalls on command. No threads, no sleeps: the world
//! jumps from one scheduled happening to the next.

// Each test binary uses part of this world; what one does not use is not dead.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use hanmadi_client_core::{Client, Config, Event, Instant, Output, SequencedEvent, SocketId, Status};
use hanmadi_protocol::{
    close_code, decode_client, encode, Action, ActionKey, ClientFrame, Member, MessageId, Outcome, PresenceChange,
    RejectCode, RoomEvent, RoomId, Seq, ServerFrame, TickerUpdate, UserId, Version, PROTOCOL_VERSION,
};

pub const ME: UserId = UserId(1);
pub const OTHER: UserId = UserId(2);
pub const ROOMS: [RoomId; 2] = [RoomId(1), RoomId(2)];
/// The people who come and go in the rooms, each with the two names they go by.
pub const VISITORS: [(UserId, [&str; 2]); 2] = [(OTHER, ["Mina", "미나"]), (UserId(3), ["Jun", "준"])];
const LATENCY: Duration = Duration::from_millis(40);
/// Most events one history answer holds, like the real server's cap (1,000),
/// scaled down so that gaps here always take several pages.
const HISTORY_PAGE: usize = 3;
/// Most events a resume replays of one room, like the real server's budget
/// (5,000 over every room), scaled down so that replays here often stop short.
const REPLAY_BUDGET: usize = 4;
/// How many new actions in a row a rate-limit fault refuses.
const RATE_LIMITED_ACTIONS: u32 = 3;

/// Something the world can be told to do to the client, the server or the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection breaks; the client hears a 1006.
    Drop,
    /// The connection dies silently (a half-open TCP connection): only the
    /// client's heartbeat can find out.
    Stall,
    /// The server restarts: sockets closed with 1012, down for a while.
    Restart {
        down_ms: u64,
    },
    /// The next action is committed, then the server dies before answering.
    CrashAfterCommit,
    /// The next live event is never sent on this connection (a gap).
    LoseEvent,
    /// The next live event is sent twice.
    Duplicate,
    /// The server tells the client it skipped events in a room (slow consumer).
    Resync,
    /// An old ticker value arrives after newer ones.
    StaleTick,
    /// The browser says the network went away, or came back.
    Offline,
    Online,
    /// The laptop sleeps: no timers fire, and the connection dies silently.
    Sleep {
        ms: u64,
    },
    /// The next few new actions are refused as `rate_limited` (replays of
    /// applied keys are still answered from the record).
    RateLimit,
    /// The session token expires: the next hello is refused (close 4401) and a
    /// fresh token is needed; a refresh while the server is down cannot reach it.
    ExpireToken,
}

#[derive(Debug, Clone)]
enum Happening {
    ToClient { socket: SocketId, text: String },
    ToServer { socket: SocketId, text: String },
    Accept { socket: SocketId },
    Refuse { socket: SocketId },
    Closed { socket: SocketId, code: u16 },
    History { room: RoomId, after: Seq, before: Seq },
    TokenRefresh,
    Fault(Fault),
    UserSends { n: u32, room: RoomId },
    OtherPosts { room: RoomId },
    Visit { room: RoomId, visitor: usize },
    Tick,
    ServerUp,
}

/// A connection as the server sees it.
#[derive(Debug, Default)]
struct Link {
    welcomed: bool,
    live_rooms: BTreeSet<RoomId>,
    /// Dead without anyone being told (stall, sleep): nothing crosses it any more.
    silent: bool,
    /// The first action refused as rate-limited: as the real server does
    /// (`server/src/action_budget.rs`), every later new action is refused too
    /// until this one comes back, so none overtakes it.
    deferred_from: Option<ActionKey>,
}

#[derive(Debug, Default)]
pub struct Server {
    pub log: BTreeMap<RoomId, Vec<SequencedEvent>>,
    results: HashMap<ActionKey, Outcome>,
    /// Keys in the order they were first applied.
    pub applied: Vec<ActionKey>,
    next_message: u64,
    ticker_version: u64,
    /// Who is in each room (besides the client's user).
    pub presence: BTreeMap<RoomId, BTreeMap<UserId, String>>,
    /// This server process's presence versions; they start over when it restarts,
    /// like those of another node.
    presence_version: u64,
    down: bool,
    crash_after_next_commit: bool,
    lose_next_event: bool,
    duplicate_next_event: bool,
    /// New actions still to refuse as rate-limited.
    rate_limited_left: u32,
    /// The token hellos must carry (`None`: the first session, never expired).
    valid_token: Option<String>,
    pub tokens_issued: u32,
}

pub struct World {
    pub now: Instant,
    pub client: Client,
    pub server: Server,
    links: HashMap<SocketId, Link>,
    agenda: BTreeMap<(Instant, u64), Happening>,
    next_order: u64,
    asleep_until: Option<Instant>,
    /// Sockets the client opened and has not seen closed.
    live_sockets: BTreeSet<SocketId>,
    pub max_live_sockets: usize,
    /// What the client delivered to the page, per room.
    pub delivered: BTreeMap<RoomId, Vec<SequencedEvent>>,
    /// The keys of the actions the client accepted, in the user's order.
    pub user_keys: Vec<ActionKey>,
    pub refused_actions: u32,
    pub shown_ticker: HashMap<String, Version>,
    /// Who the client last said is in each room.
    pub shown_presence: BTreeMap<RoomId, Vec<Member>>,
    pub ticker_went_back: bool,
    pub statuses: Vec<Status>,
    pub history_fetches: u32,
    pub rate_limited_answers: u32,
}

impl World {
    pub fn new(seed: u64) -> Self {
        let mut world = Self {
            now: Instant::from_millis(0),
            client: Client::new(Config::new("ws://sim/ws", seed)),
            server: Server::default(),
            links: HashMap::new(),
            agenda: BTreeMap::new(),
            next_order: 0,
            asleep_until: None,
            live_sockets: BTreeSet::new(),
            max_live_sockets: 0,
            delivered: BTreeMap::new(),
            user_keys: Vec::new(),
            refused_actions: 0,
            shown_ticker: HashMap::new(),
            shown_presence: BTreeMap::new(),
            ticker_went_back: false,
            statuses: Vec::new(),
            history_fetches: 0,
            rate_limited_answers: 0,
        };
        for room in ROOMS {
            world.server.log.insert(room, Vec::new());
            world.client.track_room(world.now, room, Seq::ZERO);
        }
        world.client.connect(world.now);
        world.drain();
        world
    }

    pub fn schedule_fault(&mut self, at_ms: u64, fault: Fault) {
        self.at(Instant::from_millis(at_ms), Happening::Fault(fault));
    }

    pub fn schedule_user_message(&mut self, at_ms: u64, n: u32, room: RoomId) {
        self.at(Instant::from_millis(at_ms), Happening::UserSends { n, room });
    }

    pub fn schedule_other_message(&mut self, at_ms: u64, room: RoomId) {
        self.at(Instant::from_millis(at_ms), Happening::OtherPosts { room });
    }

    /// One of the [`VISITORS`] comes into the room, is renamed, or goes, in turn.
    pub fn schedule_visit(&mut self, at_ms: u64, room: RoomId, visitor: usize) {
        self.at(Instant::from_millis(at_ms), Happening::Visit { room, visitor });
    }

    pub fn schedule_ticks(&mut self, every_ms: u64, until_ms: u64) {
        for t in (every_ms..until_ms).step_by(every_ms as usize) {
            self.at(Instant::from_millis(t), Happening::Tick);
        }
    }

    /// Runs the world until `end_ms`, firing every happening and client timer in order.
    pub fn run_until(&mut self, end_ms: u64) {
        let end = Instant::from_millis(end_ms);
        loop {
            let next_happening = self.agenda.keys().next().map(|(at, _)| *at);
            let client_wake = self.client.poll_timeout().map(|wake| wake.max(self.asleep_until.unwrap_or(wake)));
            let next = match (next_happening, client_wake) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => match a.or(b) {
                    Some(t) => t,
                    None => break,
                },
            };
            if next > end {
                break;
            }
            self.now = self.now.max(next);
            if self.asleep_until.is_some_and(|until| self.now >= until) {
                self.asleep_until = None;
            }
            if next_happening == Some(next) {
                let ((_, order), happening) = self.agenda.pop_first().expect("peeked");
                self.happen(order, happening);
            } else {
                self.client.on_timeout(self.now);
            }
            self.drain();
            self.paint_ticker();
        }
        self.now = self.now.max(end);
    }

    /// No more faults: pending fault flags are cleared and the browser is online.
    pub fn heal(&mut self) {
        self.server.crash_after_next_commit = false;
        self.server.lose_next_event = false;
        self.server.duplicate_next_event = false;
        self.server.rate_limited_left = 0;
        self.at(self.now, Happening::Fault(Fault::Online));
    }

    fn at(&mut self, at: Instant, happening: Happening) {
        self.next_order += 1;
        self.agenda.insert((at, self.next_order), happening);
    }

    fn after(&mut self, delay: Duration, happening: Happening) {
        self.at(self.now + delay, happening);
    }

    /// Client-side happenings wait while the machine sleeps.
    fn client_side(&self, happening: &Happening) -> bool {
        matches!(
            happening,
            Happening::ToClient { .. }
                | Happening::Accept { .. }
                | Happening::Refuse { .. }
                | Happening::Closed { .. }
                | Happening::History { .. }
                | Happening::TokenRefresh
                | Happening::UserSends { .. }
                | Happening::Fault(Fault::Offline | Fault::Online)
        )
    }

    /// `order` is the happening's place among those scheduled: kept when it is put
    /// off by a sleep, so the browser sees what happened meanwhile in its order.
    fn happen(&mut self, order: u64, happening: Happening) {
        if let Some(until) = self.asleep_until {
            if self.client_side(&happening) {
                self.agenda.insert((until, order), happening);
                return;
            }
        }
        let now = self.now;
        match happening {
            Happening::ToClient { socket, text } => {
                if self.links.get(&socket).is_some_and(|link| !link.silent) {
                    self.client.on_frame(now, socket, &text);
                }
            }
            Happening::ToServer { socket, text } => self.server_receives(socket, &text),
            Happening::Accept { socket } => {
                if self.server.down {
                    self.after(LATENCY, Happening::Refuse { socket });
                } else if self.live_sockets.contains(&socket) {
                    self.links.insert(socket, Link::default());
                    self.client.on_socket_open(now, socket);
                }
            }
            Happening::Refuse { socket } => self.client_sees_close(socket, close_code::ABNORMAL),
            Happening::Closed { socket, code } => self.client_sees_close(socket, code),
            Happening::History { room, after, before } => {
                // Every fourth fetch fails, as HTTP requests on a bad network do.
                self.history_fetches += 1;
                if self.server.down || self.history_fetches.is_multiple_of(4) {
                    self.client.on_history_failed(now, room, (after, before));
                } else {
                    let events = self.server.log[&room]
                        .iter()
                        .filter(|event| event.seq > after && event.seq < before)
                        .take(HISTORY_PAGE)
                        .cloned()
                        .collect();
                    self.client.on_history(now, room, (after, before), events);
                }
            }
            Happening::TokenRefresh => match self.server.valid_token.clone() {
                Some(token) if !self.server.down => self.client.on_token_refreshed(now, Some(token)),
                _ => self.client.on_token_refresh_unreachable(now),
            },
            Happening::Fault(fault) => self.fault(fault),
            Happening::UserSends { n, room } => {
                let action =
                    Action::SendMessage { room, text: format!("message {n}"), reply_to: None, attachments: Vec::new() };
                match self.client.act(now, action) {
                    Ok(key) => self.user_keys.push(key),
                    Err(_) => self.refused_actions += 1,
                }
            }
            Happening::OtherPosts { room } => {
                if !self.server.down {
                    let id = self.server.new_message_id();
                    let event = RoomEvent::Message {
                        id,
                        author: OTHER,
                        author_name: "Mina".into(),
                        text: "hi".into(),
                        reply_to: None,
                        attachments: Vec::new(),
                    };
                    self.commit_and_broadcast(room, event);
                }
            }
            Happening::Visit { room, visitor } => {
                if !self.server.down {
                    self.visit(room, visitor);
                }
            }
            Happening::Tick => {
                if !self.server.down {
                    self.server.ticker_version += 1;
                    let version = self.server.ticker_version;
                    self.broadcast(&ServerFrame::Ticker { updates: vec![tick("HNMD", version)] });
                }
            }
            Happening::ServerUp => self.server.down = false,
        }
    }

    fn fault(&mut self, fault: Fault) {
        match fault {
            Fault::Drop => {
                for socket in self.current_links() {
                    self.links.remove(&socket);
                    self.after(LATENCY, Happening::Closed { socket, code: close_code::ABNORMAL });
                }
            }
            Fault::Stall => {
                for link in self.links.values_mut() {
                    link.silent = true;
                }
            }
            Fault::Restart { down_ms } => {
                if self.server.down {
                    return;
                }
                for socket in self.current_links() {
                    self.links.remove(&socket);
                    self.after(LATENCY, Happening::Closed { socket, code: close_code::SERVICE_RESTART });
                }
                self.server.down = true;
                self.server.presence_version = 0;
                self.after(Duration::from_millis(down_ms), Happening::ServerUp);
            }
            Fault::CrashAfterCommit => self.server.crash_after_next_commit = true,
            Fault::LoseEvent => self.server.lose_next_event = true,
            Fault::Duplicate => self.server.duplicate_next_event = true,
            Fault::Resync => {
                for socket in self.current_links() {
                    self.send(socket, &ServerFrame::Resync { room: ROOMS[0] });
                }
            }
            Fault::StaleTick => {
                let stale = self.server.ticker_version.saturating_sub(3);
                self.broadcast(&ServerFrame::Ticker { updates: vec![tick("HNMD", stale)] });
            }
            Fault::Offline => self.client.on_offline(self.now),
            Fault::Online => self.client.on_online(self.now),
            Fault::RateLimit => self.server.rate_limited_left = RATE_LIMITED_ACTIONS,
            Fault::ExpireToken => {
                self.server.tokens_issued += 1;
                self.server.valid_token = Some(format!("token {}", self.server.tokens_issued));
            }
            Fault::Sleep { ms } => {
                self.fault(Fault::Stall);
                let wake = self.now + Duration::from_millis(ms);
                self.asleep_until = Some(self.asleep_until.map_or(wake, |until| until.max(wake)));
            }
        }
    }

    fn current_links(&self) -> Vec<SocketId> {
        self.links.keys().copied().collect()
    }

    fn client_sees_close(&mut self, socket: SocketId, code: u16) {
        if self.live_sockets.remove(&socket) {
            self.links.remove(&socket);
            self.client.on_socket_closed(self.now, socket, code, "");
        }
    }

    /// Performs everything the client asked for.
    fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Open { socket, .. } => {
                    self.live_sockets.insert(socket);
                    self.max_live_sockets = self.max_live_sockets.max(self.live_sockets.len());
                    self.after(LATENCY, Happening::Accept { socket });
                }
                Output::Send { socket, text } => {
                    if self.links.get(&socket).is_some_and(|link| !link.silent) {
                        self.after(LATENCY, Happening::ToServer { socket, text });
                    }
                }
                Output::Close { socket, .. } => {
                    self.live_sockets.remove(&socket);
                    self.links.remove(&socket);
                }
                // The simulated user only writes in rooms followed from the start.
                Output::SaveOutbox(_) | Output::LoadRoom { .. } | Output::ToLeader(_) | Output::ToFollowers(_) => {}
                Output::RefreshToken => self.after(LATENCY * 3, Happening::TokenRefresh),
                Output::FetchRange { room, after, before } => {
                    // Some answers come quickly, some after a reconnect has asked again.
                    let slowness = 3 + 10 * (after.0 % 5) as u32;
                    self.after(LATENCY * slowness, Happening::History { room, after, before });
                }
                Output::Event(Event::RoomEvents { room, events, .. }) => {
                    self.delivered.entry(room).or_default().extend(events);
                }
                Output::Event(Event::Status(status)) => self.statuses.push(status),
                Output::Event(Event::Presence { room, members }) => {
                    self.shown_presence.insert(room, members);
                }
                Output::Event(_) => {}
            }
        }
    }

    /// The page's animation frame: what the ticker shows may only move forward.
    fn paint_ticker(&mut self) {
        for value in self.client.take_ticker_frame() {
            if let Some(shown) = self.shown_ticker.insert(value.symbol, value.version) {
                self.ticker_went_back |= value.version <= shown;
            }
        }
    }

    // ---- the simulated server ----

    fn server_receives(&mut self, socket: SocketId, text: &str) {
        if self.server.down || self.links.get(&socket).is_none_or(|link| link.silent) {
            return;
        }
        let frame = decode_client(text).expect("the client sends valid frames");
        let welcomed = self.links[&socket].welcomed;
        match frame {
            ClientFrame::Hello { protocol, token } => {
                assert_eq!(protocol, PROTOCOL_VERSION);
                if token != self.server.valid_token {
                    self.links.remove(&socket);
                    self.after(LATENCY, Happening::Closed { socket, code: close_code::UNAUTHORIZED });
                    return;
                }
                self.links.get_mut(&socket).expect("checked").welcomed = true;
                self.send(socket, &ServerFrame::Welcome { protocol, user: Some(ME) });
            }
            _ if !welcomed => panic!("the client sent {frame:?} before being welcomed"),
            ClientFrame::Ping { nonce } => self.send(socket, &ServerFrame::Pong { nonce }),
            ClientFrame::Typing { room } => {
                // Echo it as if someone else were typing too, so typing state
                // comes and goes during the run.
                let name = "Jun".to_owned();
                self.send(socket, &ServerFrame::Typing { room, user: UserId(3), name });
            }
            ClientFrame::Read { room, seq } => {
                let head = self.server.log[&room].last().map_or(Seq::ZERO, |e| e.seq);
                assert!(seq <= head, "read up to {seq} in {room}, beyond its head {head}");
            }
            ClientFrame::Resume { cursors } => {
                for cursor in cursors {
                    // Like the real server's budget, a replay may stop short of the head it names.
                    let replay: Vec<SequencedEvent> = self.server.log[&cursor.room]
                        .iter()
                        .filter(|e| e.seq > cursor.after)
                        .take(REPLAY_BUDGET)
                        .cloned()
                        .collect();
                    for event in replay {
                        self.send(socket, &event_frame(cursor.room, &event));
                    }
                    let head = self.server.log[&cursor.room].last().map_or(Seq::ZERO, |e| e.seq);
                    self.send(socket, &ServerFrame::CaughtUp { room: cursor.room, head });
                    self.links.get_mut(&socket).expect("checked").live_rooms.insert(cursor.room);
                    let version = self.server.next_presence_version();
                    let members = self.server.present(cursor.room);
                    self.send(socket, &ServerFrame::Presence { room: cursor.room, version, members });
                }
            }
            ClientFrame::Action { key, action } => {
                if let Some(outcome) = self.server.results.get(&key).cloned() {
                    self.send(socket, &ServerFrame::Ack { key, outcome });
                    return;
                }
                let link = self.links.get_mut(&socket).expect("checked");
                if link.deferred_from.as_ref() == Some(&key) {
                    link.deferred_from = None;
                }
                if self.server.rate_limited_left > 0 || link.deferred_from.is_some() {
                    self.server.rate_limited_left = self.server.rate_limited_left.saturating_sub(1);
                    link.deferred_from.get_or_insert_with(|| key.clone());
                    self.rate_limited_answers += 1;
                    let outcome =
                        Outcome::Rejected { code: RejectCode::RateLimited, message: "slow down".into(), problem: None };
                    self.send(socket, &ServerFrame::Ack { key, outcome });
                    return;
                }
                let Action::SendMessage { room, text, .. } = action else { panic!("only messages are sent here") };
                let id = self.server.new_message_id();
                let event = RoomEvent::Message {
                    id,
                    author: ME,
                    author_name: "Me".into(),
                    text,
                    reply_to: None,
                    attachments: Vec::new(),
                };
                let seq = self.commit_and_broadcast(room, event);
                let outcome = Outcome::Applied { room, seq: Some(seq), message: Some(id) };
                self.server.results.insert(key.clone(), outcome.clone());
                self.server.applied.push(key.clone());
                if std::mem::take(&mut self.server.crash_after_next_commit) {
                    self.fault(Fault::Restart { down_ms: 3_000 });
                    return;
                }
                self.send(socket, &ServerFrame::Ack { key, outcome });
            }
        }
    }

    fn commit_and_broadcast(&mut self, room: RoomId, event: RoomEvent) -> Seq {
        let log = self.server.log.get_mut(&room).expect("known room");
        let seq = log.last().map_or(Seq(1), |e| e.seq.next());
        let event = SequencedEvent { seq, at: self.now.as_millis(), event };
        log.push(event.clone());
        let frame = event_frame(room, &event);
        let lose = std::mem::take(&mut self.server.lose_next_event);
        let duplicate = std::mem::take(&mut self.server.duplicate_next_event);
        for socket in self.current_links() {
            if self.links[&socket].live_rooms.contains(&room) && !lose {
                self.send(socket, &frame);
                if duplicate {
                    self.send(socket, &frame);
                }
            }
        }
        seq
    }

    fn visit(&mut self, room: RoomId, visitor: usize) {
        let (user, [name, other_name]) = VISITORS[visitor];
        let present = self.server.presence.entry(room).or_default();
        let change = match present.get(&user).map(String::as_str) {
            None => PresenceChange::Joined { user, name: name.into() },
            Some(held) if held == name => PresenceChange::Renamed { user, name: other_name.into() },
            Some(_) => PresenceChange::Left { user },
        };
        match &change {
            PresenceChange::Joined { name, .. } | PresenceChange::Renamed { name, .. } => {
                present.insert(user, name.clone());
            }
            PresenceChange::Left { .. } => {
                present.remove(&user);
            }
        }
        let frame = ServerFrame::PresenceChanged { room, version: self.server.next_presence_version(), change };
        for socket in self.current_links() {
            if self.links[&socket].live_rooms.contains(&room) {
                self.send(socket, &frame);
            }
        }
    }

    fn broadcast(&mut self, frame: &ServerFrame) {
        for socket in self.current_links() {
            if self.links[&socket].welcomed {
                self.send(socket, frame);
            }
        }
    }

    fn send(&mut self, socket: SocketId, frame: &ServerFrame) {
        if self.links.get(&socket).is_some_and(|link| !link.silent) {
            self.after(LATENCY, Happening::ToClient { socket, text: encode(frame) });
        }
    }
}

impl Server {
    fn new_message_id(&mut self) -> MessageId {
        self.next_message += 1;
        MessageId(self.next_message)
    }

    fn next_presence_version(&mut self) -> Version {
        self.presence_version += 1;
        Version(self.presence_version)
    }

    /// Who is in a room, as the client should show it.
    pub fn present(&self, room: RoomId) -> Vec<Member> {
        let present = self.presence.get(&room).into_iter().flatten();
        present.map(|(user, name)| Member { user: *user, name: name.clone() }).collect()
    }
}

fn event_frame(room: RoomId, event: &SequencedEvent) -> ServerFrame {
    ServerFrame::Event { room, seq: event.seq, at: event.at, event: event.event.clone() }
}

fn tick(symbol: &str, version: u64) -> TickerUpdate {
    TickerUpdate { symbol: symbol.into(), version: Version(version), price: version as f64 / 10.0 }
}
