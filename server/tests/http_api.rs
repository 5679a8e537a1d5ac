//! The HTTP API: sessions, the rooms list and history pages, with clear errors.

mod common;

use common::{get_as, Session, TestServer, TwoInARoom};
use hanmadi_protocol::http::MessagesPage;
use hanmadi_protocol::{Action, RoomId};
use serde_json::{json, Value};

#[tokio::test]
async fn a_guest_signs_up_renames_and_refreshes_the_session() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let session = server.sign_up("  Mina  ").await;
    assert_eq!(session.user.name, "Mina", "names are trimmed");

    let me: Value =
        http.get(server.http("/api/me")).bearer_auth(&session.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["name"], "Mina");

    let renamed = http
        .patch(server.http("/api/me"))
        .bearer_auth(&session.token)
        .json(&json!({"name": "미나"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);

    let refreshed = http.post(server.http("/api/session/refresh")).bearer_auth(&session.token).send().await.unwrap();
    assert_eq!(refreshed.status(), 200);
    let refreshed: Value = refreshed.json().await.unwrap();
    assert_eq!(refreshed["user"]["name"], "미나");
    assert!(refreshed["token"].as_str().unwrap().starts_with("v2."));
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let empty = http.post(server.http("/api/session")).json(&json!({"name": "  "})).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    let body: Value = empty.json().await.unwrap();
    assert_eq!(body["error"], "the name is empty");

    let not_json = http.post(server.http("/api/session")).body("name=Mina").send().await.unwrap();
    assert_eq!(not_json.status(), 415);

    let anonymous = http.get(server.http("/api/rooms")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");

    let forged = http.get(server.http("/api/rooms")).bearer_auth("v1.1.9999999999.AAAA").send().await.unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn history_pages_for_scroll_back_and_gap_backfill() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    for n in 1..=30 {
        tab.act(Action::SendMessage { room, text: format!("m{n}"), reply_to: None, attachments: Vec::new() }).await;
    }
    let message_id = 5;
    tab.act(Action::EditMessage { room, message: hanmadi_protocol::MessageId(message_id), text: "m5, edited".into() })
        .await;

    let rooms: Value =
        http.get(server.http("/api/rooms")).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(rooms[0]["name"], "general");
    assert_eq!(rooms[0]["head"], 33);
    assert_eq!(rooms[0]["member"], true);

    // The newest 10, then the 10 before them.
    let url = server.http(&format!("/api/rooms/{room}/messages?limit=10"));
    let page: Value = http.get(url).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    let texts: Vec<&str> = page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts.first(), Some(&"m21"));
    assert_eq!(texts.last(), Some(&"m30"));
    let oldest_seq = page["messages"][0]["seq"].as_u64().unwrap();
    let url = server.http(&format!("/api/rooms/{room}/messages?limit=10&before={oldest_seq}"));
    let older: Value = http.get(url).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    let texts: Vec<&str> = older["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        (11..=20).map(|n| format!("m{n}")).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>()
    );

    let url = server.http(&format!("/api/rooms/{room}/messages?limit=200"));
    let all: Value = http.get(url).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    let fifth = &all["messages"][4];
    assert_eq!((fifth["text"].as_str(), fifth["edited"].as_bool()), (Some("m5, edited"), Some(true)));

    // A gap: events 10 < seq < 14.
    let url = server.http(&format!("/api/rooms/{room}/events?after=10&before=14"));
    let gap: Value = http.get(url).bearer_auth(&mina.token).send().await.unwrap().json().await.unwrap();
    let seqs: Vec<u64> = gap["events"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [11, 12, 13]);
    assert_eq!(gap["head"], 33);

    // Jun is not in the room, but a public room is open to look into.
    let outsider =
        http.get(server.http(&format!("/api/rooms/{room}/events"))).bearer_auth(&jun.token).send().await.unwrap();
    assert_eq!(outsider.status(), 200);
    let missing = http.get(server.http("/api/rooms/999/events")).bearer_auth(&jun.token).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// A page of three of `room`'s messages before `before`: the seqs of its
/// messages, and of its notices with their kinds.
async fn page_of(
    server: &TestServer,
    who: &Session,
    room: RoomId,
    before: Option<u64>,
) -> (Vec<u64>, Vec<u64>, Vec<String>) {
    let before = before.map(|seq| format!("&before={seq}")).unwrap_or_default();
    let page = page_at(server, who, room, before).await;
    (page.0, page.1, page.2)
}

/// A page of three of `room`'s messages from where `start` says (`&before=`
/// or `&after=`): as [`page_of`], and whether it is complete.
async fn page_at(
    server: &TestServer,
    who: &Session,
    room: RoomId,
    start: String,
) -> (Vec<u64>, Vec<u64>, Vec<String>, bool) {
    let (status, page) = get_as(server, who, &format!("/api/rooms/{room}/messages?limit=3{start}")).await;
    assert_eq!(status, 200, "{page}");
    let listed = |field: &str| page.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let seqs = |list: &[Value]| list.iter().map(|item| item["seq"].as_u64().unwrap()).collect();
    let notices = listed("notices");
    let kinds = notices.iter().map(|notice| notice["event"]["kind"].as_str().unwrap().to_owned()).collect();
    (seqs(&listed("messages")), seqs(&notices), kinds, page["complete"].as_bool().unwrap_or(false))
}

#[tokio::test]
async fn history_pages_carry_the_joins_leaves_and_renames_among_their_messages() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let (mut mina_tab, mut jun_tab) = (server.connect(&mina).await, server.connect(&jun).await);
    let room = mina_tab.create_room("lunch").await; // created 1, Mina joined 2
    let say = |text: &str| Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() };
    for text in ["m1", "m2", "m3"] {
        mina_tab.act(say(text)).await; // 3, 4, 5
    }
    jun_tab.act(Action::JoinRoom { room }).await; // 6
    for text in ["m4", "m5", "m6"] {
        mina_tab.act(say(text)).await; // 7, 8, 9
    }
    jun_tab.act(Action::LeaveRoom { room }).await; // 10
    mina_tab.act(Action::RenameRoom { room, name: "점심".into() }).await; // 11
    mina_tab.act(say("m7")).await; // 12

    // Each page of three messages, newest first, with the notices among them.
    let page = |before: Option<u64>| page_of(&server, &mina, room, before);
    assert_eq!(page(None).await, (vec![8, 9, 12], vec![10, 11], vec!["left".into(), "renamed".into()]));
    assert_eq!(page(Some(8)).await, (vec![4, 5, 7], vec![6], vec!["joined".into()]));
    let first = (vec![3], vec![1, 2], vec!["created".into(), "joined".into()]);
    assert_eq!(page(Some(4)).await, first, "the last page reaches back to the room's start");

    // Read on from far back, as after a link to an old message: each page
    // the oldest three after where the last one ended, with the notices
    // among them, up to the head.
    let on = |after: u64| page_at(&server, &mina, room, format!("&after={after}"));
    let kinds = |kinds: &[&str]| kinds.iter().map(|kind| kind.to_string()).collect::<Vec<_>>();
    assert_eq!(on(0).await, (vec![3, 4, 5], vec![1, 2], kinds(&["created", "joined"]), false));
    assert_eq!(on(5).await, (vec![7, 8, 9], vec![6], kinds(&["joined"]), false));
    let last = (vec![12], vec![10, 11], kinds(&["left", "renamed"]), true);
    assert_eq!(on(9).await, last, "the last page reaches the head, with the notices after its message");
    assert_eq!(on(12).await, (vec![], vec![], vec![], true), "nothing after the head");

    let (status, body) = get_as(&server, &mina, &format!("/api/rooms/{room}/messages?before=8&after=3")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ask for the messages before a seq or after one, not both"))
    );
    let (status, body) = get_as(&server, &mina, &format!("/api/rooms/{room}/messages?after=soon")).await;
    assert_eq!(status, 400, "a malformed seq is a JSON error too: {body}");
    let (status, body) = get_as(&server, &mina, &format!("/api/rooms/{room}/messages?after={}", u64::MAX)).await;
    assert_eq!(status, 400, "a seq past what the database holds: {body}");
}

