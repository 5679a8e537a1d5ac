//! A person's action budget never costs an honest client a message: a full
//! outbox goes through a fresh socket at once, a replay of actions already
//! applied is answered from the record whatever the budget, and an action
//! over the budget waits (unrecorded) and keeps its place in line, as does one
//! sent faster than the socket's frame rate. Nor does a new socket bring a new
//! budget.

mod common;

use std::time::Duration;

use common::{Client, TestServer};
use hanmadi_protocol::limits::OUTBOX_CAPACITY;
use hanmadi_protocol::{Action, ActionKey, ClientFrame, Outcome, RejectCode, RoomEvent, RoomId, Seq, ServerFrame};

/// Sends every action at once, as the app flushes its outbox, and returns the
/// acks in the order they came.
async fn flush(tab: &mut Client, actions: &[(ActionKey, Action)]) -> Vec<(ActionKey, Outcome)> {
    for (key, action) in actions {
        tab.send(&ClientFrame::Action { key: key.clone(), action: action.clone() }).await;
    }
    let mut acks = Vec::new();
    while acks.len() < actions.len() {
        acks.push(
            tab.recv_until(|frame| match frame {
                ServerFrame::Ack { key, outcome } => Some((key.clone(), outcome.clone())),
                _ => None,
            })
            .await,
        );
    }
    acks
}

fn messages(tab: &mut Client, room: RoomId, count: usize) -> Vec<(ActionKey, Action)> {
    (1..=count)
        .map(|n| {
            (
                tab.new_key(),
                Action::SendMessage { room, text: format!("message {n}"), reply_to: None, attachments: Vec::new() },
            )
        })
        .collect()
}

fn is_rate_limited(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Rejected { code: RejectCode::RateLimited, .. })
}

