//! Direct conversations: one room per pair of people, found again (never made
//! twice) whoever opens it and however many times at once, named after the
//! other person in each one's list with its newest message, and closed to
//! everyone else.

mod common;

use common::{call_as, get_as, rename, share_seen, Client, Session, TestServer};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::http::{Profile, RoomKind, RoomSummary};
use hanmadi_protocol::limits::{LAST_MESSAGE_LISTED_CHARS, MAX_MESSAGE_CHARS};
use hanmadi_protocol::{
    Action, ActionKey, ClientFrame, MessageId, Outcome, RejectCode, RoomEvent, RoomId, Seq, ServerFrame, UserId,
};
use reqwest::Method;

fn opened(outcome: Outcome) -> (RoomId, Option<Seq>) {
    match outcome {
        Outcome::Applied { room, seq, .. } => (room, seq),
        other => panic!("not opened: {other:?}"),
    }
}

fn refused(outcome: Outcome) -> RejectCode {
    match outcome {
        Outcome::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn listed(server: &TestServer, who: &Session, room: RoomId) -> Option<RoomSummary> {
    let (status, body) = get_as(server, who, "/api/rooms").await;
    assert_eq!(status, 200);
    serde_json::from_value::<Vec<RoomSummary>>(body).unwrap().into_iter().find(|r| r.id == room)
}

async fn answer(tab: &mut Client, key: &ActionKey) -> Outcome {
    tab.recv_until(|frame| match frame {
        ServerFrame::Ack { key: acked, outcome } if acked == key => Some(outcome.clone()),
        _ => None,
    })
    .await
}

async fn direct_rooms(server: &TestServer) -> i64 {
    let counted: (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM rooms WHERE kind = 'direct'")
        .fetch_one(&server.database().await)
        .await
        .unwrap();
    counted.0
}

#[tokio::test]
async fn a_conversation_between_mina_and_jun_is_found_again_not_made_twice() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;

    let (room, seq) = opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await);
    assert!(seq.is_some(), "a new room");
    jun_tab.recv_until(|frame| matches!(frame, ServerFrame::RoomListStale {}).then_some(())).await;
    assert_eq!(opened(jun_tab.act(Action::OpenDirect { with: mina.user.id }).await), (room, None), "Jun finds it");
    assert_eq!(opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await), (room, None), "so does Mina");
    assert_eq!(direct_rooms(&server).await, 1);

    // Each sees it named after the other, with nothing unread yet.
    let minas = listed(&server, &mina, room).await.expect("in Mina's list");
    assert_eq!((minas.name.as_str(), minas.kind, minas.unread), ("Jun", RoomKind::Direct, 0));
    assert_eq!(minas.with, Some(Profile { id: jun.user.id, name: "Jun".into() }));
    let juns = listed(&server, &jun, room).await.expect("in Jun's list");
    assert_eq!((juns.name.as_str(), juns.member), ("Mina", true));

    // They talk; Jun finds it by search under Mina's name.
    jun_tab.resume(room, Seq::ZERO).await;
    let sent = mina_tab
        .act(Action::SendMessage { room, text: "저녁 먹었어?".into(), reply_to: None, attachments: Vec::new() })
        .await;
    assert!(matches!(sent, Outcome::Applied { .. }), "{sent:?}");
    let (r, _, event) = jun_tab.next_event().await;
    assert_eq!((r, common::text_of(&event)), (room, "저녁 먹었어?"));
    let (_, found) = get_as(&server, &jun, "/api/search?q=%EC%A0%80%EB%85%81").await;
    assert_eq!(found["hits"][0]["room_name"], "Mina", "{found}");

    // A direct room keeps its shape: no new name, no leaving, no invites.
    assert_eq!(refused(mina_tab.act(Action::RenameRoom { room, name: "우리".into() }).await), RejectCode::Forbidden);
    assert_eq!(refused(jun_tab.act(Action::LeaveRoom { room }).await), RejectCode::Forbidden);
    let (status, _) = call_as(&server, &mina, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn both_opening_it_at_once_find_one_room() {
    let server = TestServer::start().await;
    for round in 0..5 {
        let mina = server.sign_up("Mina").await;
        let jun = server.sign_up("Jun").await;
        let mut mina_tab = server.connect(&mina).await;
        let mut jun_tab = server.connect(&jun).await;
        let mina_key = mina_tab.new_key();
        let jun_key = jun_tab.new_key();
        // Both frames leave before either answer is read.
        let to_jun = Action::OpenDirect { with: jun.user.id };
        mina_tab.send(&ClientFrame::Action { key: mina_key.clone(), action: to_jun }).await;
        let to_mina = Action::OpenDirect { with: mina.user.id };
        jun_tab.send(&ClientFrame::Action { key: jun_key.clone(), action: to_mina }).await;
        let (minas, juns) = tokio::join!(answer(&mut mina_tab, &mina_key), answer(&mut jun_tab, &jun_key));
        let (minas, juns) = (opened(minas), opened(juns));
        assert_eq!(minas.0, juns.0, "round {round}: one room");
        assert!(minas.1.is_some() != juns.1.is_some(), "round {round}: made once: {minas:?} {juns:?}");
        assert_eq!(direct_rooms(&server).await, round + 1);
    }
}

#[tokio::test]
async fn sora_can_neither_join_nor_read_their_conversation() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut sora_tab = server.connect(&sora).await;
    let (room, _) = opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await);
    mina_tab.act(Action::SendMessage { room, text: "비밀이야".into(), reply_to: None, attachments: Vec::new() }).await;

    assert_eq!(refused(sora_tab.act(Action::JoinRoom { room }).await), RejectCode::NotFound);
    let sent = Action::SendMessage { room, text: "안녕".into(), reply_to: None, attachments: Vec::new() };
    assert_eq!(refused(sora_tab.act(sent).await), RejectCode::NotFound);
    for path in ["messages", "events", "members"] {
        let (status, _) = get_as(&server, &sora, &format!("/api/rooms/{room}/{path}")).await;
        assert_eq!(status, 404, "{path}");
    }
    assert!(listed(&server, &sora, room).await.is_none(), "not in Sora's list");
    let (_, found) = get_as(&server, &sora, "/api/search?q=%EB%B9%84%EB%B0%80").await;
    assert_eq!(found["hits"].as_array().map(Vec::len), Some(0), "{found}");
    sora_tab.send(&ClientFrame::Resume { cursors: vec![hanmadi_protocol::Cursor { room, after: Seq::ZERO }] }).await;
    assert_eq!(sora_tab.recv().await, ServerFrame::NotMember { room }, "not followed");

    // Sora's own conversation with Mina is another room.
    let (own, _) = opened(sora_tab.act(Action::OpenDirect { with: mina.user.id }).await);
    assert_ne!(own, room);
    assert_eq!(refused(sora_tab.act(Action::OpenDirect { with: sora.user.id }).await), RejectCode::Invalid);
    assert_eq!(refused(sora_tab.act(Action::OpenDirect { with: UserId(999_999) }).await), RejectCode::NotFound);
}

