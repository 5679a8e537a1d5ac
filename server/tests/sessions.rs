//! Sessions the server keeps, so they can end: signing out, a refresh that
//! replaces the token, an operator's revocation, and a new signing key that
//! signs nobody out. On SQLite, and on PostgreSQL under `cargo xtask test`.

mod common;

use std::time::Duration;

use common::{rename, share_seen, Client, Session, TestServer};
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{close_code, decode_server, ClientFrame, ServerFrame, PROTOCOL_VERSION};
use hanmadi_server::admin;
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Message;

/// How long a running node may take to notice a session ended elsewhere.
const NOTICED_WITHIN: Duration = Duration::from_secs(10);

async fn me(server: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new().get(server.http("/api/me")).bearer_auth(token).send().await.unwrap().status()
}

/// The refreshed session, or the status of the refusal.
async fn refresh(server: &TestServer, token: &str) -> Result<Session, StatusCode> {
    let response =
        reqwest::Client::new().post(server.http("/api/session/refresh")).bearer_auth(token).send().await.unwrap();
    match response.status() {
        StatusCode::OK => Ok(response.json().await.unwrap()),
        refused => Err(refused),
    }
}

async fn sign_out(server: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new().delete(server.http("/api/session")).bearer_auth(token).send().await.unwrap().status()
}

/// Whether a socket saying hello with `token` is welcomed, or why it is closed.
async fn hello_with(server: &TestServer, token: &str) -> Result<(), String> {
    let mut client = server.raw().await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(token.to_owned()) }).await;
    match client.next_message().await {
        Message::Text(text) if matches!(decode_server(&text), Ok(ServerFrame::Welcome { .. })) => Ok(()),
        Message::Close(Some(close)) => Err(close.reason.to_string()),
        other => panic!("neither a welcome nor a close: {other:?}"),
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_and_closes_its_sockets() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut laptop = server.connect(&mina).await;
    let elsewhere = server.sign_up("Mina on her phone").await;
    let mut phone = server.connect(&elsewhere).await;

    assert_eq!(sign_out(&server, &mina.token).await, StatusCode::NO_CONTENT);
    assert_eq!(laptop.expect_close(close_code::UNAUTHORIZED).await, "signed out");
    assert_eq!(me(&server, &mina.token).await, StatusCode::UNAUTHORIZED, "the token no longer works");
    assert_eq!(refresh(&server, &mina.token).await.err(), Some(StatusCode::UNAUTHORIZED), "nor can it be refreshed");
    let mut again = server.raw().await;
    again.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(mina.token.clone()) }).await;
    assert_eq!(again.expect_close(close_code::UNAUTHORIZED).await, "signed out");

    // Another session is untouched.
    assert_eq!(me(&server, &elsewhere.token).await, StatusCode::OK);
    phone.send(&ClientFrame::Ping { nonce: 7 }).await;
    assert!(matches!(phone.recv().await, ServerFrame::Pong { nonce: 7 }));
}

#[tokio::test]
async fn a_refresh_replaces_the_token_and_two_tabs_refreshing_at_once_both_carry_on() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut open_socket = server.connect(&mina).await;

    // Two tabs renew the same token at the same moment.
    let (first, second) = tokio::join!(refresh(&server, &mina.token), refresh(&server, &mina.token));
    let (first, second) = (first.expect("refreshed"), second.expect("refreshed too"));
    assert_eq!(me(&server, &first.token).await, StatusCode::OK);
    assert_eq!(me(&server, &second.token).await, StatusCode::OK);
    assert_eq!(me(&server, &mina.token).await, StatusCode::UNAUTHORIZED, "the replaced token stops working");
    assert_eq!(hello_with(&server, &mina.token).await, Err("signed out".into()), "nor signs a socket in");
    assert_eq!(hello_with(&server, &first.token).await, Ok(()));

    // A socket already open carries on: it signed in with a good token.
    open_socket.send(&ClientFrame::Ping { nonce: 1 }).await;
    assert!(matches!(open_socket.recv().await, ServerFrame::Pong { nonce: 1 }));

    // The next refresh moves on again; the token before it is now two behind.
    let next = refresh(&server, &first.token).await.expect("refreshed");
    assert_eq!(me(&server, &next.token).await, StatusCode::OK);
    assert_eq!(
        refresh(&server, &mina.token).await.err(),
        Some(StatusCode::UNAUTHORIZED),
        "a token two refreshes old is refused"
    );
}

#[tokio::test]
async fn a_database_that_does_not_answer_ends_no_session() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let database = server.database().await;

    // The database stops answering for sessions while Mina's app reconnects:
    // nothing is known of her token, and nothing says it is over (a 401 or a
    // 4401 would make her app drop the session and all it had waiting).
    sqlx::query("ALTER TABLE sessions RENAME TO sessions_away").execute(&database).await.unwrap();
    assert_eq!(me(&server, &mina.token).await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refresh(&server, &mina.token).await.err(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let mut socket = server.raw().await;
    socket.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(mina.token.clone()) }).await;
    assert_eq!(socket.expect_close(close_code::TRY_AGAIN_LATER).await, "sessions cannot be checked just now");
    assert_eq!(sign_out(&server, &mina.token).await, StatusCode::SERVICE_UNAVAILABLE, "nor can it be ended");

    // It answers again: her session carries on where it was.
    sqlx::query("ALTER TABLE sessions_away RENAME TO sessions").execute(&database).await.unwrap();
    assert_eq!(me(&server, &mina.token).await, StatusCode::OK);
    assert_eq!(hello_with(&server, &mina.token).await, Ok(()));
    let renewed = refresh(&server, &mina.token).await.expect("refreshed");
    assert_eq!(me(&server, &renewed.token).await, StatusCode::OK);
}