#[tokio::test]
async fn a_quiet_room_of_many_comings_and_goings_pages_back_through_every_notice_once() {
    let server = TestServer::start_with(|config| config.actions_per_sec = 10_000).await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let (mut mina_tab, mut jun_tab) = (server.connect(&mina).await, server.connect(&jun).await);
    let room = mina_tab.create_room("lobby").await; // created 1, Mina joined 2
    let say = |text: &str| Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() };
    mina_tab.act(say("first")).await; // 3
    for _ in 0..110 {
        jun_tab.act(Action::JoinRoom { room }).await;
        jun_tab.act(Action::LeaveRoom { room }).await; // 4..=223
    }
    mina_tab.act(say("last")).await; // 224

    // Scrolling back as the app does: each page before the oldest row held.
    let (mut seen, mut before, mut pages) = (Vec::new(), None, 0);
    loop {
        let suffix = before.map(|seq: u64| format!("&before={seq}")).unwrap_or_default();
        let (status, page) = get_as(&server, &mina, &format!("/api/rooms/{room}/messages?limit=50{suffix}")).await;
        assert_eq!(status, 200, "{page}");
        let page: MessagesPage = serde_json::from_value(page).unwrap();
        pages += 1;
        seen.extend(page.messages.iter().map(|message| message.seq.0));
        seen.extend(page.notices.iter().map(|notice| notice.seq.0));
        before = seen.iter().copied().min();
        if page.complete {
            break;
        }
        assert!(pages < 10, "the pages never reach the start");
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=224).collect::<Vec<_>>(), "every message and notice, each once");
    assert_eq!(pages, 2, "200 notices at most a page");

    // Reading on from the start, as from a message loaded far back: each
    // page after the newest row held.
    let (mut seen, mut after, mut pages) = (Vec::new(), 0, 0);
    loop {
        let path = format!("/api/rooms/{room}/messages?limit=50&after={after}");
        let (status, page) = get_as(&server, &mina, &path).await;
        assert_eq!(status, 200, "{page}");
        let page: MessagesPage = serde_json::from_value(page).unwrap();
        pages += 1;
        seen.extend(page.messages.iter().map(|message| message.seq.0));
        seen.extend(page.notices.iter().map(|notice| notice.seq.0));
        after = seen.iter().copied().max().unwrap_or(after);
        if page.complete {
            break;
        }
        assert!(pages < 10, "the pages never reach the head");
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=224).collect::<Vec<_>>(), "every message and notice, each once, on the way down too");
    assert_eq!(pages, 2, "200 notices at most a page");
}

