//! What the server keeps under each idempotency key stays honest and small: a
//! key names one action only, a refusal does not store the refused input, and
//! records older than the retention are forgotten.

mod common;

use std::time::Duration;

use common::TestServer;
use hanmadi_protocol::{Action, MessageId, Outcome, RejectCode};

#[tokio::test]
async fn a_key_used_again_for_a_different_action_is_refused_and_the_first_stands() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let key = tab.new_key();
    let first = Action::SendMessage { room, text: "lunch at noon?".into(), reply_to: None, attachments: Vec::new() };
    let applied = tab.act_with_key(&key, first.clone()).await;

    let other =
        Action::SendMessage { room, text: "something else entirely".into(), reply_to: None, attachments: Vec::new() };
    match tab.act_with_key(&key, other).await {
        Outcome::Rejected { code: RejectCode::Invalid, message, .. } => assert!(message.contains("different action")),
        other => panic!("a reused key must be refused, got {other:?}"),
    }
    assert_eq!(tab.act_with_key(&key, first).await, applied, "the first action's outcome still answers its key");
}

#[tokio::test]
async fn a_refused_giant_input_is_not_stored() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let key = tab.new_key();
    let bogus = Action::AddReaction { room, message: MessageId(1), emoji: "🙂".repeat(5_000) };
    assert!(matches!(tab.act_with_key(&key, bogus).await, Outcome::Rejected { code: RejectCode::Invalid, .. }));

    let stored: i64 = sqlx::query_scalar(
        "SELECT CAST(LENGTH(outcome) + LENGTH(digest) AS BIGINT) FROM actions WHERE action_key = $1",
    )
    .bind(key.as_str())
    .fetch_one(&server.database().await)
    .await
    .unwrap();
    assert!(stored < 300, "the record of a 20 KB refusal is small: {stored} bytes");
}

#[tokio::test]
async fn records_older_than_the_retention_are_forgotten_and_newer_ones_kept() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let (old, recent) = (tab.new_key(), tab.new_key());
    tab.act_with_key(
        &old,
        Action::SendMessage { room, text: "long ago".into(), reply_to: None, attachments: Vec::new() },
    )
    .await;
    tab.act_with_key(
        &recent,
        Action::SendMessage { room, text: "yesterday".into(), reply_to: None, attachments: Vec::new() },
    )
    .await;
    let database = server.database().await;
    let thirty_one_days = 31 * 24 * 3600 * 1000_i64;
    sqlx::query("UPDATE actions SET at = at - $1 WHERE action_key = $2")
        .bind(thirty_one_days)
        .bind(old.as_str())
        .execute(&database)
        .await
        .unwrap();
    drop(tab);

    // Old records are forgotten when the server starts (and every hour).
    let server = TestServer::start_on(server.stop().await, |_| {}).await;
    let kept = |key: hanmadi_protocol::ActionKey| {
        let database = database.clone();
        async move {
            let count: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM actions WHERE action_key = $1")
                .bind(key.as_str())
                .fetch_one(&database)
                .await
                .unwrap();
            count == 1
        }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while kept(old.clone()).await {
        assert!(tokio::time::Instant::now() < deadline, "the 31-day-old record is forgotten");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(kept(recent).await, "a recent record is kept");
    drop(server);
}
