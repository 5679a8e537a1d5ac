//! Private rooms: listed to and read by their members alone. To anyone else a
//! private room answers, on every path, exactly as a room that does not
//! exist, so its id cannot be probed; public rooms stay as open as before.

mod common;

use common::{call_as, get_as, text_of, Client, Session, TestServer};
use hanmadi_protocol::http::{RoomKind, RoomSummary};
use hanmadi_protocol::{
    Action, AttachmentId, ClientFrame, Cursor, ErrorCode, MessageId, Outcome, RejectCode, RoomEvent, RoomId, Seq,
    ServerFrame,
};
use reqwest::Method;
use tokio_tungstenite::tungstenite::Message;

async fn rooms_of(server: &TestServer, who: &Session) -> Vec<RoomSummary> {
    let (status, body) = get_as(server, who, "/api/rooms").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

fn refusal(outcome: Outcome) -> (RejectCode, String) {
    match outcome {
        Outcome::Rejected { code, message, .. } => (code, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The error a resume of `room` gets on `tab`.
async fn resume_refused(tab: &mut Client, room: RoomId) {
    tab.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: Seq::ZERO }] }).await;
    assert_eq!(tab.recv().await, ServerFrame::NotMember { room }, "not followed: not hers");
}

/// Every frame `tab` is sent until the answer to a ping: what it heard meanwhile.
async fn frames_until_pong(tab: &mut Client, nonce: u64) -> Vec<ServerFrame> {
    tab.send(&ClientFrame::Ping { nonce }).await;
    let mut heard = Vec::new();
    tab.recv_until(|frame| match frame {
        ServerFrame::Pong { nonce: n } if *n == nonce => Some(()),
        other => {
            heard.push(other.clone());
            None
        }
    })
    .await;
    heard
}

/// Mina's two rooms, for the stories of Jun leaving one: the lobby he
/// leaves, and the garden he stays in, where what reaches him comes after
/// anything of the lobby that would.
struct Leaving {
    mina: Session,
    jun: Session,
    mina_tab: Client,
    room: RoomId,
    still_his: RoomId,
}

impl Leaving {
    async fn start(server: &TestServer) -> Self {
        let mina = server.sign_up("Mina").await;
        let jun = server.sign_up("Jun").await;
        let mut mina_tab = server.connect(&mina).await;
        let room = mina_tab.create_room("lobby").await;
        let still_his = mina_tab.create_room("garden").await;
        Leaving { mina, jun, mina_tab, room, still_his }
    }
}

/// Reads `tab` until `marker` is said elsewhere, failing on anything of
/// `room` on the way: said after what was said in `room`, it shows the
/// connection follows `room` no more.
async fn hears_nothing_of_until(tab: &mut Client, room: RoomId, marker: &str) {
    tab.recv_until(|frame| match frame {
        ServerFrame::Event { room: r, event, .. } if *r != room && text_of(event) == marker => Some(()),
        other if about(other) == Some(room) => panic!("still following room {room}: {other:?}"),
        _ => None,
    })
    .await
}

/// The room a frame of the room's own stream is about.
fn about(frame: &ServerFrame) -> Option<RoomId> {
    match frame {
        ServerFrame::Event { room, .. }
        | ServerFrame::CaughtUp { room, .. }
        | ServerFrame::Presence { room, .. }
        | ServerFrame::PresenceChanged { room, .. }
        | ServerFrame::Typing { room, .. }
        | ServerFrame::RoomListed { room, .. }
        | ServerFrame::ReadUpTo { room, .. } => Some(*room),
        _ => None,
    }
}

