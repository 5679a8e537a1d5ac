//! Names are what people see beside each other's words: they cannot be
//! invisible or turn the text around them, and names that look the same are
//! stored the same.

mod common;

use common::TestServer;
use hanmadi_protocol::{Action, Outcome, RejectCode};
use serde_json::{json, Value};

#[tokio::test]
async fn an_invisible_name_is_refused_with_the_reason() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.http("/api/session"))
        .json(&json!({ "name": "\u{200B}\u{200D}\u{FEFF}" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("no visible characters"), "{body}");
}

#[tokio::test]
async fn a_name_typed_as_separate_jamo_is_stored_composed() {
    let server = TestServer::start().await;
    // 한 as three jamo (what some keyboards send) and as one syllable.
    let decomposed = server.sign_up("\u{1112}\u{1161}\u{11AB}").await;
    assert_eq!(decomposed.user.name, "한");
    let me: Value = reqwest::Client::new()
        .get(server.http("/api/me"))
        .bearer_auth(&decomposed.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "한");
}

#[tokio::test]
async fn a_room_name_that_reverses_the_text_after_it_is_refused() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    match tab.act(Action::CreateRoom { name: "invoice\u{202E}fdp.exe".into() }).await {
        Outcome::Rejected { code: RejectCode::Invalid, message } => assert!(message.contains("U+202E"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
