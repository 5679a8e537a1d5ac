//! One browser of several tabs sharing one connection, played the way the
//! browser adapter plays it: a Web Lock picks the leader, a `BroadcastChannel`
//! carries the notes, in order, to every other tab, and a small server at the
//! other end of the one socket applies each idempotency key once. Virtual
//! clock, no sleeps.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use hanmadi_client_core::{Client, Config, Event, FromFollower, FromLeader, Instant, Output, SocketId, Status};
use hanmadi_protocol::{
    decode_client, encode, Action, ActionKey, ClientFrame, Member, MessageId, Outcome, RejectCode, RoomEvent, RoomId,
    Seq, ServerFrame, UserId, Version, PROTOCOL_VERSION,
};

pub const ROOM: RoomId = RoomId(1);
pub const ME: UserId = UserId(1);

/// What crosses the channel between tabs.
#[derive(Debug, Clone)]
pub enum Note {
    /// From the leader: a frame its socket received, its status, what it
    /// tells of its connection, its outbox.
    Frame(String),
    Status(Status),
    FromLeader(FromLeader),
    Outbox(String),
    /// From a tab that just took the lead.
    Leading,
    /// From the leader, to a tab that says hello: who its socket was
    /// welcomed as.
    Welcomed(UserId),
    /// From a follower, for the leader.
    ToLeader(FromFollower),
}

/// The server: one room, each key applied once, answers to the one socket.
#[derive(Default)]
pub struct Server {
    pub log: Vec<(Seq, RoomEvent)>,
    pub applied: BTreeMap<ActionKey, Seq>,
    /// Messages applied, for "exactly once".
    pub texts: Vec<String>,
    /// Messages refused, as one sent to a room left on another device.
    pub refuses: Vec<String>,
}

impl Server {
    pub fn receive(&mut self, frame: ClientFrame) -> Vec<ServerFrame> {
        match frame {
            ClientFrame::Hello { .. } => vec![ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(ME) }],
            ClientFrame::Resume { cursors } => {
                let mut out = Vec::new();
                for cursor in cursors {
                    for (seq, event) in self.log.iter().filter(|(seq, _)| *seq > cursor.after) {
                        out.push(ServerFrame::Event { room: ROOM, seq: *seq, at: 0, event: event.clone() });
                    }
                    out.push(ServerFrame::CaughtUp { room: cursor.room, head: self.head() });
                    let mina = Member { user: ME, name: "Mina".into() };
                    out.push(ServerFrame::Presence { room: cursor.room, version: Version(1), members: vec![mina] });
                }
                out
            }
            ClientFrame::Action { key, action: Action::SendMessage { text, .. } } if self.refuses.contains(&text) => {
                let message = "not a member of room 1".to_owned();
                vec![ServerFrame::Ack {
                    key,
                    outcome: Outcome::Rejected { code: RejectCode::Forbidden, message, problem: None },
                }]
            }
            ClientFrame::Action { key, action: Action::SendMessage { text, .. } } => {
                let mut out = Vec::new();
                let seq = match self.applied.get(&key) {
                    Some(seq) => *seq,
                    None => {
                        let seq = Seq(self.head().0 + 1);
                        let id = MessageId(seq.0);
                        let event = RoomEvent::Message {
                            id,
                            author: ME,
                            author_name: "Mina".into(),
                            text: text.clone(),
                            reply_to: None,
                            attachments: Vec::new(),
                        };
                        self.log.push((seq, event.clone()));
                        self.applied.insert(key.clone(), seq);
                        self.texts.push(text);
                        out.push(ServerFrame::Event { room: ROOM, seq, at: 0, event });
                        seq
                    }
                };
                out.push(ServerFrame::Ack {
                    key,
                    outcome: Outcome::Applied { room: ROOM, seq: Some(seq), message: None },
                });
                out
            }
            _ => Vec::new(),
        }
    }

    /// Jun writes: the event, for the one socket.
    pub fn jun_says(&mut self, text: &str) -> ServerFrame {
        let seq = Seq(self.head().0 + 1);
        let event = RoomEvent::Message {
            id: MessageId(seq.0),
            author: UserId(2),
            author_name: "Jun".into(),
            text: text.into(),
            reply_to: None,
            attachments: Vec::new(),
        };
        self.log.push((seq, event.clone()));
        ServerFrame::Event { room: ROOM, seq, at: 0, event }
    }

    pub fn head(&self) -> Seq {
        self.log.last().map_or(Seq::ZERO, |(seq, _)| *seq)
    }
}

