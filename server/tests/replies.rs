//! Replies: a message may answer an earlier message of its room. The reply
//! carries only the original's id and seq, never a copy of its text, so the
//! quote always shows the original as it stands, and a deleted original leaves
//! nothing of itself behind.

mod common;

use common::{TestServer, TwoInARoom};
use hanmadi_protocol::{Action, MessageId, Outcome, RejectCode, ReplyTo, RoomEvent, RoomId, Seq, ServerFrame};
use serde_json::Value;

#[tokio::test]
async fn jun_answers_minas_question_and_the_answer_points_at_it() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let (question, asked_at) = send(&mut mina_tab, room, "noodles or rice?", None).await;

    let (answer, _) = send(&mut jun_tab, room, "noodles, always", Some(question)).await;
    let reply_to = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Event { event: RoomEvent::Message { id, reply_to, .. }, .. } if *id == answer => {
                Some(*reply_to)
            }
            _ => None,
        })
        .await;
    assert_eq!(reply_to, Some(ReplyTo { id: question, seq: asked_at }), "live, with where the question is");

    let page = history(&server, &mina.token, room).await;
    let answer_row = &page["messages"][1];
    assert_eq!(answer_row["text"], "noodles, always");
    assert_eq!(answer_row["reply_to"]["id"], question.0);
    assert_eq!(answer_row["reply_to"]["seq"], asked_at.0);
    assert!(page["messages"][0].get("reply_to").is_none(), "the question answers nothing: {page}");
}

#[tokio::test]
async fn a_deleted_original_leaves_the_reply_pointing_at_nothing_readable() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let (secret, _) = send(&mut mina_tab, room, "the door code is 4821", None).await;
    send(&mut jun_tab, room, "thanks!", Some(secret)).await;

    mina_tab.act(Action::DeleteMessage { room, message: secret }).await;
    let page = history(&server, &mina.token, room).await;
    assert_eq!(page["messages"][0]["deleted"], true);
    assert_eq!(page["messages"][1]["reply_to"]["id"], secret.0, "the reply still says what it answered");
    assert!(!page.to_string().contains("4821"), "no copy of the deleted text anywhere: {page}");
    let (events, _) = jun_tab.resume(room, Seq(0)).await;
    assert!(!format!("{events:?}").contains("4821"), "nor in the room's log");

    // A reply written offline that arrives after the original went still goes.
    let (late, _) = send(&mut jun_tab, room, "(from the tunnel) got it", Some(secret)).await;
    let page = history(&server, &mina.token, room).await;
    assert_eq!(page["messages"][2]["id"], late.0);
    assert_eq!(page["messages"][2]["reply_to"]["id"], secret.0);
}

#[tokio::test]
async fn a_reply_can_only_answer_a_message_of_its_own_room() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let elsewhere = mina_tab.create_room("dinner").await;
    let (in_dinner, _) = send(&mut mina_tab, elsewhere, "pizza?", None).await;

    for original in [in_dinner, MessageId(9_999)] {
        let refused = mina_tab
            .act(Action::SendMessage { room, text: "yes".into(), reply_to: Some(original), attachments: Vec::new() })
            .await;
        assert!(
            matches!(refused, Outcome::Rejected { code: RejectCode::NotFound, .. }),
            "answering {original}: {refused:?}"
        );
    }
    let page = history(&server, &mina.token, room).await;
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(0), "nothing was stored: {page}");
}

/// Sends a message and waits for it to be applied: its id and seq.
async fn send(tab: &mut common::Client, room: RoomId, text: &str, reply_to: Option<MessageId>) -> (MessageId, Seq) {
    match tab.act(Action::SendMessage { room, text: text.into(), reply_to, attachments: Vec::new() }).await {
        Outcome::Applied { message: Some(id), seq: Some(seq), .. } => (id, seq),
        refused => panic!("{text:?} not sent: {refused:?}"),
    }
}

async fn history(server: &TestServer, token: &str, room: RoomId) -> Value {
    let url = server.http(&format!("/api/rooms/{room}/messages"));
    reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_reply_sent_again_under_its_key_is_one_reply_and_the_backfill_carries_what_it_answers() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let (question, asked_at) = send(&mut mina_tab, room, "noodles or rice?", None).await;
    let key = jun_tab.new_key();
    let reply = Action::SendMessage { room, text: "rice".into(), reply_to: Some(question), attachments: Vec::new() };
    let first = jun_tab.act_with_key(&key, reply.clone()).await;
    assert_eq!(jun_tab.act_with_key(&key, reply).await, first, "the same answer, and no second reply");
    let other = Action::SendMessage { room, text: "rice".into(), reply_to: None, attachments: Vec::new() };
    let conflict = jun_tab.act_with_key(&key, other).await;
    assert!(matches!(conflict, Outcome::Rejected { .. }), "a key names one action, reply and all: {conflict:?}");

    let url = server.http(&format!("/api/rooms/{room}/events?after=0"));
    let page: Value =
        reqwest::Client::new().get(url).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    let replies: Vec<&Value> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["kind"] == "message" && e["event"]["text"] == "rice")
        .collect();
    assert_eq!(replies.len(), 1, "{page}");
    assert_eq!(replies[0]["event"]["reply_to"]["id"], question.0);
    assert_eq!(replies[0]["event"]["reply_to"]["seq"], asked_at.0);
}
