//! Several tabs of one browser sharing one connection, told as stories: one
//! tab leads and holds the socket, the others follow through a channel, and
//! the leader can go away at any moment. Played here the way the browser
//! adapter plays it (a Web Lock picks the leader, a `BroadcastChannel` carries
//! the messages, in order, to every other tab), against a small server that
//! applies each idempotency key once. Virtual clock, no sleeps.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use hanmadi_client_core::{Client, Config, Event, FromFollower, Instant, Output, SocketId, Status};
use hanmadi_protocol::{
    decode_client, encode, Action, ActionKey, ClientFrame, Member, MessageId, Outcome, RoomEvent, RoomId, Seq,
    ServerFrame, UserId, Version, PROTOCOL_VERSION,
};
use proptest::prelude::*;

const ROOM: RoomId = RoomId(1);
const ME: UserId = UserId(1);

/// What crosses the channel between tabs.
#[derive(Debug, Clone)]
enum Note {
    /// From the leader: a frame its socket received, its status, its outbox.
    Frame(String),
    Status(Status),
    Outbox(String),
    /// From a tab that just took the lead.
    Leading,
    /// From a follower, for the leader.
    ToLeader(FromFollower),
}

/// The server: one room, each key applied once, answers to the one socket.
#[derive(Default)]
struct Server {
    log: Vec<(Seq, RoomEvent)>,
    applied: BTreeMap<ActionKey, Seq>,
    /// Messages applied, for "exactly once".
    texts: Vec<String>,
}

