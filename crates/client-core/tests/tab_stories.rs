//! Several tabs of one browser sharing one connection, told as stories: one
//! tab leads and holds the socket, the others follow through a channel, and
//! the leader can go away at any moment. The browser is played in
//! `tab_browser`, the way the browser adapter plays it.

mod tab_browser;

use std::time::Duration;

use hanmadi_client_core::{ActionState, Event, Status};
use hanmadi_protocol::{decode_client, Action, ActionKey, Member, RoomEvent, Seq, ServerFrame};
use proptest::prelude::*;
use tab_browser::*;

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
    browser.leader_goes_offline();
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
fn a_message_the_server_refuses_stays_not_sent_in_every_tab_through_hand_overs() {
    let mut browser = three_tabs();
    browser.server.refuses.push("to a room I left on my phone".into());
    browser.say(1, "to a room I left on my phone");
    browser.settle();
    let not_sent = |browser: &Browser, n: usize| {
        let outbox = browser.tabs[n].client.outbox();
        outbox.len() == 1 && matches!(outbox[0].state, ActionState::Failed { .. })
    };
    for n in 0..3 {
        assert!(not_sent(&browser, n), "tab {n} shows it not sent: {:?}", browser.tabs[n].client.outbox());
    }

    // The leader closes, then the next one: the message stays, for Retry or
    // Delete, in the tab it was typed in and in the browser's copy.
    browser.close_tab(0);
    browser.settle();
    assert!(not_sent(&browser, 1) && not_sent(&browser, 2));
    browser.close_tab(1);
    browser.settle();
    assert_eq!(browser.leader, Some(2));
    assert!(not_sent(&browser, 2), "{:?}", browser.tabs[2].client.outbox());
    assert!(browser.saved.as_deref().is_some_and(|saved| saved.contains("to a room I left")));
    assert!(browser.server.texts.is_empty(), "refused, never applied");
}

#[test]
fn a_not_sent_message_deleted_as_the_leader_closes_does_not_come_back() {
    let mut browser = three_tabs();
    browser.server.refuses.push("to a room I left on my phone".into());
    let key = browser.say(1, "to a room I left on my phone");
    browser.settle();
    assert_eq!(browser.tabs[1].client.outbox().len(), 1, "not sent");

    // She deletes it in her tab, and the leading tab closes before it hears.
    assert!(browser.tabs[1].client.discard_action(&key));
    browser.drain(1);
    browser.close_tab(0);
    browser.settle();
    assert_eq!(browser.leader, Some(1));
    for n in 1..3 {
        assert!(browser.tabs[n].client.outbox().is_empty(), "tab {n}: {:?}", browser.tabs[n].client.outbox());
    }
}

#[test]
fn a_not_sent_message_deleted_in_a_follower_as_the_leader_closes_does_not_come_back() {
    let mut browser = three_tabs();
    browser.open_tab();
    browser.settle();
    browser.server.refuses.push("to a room I left on my phone".into());
    let key = browser.say(1, "to a room I left on my phone");
    browser.settle();
    assert_eq!(browser.tabs[2].client.outbox().len(), 1, "not sent");

    // She deletes it in the third tab. The leading tab closes before it
    // hears, and the next one hears it while it still follows.
    assert!(browser.tabs[2].client.discard_action(&key));
    browser.drain(2);
    browser.tabs[0].open = false;
    browser.step();
    assert!(browser.channel.is_empty());
    browser.close_tab(0);
    browser.settle();
    assert_eq!(browser.leader, Some(1));
    for n in 1..4 {
        assert!(browser.tabs[n].client.outbox().is_empty(), "tab {n}: {:?}", browser.tabs[n].client.outbox());
    }
    assert!(browser.saved.as_deref().is_some_and(|saved| !saved.contains("to a room I left")));
}

#[test]
fn a_tab_opened_after_the_leader_was_welcomed_knows_who_she_is() {
    let mut browser = Browser::new();
    browser.open_tab();
    browser.settle();
    assert_eq!(browser.tabs[0].client.me(), Some(ME), "the leader, from its own socket");
    let later = browser.open_tab();
    browser.settle();
    assert_eq!(browser.tabs[later].client.me(), Some(ME), "told by the leader");
}

#[test]
fn a_new_leader_never_tells_the_other_tabs_an_outbox_without_what_the_last_one_held() {
    let mut browser = three_tabs();
    browser.leader_goes_offline();
    browser.say(0, "on its way");
    browser.settle();

    browser.close_tab(0);
    let told: Vec<&String> = browser
        .channel
        .iter()
        .filter_map(|(from, note)| match note {
            Note::Outbox(json) if *from == 1 => Some(json),
            _ => None,
        })
        .collect();
    assert!(!told.is_empty(), "the new leader tells its outbox");
    assert!(told.iter().all(|json| json.contains("on its way")), "never without the message: {told:?}");
    browser.settle();
    assert_eq!(browser.server.texts, ["on its way"], "and it goes out once");
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
        only_what_no_tab_listened_to_came_as_replayed(&browser, n);
    }
}

/// Tab `n` was given Jun's three messages, the one said while no tab
/// listened as replayed (not live), the others as they happened.
fn only_what_no_tab_listened_to_came_as_replayed(browser: &Browser, n: usize) {
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
    let expected =
        [("all three watch this", true), ("said while no tab listened", false), ("said once it listens again", true)];
    assert_eq!(lives, expected.map(|(text, live)| (text.to_owned(), live)), "tab {n}");
}

#[test]
fn after_a_reconnect_the_badge_hid_what_the_leader_replays_is_not_live_in_any_tab_and_what_follows_is() {
    let mut browser = three_tabs();
    for n in 0..3 {
        browser.track_room(n, Seq::ZERO);
    }
    browser.settle();
    browser.jun_says("all three watch this");
    browser.hoon_types();
    browser.settle();
    // The leader's socket drops; Jun speaks before it is back, in under 2 s.
    let before_the_drop: Vec<usize> = browser.tabs.iter().map(|tab| tab.events.len()).collect();
    browser.leaders_socket_drops();
    browser.server.jun_says("said while no tab listened");
    browser.wait(Duration::from_millis(1_500));
    browser.jun_says("said once it listens again");
    browser.settle();
    for (n, before_the_drop) in before_the_drop.into_iter().enumerate() {
        let flashed = browser.statuses(n).iter().any(|status| matches!(status, Status::Reconnecting { .. }));
        assert!(!flashed, "tab {n} showed {:?}", browser.statuses(n));
        only_what_no_tab_listened_to_came_as_replayed(&browser, n);
        assert_eq!(browser.typing(n), Some(Vec::new()), "tab {n}: nobody is typing on the new connection");
        let since_the_drop = &browser.tabs[n].events[before_the_drop..];
        assert!(since_the_drop.contains(&Event::RoomListStale), "tab {n} fetches the rooms list again");
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

#[test]
fn a_name_changed_on_another_device_reaches_every_tab_through_the_one_socket() {
    let mut browser = three_tabs();
    let renamed = Event::YouChanged { name: Some("Junho".into()), settings: None };
    browser.server_tells(ServerFrame::YouChanged { name: Some("Junho".into()), settings: None });
    browser.settle();
    for n in 0..3 {
        let told = browser.tabs[n].events.iter().filter(|event| **event == renamed).count();
        assert_eq!(told, 1, "tab {n} hears it once");
    }
}