/// Sends `text` with the uploads `files` (names) as `who`; the new message's id.
async fn say(
    server: &TestServer,
    who: &Session,
    tab: &mut Client,
    room: RoomId,
    text: &str,
    files: &[&str],
) -> MessageId {
    let mut attachments = Vec::new();
    for (n, name) in files.iter().enumerate() {
        let response = reqwest::Client::new()
            .post(server.http("/api/attachments"))
            .query(&[("name", name)])
            .bearer_auth(&who.token)
            .body(format!("file {n} of {text}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        attachments.push(response.json::<Attachment>().await.unwrap().id);
    }
    match tab.act(Action::SendMessage { room, text: text.into(), reply_to: None, attachments }).await {
        Outcome::Applied { message: Some(id), .. } => id,
        other => panic!("not sent: {other:?}"),
    }
}

/// What Mina's list shows under Jun's name: who wrote what, and its files.
async fn preview(server: &TestServer, mina: &Session, room: RoomId) -> Option<(UserId, String, u32, Option<String>)> {
    let last = listed(server, mina, room).await.expect("in Mina's list").last?;
    Some((last.author, last.text, last.files, last.first_file))
}

#[tokio::test]
async fn mina_s_list_shows_the_newest_message_of_her_conversation_with_jun_and_of_her_rooms_as_it_stands() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let (room, _) = opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await);
    assert_eq!(preview(&server, &mina, room).await, None, "nothing said yet");

    say(&server, &mina, &mut mina_tab, room, "Dinner at 7?", &[]).await;
    let photos = say(&server, &jun, &mut jun_tab, room, "", &["forest.jpg", "lake.jpg"]).await;
    assert_eq!(preview(&server, &mina, room).await, Some((jun.user.id, String::new(), 2, Some("forest.jpg".into()))));

    let sure = say(&server, &jun, &mut jun_tab, room, "Sure", &[]).await;
    jun_tab.act(Action::EditMessage { room, message: sure, text: "Sure, see you there".into() }).await;
    assert_eq!(preview(&server, &mina, room).await, Some((jun.user.id, "Sure, see you there".into(), 0, None)));

    // Deleted, the message before it is the newest still there.
    jun_tab.act(Action::DeleteMessage { room, message: sure }).await;
    let (_, _, _, first_file) = preview(&server, &mina, room).await.expect("the photos");
    assert_eq!(first_file.as_deref(), Some("forest.jpg"));
    jun_tab.act(Action::DeleteMessage { room, message: photos }).await;
    assert_eq!(preview(&server, &mina, room).await, Some((mina.user.id, "Dinner at 7?".into(), 0, None)));

    // A room of hers that is not a direct one shows its newest message
    // too, its author named as they said it (as the room shows them); a
    // room she is not in, none.
    let lobby = mina_tab.create_room("lobby").await;
    jun_tab.act(Action::JoinRoom { room: lobby }).await;
    say(&server, &jun, &mut jun_tab, lobby, "hello", &[]).await;
    assert_eq!(rename(&server, &jun, "Junho").await, 200);
    let newest = listed(&server, &mina, lobby).await.and_then(|lobby| lobby.last).expect("the lobby's newest");
    assert_eq!((newest.author, newest.author_name.as_str(), newest.text.as_str()), (jun.user.id, "Jun", "hello"));
    let sora = server.sign_up("Sora").await;
    let not_hers = listed(&server, &sora, lobby).await.expect("listed to everyone");
    assert_eq!(not_hers.last, None);

    // Page by page, each conversation's comes with its own page.
    let page = |after: u64| {
        let (server, mina) = (&server, &mina);
        async move {
            let (_, body) = get_as(server, mina, &format!("/api/rooms?after={after}&limit=1")).await;
            serde_json::from_value::<Vec<RoomSummary>>(body).unwrap().remove(0)
        }
    };
    let (conversation, lobby_page) = (page(room.0 - 1).await, page(room.0).await);
    assert_eq!(conversation.last.map(|last| last.text), Some("Dinner at 7?".into()));
    assert_eq!((lobby_page.id, lobby_page.last.map(|last| last.text)), (lobby, Some("hello".into())));

    // However long, a message is listed by its start alone.
    let long = "가".repeat(MAX_MESSAGE_CHARS);
    say(&server, &jun, &mut jun_tab, lobby, &long, &[]).await;
    let newest = listed(&server, &mina, lobby).await.and_then(|lobby| lobby.last).expect("the lobby's newest");
    assert_eq!(newest.text, long[..3 * LAST_MESSAGE_LISTED_CHARS]);
}