impl Server {
    fn receive(&mut self, frame: ClientFrame) -> Vec<ServerFrame> {
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
    fn jun_says(&mut self, text: &str) -> ServerFrame {
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

    fn head(&self) -> Seq {
        self.log.last().map_or(Seq::ZERO, |(seq, _)| *seq)
    }
}

struct Tab {
    client: Client,
    open: bool,
    socket: Option<SocketId>,
    /// Frames the server sent this tab's socket, not yet read.
    inbox: VecDeque<String>,
    events: Vec<Event>,
    /// What this tab saved under its own key (a follower's handed actions).
    saved: String,
}

/// One browser: its tabs, the channel between them, the leader's lock, and
/// the server at the other end of the one socket.
struct Browser {
    now: Instant,
    tabs: Vec<Tab>,
    leader: Option<usize>,
    /// Notes on their way, with the tab that posted them.
    channel: VecDeque<(usize, Note)>,
    server: Server,
    /// Frames from the socket to the server, not yet read (in flight).
    wire: VecDeque<String>,
    /// The outbox the leading tab saved last (in localStorage).
    saved: Option<String>,
    /// New sockets fail to open (the server is down, or a tunnel).
    server_down: bool,
    /// Outboxes closed tabs saved under their own keys, not yet adopted.
    left_behind: Vec<String>,
}

impl Browser {
    fn new() -> Self {
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
    fn enter_tunnel(&mut self) {
        self.server_down = true;
        let leader = self.leader.expect("a leader");
        let socket = self.tabs[leader].socket.expect("the leader's socket");
        self.tabs[leader].client.on_socket_closed(self.now, socket, 1006, "");
        self.drain(leader);
        self.settle();
    }

    /// A tab opens: it leads if no tab does, and follows otherwise; then it
    /// loads the room's newest page and follows the room from there.
    fn open_tab(&mut self) -> usize {
        let n = self.start_tab();
        let head = self.server.head();
        self.track_room(n, head);
        n
    }

    fn start_tab(&mut self) -> usize {
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
    fn track_room(&mut self, n: usize, head: Seq) {
        self.tabs[n].client.track_room(self.now, ROOM, head);
        self.drain(n);
    }

    /// Jun's message reaches the leader's socket.
    fn jun_says(&mut self, text: &str) {
        let frame = self.server.jun_says(text);
        if let Some(leader) = self.leader {
            self.tabs[leader].inbox.push_back(encode(&frame));
        }
    }

    /// How many times each key was applied, as this tab heard it.
    fn applied_twice(&self, n: usize) -> Vec<ActionKey> {
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

    fn presence(&self, n: usize) -> Option<Vec<Member>> {
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
    fn close_tab(&mut self, n: usize) {
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

    fn adopt_left_behind(&mut self) {
        let Some(leader) = self.leader else { return };
        for json in std::mem::take(&mut self.left_behind) {
            self.tabs[leader].client.adopt_outbox(self.now, &json).unwrap();
            self.drain(leader);
        }
    }

    fn take_lead(&mut self, n: usize) {
        self.leader = Some(n);
        let now = self.now;
        if let Some(saved) = self.saved.clone() {
            self.tabs[n].client.adopt_outbox(now, &saved).unwrap();
        }
        self.tabs[n].client.lead(now);
        self.channel.push_back((n, Note::Leading));
        self.drain(n);
    }

    fn say(&mut self, n: usize, text: &str) -> ActionKey {
        let action = Action::SendMessage { room: ROOM, text: text.into(), reply_to: None, attachments: Vec::new() };
        let key = self.tabs[n].client.act(self.now, action).unwrap();
        self.drain(n);
        key
    }

    /// Performs a tab's outputs the way the browser adapter does.
    fn drain(&mut self, n: usize) {
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
    fn step(&mut self) -> bool {
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

    fn deliver(&mut self, n: usize, note: Note) {
        let now = self.now;
        let leads = self.leader == Some(n);
        let client = &mut self.tabs[n].client;
        match note {
            Note::ToLeader(request) if leads => client.on_follower(now, request),
            Note::ToLeader(_) => {}
            Note::Frame(text) => client.on_leader_frame(now, &text),
            Note::Status(status) => client.on_leader_status(status),
            Note::Outbox(json) => client.on_leader_outbox(&json).unwrap(),
            Note::Leading => client.on_new_leader(),
        }
        self.drain(n);
    }

    fn settle(&mut self) {
        while self.step() {}
    }

    fn wait(&mut self, duration: Duration) {
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
    fn shown(&self, n: usize) -> Vec<String> {
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

    fn statuses(&self, n: usize) -> Vec<Status> {
        let statuses = self.tabs[n].events.iter().filter_map(|event| match event {
            Event::Status(status) => Some(status.clone()),
            _ => None,
        });
        statuses.collect()
    }
}

fn three_tabs() -> Browser {
    let mut browser = Browser::new();
    for _ in 0..3 {
        browser.open_tab();
    }
    browser.settle();
    browser
}

#[test]
fn three_tabs_share_one_socket_and_show_the_same_status() {
    let browser = three_tabs();
    let sockets = browser.tabs.iter().filter(|tab| tab.socket.is_some()).count();
    assert_eq!(sockets, 1, "only the leader opens a socket");
    for n in 0..3 {
        assert_eq!(browser.tabs[n].client.status(), &Status::Connected, "tab {n}");
    }
}

#[test]
fn a_message_typed_in_a_follower_tab_is_sent_once_and_shows_once_in_every_tab() {
    let mut browser = three_tabs();
    let key = browser.say(2, "from the third tab");
    assert_eq!(browser.tabs[2].client.outbox().len(), 1, "shown as sending at once");
    browser.settle();

    assert_eq!(browser.server.texts, ["from the third tab"]);
    for n in 0..3 {
        assert_eq!(browser.shown(n), ["from the third tab"], "tab {n}");
        assert!(browser.tabs[n].client.outbox().is_empty(), "tab {n}'s outbox");
    }
    let applied_here: Vec<bool> = (0..3)
        .map(|n| {
            browser.tabs[n]
                .events
                .iter()
                .any(|event| matches!(event, Event::ActionApplied { key: applied, here: true, .. } if *applied == key))
        })
        .collect();
    assert_eq!(applied_here, [false, false, true], "only the tab it was typed in takes it as its own");
}

#[test]
fn the_leader_closes_with_messages_queued_offline_and_another_tab_sends_them_once() {
    let mut browser = three_tabs();
    // The network is gone: the leader's socket reaches nobody.
    browser.tabs[0].client.on_offline(browser.now);
    let leader_socket = browser.tabs[0].socket.unwrap();
    browser.tabs[0].client.on_socket_closed(browser.now, leader_socket, 1006, "");
    browser.drain(0);
    browser.settle();
    browser.say(0, "from the leader, offline");
    browser.say(1, "from a follower, offline");
    browser.settle();
    assert_eq!(browser.tabs[2].client.outbox().len(), 2, "every tab shows both waiting");
    assert!(browser.server.texts.is_empty());

    browser.close_tab(0);
    browser.settle();
    browser.wait(Duration::from_secs(1));

    assert_eq!(browser.leader, Some(1));
    assert_eq!(browser.server.texts, ["from the leader, offline", "from a follower, offline"]);
    for n in 1..3 {
        assert_eq!(browser.shown(n), ["from the leader, offline", "from a follower, offline"], "tab {n}");
        assert!(browser.tabs[n].client.outbox().is_empty());
    }
}

#[test]
fn the_leader_dies_mid_flush_and_the_new_leader_resends_under_the_same_keys() {
    let mut browser = three_tabs();
    browser.say(1, "one");
    browser.say(1, "two");
    // The leader sends both, the server applies them, and the leader dies
    // before it reads a single answer.
    while !browser.channel.is_empty() {
        browser.step();
    }
    let frames = browser.wire.drain(..).collect::<Vec<_>>();
    for text in frames {
        browser.server.receive(decode_client(&text).unwrap());
    }
    browser.close_tab(0);
    browser.settle();

    assert_eq!(browser.server.texts, ["one", "two"], "each applied once");
    for n in 1..3 {
        assert_eq!(browser.shown(n), ["one", "two"], "tab {n}");
        assert!(browser.tabs[n].client.outbox().is_empty(), "tab {n}'s outbox");
    }
}

#[test]
fn an_action_in_flight_to_a_leader_that_dies_goes_to_the_next_one_once() {
    let mut browser = three_tabs();
    browser.say(2, "typed at the instant of hand-over");
    // Tab 0 goes before it reads the note; tab 1 reads it while it still
    // follows, so the note is for nobody.
    browser.tabs[0].open = false;
    browser.step();
    assert!(browser.channel.is_empty());
    browser.close_tab(0);
    browser.settle();

    assert_eq!(browser.server.texts, ["typed at the instant of hand-over"]);
    for n in 1..3 {
        assert_eq!(browser.shown(n), ["typed at the instant of hand-over"], "tab {n}");
    }
}

#[test]
fn a_quick_hand_over_never_flashes_the_badge_in_the_other_tabs() {
    let mut browser = three_tabs();
    browser.close_tab(0);
    browser.settle();
    browser.wait(Duration::from_secs(1));
    for n in 1..3 {
        assert_eq!(browser.statuses(n).last(), Some(&Status::Connected), "tab {n}");
        let flashed = browser.statuses(n).iter().any(|status| matches!(status, Status::Reconnecting { .. }));
        assert!(!flashed, "tab {n} showed {:?}", browser.statuses(n));
    }
}

#[test]
fn a_hand_over_into_an_outage_shows_reconnecting_once_the_blip_grace_is_over() {
    let mut browser = three_tabs();
    browser.server_down = true;
    browser.close_tab(0);
    browser.settle();
    browser.wait(Duration::from_secs(1));
    assert_eq!(browser.tabs[2].client.status(), &Status::Connected, "a blip, so far");
    for _ in 0..10 {
        browser.wait(Duration::from_secs(1));
    }
    for n in 1..3 {
        let status = browser.tabs[n].client.status().clone();
        assert!(matches!(status, Status::Reconnecting { .. }), "tab {n}: {status:?}");
    }
}

#[test]
fn an_action_handed_over_in_a_tunnel_survives_two_hand_overs() {
    let mut browser = three_tabs();
    browser.enter_tunnel();
    browser.say(1, "typed as the first tab went");
    // Tab 0 goes without reading it; tab 1 leads, then goes too, still in the tunnel.
    browser.tabs[0].open = false;
    browser.step();
    browser.close_tab(0);
    browser.settle();
    assert_eq!(browser.leader, Some(1));
    browser.close_tab(1);
    browser.settle();
    assert_eq!(browser.leader, Some(2));

    browser.server_down = false;
    browser.tabs[2].client.retry_now(browser.now);
    browser.drain(2);
    browser.settle();
    assert_eq!(browser.server.texts, ["typed as the first tab went"]);
    assert_eq!(browser.shown(2), ["typed as the first tab went"]);
}

#[test]
fn a_session_ended_while_tabs_share_a_socket_is_told_once_per_action_and_nothing_goes_out_after() {
    let mut browser = three_tabs();
    browser.enter_tunnel();
    browser.say(1, "handed and held");
    browser.settle();
    browser.say(0, "the leader's own");
    browser.settle();
    // Typed in tab 2 as the end came: handed over, not yet held by the leader.
    browser.say(2, "still on its way");

    // The leader's refresh is refused; it tells the others, who end it too.
    browser.tabs[0].client.on_token_refreshed(browser.now, None);
    browser.drain(0);
    browser.settle();
    for n in [1, 2] {
        browser.tabs[n].client.on_session_ended(browser.now);
        browser.drain(n);
    }
    let told: Vec<Vec<String>> = (0..3)
        .map(|n| {
            let unsent = browser.tabs[n].events.iter().filter_map(|event| match event {
                Event::SessionEnded { unsent } => Some(unsent),
                _ => None,
            });
            unsent
                .flatten()
                .map(|pending| match &pending.action {
                    Action::SendMessage { text, .. } => text.clone(),
                    other => panic!("only messages were made: {other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(
        told,
        [vec!["handed and held", "the leader's own"], vec![], vec!["still on its way"]],
        "each action told once, by the tab that held it"
    );
    browser.tabs[2].client.on_session_ended(browser.now);
    browser.drain(2);
    let ends = browser.tabs[2].events.iter().filter(|event| matches!(event, Event::SessionEnded { .. })).count();
    assert_eq!(ends, 1, "told once");
    assert_eq!(browser.saved.as_deref(), Some("[]"));
    assert!(browser.tabs.iter().all(|tab| tab.saved == "[]"), "no tab keeps a copy to hand over again");

    // Someone signs in again, a new user: nothing of the ended session goes out.
    browser.server_down = false;
    for tab in &mut browser.tabs {
        tab.client.set_token(Some("someone new".into()));
    }
    browser.tabs[0].client.connect(browser.now);
    browser.drain(0);
    browser.settle();
    browser.wait(Duration::from_secs(30));
    assert!(browser.server.texts.is_empty(), "sent: {:?}", browser.server.texts);
}

#[test]
fn after_a_hand_over_what_the_new_leader_replays_is_not_live_in_any_tab_and_what_follows_is() {
    let mut browser = three_tabs();
    for n in 0..3 {
        browser.track_room(n, Seq::ZERO);
    }
    browser.settle();
    browser.jun_says("all three watch this");
    browser.settle();
    // The leader goes; Jun speaks before the next one has a socket.
    browser.close_tab(0);
    browser.server.jun_says("said while no tab listened");
    browser.settle();
    browser.jun_says("said once it listens again");
    browser.settle();
    for n in 1..3 {
        let lives: Vec<(String, bool)> = browser.tabs[n]
            .events
            .iter()
            .filter_map(|event| match event {
                Event::RoomEvents { events, live, .. } => Some(events.iter().map(move |sequenced| (sequenced, *live))),
                _ => None,
            })
            .flatten()
            .filter_map(|(sequenced, live)| match &sequenced.event {
                RoomEvent::Message { text, .. } => Some((text.clone(), live)),
                _ => None,
            })
            .collect();
        let expected = [
            ("all three watch this", true),
            ("said while no tab listened", false),
            ("said once it listens again", true),
        ];
        assert_eq!(lives, expected.map(|(text, live)| (text.to_owned(), live)), "tab {n}");
    }
}

#[test]
fn a_tab_opened_later_shows_who_is_here() {
    let mut browser = three_tabs();
    let later = browser.open_tab();
    browser.settle();
    let mina = Member { user: ME, name: "Mina".into() };
    assert_eq!(browser.presence(later), Some(vec![mina]));
}

#[test]
fn a_message_that_arrives_while_a_new_tab_loads_the_room_is_shown_there() {
    let mut browser = three_tabs();
    let later = browser.start_tab();
    browser.settle();
    // The tab loaded the room's page; Jun writes before it follows the room.
    let head = browser.server.head();
    browser.jun_says("written while the page loaded");
    browser.settle();
    browser.track_room(later, head);
    browser.settle();
    assert_eq!(browser.shown(later), ["written while the page loaded"]);
    assert_eq!(browser.shown(0), ["written while the page loaded"], "and once in the others");
}

proptest! {
    /// Whatever moment the leaders go at, every message typed in any tab is
    /// applied once, in each tab's order, and every open tab shows each once.
    #[test]
    fn messages_from_every_tab_arrive_once_whichever_leader_goes_when(
        plan in prop::collection::vec((0..3usize, 0..4usize, any::<bool>()), 1..24),
    ) {
        let mut browser = three_tabs();
        let mut typed = Vec::new();
        for (i, (tab, steps, close_leader)) in plan.into_iter().enumerate() {
            let open: Vec<usize> = (0..browser.tabs.len()).filter(|&n| browser.tabs[n].open).collect();
            let tab = open[tab % open.len()];
            let text = format!("message {i}");
            browser.say(tab, &text);
            typed.push(text);
            for _ in 0..steps {
                browser.step();
            }
            if close_leader {
                // It goes before reading what is on its way to it.
                let leader = browser.leader.unwrap();
                browser.tabs[leader].open = false;
                browser.step();
                browser.close_tab(leader);
                browser.open_tab();
            }
        }
        browser.settle();
        browser.wait(Duration::from_secs(5));

        let mut applied = browser.server.texts.clone();
        applied.sort();
        typed.sort();
        prop_assert_eq!(applied, typed);
        let head = browser.server.log.len();
        for n in (0..browser.tabs.len()).filter(|&n| browser.tabs[n].open) {
            let shown = browser.shown(n);
            let mut unique = shown.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), shown.len(), "tab {} shows a message twice: {:?}", n, shown);
            prop_assert!(browser.tabs[n].client.outbox().is_empty(), "tab {}: {:?}", n, browser.tabs[n].client.outbox());
            prop_assert!(shown.len() <= head);
            prop_assert_eq!(browser.applied_twice(n), Vec::<ActionKey>::new(), "tab {} heard a key applied twice", n);
        }
    }
}
