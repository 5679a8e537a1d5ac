//! The client engine in a room, told as stories a user would tell: the
//! ticker, typing, presence, the rooms list, read positions and the rooms
//! followed. Virtual clock, no sleeps.

mod tab;

use std::time::Duration;

use hanmadi_client_core::{Event, GapOutcome, SequencedEvent, TickerValue};
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{
    close_code, Action, ClientFrame, Cursor, Member, RoomEvent, RoomId, Seq, ServerFrame, TickerUpdate, UserId,
    Version, PROTOCOL_VERSION,
};
use tab::*;

#[test]
fn five_hundred_ticker_updates_in_one_frame_paint_once_per_symbol() {
    let mut tab = Tab::new(4);
    tab.go_online();
    let updates: Vec<TickerUpdate> = (1..=500u64)
        .map(|i| TickerUpdate { symbol: format!("S{}", i % 5), version: Version(i), price: i as f64 })
        .collect();
    tab.receive(&ServerFrame::Ticker { updates });
    let notices = tab.events.iter().filter(|e| matches!(e, Event::TickerChanged)).count();
    assert_eq!(notices, 1, "one request for an animation frame");
    let frame = tab.client.take_ticker_frame();
    assert_eq!(frame.len(), 5, "one write per symbol");
    assert!(frame.contains(&TickerValue { symbol: "S0".into(), version: Version(500), price: 500.0 }));
    assert!(tab.client.take_ticker_frame().is_empty());
}

#[test]
fn mina_typing_shows_then_fades_and_her_message_clears_it_at_once() {
    let mut tab = Tab::new(5);
    tab.go_online();
    let room = RoomId(1);
    tab.receive(&ServerFrame::Typing { room, user: UserId(2), name: "Mina".into() });
    tab.receive(&ServerFrame::Typing { room, user: UserId(3), name: "Jun".into() });
    assert_eq!(tab.last_typing(room), Some(vec!["Mina".to_owned(), "Jun".to_owned()]));
    tab.wait(Duration::from_secs(5));
    tab.receive(&ServerFrame::Typing { room, user: UserId(3), name: "Jun".into() });
    tab.wait(Duration::from_millis(1500));
    assert_eq!(tab.last_typing(room), Some(vec!["Jun".to_owned()]), "Mina faded after 6 s");
    tab.wait(Duration::from_secs(6));
    assert_eq!(tab.last_typing(room), Some(vec![]));
}

#[test]
fn my_own_typing_is_announced_at_most_every_three_seconds_and_only_online() {
    let mut tab = Tab::new(6);
    let room = RoomId(1);
    tab.client.typing(tab.now, room);
    tab.drain();
    assert!(tab.sent.is_empty(), "typing is not queued while offline");
    tab.go_online();
    for _ in 0..20 {
        tab.client.typing(tab.now, room);
        tab.wait(Duration::from_millis(200));
    }
    let typing = |tab: &Tab| tab.sent.iter().filter(|f| matches!(f, ClientFrame::Typing { .. })).count();
    assert_eq!(typing(&tab), 2, "4 s of typing: at 0 s and at 3 s");
}

#[test]
fn presence_follows_the_snapshot_and_the_changes_after_it() {
    let mut tab = Tab::new(7);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq::ZERO);
    tab.receive(&ServerFrame::Presence { room, version: Version(5), members: vec![mina()] });
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(6), change: joined(3, "Jun") });
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(4), change: left(2) });
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(7), change: renamed(3, "준") });
    assert_eq!(tab.presence_shown(room), [vec![mina()], vec![mina(), jun()], vec![mina(), member(3, "준")]]);
}

#[test]
fn after_a_reconnect_to_another_node_its_snapshot_replaces_presence_whatever_its_version() {
    let mut tab = Tab::new(8);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq::ZERO);
    tab.receive(&ServerFrame::Presence { room, version: Version(500), members: vec![mina(), jun()] });
    tab.events.clear();

    tab.client.on_socket_closed(tab.now, tab.socket.take().expect("connected"), close_code::SERVICE_RESTART, "");
    tab.wait(Duration::from_millis(1_500));
    let socket = tab.socket.expect("retried within the first backoff ceiling");
    tab.client.on_socket_open(tab.now, socket);
    tab.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    assert_eq!(tab.presence_shown(room), Vec::<Vec<Member>>::new(), "a blip does not empty the list");
    // The new node's versions are unrelated to the old one's, higher or lower.
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(900), change: left(3) });
    assert_eq!(tab.presence_shown(room), Vec::<Vec<Member>>::new(), "no snapshot on this connection yet");
    tab.receive(&ServerFrame::Presence { room, version: Version(3), members: vec![mina()] });
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(4), change: left(2) });
    assert_eq!(tab.presence_shown(room), [vec![mina()], vec![]]);
}

