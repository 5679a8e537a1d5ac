//! A client wired to nothing, for stories where the test plays the server by
//! hand.

// Each test binary uses part of it; what one does not use is not dead.
#![allow(dead_code)]

use std::time::Duration;

use hanmadi_client_core::{Client, Config, Event, Instant, Output, SequencedEvent, SocketId};
use hanmadi_protocol::{
    decode_client, encode, Action, ClientFrame, Member, Outcome, PresenceChange, RoomEvent, RoomId, Seq, ServerFrame,
    UserId, PROTOCOL_VERSION,
};

/// A client wired to nothing: the test plays the server by hand.
pub struct Tab {
    pub client: Client,
    pub now: Instant,
    pub socket: Option<SocketId>,
    pub sent: Vec<ClientFrame>,
    pub events: Vec<Event>,
    pub saved_outbox: Option<String>,
    pub token_refreshes_asked: usize,
    pub rooms_to_load: Vec<RoomId>,
    /// Every range of a room's events asked for over HTTP: room, after, before.
    pub fetches: Vec<(RoomId, Seq, Seq)>,
}

impl Tab {
    pub fn new(seed: u64) -> Self {
        Self {
            client: Client::new(Config::new("ws://test/ws", seed)),
            now: Instant::from_millis(0),
            socket: None,
            sent: Vec::new(),
            events: Vec::new(),
            saved_outbox: None,
            token_refreshes_asked: 0,
            rooms_to_load: Vec::new(),
            fetches: Vec::new(),
        }
    }

    pub fn drain(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Open { socket, .. } => self.socket = Some(socket),
                Output::Send { text, .. } => self.sent.push(decode_client(&text).unwrap()),
                Output::Close { .. } => self.socket = None,
                Output::SaveOutbox(json) => self.saved_outbox = Some(json),
                Output::Event(event) => self.events.push(event),
                Output::RefreshToken => self.token_refreshes_asked += 1,
                Output::FetchRange { room, after, before } => self.fetches.push((room, after, before)),
                Output::LoadRoom { room } => self.rooms_to_load.push(room),
                Output::ToLeader(request) => panic!("a lone tab follows nobody: {request:?}"),
                Output::ToFollowers(_) => {}
            }
        }
    }

    pub fn go_online(&mut self) {
        self.client.connect(self.now);
        self.drain();
        let socket = self.socket.expect("an attempt");
        self.client.on_socket_open(self.now, socket);
        self.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    }

    pub fn receive(&mut self, frame: &ServerFrame) {
        let socket = self.socket.expect("connected");
        self.client.on_frame(self.now, socket, &encode(frame));
        self.drain();
    }

    pub fn wait(&mut self, duration: Duration) {
        self.now = self.now + duration;
        self.client.on_timeout(self.now);
        self.drain();
    }

    /// Time passes on a healthy connection: every heartbeat ping is answered.
    pub fn idle_connected(&mut self, duration: Duration) {
        let until = self.now + duration;
        while self.now < until {
            self.wait(Duration::from_secs(5));
            let pings: Vec<u64> = self
                .sent
                .drain(..)
                .filter_map(|frame| match frame {
                    ClientFrame::Ping { nonce } => Some(nonce),
                    _ => None,
                })
                .collect();
            for nonce in pings {
                self.receive(&ServerFrame::Pong { nonce });
            }
        }
    }

    /// The connection drops and the next attempt, within the first backoff
    /// ceiling, is welcomed.
    pub fn reconnect_after_a_blip(&mut self) {
        self.client.on_socket_closed(self.now, self.socket.take().expect("connected"), 1006, "wifi dropped");
        self.wait(Duration::from_millis(1_500));
        self.client.on_socket_open(self.now, self.socket.expect("retried within the first backoff ceiling"));
        self.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    }

    /// Event `seq` of `room` arrives on the socket (live, or replayed).
    pub fn hear(&mut self, room: RoomId, seq: u64) {
        self.receive(&ServerFrame::Event { room, seq: Seq(seq), at: 0, event: renamed_event(seq) });
    }

    /// The answer to the fetch of `room`'s events with `after < seq < before`:
    /// those of `seqs` (what the server has of the range).
    pub fn fetched(&mut self, room: RoomId, (after, before): (u64, u64), seqs: impl IntoIterator<Item = u64>) {
        let events =
            seqs.into_iter().map(|seq| SequencedEvent { seq: Seq(seq), at: 0, event: renamed_event(seq) }).collect();
        self.client.on_history(self.now, room, (Seq(after), Seq(before)), events);
        self.drain();
    }

    pub fn say(&mut self, text: &str) {
        let action =
            Action::SendMessage { room: RoomId(1), text: text.into(), reply_to: None, attachments: Vec::new() };
        self.client.act(self.now, action).expect("room in the outbox");
        self.drain();
    }

    /// The user acts, and the server applies it in `room`: the events seen
    /// from then on are the answer's.
    pub fn applied(&mut self, action: Action, room: RoomId, seq: Option<Seq>) {
        let key = self.client.act(self.now, action).expect("room in the outbox");
        self.drain();
        self.events.clear();
        self.receive(&ServerFrame::Ack { key, outcome: Outcome::Applied { room, seq, message: None } });
    }

    pub fn sent_actions(&self) -> Vec<&ClientFrame> {
        self.sent.iter().filter(|f| matches!(f, ClientFrame::Action { .. })).collect()
    }

    /// Every list of who is in `room` the page was given, in order.
    pub fn presence_shown(&self, room: RoomId) -> Vec<Vec<Member>> {
        self.events
            .iter()
            .filter_map(|event| match event {
                Event::Presence { room: r, members } if *r == room => Some(members.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn last_typing(&self, room: RoomId) -> Option<Vec<String>> {
        self.events.iter().rev().find_map(|event| match event {
            Event::Typing { room: r, names } if *r == room => Some(names.clone()),
            _ => None,
        })
    }
}

/// An event that says which one it is: the room renamed after its seq.
fn renamed_event(seq: u64) -> RoomEvent {
    RoomEvent::Renamed { name: format!("room at {seq}"), by: UserId(2) }
}

pub fn member(user: u64, name: &str) -> Member {
    Member { user: UserId(user), name: name.into() }
}

pub fn mina() -> Member {
    member(2, "Mina")
}

pub fn jun() -> Member {
    member(3, "Jun")
}

pub fn joined(user: u64, name: &str) -> PresenceChange {
    PresenceChange::Joined { user: UserId(user), name: name.into() }
}

pub fn left(user: u64) -> PresenceChange {
    PresenceChange::Left { user: UserId(user) }
}

pub fn renamed(user: u64, name: &str) -> PresenceChange {
    PresenceChange::Renamed { user: UserId(user), name: name.into() }
}
