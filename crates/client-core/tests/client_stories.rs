//! The client engine, told as stories a user would tell: the connection,
//! the outbox and the session. Virtual clock, no sleeps.

mod sim;
mod tab;

use std::collections::VecDeque;
use std::time::Duration;

use hanmadi_client_core::{ActionState, Client, Config, Event, FailReason, Instant, Status};
use hanmadi_protocol::limits::{ProblemKind, TextField, TextProblem};
use hanmadi_protocol::{
    close_code, Action, ActionKey, ClientFrame, MessageId, Outcome, RejectCode, RoomEvent, RoomId, Seq, ServerFrame,
    UserId, PROTOCOL_VERSION,
};
use sim::{Fault, World, ROOMS};
use tab::*;

#[test]
fn the_server_restarts_while_i_am_sending_and_nothing_is_lost_or_doubled() {
    let mut world = World::new(11);
    world.schedule_user_message(2_000, 0, ROOMS[0]);
    world.schedule_fault(2_500, Fault::CrashAfterCommit);
    world.schedule_user_message(3_000, 1, ROOMS[0]);
    world.schedule_user_message(3_001, 2, ROOMS[0]);
    world.run_until(60_000);
    assert_eq!(world.server.applied, world.user_keys, "each message applied once, in order");
    assert_eq!(world.delivered[&ROOMS[0]], world.server.log[&ROOMS[0]], "each shown once, in order");
    assert_eq!(world.delivered[&ROOMS[0]].len(), 3);
    assert!(world.client.outbox().is_empty());
    assert_eq!(world.client.status(), &Status::Connected);
}