pub struct Tab {
    pub client: Client,
    pub open: bool,
    pub socket: Option<SocketId>,
    /// Frames the server sent this tab's socket, not yet read.
    pub inbox: VecDeque<String>,
    pub events: Vec<Event>,
    /// What this tab saved under its own key (a follower's handed actions).
    pub saved: String,
}

/// One browser: its tabs, the channel between them, the leader's lock, and
/// the server at the other end of the one socket.
pub struct Browser {
    pub now: Instant,
    pub tabs: Vec<Tab>,
    pub leader: Option<usize>,
    /// Notes on their way, with the tab that posted them.
    pub channel: VecDeque<(usize, Note)>,
    pub server: Server,
    /// Frames from the socket to the server, not yet read (in flight).
    pub wire: VecDeque<String>,
    /// The outbox the leading tab saved last (in localStorage).
    pub saved: Option<String>,
    /// New sockets fail to open (the server is down, or a tunnel).
    pub server_down: bool,
    /// Outboxes closed tabs saved under their own keys, not yet adopted.
    pub left_behind: Vec<String>,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            now: Instant::from_millis(0),
            tabs: Vec::new(),
            leader: None,
            channel: VecDeque::new(),
            server: Server::default(),
            wire: VecDeque::new(),
            saved: None,
            server_down: false,
            left_behind: Vec::new(),
        }
    }

    /// The server cannot be reached, and the leader's socket goes.
    pub fn enter_tunnel(&mut self) {
        self.server_down = true;
        let leader = self.leader.expect("a leader");
        let socket = self.tabs[leader].socket.expect("the leader's socket");
        self.tabs[leader].client.on_socket_closed(self.now, socket, 1006, "");
        self.drain(leader);
        self.settle();
    }

    /// The leading tab's browser says the network is gone, and its socket
    /// closes (the server stays up: a tab that leads later connects).
    pub fn leader_goes_offline(&mut self) {
        let leader = self.leader.expect("a leader");
        self.tabs[leader].client.on_offline(self.now);
        let socket = self.tabs[leader].socket.expect("the leader's socket");
        self.tabs[leader].client.on_socket_closed(self.now, socket, 1006, "");
        self.drain(leader);
        self.settle();
    }

    /// The leader's socket closes (the wifi dropped); the server stays up,
    /// so the leader's next attempt gets through.
    pub fn leaders_socket_drops(&mut self) {
        let leader = self.leader.expect("a leader");
        let socket = self.tabs[leader].socket.take().expect("the leader's socket");
        self.tabs[leader].inbox.clear();
        self.wire.clear();
        self.tabs[leader].client.on_socket_closed(self.now, socket, 1006, "wifi dropped");
        self.drain(leader);
        self.settle();
    }

    /// A tab opens: it leads if no tab does, and follows otherwise; then it
    /// loads the room's newest page and follows the room from there.
    pub fn open_tab(&mut self) -> usize {
        let n = self.start_tab();
        let head = self.server.head();
        self.track_room(n, head);
        n
    }

    pub fn start_tab(&mut self) -> usize {
        let n = self.tabs.len();
        let mut client = Client::new(Config::new("ws://test/ws", 100 + n as u64));
        client.set_token(Some("token".into()));
        self.tabs.push(Tab {
            client,
            open: true,
            socket: None,
            inbox: VecDeque::new(),
            events: Vec::new(),
            saved: "[]".into(),
        });
        if self.leader.is_none() {
            self.take_lead(n);
        } else {
            self.tabs[n].client.follow();
        }
        self.drain(n);
        n
    }

    /// The tab loaded the room's history up to `head` and follows it from there.
    pub fn track_room(&mut self, n: usize, head: Seq) {
        self.tabs[n].client.track_room(self.now, ROOM, head);
        self.drain(n);
    }

    /// Jun's message reaches the leader's socket.
    pub fn jun_says(&mut self, text: &str) {
        let frame = self.server.jun_says(text);
        if let Some(leader) = self.leader {
            self.tabs[leader].inbox.push_back(encode(&frame));
        }
    }

    /// Hoon types in the room: the signal reaches the leader's socket.
    pub fn hoon_types(&mut self) {
        self.server_tells(ServerFrame::Typing { room: ROOM, user: UserId(3), name: "Hoon".into() });
    }

    /// `frame` reaches the leader's socket.
    pub fn server_tells(&mut self, frame: ServerFrame) {
        if let Some(leader) = self.leader {
            self.tabs[leader].inbox.push_back(encode(&frame));
        }
    }

    /// How many times each key was applied, as this tab heard it.
    pub fn applied_twice(&self, n: usize) -> Vec<ActionKey> {
        let mut keys: Vec<&ActionKey> = self.tabs[n]
            .events
            .iter()
            .filter_map(|event| match event {
                Event::ActionApplied { key, .. } => Some(key),
                _ => None,
            })
            .collect();
        keys.sort();
        keys.windows(2).filter(|pair| pair[0] == pair[1]).map(|pair| pair[0].clone()).collect()
    }

    pub fn presence(&self, n: usize) -> Option<Vec<Member>> {
        self.tabs[n].events.iter().rev().find_map(|event| match event {
            Event::Presence { members, .. } => Some(members.clone()),
            _ => None,
        })
    }

    /// The tab closes (or crashes): its socket goes, and the lock passes to
    /// the tab that has waited longest.
    /// What it saved under its own key is left behind, and adopted by the
    /// leader (the browser adapter does this on `pagehide`, or once the Web
    /// Locks say a crashed tab is gone).
    pub fn close_tab(&mut self, n: usize) {
        self.tabs[n].open = false;
        self.tabs[n].socket = None;
        self.tabs[n].inbox.clear();
        self.left_behind.push(std::mem::replace(&mut self.tabs[n].saved, "[]".into()));
        if self.leader == Some(n) {
            self.leader = None;
            self.wire.clear();
            if let Some(next) = (0..self.tabs.len()).find(|&t| self.tabs[t].open) {
                self.take_lead(next);
            }
        }
        self.adopt_left_behind();
    }

    pub fn adopt_left_behind(&mut self) {
        let Some(leader) = self.leader else { return };
        for json in std::mem::take(&mut self.left_behind) {
            self.tabs[leader].client.adopt_outbox(self.now, &json).unwrap();
            self.drain(leader);
        }
    }

    pub fn take_lead(&mut self, n: usize) {
        self.leader = Some(n);
        let now = self.now;
        self.tabs[n].client.lead(now);
        if let Some(saved) = self.saved.clone() {
            self.tabs[n].client.adopt_outbox(now, &saved).unwrap();
        }
        self.channel.push_back((n, Note::Leading));
        self.drain(n);
    }

    pub fn say(&mut self, n: usize, text: &str) -> ActionKey {
        let action = Action::SendMessage { room: ROOM, text: text.into(), reply_to: None, attachments: Vec::new() };
        let key = self.tabs[n].client.act(self.now, action).unwrap();
        self.drain(n);
        key
    }

    /// Performs a tab's outputs the way the browser adapter does.
    pub fn drain(&mut self, n: usize) {
        let leads = self.leader == Some(n);
        while let Some(output) = self.tabs[n].client.poll_output() {
            match output {
                Output::Open { socket, .. } if self.server_down => {
                    self.tabs[n].client.on_socket_closed(self.now, socket, 1006, "");
                }
                Output::Open { socket, .. } => {
                    self.tabs[n].socket = Some(socket);
                    self.tabs[n].client.on_socket_open(self.now, socket);
                }
                Output::Send { text, .. } => self.wire.push_back(text),
                Output::Close { .. } => self.tabs[n].socket = None,
                Output::SaveOutbox(json) if leads => {
                    self.saved = Some(json.clone());
                    self.channel.push_back((n, Note::Outbox(json)));
                }
                // A follower's own copy of what it handed over, under its own key.
                Output::SaveOutbox(json) => self.tabs[n].saved = json,
                Output::ToLeader(request) => self.channel.push_back((n, Note::ToLeader(request))),
                Output::ToFollowers(note) => self.channel.push_back((n, Note::FromLeader(note))),
                Output::Event(event) => {
                    if let (true, Event::Status(status)) = (leads, &event) {
                        self.channel.push_back((n, Note::Status(status.clone())));
                    }
                    self.tabs[n].events.push(event);
                }
                Output::FetchRange { .. } | Output::LoadRoom { .. } | Output::RefreshToken => {}
            }
        }
    }

    /// One step of everything in flight: the server reads the wire, the
    /// leader reads its socket (and tells the others), the channel delivers.
    pub fn step(&mut self) -> bool {
        let mut moved = false;
        while let Some(text) = self.wire.pop_front() {
            moved = true;
            let frames = self.server.receive(decode_client(&text).unwrap());
            if let Some(leader) = self.leader {
                self.tabs[leader].inbox.extend(frames.iter().map(encode));
            }
        }
        if let Some(leader) = self.leader {
            while let Some(text) = self.tabs[leader].inbox.pop_front() {
                moved = true;
                let socket = self.tabs[leader].socket.expect("the leader's socket");
                self.tabs[leader].client.on_frame(self.now, socket, &text);
                self.channel.push_back((leader, Note::Frame(text)));
                self.drain(leader);
            }
        }
        if let Some((from, note)) = self.channel.pop_front() {
            moved = true;
            let readers: Vec<usize> = (0..self.tabs.len()).filter(|&n| n != from && self.tabs[n].open).collect();
            for n in readers {
                self.deliver(n, note.clone());
            }
        }
        moved
    }

    pub fn deliver(&mut self, n: usize, note: Note) {
        let now = self.now;
        let leads = self.leader == Some(n);
        let client = &mut self.tabs[n].client;
        match note {
            Note::ToLeader(request) if leads => {
                let hello = request == FromFollower::Hello;
                client.on_follower(now, request);
                if let Some(me) = client.me().filter(|_| hello) {
                    self.channel.push_back((n, Note::Welcomed(me)));
                }
            }
            Note::ToLeader(_) => {}
            Note::Frame(text) => client.on_leader_frame(now, &text),
            Note::Status(status) => client.on_leader_status(status),
            Note::FromLeader(note) => client.on_leader(note),
            Note::Outbox(json) => client.on_leader_outbox(&json).unwrap(),
            Note::Leading => client.on_new_leader(),
            Note::Welcomed(user) => client.on_leader_welcomed(user),
        }
        self.drain(n);
    }

    pub fn settle(&mut self) {
        while self.step() {}
    }

    pub fn wait(&mut self, duration: Duration) {
        self.now = self.now + duration;
        for n in 0..self.tabs.len() {
            if self.tabs[n].open {
                self.tabs[n].client.on_timeout(self.now);
                self.drain(n);
            }
        }
        self.settle();
    }

    /// The messages a tab shows, in order.
    pub fn shown(&self, n: usize) -> Vec<String> {
        let events = self.tabs[n].events.iter().filter_map(|event| match event {
            Event::RoomEvents { events, .. } => Some(events),
            _ => None,
        });
        events
            .flatten()
            .filter_map(|sequenced| match &sequenced.event {
                RoomEvent::Message { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// Who the tab last showed typing in the room, if it showed anyone.
    pub fn typing(&self, n: usize) -> Option<Vec<String>> {
        self.tabs[n].events.iter().rev().find_map(|event| match event {
            Event::Typing { names, .. } => Some(names.clone()),
            _ => None,
        })
    }

    pub fn statuses(&self, n: usize) -> Vec<Status> {
        let statuses = self.tabs[n].events.iter().filter_map(|event| match event {
            Event::Status(status) => Some(status.clone()),
            _ => None,
        });
        statuses.collect()
    }
}

pub fn three_tabs() -> Browser {
    let mut browser = Browser::new();
    for _ in 0..3 {
        browser.open_tab();
    }
    browser.settle();
    browser
}
