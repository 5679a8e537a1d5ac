//! Delete means deleted, and an edit replaces: a person who joins later (or
//! anyone who reads the log again) finds no trace of the old text, through
//! the events API, the history pages or a resume from the start, while the
//! room's sequence stays whole.

mod common;

use common::{Session, TestServer};
use hanmadi_protocol::{Action, Outcome, RoomEvent, RoomId, Seq};
use serde_json::Value;

/// Everything Jun can read of the room, as one string: the events API from
/// the start, the history pages, and a socket resume from seq 0.
async fn everything_readable(server: &TestServer, jun: &Session, room: RoomId) -> String {
    let http = reqwest::Client::new();
    let get = |path: String| {
        let request = http.get(server.http(&path)).bearer_auth(&jun.token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap().to_string() }
    };
    let events = get(format!("/api/rooms/{room}/events?after=0")).await;
    let history = get(format!("/api/rooms/{room}/messages?limit=100")).await;
    let mut tab = server.connect(jun).await;
    let (resumed, head) = tab.resume(room, Seq::ZERO).await;
    let seqs: Vec<u64> = resumed.iter().map(|(seq, _)| seq.0).collect();
    assert_eq!(seqs, (1..=head.0).collect::<Vec<_>>(), "the log stays contiguous");
    format!("{events}\n{history}\n{resumed:?}")
}

#[tokio::test]
async fn an_edited_then_deleted_message_leaves_no_text_behind() {
    let server = TestServer::start().await;
    let room = server.mina_and_jun_in("oversharing").await;
    let (mut mina_tab, jun, room) = (room.mina_tab, room.jun, room.room);
    let message = match mina_tab
        .act(Action::SendMessage {
            room,
            text: "my password is hunter2".into(),
            reply_to: None,
            attachments: Vec::new(),
        })
        .await
    {
        Outcome::Applied { message: Some(message), .. } => message,
        other => panic!("not sent: {other:?}"),
    };
    mina_tab
        .act(Action::SendMessage { room, text: "unrelated and kept".into(), reply_to: None, attachments: Vec::new() })
        .await;

    mina_tab.act(Action::EditMessage { room, message, text: "my password is ********".into() }).await;
    let after_edit = everything_readable(&server, &jun, room).await;
    assert!(!after_edit.contains("hunter2"), "an edit replaces the text everywhere:\n{after_edit}");
    assert!(after_edit.contains("my password is ********"));

    mina_tab.act(Action::EditMessage { room, message, text: "never mind".into() }).await;
    mina_tab.act(Action::DeleteMessage { room, message }).await;
    let after_delete = everything_readable(&server, &jun, room).await;
    for gone in ["hunter2", "********", "never mind"] {
        assert!(!after_delete.contains(gone), "{gone:?} is still readable:\n{after_delete}");
    }
    assert!(after_delete.contains("unrelated and kept"), "other messages are untouched");
    assert!(after_delete.contains(&format!("{:?}", RoomEvent::Deleted { id: message })), "the delete stays in the log");
}
