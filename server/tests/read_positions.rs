//! Where each person has read up to is kept on the server: a room read on one
//! tab is read on their other tabs and devices at once, and unread counts
//! come with the rooms list, so they survive reloads and restarts. Only
//! messages by others that are still there count as unread.

mod common;

use common::{Client, Session, TestServer, TwoInARoom};
use hanmadi_protocol::http::RoomSummary;
use hanmadi_protocol::{mention_token, Action, ClientFrame, ErrorCode, Outcome, RoomEvent, RoomId, Seq, ServerFrame};

/// Reports a read position and waits until the server has handled it: frames
/// are handled in order, so the answer to a ping sent after it comes after.
async fn read(tab: &mut Client, room: RoomId, seq: Seq) {
    tab.send(&ClientFrame::Read { room, seq }).await;
    until_pong(tab, 7).await;
}

async fn until_pong(tab: &mut Client, nonce: u64) {
    tab.send(&ClientFrame::Ping { nonce }).await;
    tab.recv_until(|frame| (*frame == ServerFrame::Pong { nonce }).then_some(())).await;
}

/// The next read position this connection is told about.
async fn next_read_up_to(tab: &mut Client) -> (RoomId, Seq) {
    tab.recv_until(|frame| match frame {
        ServerFrame::ReadUpTo { room, seq } => Some((*room, *seq)),
        _ => None,
    })
    .await
}

/// Reads until the message `text` arrives; fails if a read position is told
/// on the way. A position told before the message was written would have
/// come first: a connection is handed what waits for it in order.
async fn no_read_position_before(tab: &mut Client, text: &str) {
    tab.recv_until(|frame| match frame {
        ServerFrame::ReadUpTo { .. } => panic!("told a read position: {frame:?}"),
        ServerFrame::Event { event: RoomEvent::Message { text: said, .. }, .. } => (said == text).then_some(()),
        _ => None,
    })
    .await;
}

/// The room as `session`'s person sees it in the rooms list.
async fn listed(server: &TestServer, session: &Session, room: RoomId) -> RoomSummary {
    let response =
        reqwest::Client::new().get(server.http("/api/rooms")).bearer_auth(&session.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let rooms: Vec<RoomSummary> = response.json().await.unwrap();
    rooms.into_iter().find(|listed| listed.id == room).expect("the room is listed")
}

#[tokio::test]
async fn a_room_read_on_one_tab_is_read_on_her_other_tabs_and_no_one_elses() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    // Her phone follows no room yet: where she read up to concerns her, not the room.
    let mut mina_phone = server.connect(&mina).await;
    let seq = jun_tab.say(room, "밥 먹었어?").await.seq;

    mina_tab.send(&ClientFrame::Read { room, seq }).await;
    assert_eq!(next_read_up_to(&mut mina_phone).await, (room, seq));

    // Neither the tab that read nor Jun is told (each waits for the other's
    // next message: their own is read before its ack).
    jun_tab.say(room, "아직이야").await;
    no_read_position_before(&mut mina_tab, "아직이야").await;
    mina_tab.say(room, "나도").await;
    no_read_position_before(&mut jun_tab, "나도").await;
}

#[tokio::test]
async fn read_positions_come_with_the_rooms_list_and_survive_a_restart() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, mut jun_tab, room } = server.mina_and_jun_in("lunch").await;
    let first = jun_tab.say(room, "one").await.seq;
    let deleted = jun_tab.say(room, "two, taken back").await.message;
    jun_tab.say(room, "three").await;
    mina_tab.say(room, "mine").await;
    jun_tab.act(Action::DeleteMessage { room, message: deleted }).await;
    let head = listed(&server, &mina, room).await.head;

    read(&mut mina_tab, room, first).await;
    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.read, mina_sees.unread), (first, 1), "\"three\": not her own, not the deleted one");
    let jun_sees = listed(&server, &jun, room).await;
    assert_eq!(jun_sees.unread, 1, "Mina's message; his own never count");

    read(&mut mina_tab, room, Seq(u64::MAX)).await;
    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.read, mina_sees.unread), (head, 0), "past the head is the head");
    read(&mut mina_tab, room, first).await;
    assert_eq!(listed(&server, &mina, room).await.read, head, "an older report never moves it back");

    drop((mina_tab, jun_tab));
    let server = TestServer::start_on(server.stop().await, |_| {}).await;
    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.read, mina_sees.unread), (head, 0), "kept across the restart");
    let mut jun_tab = server.connect(&jun).await;
    jun_tab.say(room, "after the restart").await;
    assert_eq!(listed(&server, &mina, room).await.unread, 1);
}