#[test]
fn leaving_a_room_stops_showing_who_is_in_it() {
    let mut tab = Tab::new(9);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq::ZERO);
    tab.receive(&ServerFrame::Presence { room, version: Version(1), members: vec![mina()] });
    tab.client.no_longer_in(room);
    tab.drain();
    tab.receive(&ServerFrame::Presence { room, version: Version(2), members: vec![mina(), jun()] });
    tab.receive(&ServerFrame::PresenceChanged { room, version: Version(3), change: joined(4, "Sora") });
    assert_eq!(tab.presence_shown(room), [vec![mina()], vec![]], "a late snapshot brings nothing back");
}

#[test]
fn an_answer_to_a_gap_asked_before_a_reconnect_does_not_pass_for_the_gap_asked_after_it() {
    let mut tab = Tab::new(21);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq(10));
    // 20 arrives while 11 to 19 are missing: they are asked for.
    tab.hear(room, 20);
    assert_eq!(tab.fetches, [(room, Seq(10), Seq(20))]);

    // The connection drops before the answer. The next one's replay stops
    // at 30 (the server's budget) though the room is at 60: the rest is asked for.
    tab.reconnect_after_a_blip();
    for seq in 11..=30 {
        tab.hear(room, seq);
    }
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(60) });
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(30), Seq(61))));

    // The first answer comes now, late: it is no answer to the range asked
    // now, and 31 to 60 are not given up for lost.
    tab.fetched(room, (10, 20), 11..20);
    assert_eq!(tab.client.room_cursor(room), Some(Seq(30)));
    tab.fetched(room, (30, 61), 31..=60);
    assert_eq!(tab.client.room_cursor(room), Some(Seq(60)));
    assert!(
        !tab.events.iter().any(|event| matches!(event, Event::GapClosed { outcome: GapOutcome::Resynced { .. }, .. })),
        "nothing was marked missing"
    );
}

#[test]
fn a_room_replayed_again_while_its_rest_is_fetched_asks_once_not_once_an_event() {
    let mut tab = Tab::new(23);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq(10));
    // After a drop, the replay stops at 20 though the room is at 300.
    tab.reconnect_after_a_blip();
    for seq in 11..=20 {
        tab.hear(room, seq);
    }
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(300) });
    assert_eq!(tab.fetches, [(room, Seq(20), Seq(301))]);

    // The server replays the room again (it fell behind): each event closes
    // nothing, and the fetch on its way is not asked again for each.
    tab.receive(&ServerFrame::Resync { room });
    for seq in 21..=120 {
        tab.hear(room, seq);
    }
    assert_eq!(tab.fetches.len(), 1, "one fetch on its way: {:?}", tab.fetches);

    // Its answer holds what the socket brought meanwhile: the rest is asked
    // for, nothing given up for lost.
    tab.fetched(room, (20, 301), 21..=120);
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(120), Seq(301))));
    tab.fetched(room, (120, 301), 121..=300);
    assert_eq!(tab.client.room_cursor(room), Some(Seq(300)));
    assert!(
        !tab.events.iter().any(|event| matches!(event, Event::GapClosed { outcome: GapOutcome::Resynced { .. }, .. })),
        "nothing was marked missing"
    );
}

#[test]
fn a_quiet_room_is_fetched_to_its_head_past_every_gap_without_waiting_for_a_new_message() {
    let mut tab = Tab::new(22);
    tab.go_online();
    let room = RoomId(1);
    tab.client.track_room(tab.now, room, Seq(10));
    // Two live events are lost, close together: 11 and 13.
    tab.hear(room, 12);
    tab.hear(room, 14);
    assert_eq!(tab.fetches, [(room, Seq(10), Seq(12))]);
    tab.fetched(room, (10, 12), [11]);
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(12), Seq(14))), "the second gap is asked for at once");
    tab.fetched(room, (12, 14), [13]);
    assert_eq!(tab.client.room_cursor(room), Some(Seq(14)));

    // 16 was heard before a drop, and the next replay had no budget left for
    // the room: the head it names is fetched, past 16, with nobody speaking.
    tab.hear(room, 16);
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(14), Seq(16))));
    tab.reconnect_after_a_blip();
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(40) });
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(14), Seq(16))), "asked again after the drop, up to 16");
    tab.fetched(room, (14, 16), [15]);
    assert_eq!(tab.fetches.last(), Some(&(room, Seq(16), Seq(41))), "then on to the head");
    tab.fetched(room, (16, 41), 17..=40);
    assert_eq!(tab.client.room_cursor(room), Some(Seq(40)));
}