/// The next time this connection is told what the other person has seen.
async fn next_seen(tab: &mut Client) -> (RoomId, Seq) {
    tab.recv_until(|frame| match frame {
        ServerFrame::Seen { room, seq } => Some((*room, *seq)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn when_jun_reads_their_conversation_minas_tabs_and_list_say_he_has_seen_it() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut mina_phone = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let (room, _) = opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await);
    say(&server, &mina, &mut mina_tab, room, "Dinner at 7?", &[]).await;
    let head = listed(&server, &mina, room).await.expect("in Mina's list").head;
    let seen_before = listed(&server, &mina, room).await.expect("in Mina's list").seen;
    assert!(seen_before < head, "not read yet: {seen_before:?} of {head:?}");

    jun_tab.send(&ClientFrame::Read { room, seq: head }).await;
    assert_eq!(next_seen(&mut mina_tab).await, (room, head));
    assert_eq!(next_seen(&mut mina_phone).await, (room, head));
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, head);
    // Jun's own list says where Mina has read, not where he has.
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").seen, seen_before);

    // In a room that is not a direct one, what each reads is their own
    // affair. Had Mina been told, it would come before Jun's next message:
    // his frames are handled in order, and hers handed to her in order.
    let lobby = mina_tab.create_room("lobby").await;
    mina_tab.resume(lobby, Seq::ZERO).await;
    jun_tab.act(Action::JoinRoom { room: lobby }).await;
    say(&server, &mina, &mut mina_tab, lobby, "hello all", &[]).await;
    let lobby_head = listed(&server, &mina, lobby).await.expect("hers").head;
    jun_tab.send(&ClientFrame::Read { room: lobby, seq: lobby_head }).await;
    say(&server, &jun, &mut jun_tab, lobby, "hi", &[]).await;
    mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Seen { .. } => panic!("told what was seen in a group room: {frame:?}"),
            ServerFrame::Event { event: RoomEvent::Message { text, .. }, .. } => (text == "hi").then_some(()),
            _ => None,
        })
        .await;
    assert_eq!(listed(&server, &mina, lobby).await.expect("hers").seen, Seq::ZERO);
}