#[tokio::test]
async fn unread_messages_that_mention_her_are_counted_apart_by_her_id() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, mut jun_tab, room } = server.mina_and_jun_in("lunch").await;
    let at_mina = mention_token(mina.user.id);
    let first = jun_tab.say(room, &format!("{at_mina} lunch?")).await.seq;
    let plain = jun_tab.say(room, "or later").await.message;
    let taken_back = jun_tab.say(room, &format!("{at_mina} never mind")).await.message;
    jun_tab.act(Action::DeleteMessage { room, message: taken_back }).await;
    jun_tab.say(room, &format!("{} and you?", mention_token(jun.user.id))).await;
    mina_tab.say(room, &format!("note to self {at_mina}")).await;

    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.unread, mina_sees.mentions), (3, 1), "his first; not the deleted one, his own, or hers");
    assert_eq!(listed(&server, &jun, room).await.mentions, 0, "mentioning himself is not a mention of him");

    read(&mut mina_tab, room, first).await;
    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.unread, mina_sees.mentions), (2, 0), "read, so no longer counted");
    jun_tab.act(Action::EditMessage { room, message: plain, text: format!("or later, {at_mina}?") }).await;
    assert_eq!(listed(&server, &mina, room).await.mentions, 1, "an edit that mentions her counts");
}

#[tokio::test]
async fn a_mention_typed_inside_code_counts_for_no_one_as_the_app_draws_it() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let at_mina = mention_token(mina.user.id);
    jun_tab.say(room, &format!("to mention someone, type `{at_mina}`")).await;
    jun_tab.say(room, &format!("or a block:\n```\nping {at_mina}\n```")).await;
    let mentioned = jun_tab.say(room, &format!("*{at_mina}*, lunch? {at_mina}")).await.message;
    assert_eq!(listed(&server, &mina, room).await.mentions, 1, "only the one the app shows as a mention");

    let code = format!("lunch? `{at_mina}`");
    jun_tab.act(Action::EditMessage { room, message: mentioned, text: code }).await;
    assert_eq!(listed(&server, &mina, room).await.mentions, 0, "edited into code, a mention no longer");
    jun_tab.act(Action::EditMessage { room, message: mentioned, text: format!("lunch, {at_mina}?") }).await;
    assert_eq!(listed(&server, &mina, room).await.mentions, 1, "and out of it again");

    let database = server.database().await;
    jun_tab.act(Action::DeleteMessage { room, message: mentioned }).await;
    let kept: Option<String> = sqlx::query_scalar("SELECT mentioned FROM messages WHERE id = $1")
        .bind(mentioned.0 as i64)
        .fetch_one(&database)
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some(""), "a deleted message keeps no trace of whom it mentioned");
    assert_eq!(listed(&server, &mina, room).await.mentions, 0, "nor counts");

    // A message kept from before the server read mentions (migration 0013)
    // is counted by the token in its text, as it was then.
    let older = jun_tab.say(room, &format!("{at_mina}, from before")).await.message;
    sqlx::query("UPDATE messages SET mentioned = NULL WHERE id = $1")
        .bind(older.0 as i64)
        .execute(&database)
        .await
        .unwrap();
    assert_eq!(listed(&server, &mina, room).await.mentions, 1, "counted by its text");
}

