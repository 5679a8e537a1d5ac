//! Reactions: anyone in the room may add one of the set emoji to a message,
//! once per person; they travel as events and come back with history pages.

mod common;

use common::{TestServer, TwoInARoom};
use hanmadi_protocol::{Action, MessageId, Outcome, RejectCode, RoomEvent, ServerFrame};
use serde_json::Value;

#[tokio::test]
async fn jun_reacts_to_minas_message_once_and_takes_it_back() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, mut jun_tab, room } = server.mina_and_jun_in("lunch").await;
    let Outcome::Applied { message: Some(message), .. } = mina_tab
        .act(Action::SendMessage { room, text: "noodles?".into(), reply_to: None, attachments: Vec::new() })
        .await
    else {
        panic!("not sent")
    };
    let react = |emoji: &str| Action::AddReaction { room, message, emoji: emoji.into() };

    let added = jun_tab.act(react("👍")).await;
    assert!(matches!(added, Outcome::Applied { seq: Some(_), .. }), "{added:?}");
    let reacted = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Event { event: event @ RoomEvent::Reacted { .. }, .. } => Some(event.clone()),
            _ => None,
        })
        .await;
    assert_eq!(reacted, RoomEvent::Reacted { id: message, user: jun.user.id, emoji: "👍".into() });

    // The same reaction under a new key changes nothing and says so.
    let again = jun_tab.act(react("👍")).await;
    assert!(matches!(again, Outcome::Applied { seq: None, .. }), "{again:?}");
    mina_tab.act(react("👍")).await;
    mina_tab.act(react("🙏")).await;

    let page = history(&server, &mina.token, room).await;
    let reactions = &page["messages"][0]["reactions"];
    assert_eq!(reactions[0]["emoji"], "👍");
    assert_eq!(reactions[0]["users"].as_array().unwrap().len(), 2, "Jun then Mina: {reactions}");
    assert_eq!(reactions[1]["emoji"], "🙏");

    let removed = jun_tab.act(Action::RemoveReaction { room, message, emoji: "👍".into() }).await;
    assert!(matches!(removed, Outcome::Applied { seq: Some(_), .. }));
    let page = history(&server, &mina.token, room).await;
    assert_eq!(page["messages"][0]["reactions"][0]["users"].as_array().unwrap().len(), 1);

    // Deleting the message takes its reactions with it.
    mina_tab.act(Action::DeleteMessage { room, message }).await;
    let page = history(&server, &mina.token, room).await;
    assert!(page["messages"][0].get("reactions").is_none(), "{page}");
}

#[tokio::test]
async fn only_the_set_emoji_on_live_messages_of_your_rooms() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let outsider = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut outsider_tab = server.connect(&outsider).await;
    let room = mina_tab.create_room("lunch").await;
    let Outcome::Applied { message: Some(message), .. } =
        mina_tab.act(Action::SendMessage { room, text: "hi".into(), reply_to: None, attachments: Vec::new() }).await
    else {
        panic!("not sent")
    };
    let refused = |outcome: Outcome, want: RejectCode| {
        assert!(matches!(&outcome, Outcome::Rejected { code, .. } if *code == want), "{outcome:?}");
    };
    refused(mina_tab.act(Action::AddReaction { room, message, emoji: "<script>".into() }).await, RejectCode::Invalid);
    refused(outsider_tab.act(Action::AddReaction { room, message, emoji: "👍".into() }).await, RejectCode::Forbidden);
    let missing = MessageId(message.0 + 100);
    refused(
        mina_tab.act(Action::AddReaction { room, message: missing, emoji: "👍".into() }).await,
        RejectCode::NotFound,
    );
    mina_tab.act(Action::DeleteMessage { room, message }).await;
    refused(mina_tab.act(Action::AddReaction { room, message, emoji: "👍".into() }).await, RejectCode::NotFound);
}

async fn history(server: &TestServer, token: &str, room: hanmadi_protocol::RoomId) -> Value {
    let url = server.http(&format!("/api/rooms/{room}/messages"));
    reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}
