//! Two people chat: rooms, messages, edits, deletes, typing and presence, over
//! real sockets against the real server and a real SQLite file.

mod common;

use common::{text_of, TestServer, TwoInARoom};
use hanmadi_protocol::{
    Action, ClientFrame, Cursor, Member, Outcome, PresenceChange, RejectCode, RoomEvent, Seq, ServerFrame,
};

#[tokio::test]
async fn mina_and_jun_chat_in_a_new_room() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;

    let room = mina_tab.create_room("점심").await;
    let (history, head) = mina_tab.resume(room, Seq::ZERO).await;
    assert_eq!(head, Seq(2));
    assert!(matches!(&history[0].1, RoomEvent::Created { name, .. } if name == "점심"));
    assert!(matches!(&history[1].1, RoomEvent::Joined { name, .. } if name == "Mina"));

    // Jun, in no room yet, hears of the new room in his list.
    let listed = jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room: r, name } if *r == room => Some(name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(listed, "점심");
    assert!(matches!(jun_tab.act(Action::JoinRoom { room }).await, Outcome::Applied { seq: Some(Seq(3)), .. }));
    let (_, head) = jun_tab.resume(room, Seq::ZERO).await;
    assert_eq!(head, Seq(3));
    let (_, _, joined) = mina_tab.next_event().await;
    assert!(matches!(joined, RoomEvent::Joined { name, .. } if name == "Jun"));

    let outcome = mina_tab
        .act(Action::SendMessage { room, text: "뭐 먹을래?".into(), reply_to: None, attachments: Vec::new() })
        .await;
    let Outcome::Applied { seq: Some(seq), message: Some(message), .. } = outcome else { panic!("{outcome:?}") };
    let (r, s, event) = jun_tab.next_event().await;
    assert_eq!((r, s, text_of(&event)), (room, seq, "뭐 먹을래?"));

    // Jun types; Mina sees it; Jun does not see his own.
    jun_tab.send(&ClientFrame::Typing { room }).await;
    let typist = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Typing { name, .. } => Some(name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(typist, "Jun");

    let edited = mina_tab.act(Action::EditMessage { room, message, text: "뭐 먹을래요?".into() }).await;
    assert!(matches!(edited, Outcome::Applied { .. }), "{edited:?}");
    let (_, _, event) = jun_tab.next_event().await;
    assert_eq!(event, RoomEvent::Edited { id: message, text: "뭐 먹을래요?".into() });

    let not_yours = jun_tab.act(Action::DeleteMessage { room, message }).await;
    assert!(matches!(not_yours, Outcome::Rejected { code: RejectCode::Forbidden, .. }), "{not_yours:?}");

    let deleted = mina_tab.act(Action::DeleteMessage { room, message }).await;
    assert!(matches!(deleted, Outcome::Applied { .. }));
    let (_, _, event) = jun_tab.next_event().await;
    assert_eq!(event, RoomEvent::Deleted { id: message });
}

#[tokio::test]
async fn presence_shows_who_is_in_the_room() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, jun_tab, room } = server.mina_and_jun_in("general").await;
    let jun_came = PresenceChange::Joined { user: jun.user.id, name: "Jun".into() };
    assert_eq!(mina_tab.next_presence_change(room).await, jun_came, "one small frame, not the whole list");

    // A third tab resuming the room gets everyone in one snapshot.
    let mut mina_phone = server.connect(&mina).await;
    mina_phone.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: Seq::ZERO }] }).await;
    let snapshot = mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::Presence { members, .. } => Some(members.clone()),
            _ => None,
        })
        .await;
    let both =
        vec![Member { user: mina.user.id, name: "Mina".into() }, Member { user: jun.user.id, name: "Jun".into() }];
    assert_eq!(snapshot, both);

    drop(jun_tab);
    assert_eq!(mina_tab.next_presence_change(room).await, PresenceChange::Left { user: jun.user.id });
}

