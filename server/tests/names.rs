//! Names are what people see beside each other's words: they cannot be
//! invisible or turn the text around them, and names that look the same are
//! stored the same. A refusal says what was wrong both in English and as a
//! code with its parameters, which the app words in its user's language.

mod common;

use common::TestServer;
use hanmadi_protocol::http::{ApiError, EventsPage};
use hanmadi_protocol::limits::{ProblemKind, TextField, TextProblem, MAX_MESSAGE_CHARS, MAX_ROOM_NAME_CHARS};
use hanmadi_protocol::{Action, Outcome, RejectCode, RoomEvent};
use serde_json::{json, Value};

fn problem(field: TextField, kind: ProblemKind) -> Option<TextProblem> {
    Some(TextProblem { field, kind })
}

#[tokio::test]
async fn an_invisible_name_is_refused_with_the_reason_and_its_code() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.http("/api/session"))
        .json(&json!({ "name": "\u{200B}\u{200D}\u{FEFF}" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let said = json!({
        "error": "the name has no visible characters",
        "problem": { "field": "display_name", "kind": "invisible" },
    });
    assert_eq!(body, said);
}

#[tokio::test]
async fn a_new_name_that_reverses_the_text_after_it_is_refused_with_its_code() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let response = reqwest::Client::new()
        .patch(server.http("/api/me"))
        .bearer_auth(&mina.token)
        .json(&json!({ "name": "\u{202E}aniM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let refused: ApiError = response.json().await.unwrap();
    assert_eq!(refused.error, "the name contains a text-direction control (U+202E)");
    assert_eq!(refused.problem, problem(TextField::DisplayName, ProblemKind::DirectionControl { code_point: 0x202E }));
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
async fn a_room_name_that_reverses_the_text_after_it_is_refused_with_the_reason_and_its_code() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    match tab.act(Action::CreateRoom { name: "invoice\u{202E}fdp.exe".into(), private: false }).await {
        Outcome::Rejected { code: RejectCode::Invalid, message, problem: refused } => {
            assert_eq!(message, "the room name contains a text-direction control (U+202E)");
            assert_eq!(refused, problem(TextField::RoomName, ProblemKind::DirectionControl { code_point: 0x202E }));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_rename_keeps_its_code_when_its_key_is_sent_again() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("점심").await;
    let key = tab.new_key();
    let too_long = Action::RenameRoom { room, name: "가".repeat(MAX_ROOM_NAME_CHARS + 1) };
    let refused = tab.act_with_key(&key, too_long.clone()).await;
    let chars = MAX_ROOM_NAME_CHARS + 1;
    let expected = Outcome::Rejected {
        code: RejectCode::Invalid,
        message: format!("the room name is {chars} characters long; the limit is {MAX_ROOM_NAME_CHARS}"),
        problem: problem(TextField::RoomName, ProblemKind::TooLong { chars, max: MAX_ROOM_NAME_CHARS }),
    };
    assert_eq!(refused, expected);
    assert_eq!(tab.act_with_key(&key, too_long).await, expected, "the stored outcome, code and all");

    let invisible = tab.act(Action::RenameRoom { room, name: "\u{3164}\u{200B}".into() }).await;
    let Outcome::Rejected { problem: refused, .. } = invisible else { panic!("renamed to nothing: {invisible:?}") };
    assert_eq!(refused, problem(TextField::RoomName, ProblemKind::Invisible));
}

#[tokio::test]
async fn a_room_name_typed_as_separate_jamo_is_stored_trimmed_and_composed() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("  \u{1112}\u{1161}\u{11AB} ").await;
    let page: EventsPage = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{room}/events?after=0")))
        .bearer_auth(&mina.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.events[0].event, RoomEvent::Created { name: "한".into(), by: mina.user.id });
}

#[tokio::test]
async fn a_message_too_long_is_refused_with_its_code_too() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let text = "가".repeat(MAX_MESSAGE_CHARS + 1);
    let Outcome::Rejected { problem: refused, .. } =
        tab.act(Action::SendMessage { room, text, reply_to: None, attachments: Vec::new() }).await
    else {
        panic!("a message over the limit was sent");
    };
    let too_long = ProblemKind::TooLong { chars: MAX_MESSAGE_CHARS + 1, max: MAX_MESSAGE_CHARS };
    assert_eq!(refused, problem(TextField::Message, too_long));
}
