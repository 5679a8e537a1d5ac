//! No one client can take what the server has for everyone: sockets are capped
//! per person, per address and in all, each refusal says why, and one frame
//! cannot make the server repeat work.

mod common;

use common::TestServer;
use hanmadi_protocol::{close_code, Action, ClientFrame, Cursor, Seq, ServerFrame};

#[tokio::test]
async fn a_person_with_too_many_tabs_is_told_to_close_one() {
    let server = TestServer::start_with(|config| config.max_sockets_per_user = 2).await;
    let mina = server.sign_up("Mina").await;
    let first = server.connect(&mina).await;
    let _second = server.connect(&mina).await;

    let mut third = server.raw().await;
    third
        .send(&ClientFrame::Hello { protocol: hanmadi_protocol::PROTOCOL_VERSION, token: Some(mina.token.clone()) })
        .await;
    let reason = third.expect_close(close_code::TRY_AGAIN_LATER).await;
    assert!(reason.contains("too many connections for this account"), "{reason}");

    // Someone else is not affected, and closing a tab frees its place.
    let jun = server.sign_up("Jun").await;
    server.connect(&jun).await;
    drop(first);
    let mut again = None;
    for _ in 0..50 {
        let mut tab = server.raw().await;
        tab.send(&ClientFrame::Hello { protocol: hanmadi_protocol::PROTOCOL_VERSION, token: Some(mina.token.clone()) })
            .await;
        if let tokio_tungstenite::tungstenite::Message::Text(_) = tab.next_message().await {
            again = Some(tab);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a new tab is welcomed once the first closed");
}

#[tokio::test]
async fn one_address_cannot_hold_every_socket() {
    let server = TestServer::start_with(|config| config.max_sockets_per_address = 3).await;
    let _held: Vec<_> = futures_util::future::join_all((0..3).map(|_| server.raw())).await;
    let mut one_more = server.raw().await;
    let reason = one_more.expect_close(close_code::TRY_AGAIN_LATER).await;
    assert!(reason.contains("too many connections from your address"), "{reason}");
}

#[tokio::test]
async fn sockets_from_another_site_take_no_place_under_the_caps() {
    let server = TestServer::start_with(|config| config.max_sockets_per_address = 1).await;
    // A page elsewhere opens sockets and never answers their close, which
    // the server waits a second for.
    let _refused: Vec<_> =
        futures_util::future::join_all((0..3).map(|_| server.connect_with_origin("https://evil.example"))).await;

    let mina = server.sign_up("Mina").await;
    let mut own = server.raw().await;
    own.send(&ClientFrame::Hello { protocol: hanmadi_protocol::PROTOCOL_VERSION, token: Some(mina.token) }).await;
    assert!(matches!(own.recv().await, ServerFrame::Welcome { .. }), "the address's one place was free");
}

#[tokio::test]
async fn the_server_as_a_whole_says_when_it_is_full() {
    let server = TestServer::start_with(|config| config.max_sockets = 2).await;
    let _held = (server.raw().await, server.raw().await);
    let reason = server.raw().await.expect_close(close_code::TRY_AGAIN_LATER).await;
    assert_eq!(reason, "the server is full");
}

#[tokio::test]
async fn a_resume_naming_one_room_a_thousand_times_replays_it_once() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("echo").await;
    for n in 0..20 {
        tab.act(Action::SendMessage { room, text: format!("message {n}"), reply_to: None, attachments: Vec::new() })
            .await;
    }
    let cursors = vec![Cursor { room, after: Seq::ZERO }; 1000];
    tab.send(&ClientFrame::Resume { cursors }).await;
    let mut replayed = 0;
    loop {
        match tab.recv().await {
            ServerFrame::Event { .. } => replayed += 1,
            ServerFrame::CaughtUp { .. } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(replayed, 22, "created, joined and 20 messages, once");
    // What follows is live, not another replay.
    let key = tab.new_key();
    tab.send(&ClientFrame::Action {
        key,
        action: Action::SendMessage { room, text: "after".into(), reply_to: None, attachments: Vec::new() },
    })
    .await;
    let mut after = Vec::new();
    loop {
        match tab.recv().await {
            ServerFrame::Ack { .. } => break,
            frame => after.push(frame),
        }
    }
    assert!(matches!(after.as_slice(), [ServerFrame::Event { seq: Seq(23), .. }]), "{after:?}");
}

#[tokio::test]
async fn a_resume_of_long_histories_replays_five_thousand_events_and_leaves_the_rest_to_http() {
    let server = TestServer::start_with(|config| {
        config.frames_per_sec = 100_000;
        config.actions_per_sec = 100_000;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let (first, second) = (tab.create_room("first").await, tab.create_room("second").await);
    for room in [first, second] {
        // Sent all at once, then every ack read: quicker than one at a time.
        for n in 0..3_000 {
            let key = tab.new_key();
            tab.send(&ClientFrame::Action {
                key,
                action: Action::SendMessage { room, text: format!("m{n}"), reply_to: None, attachments: Vec::new() },
            })
            .await;
        }
        tab.recv_until(|frame| matches!(frame, ServerFrame::Ack { outcome, .. } if matches!(outcome, hanmadi_protocol::Outcome::Applied { seq: Some(Seq(3_002)), .. })).then_some(())).await;
    }

    let mut fresh = server.connect(&mina).await;
    let cursors = vec![Cursor { room: first, after: Seq::ZERO }, Cursor { room: second, after: Seq::ZERO }];
    fresh.send(&ClientFrame::Resume { cursors }).await;
    let (mut replayed, mut heads) = (std::collections::HashMap::new(), Vec::new());
    while heads.len() < 2 {
        match fresh.recv().await {
            ServerFrame::Event { room, .. } => *replayed.entry(room).or_insert(0) += 1,
            ServerFrame::CaughtUp { room, head } => heads.push((room, head)),
            _ => {}
        }
    }
    assert_eq!(replayed[&first] + replayed[&second], 5_000, "one frame replays at most 5,000 events");
    assert_eq!(replayed[&first], 3_002, "the first room whole");
    assert_eq!(heads, [(first, Seq(3_002)), (second, Seq(3_002))], "each room's true head, to fetch the rest");

    // The rest comes over HTTP, a page at a time.
    let after = replayed[&second];
    let page: serde_json::Value = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{second}/events?after={after}&before=3003")))
        .bearer_auth(&mina.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["events"].as_array().map(Vec::len), Some((3_002 - after).min(1_000)), "{page}");
}