/// Mina and Jun in their direct conversation, each with a tab following it.
struct Talking {
    mina: Session,
    jun: Session,
    mina_tab: Client,
    jun_tab: Client,
    room: RoomId,
}

async fn talking(server: &TestServer) -> Talking {
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let (room, _) = opened(mina_tab.act(Action::OpenDirect { with: jun.user.id }).await);
    mina_tab.resume(room, Seq::ZERO).await;
    jun_tab.resume(room, Seq::ZERO).await;
    Talking { mina, jun, mina_tab, jun_tab, room }
}

/// Jun reads up to `seq`, then says `text`: `tab` (Mina's) hears his message,
/// and whether it was told what he had seen before it. (His frames are
/// handled in order, and hers handed to her in order.)
async fn jun_reads_then_says(
    jun_tab: &mut Client,
    tab: &mut Client,
    room: RoomId,
    seq: Seq,
    text: &str,
) -> Option<Seq> {
    jun_tab.send(&ClientFrame::Read { room, seq }).await;
    jun_tab.act(Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() }).await;
    let mut told = None;
    tab.recv_until(|frame| match frame {
        ServerFrame::Seen { room: seen_in, seq } if *seen_in == room => {
            told = Some(*seq);
            None
        }
        ServerFrame::Event { event: RoomEvent::Message { text: said, .. }, .. } => (said == text).then_some(()),
        _ => None,
    })
    .await;
    told
}