async fn upload(server: &TestServer, who: &Session, bytes: Vec<u8>) -> u64 {
    let response = reqwest::Client::new()
        .post(server.http("/api/attachments?name=plan.bin"))
        .bearer_auth(&who.token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<serde_json::Value>().await.unwrap()["id"].as_u64().unwrap()
}

#[tokio::test]
async fn a_private_room_is_invisible_and_unreadable_to_an_outsider_on_every_path() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut sora_tab = server.connect(&sora).await;
    let room = mina_tab.create_private_room("깜짝 파티").await;
    mina_tab.resume(room, Seq::ZERO).await;
    let file = upload(&server, &mina, vec![7; 100]).await;
    let sent = mina_tab
        .act(Action::SendMessage {
            room,
            text: "케이크 계획".into(),
            reply_to: None,
            attachments: vec![AttachmentId(file)],
        })
        .await;
    let Outcome::Applied { message: Some(message), .. } = sent else { panic!("not sent: {sent:?}") };
    let nowhere = RoomId(room.0 + 1000);

    // The rooms list: Mina's says it is private; Sora's has no trace of it.
    let minas = rooms_of(&server, &mina).await;
    assert_eq!(minas.iter().find(|r| r.id == room).map(|r| r.kind), Some(RoomKind::Private));
    assert!(rooms_of(&server, &sora).await.iter().all(|r| r.id != room), "not listed to an outsider");

    // Every read path: 404, worded as for a room that does not exist.
    for path in ["messages", "events", "members", "invites"] {
        for (id, what) in [(room, "the private room"), (nowhere, "no room at all")] {
            let (status, body) = get_as(&server, &sora, &format!("/api/rooms/{id}/{path}")).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (404, Some(&*format!("there is no room {id}"))),
                "{path} of {what}"
            );
        }
    }
    let (status, found) = get_as(&server, &sora, "/api/search?q=%EA%B3%84%ED%9A%8D").await;
    assert_eq!((status, found["hits"].as_array().map(Vec::len)), (200, Some(0)), "search: {found}");
    let (_, found) = get_as(&server, &mina, "/api/search?q=%EA%B3%84%ED%9A%8D").await;
    assert_eq!(found["hits"].as_array().map(Vec::len), Some(1), "Mina finds her own: {found}");
    let (status, _) = get_as(&server, &sora, &format!("/api/attachments/{file}")).await;
    assert_eq!(status, 404, "the file sent there");

    // The socket: following, presence and read positions, as for no room.
    resume_refused(&mut sora_tab, room).await;
    resume_refused(&mut sora_tab, nowhere).await;
    sora_tab.send(&ClientFrame::Read { room, seq: Seq(1) }).await;
    assert!(matches!(sora_tab.recv().await, ServerFrame::Error { code: ErrorCode::Forbidden, .. }));
    sora_tab.send(&ClientFrame::Typing { room }).await;
    let heard = frames_until_pong(&mut sora_tab, 1).await;
    assert!(heard.iter().all(|frame| about(frame) != Some(room)), "nothing of the room reaches Sora: {heard:?}");
    let heard = frames_until_pong(&mut mina_tab, 2).await;
    assert!(!heard.iter().any(|frame| matches!(frame, ServerFrame::Typing { .. })), "Sora's typing is not relayed");

    // Every action: not_found, in the same words as for no room.
    let actions = |room: RoomId| {
        [
            Action::JoinRoom { room },
            Action::LeaveRoom { room },
            Action::RenameRoom { room, name: "우리 방".into() },
            Action::SendMessage { room, text: "나도!".into(), reply_to: None, attachments: Vec::new() },
            Action::EditMessage { room, message, text: "x".into() },
            Action::DeleteMessage { room, message },
            Action::AddReaction { room, message, emoji: "👍".into() },
            Action::RemoveReaction { room, message, emoji: "👍".into() },
        ]
    };
    for (private, missing) in actions(room).into_iter().zip(actions(nowhere)) {
        let kind = format!("{private:?}");
        assert_eq!(
            refusal(sora_tab.act(private).await),
            (RejectCode::NotFound, format!("there is no room {room}")),
            "{kind}"
        );
        let (code, _) = refusal(sora_tab.act(missing).await);
        assert_eq!(code, RejectCode::NotFound, "{kind} of no room");
    }
    let (_, members) = get_as(&server, &mina, &format!("/api/rooms/{room}/members")).await;
    assert_eq!(members.as_array().map(Vec::len), Some(1), "Sora never got in: {members}");
}