#[tokio::test]
async fn a_rename_reaches_sockets_already_open() {
    let server = TestServer::start().await;
    let TwoInARoom { jun, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("general").await;
    assert!(matches!(mina_tab.next_presence_change(room).await, PresenceChange::Joined { .. }));

    // Jun renames himself over HTTP while his socket stays open.
    rename(&server, &jun, "준").await;

    let renamed_in_presence = PresenceChange::Renamed { user: jun.user.id, name: "준".into() };
    assert_eq!(mina_tab.next_presence_change(room).await, renamed_in_presence);

    jun_tab.send(&ClientFrame::Typing { room }).await;
    let typing = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Typing { name, .. } => Some(name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(typing, "준");

    jun_tab
        .act(Action::SendMessage { room, text: "이름 바꿨어요".into(), reply_to: None, attachments: Vec::new() })
        .await;
    let author = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Event { event: RoomEvent::Message { author_name, .. }, .. } => Some(author_name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(author, "준", "messages sent on the old socket carry the new name");
}

#[tokio::test]
async fn a_room_followed_after_a_rename_hears_the_new_name() {
    let server = TestServer::start().await;
    let TwoInARoom { jun, mut mina_tab, mut jun_tab, .. } = server.mina_and_jun_in("general").await;
    rename(&server, &jun, "준").await;

    // Mina makes a second room; Jun's socket, opened under his old name, joins and follows it.
    let second = mina_tab.create_room("second").await;
    mina_tab.resume(second, Seq::ZERO).await;
    jun_tab.act(Action::JoinRoom { room: second }).await;
    jun_tab.send(&ClientFrame::Resume { cursors: vec![Cursor { room: second, after: Seq::ZERO }] }).await;
    let came = PresenceChange::Joined { user: jun.user.id, name: "준".into() };
    assert_eq!(mina_tab.next_presence_change(second).await, came);
}

/// `session`'s person renames themselves over HTTP.
async fn rename(server: &TestServer, session: &common::Session, name: &str) {
    let renamed = reqwest::Client::new()
        .patch(server.http("/api/me"))
        .bearer_auth(&session.token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert!(renamed.status().is_success());
}

#[tokio::test]
async fn typing_right_after_sending_a_message_is_relayed() {
    let server = TestServer::start().await;
    let TwoInARoom { mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("general").await;
    let typing_seen = |frame: &ServerFrame| matches!(frame, ServerFrame::Typing { .. }).then_some(());

    // Jun types and sends, then at once starts typing the next message.
    jun_tab.send(&ClientFrame::Typing { room }).await;
    mina_tab.recv_until(typing_seen).await;
    jun_tab.act(Action::SendMessage { room, text: "one".into(), reply_to: None, attachments: Vec::new() }).await;
    jun_tab.send(&ClientFrame::Typing { room }).await;
    mina_tab.recv_until(|frame| matches!(frame, ServerFrame::Event { .. }).then_some(())).await;
    mina_tab.recv_until(typing_seen).await;
}

#[tokio::test]
async fn messages_need_membership_and_valid_text() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let room = mina_tab.create_room("private-ish").await;

    let outsider =
        jun_tab.act(Action::SendMessage { room, text: "hi".into(), reply_to: None, attachments: Vec::new() }).await;
    assert!(matches!(outsider, Outcome::Rejected { code: RejectCode::Forbidden, .. }), "{outsider:?}");

    for bad in ["   ", "bell\u{7}", &"가".repeat(4001)] {
        let outcome =
            mina_tab.act(Action::SendMessage { room, text: bad.into(), reply_to: None, attachments: Vec::new() }).await;
        assert!(matches!(outcome, Outcome::Rejected { code: RejectCode::Invalid, .. }), "{outcome:?}");
    }
    let nowhere = mina_tab
        .act(Action::SendMessage {
            room: hanmadi_protocol::RoomId(999),
            text: "hi".into(),
            reply_to: None,
            attachments: Vec::new(),
        })
        .await;
    assert!(matches!(nowhere, Outcome::Rejected { code: RejectCode::NotFound, .. }), "{nowhere:?}");

    jun_tab.send(&ClientFrame::Resume { cursors: vec![hanmadi_protocol::Cursor { room, after: Seq::ZERO }] }).await;
    assert_eq!(jun_tab.recv().await, ServerFrame::NotMember { room });
}