#[test]
fn rooms_made_by_others_arrive_as_deltas_and_the_list_is_fetched_once_per_connection() {
    let mut tab = Tab::new(10);
    let list_fetches = |tab: &Tab| tab.events.iter().filter(|event| matches!(event, Event::RoomListStale)).count();
    tab.go_online();
    assert_eq!(list_fetches(&tab), 1, "the list is fetched once the connection is ready");

    // Jun makes a room and renames it: each change arrives as itself.
    tab.receive(&ServerFrame::RoomListed { room: RoomId(7), name: "점심".into() });
    tab.receive(&ServerFrame::RoomListed { room: RoomId(7), name: "저녁".into() });
    let listed: Vec<(RoomId, &str)> = tab
        .events
        .iter()
        .filter_map(|event| match event {
            Event::RoomListed { room, name } => Some((*room, name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(listed, [(RoomId(7), "점심"), (RoomId(7), "저녁")]);
    assert_eq!(list_fetches(&tab), 1, "not once per change");

    // The server could not keep up with us and dropped some: fetch once more.
    tab.receive(&ServerFrame::RoomListStale {});
    assert_eq!(list_fetches(&tab), 2);

    // Rooms made while we were away are not replayed: the next connection
    // fetches the list again, once.
    tab.client.on_socket_closed(tab.now, tab.socket.take().expect("connected"), 1006, "wifi dropped");
    tab.wait(Duration::from_millis(1_500));
    assert_eq!(list_fetches(&tab), 2, "nothing to fetch with while offline");
    tab.client.on_socket_open(tab.now, tab.socket.expect("retried within the first backoff ceiling"));
    tab.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    assert_eq!(list_fetches(&tab), 3);
}

#[test]
fn where_i_have_read_reaches_the_server_once_a_second_again_after_a_drop_and_follows_my_other_screens() {
    let mut tab = Tab::new(9);
    let room = RoomId(1);
    let reads = |tab: &Tab| -> Vec<Seq> {
        tab.sent
            .iter()
            .filter_map(|frame| match frame {
                ClientFrame::Read { room: r, seq } if *r == room => Some(*seq),
                _ => None,
            })
            .collect()
    };
    // Read offline (messages loaded before the tunnel): it waits for a connection.
    tab.client.read(tab.now, room, Seq(4));
    tab.drain();
    assert_eq!(reads(&tab), []);
    tab.go_online();
    assert_eq!(reads(&tab), [Seq(4)]);

    // A busy room read as it arrives: the server hears the newest, once a second.
    for seq in 5..=14 {
        tab.client.read(tab.now, room, Seq(seq));
        tab.wait(Duration::from_millis(100));
    }
    assert_eq!(reads(&tab), [Seq(4), Seq(14)]);

    // The connection drops: the new one tells it again (nothing acknowledged it).
    let socket = tab.socket.expect("connected");
    tab.client.on_socket_closed(tab.now, socket, 1006, "");
    tab.drain();
    tab.wait(Duration::from_secs(5));
    let socket = tab.socket.expect("a new attempt");
    tab.client.on_socket_open(tab.now, socket);
    tab.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    assert_eq!(reads(&tab), [Seq(4), Seq(14), Seq(14)]);

    // She reads on and closes the tab at once: what was held back goes as the page hides.
    tab.client.read(tab.now, room, Seq(15));
    tab.drain();
    assert_eq!(reads(&tab), [Seq(4), Seq(14), Seq(14)], "held back: sent less than a second ago");
    tab.client.on_hidden(tab.now);
    tab.drain();
    assert_eq!(reads(&tab), [Seq(4), Seq(14), Seq(14), Seq(15)]);

    // Mina reads further on her phone: this tab is told, and never sends back less.
    tab.receive(&ServerFrame::ReadUpTo { room, seq: Seq(20) });
    assert!(tab.events.contains(&Event::ReadElsewhere { room, seq: Seq(20) }));
    tab.wait(Duration::from_secs(2));
    tab.client.read(tab.now, room, Seq(18));
    tab.drain();
    assert_eq!(reads(&tab), [Seq(4), Seq(14), Seq(14), Seq(15)]);
}

#[test]
fn a_room_read_while_the_connection_is_down_waits_for_the_next_one_without_waking_the_tab() {
    let mut tab = Tab::new(10);
    let room = RoomId(1);
    tab.go_online();
    tab.client.read(tab.now, room, Seq(4));
    tab.drain();
    let socket = tab.socket.expect("connected");
    tab.client.on_socket_closed(tab.now, socket, 1006, "");
    tab.drain();
    tab.now = tab.now + Duration::from_secs(2);
    tab.client.read(tab.now, room, Seq(5));
    tab.drain();
    // Whatever the engine wakes up for next, it is not "now" again and again
    // for a position it cannot send (a timer loop that would burn the CPU).
    for _ in 0..3 {
        tab.client.on_timeout(tab.now);
        tab.drain();
        let wake = tab.client.poll_timeout().expect("a reconnect is planned");
        assert!(wake > tab.now, "asked to wake at {wake:?}, now is {:?}", tab.now);
    }
}

#[test]
fn a_room_i_create_is_followed_at_once_one_i_join_is_loaded_first_and_one_i_leave_is_dropped() {
    let mut tab = Tab::new(11);
    tab.go_online();
    let applied = |tab: &mut Tab, action: Action, room: u64| tab.applied(action, RoomId(room), Some(Seq(1)));
    applied(&mut tab, Action::CreateRoom { name: "점심".into(), private: false }, 5);
    assert_eq!(tab.client.room_cursor(RoomId(5)), Some(Seq::ZERO), "followed from its start");
    assert!(tab.sent.contains(&ClientFrame::Resume { cursors: vec![Cursor { room: RoomId(5), after: Seq::ZERO }] }));

    applied(&mut tab, Action::JoinRoom { room: RoomId(6) }, 6);
    assert_eq!(tab.rooms_to_load, [RoomId(6)], "its history is loaded before it is followed");
    assert_eq!(tab.client.room_cursor(RoomId(6)), None);

    applied(&mut tab, Action::LeaveRoom { room: RoomId(5) }, 5);
    assert_eq!(tab.client.room_cursor(RoomId(5)), None, "followed no more");
}

#[test]
fn a_room_i_leave_on_another_screen_is_followed_here_no_more_but_one_left_before_and_joined_again_is() {
    let mut tab = Tab::new(12);
    tab.go_online();
    assert_eq!(tab.client.me(), Some(UserId(1)), "welcomed as Mina");
    let room = RoomId(1);
    let event = |seq: u64, event: RoomEvent| ServerFrame::Event { room, seq: Seq(seq), at: 0, event };
    // A resume replays that she left once and came back: she is in it.
    tab.client.track_room(tab.now, room, Seq::ZERO);
    tab.receive(&event(1, RoomEvent::Left { user: UserId(1), name: None }));
    tab.receive(&event(2, RoomEvent::Joined { user: UserId(1), name: "Mina".into() }));
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(2) });
    tab.receive(&ServerFrame::Presence { room, version: Version(1), members: vec![mina()] });
    assert_eq!(tab.client.room_cursor(room), Some(Seq(2)));

    // Then she leaves it on her phone: the server follows it here no more,
    // and neither does the engine (the rooms list loads it anew if she
    // comes back), nor does it show her there.
    tab.receive(&event(3, RoomEvent::Left { user: UserId(1), name: None }));
    assert_eq!(tab.client.room_cursor(room), None, "followed no more");
    assert_eq!(tab.presence_shown(room).last(), Some(&vec![]));
    // Back in it, the server skips live events and resyncs the room: its
    // replay of her leaving and coming back again is not live, nor is a
    // batch whose last word from her is that she came back.
    tab.client.track_room(tab.now, room, Seq(3));
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(3) });
    tab.receive(&ServerFrame::Resync { room });
    tab.receive(&event(4, RoomEvent::Left { user: UserId(1), name: None }));
    tab.receive(&event(5, RoomEvent::Joined { user: UserId(1), name: "Mina".into() }));
    tab.receive(&ServerFrame::CaughtUp { room, head: Seq(5) });
    assert_eq!(tab.client.room_cursor(room), Some(Seq(5)), "a resync's replay is not live");
    assert!(!hanmadi_client_core::last_says_left(
        &[
            SequencedEvent { seq: Seq(6), at: 0, event: RoomEvent::Left { user: UserId(1), name: None } },
            SequencedEvent { seq: Seq(7), at: 0, event: RoomEvent::Joined { user: UserId(1), name: "Mina".into() } },
        ],
        UserId(1),
    ));

    // Someone else leaving changes nothing of the rooms followed.
    tab.client.track_room(tab.now, RoomId(2), Seq::ZERO);
    tab.receive(&ServerFrame::CaughtUp { room: RoomId(2), head: Seq::ZERO });
    tab.receive(&ServerFrame::Event {
        room: RoomId(2),
        seq: Seq(1),
        at: 0,
        event: RoomEvent::Left { user: UserId(2), name: None },
    });
    assert_eq!(tab.client.room_cursor(RoomId(2)), Some(Seq(1)));
}