#[tokio::test]
async fn a_private_room_reaches_the_rooms_lists_of_its_members_alone() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut mina_phone = server.connect(&mina).await;
    let mut sora_tab = server.connect(&sora).await;

    let private = mina_tab.create_private_room("일기").await;
    let renamed = mina_tab.act(Action::RenameRoom { room: private, name: "비밀 일기".into() }).await;
    assert!(matches!(renamed, Outcome::Applied { .. }), "{renamed:?}");
    let public = mina_tab.create_room("광장").await;

    // Sora hears of the public room, and of nothing before it.
    let first = sora_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room, name } => Some((*room, name.clone())),
            ServerFrame::RoomListStale {} => panic!("nothing of Sora's changed"),
            _ => None,
        })
        .await;
    assert_eq!(first, (public, "광장".to_owned()));
    // Mina's other screen is told to fetch its list, which has the room.
    mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room, .. } if *room == private => panic!("a private room is never a delta"),
            ServerFrame::RoomListStale {} => Some(()),
            _ => None,
        })
        .await;
    let listed = rooms_of(&server, &mina).await;
    let mine = listed.iter().find(|r| r.id == private).expect("listed to its member");
    assert_eq!((mine.name.as_str(), mine.kind, mine.member), ("비밀 일기", RoomKind::Private, true));

    // Mina leaves it on one screen: the other fetches a list without it.
    assert!(matches!(mina_tab.act(Action::LeaveRoom { room: private }).await, Outcome::Applied { seq: Some(_), .. }));
    loop {
        mina_phone.recv_until(|frame| matches!(frame, ServerFrame::RoomListStale {}).then_some(())).await;
        // An earlier change may have been told first; the leave is told too.
        if rooms_of(&server, &mina).await.iter().all(|r| r.id != private) {
            break;
        }
    }
}

#[tokio::test]
async fn leaving_a_room_on_one_screen_stops_it_on_every_other() {
    let server = TestServer::start().await;
    let Leaving { mina, jun, mut mina_tab, room, still_his } = Leaving::start(&server).await;
    mina_tab.resume(room, Seq::ZERO).await;
    mina_tab.resume(still_his, Seq::ZERO).await;

    let mut jun_laptop = server.connect(&jun).await;
    let mut jun_phone = server.connect(&jun).await;
    for joined in [room, still_his] {
        assert!(matches!(jun_laptop.act(Action::JoinRoom { room: joined }).await, Outcome::Applied { .. }));
    }
    for tab in [&mut jun_laptop, &mut jun_phone] {
        tab.resume(room, Seq::ZERO).await;
        tab.resume(still_his, Seq::ZERO).await;
    }

    // He leaves the lobby on his laptop. His phone hears that he left, and
    // nothing more of it: not what is said there next, not Mina typing.
    assert!(matches!(jun_laptop.act(Action::LeaveRoom { room }).await, Outcome::Applied { seq: Some(_), .. }));
    let (_, _, left) = jun_phone.next_event().await;
    assert_eq!(left, RoomEvent::Left { user: jun.user.id, name: Some("Jun".into()) });
    mina_tab.send(&ClientFrame::Typing { room }).await;
    mina_tab.say(room, "after Jun left").await;
    mina_tab.say(still_his, "marker").await;
    hears_nothing_of_until(&mut jun_phone, room, "marker").await;

    // To Mina, he is no longer there, and his phone's typing does not reach her.
    let mut mina_phone = server.connect(&mina).await;
    mina_phone.resume(room, Seq::ZERO).await;
    let present = mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::Presence { members, .. } => Some(members.iter().map(|m| m.user).collect::<Vec<_>>()),
            _ => None,
        })
        .await;
    assert_eq!(present, [mina.user.id]);
    jun_phone.send(&ClientFrame::Typing { room }).await;
    jun_phone.send(&ClientFrame::Typing { room: still_his }).await;
    let typing_in = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Typing { room, .. } => Some(*room),
            _ => None,
        })
        .await;
    assert_eq!(typing_in, still_his, "typing in a room he left is not relayed");
}