#[tokio::test]
async fn the_notices_of_a_room_from_before_they_were_marked_are_found_after_the_upgrade() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, room, .. } = server.mina_and_jun_in("old times").await;
    mina_tab.act(Action::SendMessage { room, text: "hello".into(), reply_to: None, attachments: Vec::new() }).await;
    drop(mina_tab);
    let database = server.stop().await;
    // Taken back to how it was before notices were marked.
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    sqlx::query("DROP INDEX events_notices").execute(&pool).await.unwrap();
    sqlx::query("ALTER TABLE events DROP COLUMN notice").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 12").execute(&pool).await.unwrap();
    pool.close().await;

    let server = TestServer::start_on(database, |_| {}).await;
    let (messages, _, kinds) = page_of(&server, &mina, room, None).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(kinds, ["created", "joined", "joined"], "the room's creation, Mina's join and Jun's");
}

#[tokio::test]
async fn the_members_list_follows_joins_leaves_and_renames() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let mut jun_tab = server.connect(&jun).await;
    let room = mina_tab.create_room("lunch").await;
    let members = |token: String| {
        let (http, url) = (http.clone(), server.http(&format!("/api/rooms/{room}/members")));
        async move {
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            if !response.status().is_success() {
                return Err(response.status().as_u16());
            }
            let members: Value = response.json().await.unwrap();
            Ok(members.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>())
        }
    };

    assert_eq!(members(mina.token.clone()).await, Ok(vec!["Mina".to_owned()]));
    assert_eq!(members(jun.token.clone()).await, Ok(vec!["Mina".to_owned()]), "seen before joining, as it is public");
    jun_tab.act(Action::JoinRoom { room }).await;
    assert_eq!(members(jun.token.clone()).await, Ok(vec!["Mina".to_owned(), "Jun".to_owned()]));

    let renamed =
        http.patch(server.http("/api/me")).bearer_auth(&jun.token).json(&json!({"name": "준"})).send().await.unwrap();
    assert!(renamed.status().is_success());
    assert_eq!(members(mina.token.clone()).await, Ok(vec!["Mina".to_owned(), "준".to_owned()]), "current names");

    jun_tab.act(Action::LeaveRoom { room }).await;
    assert_eq!(members(mina.token.clone()).await, Ok(vec!["Mina".to_owned()]));
    let missing = http.get(server.http("/api/rooms/999/members")).bearer_auth(&mina.token).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_app_served_from_an_allowed_origin_can_sign_in_and_another_site_cannot() {
    let server =
        TestServer::start_with(|config| config.allowed_origins = vec!["https://chat.example.com".into()]).await;
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        http.request(reqwest::Method::OPTIONS, server.http("/api/session"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let allowed = preflight("https://chat.example.com").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://chat.example.com");
    let methods = allowed.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("POST"), "{methods}");

    let signed_up = http
        .post(server.http("/api/session"))
        .header("Origin", "https://chat.example.com")
        .json(&json!({ "name": "Mina" }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 201);
    assert_eq!(signed_up.headers()["access-control-allow-origin"], "https://chat.example.com");
    // So that the app there can read when to try again after a 429.
    assert_eq!(signed_up.headers()["access-control-expose-headers"], "retry-after");

    let other_site = preflight("https://evil.example").await.unwrap();
    assert!(other_site.headers().get("access-control-allow-origin").is_none(), "no CORS for other sites");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    for path in ["/api/rooms", "/api/session", "/healthz", "/"] {
        let response = http.get(server.http(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
    }
}

#[tokio::test]
async fn a_burst_of_sign_ups_from_one_address_is_slowed_with_retry_after() {
    let server = TestServer::start_with(|config| config.sign_ups_per_minute = 1).await;
    let http = reqwest::Client::new();
    let sign_up = || http.post(server.http("/api/session")).json(&json!({ "name": "Bot" })).send();
    for _ in 0..3 {
        assert_eq!(sign_up().await.unwrap().status(), 201, "a burst of three minutes' worth is fine");
    }
    let refused = sign_up().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("too many sign-ups"), "{body}");
}

#[tokio::test]
async fn a_flood_of_api_calls_from_one_address_is_slowed_and_others_are_not() {
    // One call back every ten seconds: the burst is spent long before the
    // next comes back, however slow the machine.
    let server = TestServer::start_with(|config| config.api_calls_per_minute = 6).await;
    let mina = server.sign_up("Mina").await;
    let http = reqwest::Client::new();
    let rooms = || http.get(server.http("/api/rooms")).bearer_auth(&mina.token).send();
    // The sign-up took one call of the burst (half a minute's worth: 3).
    for _ in 0..2 {
        assert_eq!(rooms().await.unwrap().status(), 200, "a burst is fine");
    }
    let refused = rooms().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((9..=10).contains(&retry_after), "one call every ten seconds comes back: {retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("too many requests"), "{body}");
    // The socket is not an API call: Mina can still chat.
    let mut tab = server.connect(&mina).await;
    tab.create_room("still here").await;
}