#[test]
fn a_room_left_on_her_phone_while_the_laptop_was_away_is_hers_no_more_as_soon_as_it_is_back() {
    let mut tab = Tab::new(13);
    tab.go_online();
    let (lobby, lunch) = (RoomId(1), RoomId(2));
    for room in [lobby, lunch] {
        tab.client.track_room(tab.now, room, Seq(4));
        tab.receive(&ServerFrame::CaughtUp { room, head: Seq(4) });
    }

    // The laptop's wifi drops; meanwhile she leaves the lunch room on her
    // phone. Back, the laptop resumes both: the server answers for lunch
    // that she is not in it.
    tab.sent.clear();
    tab.reconnect_after_a_blip();
    let resumed: Vec<RoomId> = tab
        .sent
        .iter()
        .flat_map(|frame| match frame {
            ClientFrame::Resume { cursors } => cursors.iter().map(|cursor| cursor.room).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(resumed, [lobby, lunch]);
    tab.events.clear();
    tab.receive(&ServerFrame::CaughtUp { room: lobby, head: Seq(4) });
    tab.receive(&ServerFrame::NotMember { room: lunch });
    assert!(tab.events.contains(&Event::NoLongerIn { room: lunch }), "the page hears it: {:?}", tab.events);
    assert_eq!((tab.client.room_cursor(lobby), tab.client.room_cursor(lunch)), (Some(Seq(4)), None));

    // The next reconnect resumes the lobby alone; a late second answer for
    // lunch says nothing more.
    tab.receive(&ServerFrame::NotMember { room: lunch });
    tab.sent.clear();
    tab.reconnect_after_a_blip();
    assert!(tab
        .sent
        .iter()
        .all(|frame| !matches!(frame, ClientFrame::Resume { cursors } if cursors.iter().any(|c| c.room == lunch))));
    let told = tab.events.iter().filter(|event| **event == Event::NoLongerIn { room: lunch }).count();
    assert_eq!(told, 1, "said once");
}

#[test]
fn what_jun_has_seen_in_our_conversation_is_told_and_is_not_where_i_have_read() {
    let mut tab = Tab::new(10);
    let room = RoomId(3);
    tab.go_online();
    tab.client.read(tab.now, room, Seq(5));
    tab.drain();
    tab.receive(&ServerFrame::Seen { room, seq: Seq(8) });
    assert!(tab.events.contains(&Event::Seen { room, seq: Seq(8) }));
    assert!(!tab.events.iter().any(|event| matches!(event, Event::ReadElsewhere { .. })), "not my reading");
    let sent_reads = tab.sent.iter().filter(|frame| matches!(frame, ClientFrame::Read { .. })).count();
    assert_eq!(sent_reads, 1, "nor sent back as mine");
}

#[test]
fn a_name_or_setting_changed_on_my_phone_is_told_here_as_it_was_said() {
    let mut tab = Tab::new(11);
    tab.go_online();
    tab.drain();
    let off = Settings { shares_seen: false };
    tab.receive(&ServerFrame::YouChanged { name: None, settings: Some(off) });
    tab.receive(&ServerFrame::YouChanged { name: Some("Junho".into()), settings: None });
    let told: Vec<&Event> = tab.events.iter().filter(|event| matches!(event, Event::YouChanged { .. })).collect();
    assert_eq!(
        told,
        [
            &Event::YouChanged { name: None, settings: Some(off) },
            &Event::YouChanged { name: Some("Junho".into()), settings: None },
        ],
        "in order, each with only what changed"
    );
}