#[tokio::test]
async fn a_room_whose_leave_never_reached_a_connection_stops_there_once_it_resumes_it() {
    let server = TestServer::start().await;
    let Leaving { jun, mut mina_tab, room, still_his, .. } = Leaving::start(&server).await;
    let mut jun_phone = server.connect(&jun).await;
    for joined in [room, still_his] {
        assert!(matches!(jun_phone.act(Action::JoinRoom { room: joined }).await, Outcome::Applied { .. }));
        jun_phone.resume(joined, Seq::ZERO).await;
    }
    // He is out of the lobby, and no `left` event told this node (as when
    // a node loses its bus): the phone, asked to resync, resumes the room.
    sqlx::query("DELETE FROM memberships WHERE room_id = $1 AND user_id = $2")
        .bind(room.0 as i64)
        .bind(jun.user.id.0 as i64)
        .execute(&server.database().await)
        .await
        .unwrap();
    resume_refused(&mut jun_phone, room).await;

    // Refused, it follows the room no more.
    mina_tab.say(room, "not for Jun").await;
    mina_tab.say(still_his, "marker").await;
    hears_nothing_of_until(&mut jun_phone, room, "marker").await;
}

#[tokio::test]
async fn a_public_room_stays_open_to_outsiders() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut sora_tab = server.connect(&sora).await;
    let room = mina_tab.create_room("광장").await;

    let listed = rooms_of(&server, &sora).await;
    let seen = listed.iter().find(|r| r.id == room).expect("listed to everyone");
    assert_eq!((seen.kind, seen.member), (RoomKind::Public, false));
    // Sora looks into it before joining: what was said, and who is in it.
    let said = Action::SendMessage { room, text: "어서 와요".into(), reply_to: None, attachments: Vec::new() };
    assert!(matches!(mina_tab.act(said).await, Outcome::Applied { .. }));
    let (status, page) = get_as(&server, &sora, &format!("/api/rooms/{room}/messages")).await;
    assert_eq!((status, page["messages"][0]["text"].as_str()), (200, Some("어서 와요")), "{page}");
    let (status, members) = get_as(&server, &sora, &format!("/api/rooms/{room}/members")).await;
    assert_eq!((status, members[0]["name"].as_str()), (200, Some("Mina")), "{members}");
    // Taking part, and following it live, take joining.
    let early = Action::SendMessage { room, text: "안녕".into(), reply_to: None, attachments: Vec::new() };
    let refused = sora_tab.act(early).await;
    assert!(matches!(refused, Outcome::Rejected { code: RejectCode::Forbidden, .. }), "{refused:?}");
    let said = MessageId(page["messages"][0]["id"].as_u64().expect("its id"));
    let react = Action::AddReaction { room, message: said, emoji: "👍".into() };
    let refused = sora_tab.act(react).await;
    assert!(matches!(refused, Outcome::Rejected { code: RejectCode::Forbidden, .. }), "{refused:?}");
    resume_refused(&mut sora_tab, room).await;
    let (status, body) = call_as(&server, &mina, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 409, "a public room needs no invite: {body}");
    assert!(matches!(sora_tab.act(Action::JoinRoom { room }).await, Outcome::Applied { seq: Some(_), .. }));
    let (replayed, _) = sora_tab.resume(room, Seq::ZERO).await;
    assert!(replayed.iter().any(|(_, event)| matches!(event, RoomEvent::Message { text, .. } if text == "어서 와요")));
}

#[tokio::test]
async fn an_old_apps_new_room_is_a_public_one() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut sora_tab = server.connect(&sora).await;

    // Exactly what an outbox saved before private rooms existed holds.
    let old = r#"{"type":"action","key":"saved-1","action":{"kind":"create_room","name":"예전 방"}}"#;
    mina_tab.send_raw(Message::text(old)).await;
    let outcome = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Ack { key, outcome } if key.as_str() == "saved-1" => Some(outcome.clone()),
            _ => None,
        })
        .await;
    let Outcome::Applied { room, .. } = outcome else { panic!("not created: {outcome:?}") };
    let heard = sora_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room, name } => Some((*room, name.clone())),
            _ => None,
        })
        .await;
    assert_eq!(heard, (room, "예전 방".to_owned()), "listed to everyone, as rooms always were");
}