async fn stored_texts(tab: &mut Client, room: RoomId) -> Vec<String> {
    let (events, _) = tab.resume(room, Seq::ZERO).await;
    events
        .into_iter()
        .filter_map(|(_, event)| match event {
            RoomEvent::Message { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_full_outbox_goes_through_a_fresh_socket_and_its_replay_is_answered_from_the_record() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("a long way underground").await;
    // The budget is Mina's, on every socket: the token the room took is back
    // in a tenth of a second (ten a second by default).
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut fresh = server.connect(&mina).await;
    let outbox = messages(&mut fresh, room, OUTBOX_CAPACITY);

    let first = flush(&mut fresh, &outbox).await;
    assert!(first.iter().all(|(_, outcome)| matches!(outcome, Outcome::Applied { .. })), "none refused: {first:?}");
    let keys: Vec<&ActionKey> = outbox.iter().map(|(key, _)| key).collect();
    assert_eq!(first.iter().map(|(key, _)| key).collect::<Vec<_>>(), keys, "acks in the order sent");

    // The acks were lost; after a reconnect the whole outbox goes again, and
    // again right away on yet another socket: nothing is over any budget.
    for _ in 0..2 {
        let mut reconnected = server.connect(&mina).await;
        assert_eq!(flush(&mut reconnected, &outbox).await, first, "the original outcomes, in order");
    }
    let texts = stored_texts(&mut tab, room).await;
    assert_eq!(texts.len(), OUTBOX_CAPACITY, "each message stored once");
}

#[tokio::test]
async fn an_action_over_the_budget_waits_unrecorded_and_keeps_its_place() {
    let server = TestServer::start_with(|config| config.actions_per_sec = 2).await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("busy").await;
    // The room took one of Mina's tokens: back in half a second.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut fresh = server.connect(&mina).await;
    // Ten over a full outbox: a slow machine gives some tokens back while
    // they go (two a second), never ten.
    let outbox = messages(&mut fresh, room, OUTBOX_CAPACITY + 10);

    // A full outbox's worth applies; what comes after it waits, and once one
    // waits, everything after it does.
    let acks = flush(&mut fresh, &outbox).await;
    let applied = acks.iter().take_while(|(_, outcome)| matches!(outcome, Outcome::Applied { .. })).count();
    assert!(applied >= OUTBOX_CAPACITY, "a full outbox goes through: {applied}");
    let mut waiting: Vec<(ActionKey, Action)> = outbox[applied..].to_vec();
    assert!(!waiting.is_empty() && acks[applied..].iter().all(|(_, o)| is_rate_limited(o)), "{:?}", &acks[applied..]);

    // Later the budget has room, but the last message may not jump the
    // queue: it waits until the first waiting one comes again.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let jumped = flush(&mut fresh, &waiting[waiting.len() - 1..]).await;
    assert!(waiting.len() == 1 || is_rate_limited(&jumped[0].1), "{jumped:?}");

    // Sent again in order, as the engine does after its pause, they all go.
    while !waiting.is_empty() {
        let acks = flush(&mut fresh, &waiting).await;
        let applied = acks.iter().take_while(|(_, outcome)| matches!(outcome, Outcome::Applied { .. })).count();
        assert!(acks[applied..].iter().all(|(_, outcome)| is_rate_limited(outcome)), "{acks:?}");
        waiting.drain(..applied);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let texts = stored_texts(&mut tab, room).await;
    let written: Vec<String> = (1..=OUTBOX_CAPACITY + 10).map(|n| format!("message {n}")).collect();
    assert_eq!(texts, written, "each once, in the order written");
}

/// Reconnecting is no way around the budget: a script opening socket after
/// socket would otherwise create rooms or send messages at any rate. A replay
/// on the new socket still costs nothing.
#[tokio::test]
async fn a_new_socket_brings_no_new_budget_but_a_replay_is_still_answered() {
    let server = TestServer::start_with(|config| config.actions_per_sec = 1).await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("flooded").await;
    // Twenty over the budget: a slow machine gives some tokens back meanwhile.
    let outbox = messages(&mut tab, room, OUTBOX_CAPACITY + 20);
    let spent = flush(&mut tab, &outbox).await;
    let last = spent.last().unwrap();
    assert!(is_rate_limited(&last.1), "the budget is spent: {last:?}");
    drop(tab);

    // The replay first, as an outbox resends in order; then ten new messages:
    // the first may have tokens that came back meanwhile (one a second),
    // never all ten.
    let mut reconnected = server.connect(&mina).await;
    let mut resent = vec![outbox[0].clone()];
    resent.extend(messages(&mut reconnected, room, 10));
    let acks = flush(&mut reconnected, &resent).await;
    assert_eq!(acks[0], spent[0], "a replay is answered from the record");
    let last = acks.last().unwrap();
    assert!(is_rate_limited(&last.1), "a new socket brings no new budget: {acks:?}");
}

/// A tab flushing several tabs' outboxes at once can outrun the socket's
/// frame rate. An action it refuses is answered by its key, so the outbox
/// sends it again instead of waiting for an answer that never comes, and the
/// message after it does not overtake it.
#[tokio::test]
async fn an_action_over_the_frame_rate_is_answered_by_its_key_and_keeps_its_place() {
    let server = TestServer::start_with(|config| config.frames_per_sec = 1).await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("one tab for three").await;
    let mut leader = server.connect(&mina).await;
    let outbox = messages(&mut leader, room, 2);

    // The socket's whole burst of frames, and fifty more (a slow machine
    // gives one back a second), then the first message.
    let burst = 2 * OUTBOX_CAPACITY as u64;
    leader.send_together((0..burst + 50).map(|nonce| ClientFrame::Ping { nonce })).await;
    let first = flush(&mut leader, &outbox[..1]).await;
    assert!(is_rate_limited(&first[0].1), "answered by its key, to be sent again: {first:?}");

    // A frame later, the second message may not go before the first.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let second = flush(&mut leader, &outbox[1..]).await;
    assert!(is_rate_limited(&second[0].1), "it waits behind the first: {second:?}");

    // Both again, in order, once the socket has frames for them.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let acks = flush(&mut leader, &outbox).await;
    assert!(acks.iter().all(|(_, outcome)| matches!(outcome, Outcome::Applied { .. })), "{acks:?}");
    assert_eq!(stored_texts(&mut tab, room).await, ["message 1", "message 2"], "each once, in order");
}
