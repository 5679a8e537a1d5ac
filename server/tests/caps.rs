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
        tab.act(Action::SendMessage { room, text: format!("message {n}") }).await;
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
    tab.send(&ClientFrame::Action { key, action: Action::SendMessage { room, text: "after".into() } }).await;
    let mut after = Vec::new();
    loop {
        match tab.recv().await {
            ServerFrame::Ack { .. } => break,
            frame => after.push(frame),
        }
    }
    assert!(matches!(after.as_slice(), [ServerFrame::Event { seq: Seq(23), .. }]), "{after:?}");
}
