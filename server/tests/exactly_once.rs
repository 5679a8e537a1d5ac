//! Every action carries an idempotency key; a repeat — on the same connection,
//! after a reconnect, after a server restart — gets the original answer and
//! changes nothing.

mod common;

use common::TestServer;
use hanmadi_protocol::{close_code, Action, ActionKey, ClientFrame, Outcome, RejectCode, RoomEvent, Seq, ServerFrame};

#[tokio::test]
async fn a_duplicated_action_is_applied_once_and_answered_alike() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    tab.resume(room, Seq::ZERO).await;

    let key = tab.new_key();
    let action = Action::SendMessage { room, text: "only once".into(), reply_to: None, attachments: Vec::new() };
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
    let action = Action::SendMessage {
        room,
        text: "committed before the restart".into(),
        reply_to: None,
        attachments: Vec::new(),
    };
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
    let a = mina_tab
        .act_with_key(&key, Action::SendMessage { room, text: "mine".into(), reply_to: None, attachments: Vec::new() })
        .await;
    let b = jun_tab
        .act_with_key(
            &key,
            Action::SendMessage { room, text: "mine too".into(), reply_to: None, attachments: Vec::new() },
        )
        .await;
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
        tab.send(&ClientFrame::Action {
            key,
            action: Action::SendMessage { room, text: format!("{n}"), reply_to: None, attachments: Vec::new() },
        })
        .await;
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

/// An action that fails (its database connection lost mid-batch, here a
/// trigger) closes the socket with 1011, and the actions queued behind it are
/// not applied either: the client sends them all again, in order, so a later
/// one applied meanwhile would end up before it.
#[tokio::test]
async fn after_an_action_fails_the_ones_behind_it_wait_for_the_resend() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let (fail_on_boom, stop_failing) = boom_fails(&server);
    execute(&server, fail_on_boom).await;

    // Sent together, as the app flushes its outbox: all three are queued to
    // the writer before the first one's failure comes back.
    let outbox: Vec<ClientFrame> = ["boom", "b", "c"]
        .into_iter()
        .map(|text| ClientFrame::Action {
            key: tab.new_key(),
            action: Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() },
        })
        .collect();
    tab.send_together(outbox.iter().cloned()).await;
    tab.expect_close(close_code::INTERNAL_ERROR).await;

    execute(&server, stop_failing).await;
    let mut reconnected = server.connect(&mina).await;
    reconnected.send_together(outbox.iter().cloned()).await;
    let outcomes = acks(&mut reconnected, outbox.len()).await;
    assert!(outcomes.iter().all(|(_, outcome)| matches!(outcome, Outcome::Applied { .. })), "{outcomes:?}");
    let (events, _) = reconnected.resume(room, Seq::ZERO).await;
    let texts: Vec<&str> = events
        .iter()
        .filter(|(_, event)| matches!(event, RoomEvent::Message { .. }))
        .map(|(_, event)| common::text_of(event))
        .collect();
    assert_eq!(texts, ["boom", "b", "c"], "applied in the order sent");
}

/// Statements that make the database fail every message saying "boom" (an
/// error, as from a connection lost mid-transaction, not a refusal), and
/// statements that stop it.
fn boom_fails(server: &TestServer) -> (&'static [&'static str], &'static [&'static str]) {
    if server.database_url().starts_with("postgres") {
        (
            &[
                "CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'boom'; END $$",
                "CREATE TRIGGER fail_on_boom BEFORE INSERT ON messages \
                 FOR EACH ROW WHEN (NEW.body = 'boom') EXECUTE FUNCTION fail_on_boom()",
            ],
            &["DROP TRIGGER fail_on_boom ON messages"],
        )
    } else {
        (
            &["CREATE TRIGGER fail_on_boom BEFORE INSERT ON messages \
               WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END"],
            &["DROP TRIGGER fail_on_boom"],
        )
    }
}

async fn execute(server: &TestServer, statements: &[&str]) {
    let database = server.database().await;
    for statement in statements {
        sqlx::query(statement).execute(&database).await.unwrap();
    }
}

/// The writer commits whatever has queued up together in one transaction; each
/// action still keeps its own outcome, a refusal refuses only itself, and a key
/// repeated within the same burst is applied once.
#[tokio::test]
async fn actions_committed_together_keep_their_own_outcomes() {
    let server = TestServer::start_with(|config| {
        config.frames_per_sec = 10_000;
        config.actions_per_sec = 10_000;
    })
    .await;
    let common::TwoInARoom { mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("busy").await;
    // Both fire a burst without waiting for answers, so the writer finds many
    // actions queued at once. Every fifth of Mina's is blank (refused), and
    // each of Jun's is sent twice under its key.
    let mut mina_keys = Vec::new();
    for n in 0..50 {
        let key = mina_tab.new_key();
        let text = if n % 5 == 4 { " ".to_owned() } else { format!("mina {n}") };
        mina_tab
            .send(&ClientFrame::Action {
                key: key.clone(),
                action: Action::SendMessage { room, text, reply_to: None, attachments: Vec::new() },
            })
            .await;
        mina_keys.push(key);
    }
    for n in 0..20 {
        let key = jun_tab.new_key();
        let action = Action::SendMessage { room, text: format!("jun {n}"), reply_to: None, attachments: Vec::new() };
        jun_tab.send(&ClientFrame::Action { key: key.clone(), action: action.clone() }).await;
        jun_tab.send(&ClientFrame::Action { key, action }).await;
    }

    let mina_outcomes = acks(&mut mina_tab, 50).await;
    for (n, (key, outcome)) in mina_outcomes.iter().enumerate() {
        assert_eq!(key, &mina_keys[n], "acks come in the order the actions were sent");
        let refused = matches!(outcome, Outcome::Rejected { code: RejectCode::Invalid, .. });
        assert_eq!(refused, n % 5 == 4, "action {n}: {outcome:?}");
    }
    let jun_outcomes = acks(&mut jun_tab, 40).await;
    for pair in jun_outcomes.chunks(2) {
        assert_eq!(pair[0], pair[1], "a repeat in the same burst gets the same answer");
    }

    // The log holds each applied message once: 40 of Mina's, 20 of Jun's.
    let mut reader = server.connect(&server.sign_up("Sora").await).await;
    reader.act(Action::JoinRoom { room }).await;
    let (events, _) = reader.resume(room, Seq::ZERO).await;
    let texts: Vec<&str> = events
        .iter()
        .filter(|(_, event)| matches!(event, RoomEvent::Message { .. }))
        .map(|(_, event)| common::text_of(event))
        .collect();
    assert_eq!(texts.iter().filter(|t| t.starts_with("mina")).count(), 40);
    assert_eq!(texts.iter().filter(|t| t.starts_with("jun")).count(), 20);
}

/// The next `count` acks on `tab`, in the order they came.
async fn acks(tab: &mut common::Client, count: usize) -> Vec<(ActionKey, Outcome)> {
    let mut acks = Vec::new();
    while acks.len() < count {
        if let ServerFrame::Ack { key, outcome } = tab.recv().await {
            acks.push((key, outcome));
        }
    }
    acks
}