#[tokio::test]
async fn when_jun_keeps_what_he_read_to_himself_neither_he_nor_mina_is_told_what_was_seen_until_he_shares_it_again() {
    let server = TestServer::start().await;
    let Talking { mina, jun, mut mina_tab, mut jun_tab, room } = talking(&server).await;
    assert_eq!(get_as(&server, &jun, "/api/me/settings").await, (200, serde_json::json!({ "shares_seen": true })));
    let signed_up: serde_json::Value = reqwest::Client::new()
        .post(server.http("/api/session"))
        .json(&serde_json::json!({ "name": "Hana" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(signed_up["settings"], serde_json::json!({ "shares_seen": true }), "a new session carries the defaults");
    // While both share, she is told how far he has read.
    say(&server, &mina, &mut mina_tab, room, "Hi Jun", &[]).await;
    let hi = listed(&server, &mina, room).await.expect("in Mina's list").head;
    assert_eq!(jun_reads_then_says(&mut jun_tab, &mut mina_tab, room, hi, "Hi Mina").await, Some(hi));

    // A setting that is not a yes or a no changes nothing.
    assert_eq!(share_seen(&server, &jun, serde_json::json!("no")).await.0, 422);
    assert_eq!(
        share_seen(&server, &jun, serde_json::json!(false)).await,
        (200, serde_json::json!({ "shares_seen": false }))
    );
    assert_eq!(get_as(&server, &jun, "/api/me/settings").await.1, serde_json::json!({ "shares_seen": false }));
    // His sessions are issued with it from now on.
    let (status, refreshed) = call_as(&server, &jun, Method::POST, "/api/session/refresh").await;
    assert_eq!(status, 200);
    assert_eq!(refreshed["settings"], serde_json::json!({ "shares_seen": false }));
    let jun = Session { token: refreshed["token"].as_str().unwrap().to_owned(), ..jun };

    // He reads what she said: she is not told, now or in her list.
    say(&server, &mina, &mut mina_tab, room, "Dinner at 7?", &[]).await;
    let asked = listed(&server, &mina, room).await.expect("in Mina's list").head;
    assert_eq!(jun_reads_then_says(&mut jun_tab, &mut mina_tab, room, asked, "Sure").await, None);
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, Seq::ZERO);
    // His own position moves as ever, for his unread counts.
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").read, asked);
    // Nor is he told how far she has read.
    let answered = listed(&server, &jun, room).await.expect("in Jun's list").head;
    mina_tab.send(&ClientFrame::Read { room, seq: answered }).await;
    say(&server, &mina, &mut mina_tab, room, "See you there", &[]).await;
    jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::Seen { .. } => panic!("told what Mina has seen: {frame:?}"),
            ServerFrame::Event { event: RoomEvent::Message { text, .. }, .. } => {
                (text == "See you there").then_some(())
            }
            _ => None,
        })
        .await;
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").seen, Seq::ZERO);

    // He shares it again: what either read meanwhile stays unsaid, in both
    // lists (hers says how far he had read while he shared); what he reads
    // next, she is told.
    assert_eq!(share_seen(&server, &jun, serde_json::json!(true)).await.0, 200);
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, hi);
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").seen, Seq::ZERO);
    let head = listed(&server, &mina, room).await.expect("in Mina's list").head;
    assert_eq!(jun_reads_then_says(&mut jun_tab, &mut mina_tab, room, head, "Bringing wine").await, Some(head));
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, head);
    let wine = listed(&server, &jun, room).await.expect("in Jun's list").head;
    mina_tab.send(&ClientFrame::Read { room, seq: wine }).await;
    assert_eq!(next_seen(&mut jun_tab).await, (room, wine));
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").seen, wine);

    // Mina keeps hers to herself: neither list says it any more, and Jun's
    // reading is not told to her.
    assert_eq!(share_seen(&server, &mina, serde_json::json!(false)).await.0, 200);
    assert_eq!(listed(&server, &jun, room).await.expect("in Jun's list").seen, Seq::ZERO);
    let head = listed(&server, &mina, room).await.expect("in Mina's list").head;
    assert_eq!(jun_reads_then_says(&mut jun_tab, &mut mina_tab, room, head, "Or beer?").await, None);
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, Seq::ZERO);
}

#[tokio::test]
async fn how_far_jun_had_read_before_the_upgrade_is_still_said_after_it() {
    let server = TestServer::start().await;
    let Talking { mina, jun, mut mina_tab, mut jun_tab, room } = talking(&server).await;
    say(&server, &mina, &mut mina_tab, room, "Before the upgrade", &[]).await;
    let head = listed(&server, &mina, room).await.expect("in Mina's list").head;
    assert_eq!(jun_reads_then_says(&mut jun_tab, &mut mina_tab, room, head, "Read it").await, Some(head));
    drop((mina_tab, jun_tab));
    let database = server.stop().await;
    // Taken back to how it was before anyone could keep it to themselves.
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    sqlx::query("ALTER TABLE memberships DROP COLUMN shared_read_seq").execute(&pool).await.unwrap();
    sqlx::query("ALTER TABLE users DROP COLUMN shares_seen").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 14").execute(&pool).await.unwrap();
    pool.close().await;

    let server = TestServer::start_on(database, |_| {}).await;
    assert_eq!(listed(&server, &mina, room).await.expect("in Mina's list").seen, head);
    assert_eq!(get_as(&server, &jun, "/api/me/settings").await.1, serde_json::json!({ "shares_seen": true }));
}