#[tokio::test]
async fn a_read_in_a_room_one_is_not_in_is_refused_and_the_connection_carries_on() {
    let server = TestServer::start().await;
    let TwoInARoom { mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let seq = jun_tab.say(room, "members only").await.seq;
    let hoon = server.sign_up("Hoon").await;
    let mut hoon_tab = server.connect(&hoon).await;

    for room in [room, RoomId(room.0 + 1000)] {
        hoon_tab.send(&ClientFrame::Read { room, seq }).await;
        let refused = hoon_tab.recv().await;
        assert!(matches!(refused, ServerFrame::Error { code: ErrorCode::Forbidden, .. }), "{refused:?}");
    }
    until_pong(&mut hoon_tab, 1).await;
    let hoon_sees = listed(&server, &hoon, room).await;
    assert_eq!((hoon_sees.member, hoon_sees.read, hoon_sees.unread), (false, Seq::ZERO, 0));
}

/// A client that says again and again where it read (a bug, or a flood)
/// costs the database nothing after the first: a report no further than
/// what is kept is dropped by her connection. Shown while another writer
/// holds the database: her repeat is answered at once, where a write would
/// wait for that writer (and be refused after SQLite's busy timeout).
#[tokio::test]
async fn a_read_position_said_again_costs_no_write() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let seq = jun_tab.say(room, "밥 먹었어?").await.seq;
    read(&mut mina_tab, room, seq).await;

    let database = server.database().await;
    let mut other_writer = database.acquire().await.unwrap();
    let hold = if server.database_url().starts_with("sqlite") {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN; LOCK TABLE memberships IN EXCLUSIVE MODE"
    };
    sqlx::raw_sql(hold).execute(&mut *other_writer).await.unwrap();
    for _ in 0..3 {
        read(&mut mina_tab, room, seq).await;
    }
    sqlx::raw_sql("ROLLBACK").execute(&mut *other_writer).await.unwrap();

    // A report further than the last is still kept.
    let answer = jun_tab.say(room, "아직").await.seq;
    read(&mut mina_tab, room, answer).await;
    assert_eq!(listed(&server, &mina, room).await.read, answer);
}

/// What her connection knew of a room she has since left is forgotten: a
/// read she reports there is refused again, as for anyone not in the room.
#[tokio::test]
async fn a_read_reported_again_after_leaving_is_refused() {
    let server = TestServer::start().await;
    let TwoInARoom { mut mina_tab, mut jun_tab, room, .. } = server.mina_and_jun_in("lunch").await;
    let seq = jun_tab.say(room, "밥 먹었어?").await.seq;
    read(&mut mina_tab, room, seq).await;
    assert!(matches!(mina_tab.act(Action::LeaveRoom { room }).await, Outcome::Applied { .. }));

    mina_tab.send(&ClientFrame::Read { room, seq }).await;
    let refused = mina_tab.recv_until(|frame| matches!(frame, ServerFrame::Error { .. }).then(|| frame.clone())).await;
    assert!(matches!(refused, ServerFrame::Error { code: ErrorCode::Forbidden, .. }), "{refused:?}");
}

#[tokio::test]
async fn a_newcomer_starts_with_nothing_unread_however_long_the_history() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_room("long story").await;
    for n in 1..=5 {
        mina_tab.say(room, &format!("chapter {n}")).await;
    }
    assert_eq!(listed(&server, &mina, room).await.unread, 0, "the one who made it has read all of it");

    let mut jun_tab = server.connect(&jun).await;
    let joined = match jun_tab.act(Action::JoinRoom { room }).await {
        Outcome::Applied { seq: Some(seq), .. } => seq,
        other => panic!("not joined: {other:?}"),
    };
    let jun_sees = listed(&server, &jun, room).await;
    assert_eq!((jun_sees.member, jun_sees.read, jun_sees.unread), (true, joined, 0));
    mina_tab.say(room, "chapter 6").await;
    assert_eq!(listed(&server, &jun, room).await.unread, 1, "what is written after he joined is unread");
}

#[tokio::test]
async fn members_from_before_read_positions_start_with_nothing_unread() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut jun_tab, room, .. } = server.mina_and_jun_in("old times").await;
    jun_tab.say(room, "written before the upgrade").await;
    drop(jun_tab);
    let database = server.stop().await;
    // Taken back to how it was before read positions were kept.
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    sqlx::query("ALTER TABLE memberships DROP COLUMN read_seq").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 6").execute(&pool).await.unwrap();
    pool.close().await;

    let server = TestServer::start_on(database, |_| {}).await;
    let mina_sees = listed(&server, &mina, room).await;
    assert_eq!((mina_sees.read, mina_sees.unread), (mina_sees.head, 0));
}