#[test]
fn messages_written_offline_survive_a_reload_and_go_out_once_in_order() {
    let mut before_reload = Tab::new(1);
    before_reload.client.on_offline(before_reload.now);
    before_reload.say("first, on the subway");
    before_reload.say("second, still underground");
    assert!(before_reload.sent_actions().is_empty(), "nothing can go out offline");
    let saved = before_reload.saved_outbox.clone().expect("the outbox was saved");

    let mut after_reload = Tab::new(2);
    after_reload.client.restore_outbox(&saved).unwrap();
    after_reload.go_online();
    let sent: Vec<(String, String)> = after_reload
        .sent_actions()
        .into_iter()
        .map(|frame| match frame {
            ClientFrame::Action { key, action: Action::SendMessage { text, .. } } => (key.to_string(), text.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let keys_before: Vec<String> = before_reload.client.outbox().iter().map(|p| p.key.to_string()).collect();
    assert_eq!(sent.iter().map(|(key, _)| key.clone()).collect::<Vec<_>>(), keys_before, "same keys");
    assert_eq!(sent[0].1, "first, on the subway");
    assert_eq!(sent[1].1, "second, still underground");
}

#[test]
fn a_closed_tabs_outbox_is_adopted_by_another_and_each_action_goes_out_once() {
    let mut closed_tab = Tab::new(7);
    closed_tab.client.on_offline(closed_tab.now);
    closed_tab.say("written in the tab that was closed");
    let left_behind = closed_tab.saved_outbox.clone().expect("saved");

    let mut open_tab = Tab::new(8);
    open_tab.client.on_offline(open_tab.now);
    open_tab.say("written in the tab still open");
    open_tab.client.adopt_outbox(open_tab.now, &left_behind).unwrap();
    open_tab.client.adopt_outbox(open_tab.now, &left_behind).unwrap();
    open_tab.drain();
    assert_eq!(open_tab.client.outbox().len(), 2, "adopting twice changes nothing");
    let saved = open_tab.saved_outbox.clone().expect("saved with what it adopted");
    assert!(saved.contains("written in the tab that was closed"), "{saved}");

    open_tab.client.on_online(open_tab.now);
    open_tab.go_online();
    let texts: Vec<String> = open_tab
        .sent_actions()
        .into_iter()
        .map(|frame| match frame {
            ClientFrame::Action { action: Action::SendMessage { text, .. }, .. } => text.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(texts, ["written in the tab that was closed", "written in the tab still open"]);
}

#[test]
fn a_full_outbox_refuses_a_new_message_and_keeps_every_queued_one() {
    let mut config = Config::new("ws://test/ws", 3);
    config.outbox_capacity = 3;
    let mut client = Client::new(config);
    let now = Instant::from_millis(0);
    for n in 0..3 {
        client
            .act(
                now,
                Action::SendMessage { room: RoomId(1), text: format!("{n}"), reply_to: None, attachments: Vec::new() },
            )
            .unwrap();
    }
    let refused = client.act(
        now,
        Action::SendMessage { room: RoomId(1), text: "one too many".into(), reply_to: None, attachments: Vec::new() },
    );
    let error = refused.unwrap_err();
    assert!(error.to_string().contains("3 actions are already waiting"), "{error}");
    assert_eq!(client.outbox().len(), 3);
    assert!(client.outbox().iter().all(|p| p.state == ActionState::Queued));
}

#[test]
fn a_message_the_server_had_no_room_for_yet_goes_again_under_its_key_and_is_never_shown_failed() {
    let mut tab = Tab::new(4);
    tab.go_online();
    tab.say("one");
    tab.say("two");
    let keys: Vec<ActionKey> = tab.client.outbox().iter().map(|pending| pending.key.clone()).collect();
    let rate_limited = |key: &ActionKey| ServerFrame::Ack {
        key: key.clone(),
        outcome: Outcome::Rejected { code: RejectCode::RateLimited, message: "too many actions".into(), problem: None },
    };
    tab.receive(&rate_limited(&keys[0]));
    tab.receive(&rate_limited(&keys[1]));
    assert!(
        tab.client.outbox().iter().all(|pending| pending.state == ActionState::Queued),
        "both wait to go again; neither is failed"
    );
    assert!(!tab.events.iter().any(|event| matches!(event, Event::ActionRejected { .. })), "nothing shown as not sent");

    tab.sent.clear();
    tab.say("three");
    tab.wait(Duration::from_millis(900));
    assert!(tab.sent_actions().is_empty(), "nothing goes out during the pause");
    tab.wait(Duration::from_millis(100));
    let resent: Vec<(ActionKey, String)> = tab
        .sent_actions()
        .into_iter()
        .map(|frame| match frame {
            ClientFrame::Action { key, action: Action::SendMessage { text, .. } } => (key.clone(), text.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let texts: Vec<&str> = resent.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "three"], "in the order written");
    assert_eq!(resent[0].0, keys[0], "under the same keys");
    assert_eq!(resent[1].0, keys[1]);
}

#[test]
fn messages_the_server_deferred_are_applied_in_the_order_written_when_it_says_so_after_the_pause() {
    let mut tab = Tab::new(14);
    tab.go_online();
    let mut server = ActionBudget { tokens: 1, ..ActionBudget::default() };
    for text in ["one", "two", "three", "four"] {
        tab.say(text);
    }
    // The person is out of budget after "one": the server defers the rest,
    // but it is slow to say so. "two" is put back, and the outbox pauses.
    server.read(&mut tab);
    server.answer(&mut tab, 2);
    tab.say("five");
    server.tokens = 10;
    tab.wait(Duration::from_secs(1));

    // The pause is over before the server says it deferred "three" and "four".
    for _ in 0..3 {
        server.read(&mut tab);
        server.answer(&mut tab, usize::MAX);
        tab.wait(Duration::from_secs(1));
    }
    assert_eq!(server.applied, ["one", "two", "three", "four", "five"], "in the order written");
    assert!(tab.client.outbox().is_empty());
}

#[test]
fn a_message_put_back_goes_again_as_soon_as_the_one_sent_after_it_is_answered() {
    let mut tab = Tab::new(15);
    tab.go_online();
    tab.say("one");
    tab.say("two");
    let keys: Vec<ActionKey> = tab.client.outbox().iter().map(|pending| pending.key.clone()).collect();
    let outcome =
        Outcome::Rejected { code: RejectCode::RateLimited, message: "too many actions".into(), problem: None };
    tab.receive(&ServerFrame::Ack { key: keys[0].clone(), outcome });
    tab.sent.clear();
    tab.wait(Duration::from_secs(1));
    assert!(tab.sent_actions().is_empty(), "\"two\" may be put back too: \"one\" waits for its answer");

    // "two" went out on an earlier connection too, and was applied then: the
    // server answers it from its record.
    let outcome = Outcome::Applied { room: RoomId(1), seq: Some(Seq(8)), message: None };
    tab.receive(&ServerFrame::Ack { key: keys[1].clone(), outcome });
    let resent: Vec<&ActionKey> = tab
        .sent_actions()
        .into_iter()
        .map(|frame| match frame {
            ClientFrame::Action { key, .. } => key,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(resent, [&keys[0]]);
}

#[test]
fn a_message_the_server_finds_too_long_is_not_sent_with_what_was_wrong_for_the_page_to_word() {
    let mut tab = Tab::new(5);
    tab.go_online();
    tab.say("an old app let this through");
    let key = tab.client.outbox()[0].key.clone();
    let problem = TextProblem { field: TextField::Message, kind: ProblemKind::TooLong { chars: 4001, max: 4000 } };
    let outcome = Outcome::Rejected { code: RejectCode::Invalid, message: problem.to_string(), problem: Some(problem) };
    tab.receive(&ServerFrame::Ack { key: key.clone(), outcome });

    let told = tab.events.iter().find_map(|event| match event {
        Event::ActionRejected { key: refused, problem, .. } if *refused == key => Some(*problem),
        _ => None,
    });
    assert_eq!(told, Some(Some(problem)));
    let failed = ActionState::Failed { code: RejectCode::Invalid, reason: problem.to_string(), problem: Some(problem) };
    assert_eq!(tab.client.outbox()[0].state, failed);
    // Still there after a reload, problem and all.
    let mut after_reload = Tab::new(6);
    after_reload.client.restore_outbox(tab.saved_outbox.as_ref().expect("saved")).unwrap();
    assert_eq!(after_reload.client.outbox()[0].state, failed);
}

#[test]
fn frames_from_a_newer_or_broken_server_are_skipped_counted_and_never_fatal() {
    let mut tab = Tab::new(5);
    tab.go_online();
    let socket = tab.socket.expect("connected");
    let broken = ["{\"type\":\"hologram\",\"room\":1}", "not json at all", "{\"type\":\"event\",\"room\":\"x\"}"];
    for text in broken {
        tab.client.on_frame(tab.now, socket, text);
        tab.drain();
    }
    let skipped: Vec<(usize, u64)> = tab
        .events
        .iter()
        .filter_map(|event| match event {
            Event::BadFrame { bytes, so_far, .. } => Some((*bytes, *so_far)),
            _ => None,
        })
        .collect();
    let expected: Vec<(usize, u64)> = broken.iter().zip(1..).map(|(text, n)| (text.len(), n)).collect();
    assert_eq!(skipped, expected, "each with its size, counted");
    assert_eq!(tab.client.status(), &Status::Connected, "still connected");
    tab.receive(&ServerFrame::Typing { room: RoomId(1), user: UserId(2), name: "Mina".into() });
    assert_eq!(tab.last_typing(RoomId(1)), Some(vec!["Mina".to_owned()]), "the next good frame is handled");
}

#[test]
fn a_room_whose_server_log_went_back_in_time_is_reloaded_and_new_messages_still_show() {
    let mut tab = Tab::new(6);
    tab.go_online();
    tab.client.track_room(tab.now, RoomId(1), Seq(50));
    tab.drain();
    tab.receive(&ServerFrame::Reset { room: RoomId(1), head: Seq(4) });
    assert!(tab.events.contains(&Event::RoomReset { room: RoomId(1), head: Seq(4) }), "the app is told to reload");
    assert_eq!(tab.client.room_cursor(RoomId(1)), Some(Seq(4)));

    let message = RoomEvent::Message {
        id: MessageId(9),
        author: UserId(2),
        author_name: "Mina".into(),
        text: "hi".into(),
        reply_to: None,
        attachments: Vec::new(),
    };
    tab.receive(&ServerFrame::Event { room: RoomId(1), seq: Seq(5), at: 0, event: message });
    let shown: Vec<Seq> = tab
        .events
        .iter()
        .filter_map(|event| match event {
            Event::RoomEvents { events, .. } => Some(events.iter().map(|e| e.seq)),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(shown, [Seq(5)], "seq 5 is new again, not a duplicate of the old 5");
}

#[test]
fn my_token_is_renewed_quietly_before_it_expires_and_an_unreachable_server_keeps_my_session() {
    let mut tab = Tab::new(5);
    tab.client.set_token(Some("morning".into()));
    tab.client.token_valid_for(tab.now, Duration::from_secs(24 * 3600));
    tab.go_online();
    tab.idle_connected(Duration::from_secs(19 * 3600));
    assert_eq!(tab.token_refreshes_asked, 0, "not while most of its life is ahead");
    tab.idle_connected(Duration::from_secs(13 * 60));
    assert_eq!(tab.token_refreshes_asked, 1, "renewed about five hours before it expires");

    // The wifi is flaky: the renewal cannot reach the server. Nothing is lost:
    // the socket stays up, the token is kept, and renewal is tried again.
    tab.client.on_token_refresh_unreachable(tab.now);
    tab.drain();
    assert_eq!(tab.client.status(), &Status::Connected);
    tab.idle_connected(Duration::from_secs(31));
    assert_eq!(tab.token_refreshes_asked, 2, "asked again after a pause");
    tab.client.on_token_refreshed(tab.now, Some("evening".into()));
    tab.client.token_valid_for(tab.now, Duration::from_secs(24 * 3600));
    tab.drain();
    assert_eq!(tab.client.status(), &Status::Connected, "a renewal does not reconnect");

    // The next connection signs in with the renewed token.
    let socket = tab.socket.expect("connected");
    tab.client.on_socket_closed(tab.now, socket, 1006, "network changed");
    tab.wait(Duration::from_secs(5));
    tab.client.on_socket_open(tab.now, tab.socket.expect("reconnecting"));
    tab.drain();
    let hello = tab.sent.iter().rev().find(|frame| matches!(frame, ClientFrame::Hello { .. }));
    assert_eq!(hello, Some(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some("evening".into()) }));
    tab.receive(&ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: Some(UserId(1)) });
    tab.idle_connected(Duration::from_secs(18 * 3600));
    assert_eq!(tab.token_refreshes_asked, 2, "the renewed token's own clock starts over");
}

#[test]
fn a_token_expired_while_the_laptop_slept_is_refreshed_once_for_every_call_that_found_out() {
    let mut tab = Tab::new(6);
    tab.client.set_token(Some("yesterday".into()));
    tab.go_online();
    // Waking up, the rooms list and two history pages are refused (401), and
    // the socket is closed for the same token.
    for _ in 0..3 {
        tab.client.on_api_unauthorized();
    }
    let socket = tab.socket.expect("connected");
    tab.client.on_socket_closed(tab.now, socket, close_code::UNAUTHORIZED, "token expired");
    tab.drain();
    assert_eq!(tab.token_refreshes_asked, 1, "one refresh, whoever noticed");

    tab.client.on_token_refreshed(tab.now, Some("today".into()));
    tab.drain();
    tab.client.on_socket_open(tab.now, tab.socket.expect("reconnecting with the fresh token"));
    tab.drain();
    let hello = tab.sent.iter().rev().find(|frame| matches!(frame, ClientFrame::Hello { .. }));
    assert_eq!(hello, Some(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some("today".into()) }));

    // Once answered, the next refusal asks again.
    tab.client.on_api_unauthorized();
    tab.drain();
    assert_eq!(tab.token_refreshes_asked, 2);
}

#[test]
fn signing_out_drops_what_waited_so_the_next_person_sends_none_of_it() {
    let mut tab = Tab::new(8);
    tab.client.set_token(Some("mina".into()));
    tab.client.on_offline(tab.now);
    tab.say("for Jun, from Mina");
    assert_eq!(tab.client.outbox().len(), 1);
    tab.client.read(tab.now, RoomId(1), Seq(4));
    assert_eq!(tab.client.read_positions().collect::<Vec<_>>(), [(RoomId(1), Seq(4))], "not told yet, offline");

    tab.client.sign_out(tab.now);
    tab.drain();
    assert!(tab.client.outbox().is_empty());
    assert_eq!(tab.client.read_positions().count(), 0, "where Mina read is not Sora's");
    assert_eq!(tab.saved_outbox.as_deref(), Some("[]"), "the saved copy is emptied too");
    assert_eq!(tab.client.status(), &Status::Closed);

    // Sora signs in on the same browser: nothing of Mina's goes out.
    tab.client.set_token(Some("sora".into()));
    tab.client.on_online(tab.now);
    tab.go_online();
    assert!(tab.sent_actions().is_empty());
    assert!(!tab.sent.iter().any(|frame| matches!(frame, ClientFrame::Read { .. })), "nor where she read");
    let hello = tab.sent.iter().rev().find(|frame| matches!(frame, ClientFrame::Hello { .. }));
    assert_eq!(hello, Some(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some("sora".into()) }));
}

#[test]
fn a_session_the_server_ended_gives_up_what_waited_and_says_what_so_the_next_person_sends_none_of_it() {
    let mut tab = Tab::new(11);
    tab.client.set_token(Some("mina".into()));
    tab.go_online();
    // One message the server refused stays as "Not sent"; the train goes
    // into a tunnel and two more wait.
    tab.say("refused");
    let refused = tab.client.outbox()[0].key.clone();
    let outcome = Outcome::Rejected { code: RejectCode::Forbidden, message: "muted".into(), problem: None };
    tab.receive(&ServerFrame::Ack { key: refused, outcome });
    tab.client.on_offline(tab.now);
    tab.say("see you at 6");
    tab.say("bring the map");
    assert_eq!(tab.client.outbox().len(), 3);

    // Out of the tunnel, weeks later: the server refuses the token and the
    // refresh, for her session was ended on her other device.
    tab.client.on_online(tab.now);
    tab.drain();
    tab.client.on_socket_open(tab.now, tab.socket.expect("reconnecting"));
    tab.drain();
    let socket = tab.socket.expect("open");
    tab.client.on_socket_closed(tab.now, socket, close_code::UNAUTHORIZED, "signed out");
    tab.drain();
    assert_eq!(tab.token_refreshes_asked, 1);
    tab.events.clear();
    tab.client.on_token_refreshed(tab.now, None);
    tab.drain();

    let told: Vec<String> = tab
        .events
        .iter()
        .filter_map(|event| match event {
            Event::SessionEnded { unsent } => Some(unsent),
            _ => None,
        })
        .flatten()
        .map(|pending| match &pending.action {
            Action::SendMessage { text, .. } => text.clone(),
            other => panic!("only messages were made: {other:?}"),
        })
        .collect();
    assert_eq!(told, ["refused", "see you at 6", "bring the map"], "told once, in the order written");
    assert!(tab.client.outbox().is_empty());
    assert_eq!(tab.saved_outbox.as_deref(), Some("[]"), "the saved copy is emptied too");
    assert_eq!(tab.client.status(), &Status::Failed { reason: FailReason::Unauthorized });

    // A history page asked meanwhile is refused too: the session is not ended twice.
    tab.client.on_api_unauthorized();
    tab.drain();
    tab.client.on_token_refreshed(tab.now, None);
    tab.drain();
    let ends = tab.events.iter().filter(|event| matches!(event, Event::SessionEnded { .. })).count();
    assert_eq!(ends, 1);

    // She signs in again, a new user to the server: nothing of the ended session goes out.
    tab.sent.clear();
    tab.client.set_token(Some("mina again".into()));
    tab.client.connect(tab.now);
    tab.go_online();
    assert!(tab.sent_actions().is_empty(), "sent: {:?}", tab.sent_actions());
}

#[test]
fn signing_out_tells_the_server_where_she_read_before_the_socket_closes() {
    let mut tab = Tab::new(9);
    tab.client.set_token(Some("mina".into()));
    tab.go_online();
    let room = RoomId(1);
    tab.client.read(tab.now, room, Seq(3));
    tab.client.read(tab.now, room, Seq(5)); // within a second of the first: held back
    tab.drain();
    tab.client.sign_out(tab.now);
    tab.drain();
    let told: Vec<(RoomId, Seq)> = tab
        .sent
        .iter()
        .filter_map(|frame| match frame {
            ClientFrame::Read { room, seq } => Some((*room, *seq)),
            _ => None,
        })
        .collect();
    assert_eq!(told, [(room, Seq(3)), (room, Seq(5))], "the one held back goes too");
}

#[test]
fn an_edit_refused_for_good_leaves_the_outbox_while_a_refused_message_stays_for_retry() {
    let mut tab = Tab::new(10);
    tab.go_online();
    let room = RoomId(1);
    let edit = Action::EditMessage { room, message: MessageId(7), text: "fixed".into() };
    tab.client.act(tab.now, edit.clone()).expect("room in the outbox");
    tab.say("a message the server will refuse");
    tab.drain();
    let keys: Vec<ActionKey> = tab.client.outbox().iter().map(|pending| pending.key.clone()).collect();
    for key in &keys {
        let outcome =
            Outcome::Rejected { code: RejectCode::NotFound, message: "no such message".into(), problem: None };
        tab.receive(&ServerFrame::Ack { key: key.clone(), outcome });
    }
    let refusals: Vec<(Action, bool)> = tab
        .events
        .iter()
        .filter_map(|event| match event {
            Event::ActionRejected { action, stays, .. } => Some((action.clone(), *stays)),
            _ => None,
        })
        .collect();
    let message = Action::SendMessage {
        room,
        text: "a message the server will refuse".into(),
        reply_to: None,
        attachments: Vec::new(),
    };
    assert_eq!(refusals, [(edit, false), (message.clone(), true)]);
    let left: Vec<&Action> = tab.client.outbox().iter().map(|pending| &pending.action).collect();
    assert_eq!(left, [&message], "only the message waits, for Retry or Delete");
}

#[test]
fn a_room_i_enter_by_invite_or_direct_message_is_loaded_once_and_the_rooms_list_fetched_again() {
    let mut tab = Tab::new(12);
    tab.go_online();
    let applied = |tab: &mut Tab, action: Action, room: u64| tab.applied(action, RoomId(room), None);
    let list_asked = |tab: &Tab| tab.events.iter().any(|event| matches!(event, Event::RoomListStale));

    applied(&mut tab, Action::JoinWithInvite { invite: "ab".repeat(32) }, 7);
    assert_eq!(tab.rooms_to_load, [RoomId(7)], "the private room's history is loaded");
    assert!(list_asked(&tab), "its name and kind come with the rooms list");

    applied(&mut tab, Action::OpenDirect { with: UserId(2) }, 8);
    assert_eq!(tab.rooms_to_load, [RoomId(7), RoomId(8)], "the conversation is loaded");
    assert!(list_asked(&tab));

    // Loaded, the conversation is followed; opening it again loads nothing.
    tab.client.track_room(tab.now, RoomId(8), Seq(3));
    applied(&mut tab, Action::OpenDirect { with: UserId(2) }, 8);
    assert_eq!(tab.rooms_to_load, [RoomId(7), RoomId(8)], "already followed: not loaded twice");
}

#[test]
fn a_message_made_again_under_its_reserved_key_is_sent_once() {
    let mut tab = Tab::new(13);
    tab.go_online();
    let key = tab.client.reserve_key();
    let photo = Action::SendMessage {
        room: RoomId(1),
        text: "the view from here".into(),
        reply_to: None,
        attachments: vec![hanmadi_protocol::AttachmentId(4)],
    };
    tab.client.act_as(tab.now, key.clone(), photo.clone()).expect("room in the outbox");
    // The page reloaded before it forgot the files the message waited for,
    // and makes it again.
    tab.client.act_as(tab.now, key.clone(), photo.clone()).expect("room in the outbox");
    tab.drain();
    assert_eq!(tab.sent_actions(), [&ClientFrame::Action { key: key.clone(), action: photo.clone() }]);

    let outcome = Outcome::Applied { room: RoomId(1), seq: Some(Seq(9)), message: None };
    tab.receive(&ServerFrame::Ack { key: key.clone(), outcome });
    tab.client.act_as(tab.now, key, photo).expect("room in the outbox");
    tab.drain();
    assert_eq!(tab.sent_actions().len(), 1, "answered lately: not sent again");
    assert!(tab.client.outbox().is_empty());
}

/// The server's action budget (`server/src/action_budget.rs`), played by
/// hand: `tokens` new actions may be applied; once one is deferred, every
/// later new one is deferred too, until the first comes again. Its answers
/// wait until the story lets them through.
#[derive(Default)]
struct ActionBudget {
    tokens: usize,
    deferred_from: Option<ActionKey>,
    /// The messages applied, in order.
    applied: Vec<String>,
    applied_keys: Vec<ActionKey>,
    answers: VecDeque<ServerFrame>,
}

impl ActionBudget {
    /// Takes in every action the tab sent since last time, in order.
    fn read(&mut self, tab: &mut Tab) {
        for frame in tab.sent.drain(..) {
            if let ClientFrame::Action { key, action: Action::SendMessage { text, .. } } = frame {
                let outcome = self.admit(&key, text);
                self.answers.push_back(ServerFrame::Ack { key, outcome });
            }
        }
    }

    fn admit(&mut self, key: &ActionKey, text: String) -> Outcome {
        let applied = Outcome::Applied { room: RoomId(1), seq: None, message: None };
        if self.applied_keys.contains(key) {
            return applied;
        }
        if self.deferred_from.as_ref() == Some(key) {
            self.deferred_from = None;
        }
        if self.deferred_from.is_none() && self.tokens > 0 {
            self.tokens -= 1;
            self.applied.push(text);
            self.applied_keys.push(key.clone());
            return applied;
        }
        self.deferred_from.get_or_insert_with(|| key.clone());
        Outcome::Rejected { code: RejectCode::RateLimited, message: "too many actions".into(), problem: None }
    }

    /// The next `count` answers reach the tab.
    fn answer(&mut self, tab: &mut Tab, count: usize) {
        for _ in 0..count {
            let Some(answer) = self.answers.pop_front() else { return };
            tab.receive(&answer);
        }
    }
}
