//! The rooms list: fetched a page at a time, then kept current by deltas on the
//! socket (`room_listed`), with "fetch it again" (`room_list_stale`) when a
//! connection fell too far behind to be handed them all.

mod common;

use common::{Client, TestServer};
use hanmadi_protocol::http::{RoomSummary, Settings};
use hanmadi_protocol::{Action, ClientFrame, ErrorCode, Outcome, RoomId, ServerFrame};

/// Reads room-list deltas until `room` is listed under `name`; returns every
/// name it was listed under on the way, in order.
async fn until_listed(tab: &mut Client, room: RoomId, name: &str) -> Vec<String> {
    let mut names = Vec::new();
    while names.last().map(String::as_str) != Some(name) {
        let listed = tab
            .recv_until(|frame| match frame {
                ServerFrame::RoomListed { room: r, name } if *r == room => Some(name.clone()),
                ServerFrame::RoomListStale {} => panic!("a healthy reader is sent the change itself"),
                _ => None,
            })
            .await;
        names.push(listed);
    }
    names
}

async fn rooms_page(server: &TestServer, token: &str, query: &str) -> Vec<RoomSummary> {
    let response =
        reqwest::Client::new().get(server.http(&format!("/api/rooms{query}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn ids(page: &[RoomSummary]) -> Vec<RoomId> {
    page.iter().map(|room| room.id).collect()
}

#[tokio::test]
async fn a_created_then_renamed_room_reaches_everyone_as_a_delta() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let mut stranger = server.raw().await;

    let room = mina_tab.create_room("점심").await;
    assert_eq!(until_listed(&mut jun_tab, room, "점심").await, ["점심"], "Jun is in no room, and hears of it");
    let renamed = mina_tab.act(Action::RenameRoom { room, name: "저녁".into() }).await;
    assert!(matches!(renamed, Outcome::Applied { .. }), "{renamed:?}");
    assert_eq!(until_listed(&mut jun_tab, room, "저녁").await, ["저녁"]);
    let heard_by_mina = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room: r, name } if *r == room && name == "저녁" => Some(name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(heard_by_mina, "저녁", "her own tabs too");

    // A socket that has not said who it is hears no room names.
    stranger.send(&ClientFrame::Ping { nonce: 1 }).await;
    let first = stranger.recv_until(|frame| Some(frame.clone())).await;
    assert!(matches!(first, ServerFrame::Error { code: ErrorCode::HandshakeRequired, .. }), "{first:?}");
}

#[tokio::test]
async fn the_rooms_list_comes_in_pages_by_id() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut rooms = Vec::new();
    for n in 1..=5 {
        rooms.push(mina_tab.create_room(&format!("room {n}")).await);
    }

    let first = rooms_page(&server, &jun.token, "?limit=2").await;
    assert_eq!(ids(&first), rooms[..2]);
    assert!(first.iter().all(|room| !room.member && room.members == 1), "as Jun sees them");
    let second = rooms_page(&server, &jun.token, &format!("?after={}&limit=2", rooms[1])).await;
    assert_eq!(ids(&second), rooms[2..4]);
    let last = rooms_page(&server, &jun.token, &format!("?after={}", rooms[3])).await;
    assert_eq!(ids(&last), rooms[4..], "a short page is the last");
    assert_eq!(last[0].name, "room 5");

    assert_eq!(ids(&rooms_page(&server, &jun.token, "").await), rooms, "no query: the first page");
    assert_eq!(ids(&rooms_page(&server, &jun.token, "?limit=0").await), rooms[..1], "at least one a page");
    assert!(rooms_page(&server, &jun.token, &format!("?after={}", rooms[4])).await.is_empty());
}

#[tokio::test]
async fn a_reader_too_far_behind_is_told_to_fetch_the_list_again() {
    // Room for two changes per connection; Mina makes five at once.
    let server = TestServer::start_with(|config| config.fanout_buffer = 2).await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;

    let keys: Vec<_> = (0..5).map(|_| mina_tab.new_key()).collect();
    for (n, key) in keys.iter().enumerate() {
        let action = Action::CreateRoom { name: format!("burst {n}"), private: false };
        mina_tab.send(&ClientFrame::Action { key: key.clone(), action }).await;
    }
    for key in &keys {
        let outcome = mina_tab
            .recv_until(|frame| match frame {
                ServerFrame::Ack { key: acked, outcome } if acked == key => Some(outcome.clone()),
                _ => None,
            })
            .await;
        assert!(matches!(outcome, Outcome::Applied { .. }), "{outcome:?}");
    }

    jun_tab.recv_until(|frame| matches!(frame, ServerFrame::RoomListStale {}).then_some(())).await;
    let listed = rooms_page(&server, &jun.token, "").await;
    assert_eq!(listed.len(), 5, "the list fetched again has every room: {listed:?}");
    // A change of his own waiting with them would have been dropped too: he
    // is told who he is again, whole.
    assert_eq!(jun_tab.told_who_you_are().await, ("Jun".into(), Settings { shares_seen: true }));
}

#[tokio::test]
async fn a_room_made_joined_or_left_on_one_screen_is_so_on_every_other() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_laptop = server.connect(&mina).await;
    let mut mina_phone = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let told_to_fetch_again = |frame: &ServerFrame| matches!(frame, ServerFrame::RoomListStale {}).then_some(());
    let hers = |list: Vec<RoomSummary>, room: RoomId| list.iter().any(|listed| listed.id == room && listed.member);

    // Mina makes a room on her laptop: her phone fetches a list where it is
    // hers (the laptop is told too, as every screen of hers is).
    let made = mina_laptop.create_room("made on the laptop").await;
    mina_phone.recv_until(told_to_fetch_again).await;
    mina_laptop.recv_until(told_to_fetch_again).await;
    assert!(hers(rooms_page(&server, &mina.token, "").await, made));

    // Jun makes one; she joins it on her phone, then leaves it there: her
    // laptop is told each time, and Jun, who made it but did neither, is not.
    let juns = jun_tab.create_room("Jun's").await;
    jun_tab.recv_until(told_to_fetch_again).await;
    assert!(matches!(mina_phone.act(Action::JoinRoom { room: juns }).await, Outcome::Applied { .. }));
    mina_laptop.recv_until(told_to_fetch_again).await;
    assert!(hers(rooms_page(&server, &mina.token, "").await, juns));
    assert!(matches!(mina_phone.act(Action::LeaveRoom { room: juns }).await, Outcome::Applied { .. }));
    mina_laptop.recv_until(told_to_fetch_again).await;
    assert!(!hers(rooms_page(&server, &mina.token, "").await, juns));
    jun_tab.send(&ClientFrame::Ping { nonce: 7 }).await;
    jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListStale {} => panic!("nothing of Jun's changed"),
            ServerFrame::Pong { nonce: 7 } => Some(()),
            _ => None,
        })
        .await;
}
