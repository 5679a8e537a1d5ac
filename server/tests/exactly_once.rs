//! Every action carries an idempotency key; a repeat — on the same connection,
//! after a reconnect, after a server restart — gets the original answer and
//! changes nothing.

mod common;

use common::TestServer;
use hanmadi_protocol::{Action, ClientFrame, Outcome, Seq, ServerFrame};

#[tokio::test]
async fn a_duplicated_action_is_applied_once_and_answered_alike() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    tab.resume(room, Seq::ZERO).await;

    let key = tab.new_key();
    let action = Action::SendMessage { room, text: "only once".into() };
    let first = tab.act_with_key(&key, action.clone()).await;
    let again = tab.act_with_key(&key, action.clone()).await;
    assert_eq!(first, again);

    // Through a new connection, as after a reconnect.
    let mut other_tab = server.connect(&mina).await;
    assert_eq!(other_tab.act_with_key(&key, action).await, first);

    let (events, head) = other_tab.resume(room, Seq(2)).await;
    assert_eq!(events.len(), 1, "one message in the log: {events:?}");
    assert_eq!(head, Seq(3));
}

#[tokio::test]
async fn a_repeat_after_a_restart_returns_the_stored_result() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let key = tab.new_key();
    let action = Action::SendMessage { room, text: "committed before the restart".into() };
    let first = tab.act_with_key(&key, action.clone()).await;
    drop(tab);

    let database = server.stop().await;
    let server = TestServer::start_on(database, |_| {}).await;
    let mut tab = server.connect(&mina).await;
    assert_eq!(tab.act_with_key(&key, action).await, first, "the token and the key both survive");
    let (events, _) = tab.resume(room, Seq(2)).await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn the_same_key_from_two_users_is_two_actions() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let room = mina_tab.create_room("general").await;
    jun_tab.act(Action::JoinRoom { room }).await;
    let key = hanmadi_protocol::ActionKey::new("same-key").unwrap();
    let a = mina_tab.act_with_key(&key, Action::SendMessage { room, text: "mine".into() }).await;
    let b = jun_tab.act_with_key(&key, Action::SendMessage { room, text: "mine too".into() }).await;
    assert!(matches!((a, b), (Outcome::Applied { .. }, Outcome::Applied { .. })));
}

#[tokio::test]
async fn pipelined_actions_are_applied_in_the_order_sent() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    tab.resume(room, Seq::ZERO).await;
    for n in 0..20 {
        let key = tab.new_key();
        tab.send(&ClientFrame::Action { key, action: Action::SendMessage { room, text: format!("{n}") } }).await;
    }
    let mut acked = 0;
    let mut texts = Vec::new();
    while acked < 20 {
        match tab.recv().await {
            ServerFrame::Ack { outcome: Outcome::Applied { .. }, .. } => acked += 1,
            ServerFrame::Event { event, .. } => texts.push(common::text_of(&event).to_owned()),
            other => panic!("unexpected {other:?}"),
        }
    }
    let expected: Vec<String> = (0..20).map(|n| n.to_string()).collect();
    assert_eq!(texts, expected);
}
