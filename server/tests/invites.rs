//! Invite links: a member of a private room makes one, anyone signed in joins
//! with it (once, whatever the outbox resends), and a revoked one lets no one
//! in. Only members of private rooms handle invites, and a room has a bounded
//! number of live ones.

mod common;

use common::{call_as, get_as, rename, Session, TestServer};
use hanmadi_protocol::http::{Invite, InviteCreated, InvitePreview, RoomKind, RoomSummary, MAX_LIVE_INVITES};
use hanmadi_protocol::{Action, Outcome, RejectCode, RoomId, Seq, ServerFrame};
use reqwest::Method;

async fn invite(server: &TestServer, who: &Session, room: RoomId) -> InviteCreated {
    let (status, body) = call_as(server, who, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn revoke(server: &TestServer, who: &Session, room: RoomId, invite: u64) -> u16 {
    call_as(server, who, Method::DELETE, &format!("/api/rooms/{room}/invites/{invite}")).await.0
}

async fn live_invites(server: &TestServer, who: &Session, room: RoomId) -> Vec<Invite> {
    let (status, body) = get_as(server, who, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// What `GET /api/invites/{token}` answers, asked with no session at all.
async fn preview(server: &TestServer, token: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(server.http(&format!("/api/invites/{token}"))).await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(response.headers()["cache-control"], "no-store", "no cache keeps a link's answer");
    }
    (status, response.json().await.unwrap())
}

fn refused(outcome: Outcome) -> RejectCode {
    match outcome {
        Outcome::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invite_link_says_which_room_it_opens_before_signing_in_until_it_is_revoked() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_private_room("북클럽").await;
    let link = invite(&server, &mina, room).await;

    // Whoever holds the link, not signed in yet, learns where it leads.
    let (status, body) = preview(&server, &link.token).await;
    assert_eq!(status, 200, "{body}");
    let expected = InvitePreview { room_name: "북클럽".into(), invited_by: "Mina".into() };
    assert_eq!(serde_json::from_value::<InvitePreview>(body).unwrap(), expected);

    // Under the names they have now.
    mina_tab.act(Action::RenameRoom { room, name: "책 모임".into() }).await;
    assert!(rename(&server, &mina, "미나").await.is_success());
    let (_, body) = preview(&server, &link.token).await;
    let expected = InvitePreview { room_name: "책 모임".into(), invited_by: "미나".into() };
    assert_eq!(serde_json::from_value::<InvitePreview>(body).unwrap(), expected);

    // Revoked, or never made: a clear 404, and nothing about the room.
    assert_eq!(revoke(&server, &mina, room, link.id).await, 204);
    for token in [link.token.clone(), "0".repeat(64), "nope".into()] {
        let (status, body) = preview(&server, &token).await;
        assert_eq!(status, 404, "{token}: {body}");
        assert!(body["error"].as_str().is_some_and(|why| why.contains("not valid")), "{body}");
        assert!(!body.to_string().contains("책"), "{body}");
    }
}

#[tokio::test]
async fn an_invite_link_lets_hoon_in_and_a_revoked_one_does_not() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let hoon = server.sign_up("Hoon").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut hoon_tab = server.connect(&hoon).await;
    let mut hoon_phone = server.connect(&hoon).await;
    let mut sora_tab = server.connect(&sora).await;
    let room = mina_tab.create_private_room("북클럽").await;
    mina_tab.resume(room, Seq::ZERO).await;

    let link = invite(&server, &mina, room).await;
    assert_eq!(link.room, room);
    assert!(link.token.len() == 64 && link.token.bytes().all(|b| b.is_ascii_hexdigit()), "{}", link.token);
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_sha256 FROM invites").fetch_all(&server.database().await).await.unwrap();
    assert!(stored.iter().all(|(kept,)| *kept != link.token), "only the token's hash is kept");

    // Hoon follows the link: in, once, however often his outbox sends it.
    let key = hoon_tab.new_key();
    let join = Action::JoinWithInvite { invite: link.token.clone() };
    let joined = hoon_tab.act_with_key(&key, join.clone()).await;
    assert!(matches!(joined, Outcome::Applied { room: r, seq: Some(_), .. } if r == room), "{joined:?}");
    assert_eq!(hoon_tab.act_with_key(&key, join.clone()).await, joined, "the same key, the same answer");
    let again = hoon_tab.act(join.clone()).await;
    assert_eq!(again, Outcome::Applied { room, seq: None, message: None }, "already in: nothing changes");
    hoon_phone.recv_until(|frame| matches!(frame, ServerFrame::RoomListStale {}).then_some(())).await;
    let (status, _) = get_as(&server, &hoon, &format!("/api/rooms/{room}/messages")).await;
    assert_eq!(status, 200, "Hoon reads the room");
    let (_, listed) = get_as(&server, &hoon, "/api/rooms").await;
    let listed: Vec<RoomSummary> = serde_json::from_value(listed).unwrap();
    assert!(listed.iter().any(|r| r.id == room && r.member && r.kind == RoomKind::Private));

    // Mina revokes it: Sora, with the same link, stays out.
    assert_eq!(live_invites(&server, &mina, room).await.iter().map(|i| i.id).collect::<Vec<_>>(), [link.id]);
    assert_eq!(revoke(&server, &mina, room, link.id).await, 204);
    assert_eq!(revoke(&server, &hoon, room, link.id).await, 204, "revoking again changes nothing");
    assert!(live_invites(&server, &mina, room).await.is_empty());
    assert_eq!(refused(sora_tab.act(join.clone()).await), RejectCode::NotFound);
    assert_eq!(hoon_tab.act_with_key(&key, join).await, joined, "an applied join keeps its answer");
    let unknown = ["".to_owned(), "nope".into(), "0".repeat(64), link.token.to_uppercase(), "a".repeat(10_000)];
    for token in unknown {
        let shown = token.chars().take(20).collect::<String>();
        assert_eq!(
            refused(sora_tab.act(Action::JoinWithInvite { invite: token }).await),
            RejectCode::NotFound,
            "{shown}"
        );
    }
    let (status, _) = get_as(&server, &sora, &format!("/api/rooms/{room}/messages")).await;
    assert_eq!(status, 404);
    let (_, members) = get_as(&server, &mina, &format!("/api/rooms/{room}/members")).await;
    assert_eq!(members.as_array().map(Vec::len), Some(2), "Mina and Hoon: {members}");

    // A new link works again; Hoon, now a member, may make one too.
    let second = invite(&server, &hoon, room).await;
    let joined = sora_tab.act(Action::JoinWithInvite { invite: second.token }).await;
    assert!(matches!(joined, Outcome::Applied { seq: Some(_), .. }), "{joined:?}");
}

#[tokio::test]
async fn only_members_of_a_private_room_handle_its_invites_and_they_are_bounded() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let sora = server.sign_up("Sora").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_private_room("운영진").await;
    let public = mina_tab.create_room("광장").await;

    let path = format!("/api/rooms/{room}/invites");
    let (status, body) = call_as(&server, &sora, Method::POST, &path).await;
    assert_eq!((status, body["error"].as_str()), (404, Some(&*format!("there is no room {room}"))));
    assert_eq!(get_as(&server, &sora, &path).await.0, 404);
    let anonymous = reqwest::Client::new().post(server.http(&path)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(call_as(&server, &sora, Method::POST, &format!("/api/rooms/{public}/invites")).await.0, 403);

    let invites: Vec<InviteCreated> = {
        let mut made = Vec::new();
        for _ in 0..MAX_LIVE_INVITES {
            made.push(invite(&server, &mina, room).await);
        }
        made
    };
    let (status, body) = call_as(&server, &mina, Method::POST, &path).await;
    assert_eq!(status, 409, "at most {MAX_LIVE_INVITES} live: {body}");
    assert_eq!(revoke(&server, &sora, room, invites[0].id).await, 404, "not Sora's to revoke");
    assert_eq!(revoke(&server, &mina, room, invites[0].id).await, 204);
    invite(&server, &mina, room).await;
    assert_eq!(live_invites(&server, &mina, room).await.len(), MAX_LIVE_INVITES);

    let other = mina_tab.create_private_room("다른 방").await;
    assert_eq!(revoke(&server, &mina, other, invites[1].id).await, 404, "an invite of another room");
    assert_eq!(revoke(&server, &mina, room, 999_999).await, 404);
}

#[tokio::test]
async fn invite_calls_are_counted_by_the_api_limit() {
    // One call back every ten seconds: the burst is spent long before the
    // next comes back, however slow the machine.
    let server = TestServer::start_with(|config| config.api_calls_per_minute = 6).await;
    let mina = server.sign_up("Mina").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_private_room("한정판").await;
    // The sign-up took one call of the burst (half a minute's worth: 3).
    for _ in 0..2 {
        invite(&server, &mina, room).await;
    }
    let (status, body) = call_as(&server, &mina, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 429, "{body}");
}