#[tokio::test]
async fn an_operator_revokes_a_user_and_every_session_and_socket_of_theirs_ends() {
    let server = TestServer::start().await;
    let jun = server.sign_up("Jun").await;
    let mut laptop = server.connect(&jun).await;
    let phone_session = refresh(&server, &jun.token).await.expect("refreshed");
    let other_device = server.sign_up("Jun").await;
    let mina = server.sign_up("Mina").await;

    let ended = admin::revoke_user(&server.database_url(), jun.user.id).await.unwrap();
    assert_eq!(ended, 1, "one session of this user");
    let closed = tokio::time::timeout(NOTICED_WITHIN, laptop.expect_close(close_code::UNAUTHORIZED)).await;
    assert_eq!(closed.expect("the running server noticed"), "signed out");
    assert_eq!(me(&server, &phone_session.token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&server, &other_device.token).await, StatusCode::OK, "another user of the same name is not Jun");
    assert_eq!(me(&server, &mina.token).await, StatusCode::OK);
}

#[tokio::test]
async fn a_new_signing_key_signs_nobody_out() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let key_before = mina.token.split('.').nth(1).unwrap().to_owned();

    let new_key = admin::rotate_signing_key(&server.database_url()).await.unwrap();
    assert_ne!(new_key, key_before);
    assert_eq!(me(&server, &mina.token).await, StatusCode::OK, "a token signed with the old key still works");

    // Within a few seconds the running server signs with the new key.
    let mut token = mina.token.clone();
    let deadline = tokio::time::Instant::now() + NOTICED_WITHIN;
    while token.split('.').nth(1) != Some(new_key.as_str()) {
        assert!(tokio::time::Instant::now() < deadline, "still signing with the old key");
        tokio::time::sleep(Duration::from_millis(200)).await;
        token = refresh(&server, &token).await.expect("refreshed").token;
    }
    assert_eq!(me(&server, &token).await, StatusCode::OK);
    assert_eq!(hello_with(&server, &token).await, Ok(()));
}

/// What `tab` hears next of its person's own changes (`you_changed`), or
/// `None` if the rooms list changes first: every tab hears that once Jun
/// makes a room, after whatever it was told before (his own, that the list
/// is worth fetching again).
async fn told_of_yourself(tab: &mut Client) -> Option<(Option<String>, Option<Settings>)> {
    tab.recv_until(|frame| match frame {
        ServerFrame::YouChanged { name, settings } => Some(Some((name.clone(), *settings))),
        ServerFrame::RoomListed { .. } | ServerFrame::RoomListStale {} => Some(None),
        _ => None,
    })
    .await
}

/// Mina renames herself, then turns "Show Seen" off: her phone and her
/// tablet are each told at once who she is now, without waiting for a
/// new token. A change refused tells no one, and Jun, connected beside them,
/// hears nothing of hers. Her laptop, away meanwhile, is told all of it as
/// it connects.
#[tokio::test]
async fn what_mina_changes_about_herself_her_other_devices_are_told_at_once() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut phone = server.connect(&mina).await;
    let mut tablet = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;

    assert_eq!(rename(&server, &mina, "Mina Kim").await, StatusCode::OK);
    for device in [&mut phone, &mut tablet] {
        assert_eq!(
            told_of_yourself(device).await,
            Some((Some("Mina Kim".into()), Some(Settings { shares_seen: true })))
        );
    }
    assert_eq!(share_seen(&server, &mina, false.into()).await.0, 200);
    for device in [&mut phone, &mut tablet] {
        assert_eq!(
            told_of_yourself(device).await,
            Some((Some("Mina Kim".into()), Some(Settings { shares_seen: false })))
        );
    }

    assert_eq!(share_seen(&server, &mina, "no".into()).await.0, 422);
    assert_eq!(rename(&server, &mina, "\u{200B}").await, StatusCode::BAD_REQUEST);
    jun_tab.create_room("after the changes").await;
    for tab in [&mut phone, &mut tablet, &mut jun_tab] {
        assert_eq!(told_of_yourself(tab).await, None, "the rooms list changed first");
    }

    // Her laptop, away all this while, connects with its old token: right
    // after the welcome it is told who she is now.
    let mut laptop = server.raw().await;
    laptop.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(mina.token.clone()) }).await;
    assert!(matches!(laptop.recv().await, ServerFrame::Welcome { .. }));
    assert_eq!(laptop.told_who_you_are().await, ("Mina Kim".into(), Settings { shares_seen: false }));
}
