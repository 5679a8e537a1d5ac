//! Files sent with messages: uploaded over HTTP, kept once per content, known
//! by their bytes, served safely to the people who may read them, gone with
//! the message that carried them, and bounded per person. Reading them with
//! the browser's cookie is `files_cookie.rs`.

mod common;

use std::time::Duration;

use common::files::{noise, png, read, send, sent, stored_copies, upload, upload_as};
use common::{Session, TestServer, TwoInARoom};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::{Action, AttachmentId, Outcome, RejectCode, RoomEvent, Seq};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn refused_with(outcome: Outcome) -> RejectCode {
    refusal(outcome).0
}

fn refusal(outcome: Outcome) -> (RejectCode, String) {
    match outcome {
        Outcome::Rejected { code, message, .. } => (code, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_picture_goes_with_a_message_described_before_it_is_loaded() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, mut jun_tab, room } = server.mina_and_jun_in("photos").await;
    let bytes = png(640, 480, 1);
    // Named .txt and claimed as text: the bytes say it is a PNG.
    let (status, body) = upload_as(&server, &mina, "점심.txt", "text/plain", bytes.clone()).await;
    assert_eq!(status, 201, "{body}");
    let photo: Attachment = serde_json::from_value(body).unwrap();
    assert_eq!(
        (photo.name.as_str(), photo.size, photo.mime.as_str(), photo.width, photo.height),
        ("점심.txt", bytes.len() as u64, "image/png", Some(640), Some(480))
    );

    let message = sent(&mut mina_tab, room, vec![photo.id]).await;
    let (_, _, event) = jun_tab.next_event().await;
    match event {
        RoomEvent::Message { id, attachments, .. } => assert_eq!((id, attachments), (message, vec![photo.clone()])),
        other => panic!("expected the message, got {other:?}"),
    }
    let page: Value = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{room}/messages")))
        .bearer_auth(&jun.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: Vec<Attachment> = serde_json::from_value(page["messages"][0]["attachments"].clone()).unwrap();
    assert_eq!(listed, vec![photo.clone()], "history carries the same description");

    let original = read(&server, &jun, photo.id, "").await;
    assert_eq!(original.status(), 200);
    assert_eq!(original.headers()["content-type"], "image/png");
    assert!(original.headers()["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert_eq!(original.headers()["x-content-type-options"], "nosniff");
    let etag = original.headers()["etag"].clone();
    assert_eq!(original.bytes().await.unwrap(), bytes);

    let thumbnail = read(&server, &jun, photo.id, "/thumbnail").await;
    assert_eq!(thumbnail.status(), 200);
    let small = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 240));

    let again = reqwest::Client::new()
        .get(server.http(&format!("/api/attachments/{}", photo.id)))
        .bearer_auth(&jun.token)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged file is not sent again");
}

#[tokio::test]
async fn a_retried_upload_is_one_stored_copy_under_one_id() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let bytes = noise(50_000, 7);
    let first = upload(&server, &mina, "report.pdf", bytes.clone()).await;
    let (status, body) = upload_as(&server, &mina, "report.pdf", "application/pdf", bytes.clone()).await;
    assert_eq!(status, 200, "the retry finds the first upload: {body}");
    assert_eq!(serde_json::from_value::<Attachment>(body).unwrap(), first);
    assert_eq!(stored_copies(&server).await, 1);

    let renamed = upload(&server, &mina, "report (1).pdf", bytes).await;
    assert_ne!(renamed.id, first.id, "another name is another upload");
    assert_eq!(stored_copies(&server).await, 1, "of the same stored bytes");
}

#[tokio::test]
async fn a_message_with_files_is_sent_once_under_its_key() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, mut mina_tab, room, .. } = server.mina_and_jun_in("once").await;
    let file = upload(&server, &mina, "notes.bin", noise(1000, 3)).await;
    let key = mina_tab.new_key();
    let action = Action::SendMessage { room, text: "notes".into(), reply_to: None, attachments: vec![file.id] };
    let first = mina_tab.act_with_key(&key, action.clone()).await;
    let again = mina_tab.act_with_key(&key, action).await;
    assert_eq!(first, again);
    let carried: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM message_attachments")
        .fetch_one(&server.database().await)
        .await
        .unwrap();
    assert_eq!(carried, 1, "one message carries the file");
}

#[tokio::test]
async fn a_file_past_the_limit_is_refused_before_it_has_all_arrived() {
    const MAX: usize = 64 * 1024;
    let server = TestServer::start_with(|config| config.max_upload_bytes = MAX as u64).await;
    let mina = server.sign_up("Mina").await;

    let (status, body) = upload_as(&server, &mina, "big.bin", "application/octet-stream", noise(MAX + 1, 1)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["upload"], serde_json::json!({"kind": "file_too_large", "max": MAX}));

    // A body of unknown length, sent a byte past the limit and then held
    // open: the answer comes while the rest is still owed.
    let mut socket = tokio::net::TcpStream::connect(server.server.local_addr()).await.unwrap();
    let head = format!(
        "POST /api/attachments?name=big.bin HTTP/1.1\r\nHost: hanmadi\r\nAuthorization: Bearer {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        mina.token,
        MAX + 1
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&noise(MAX + 1, 2)).await.unwrap();
    socket.write_all(b"\r\n").await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buffer))
            .await
            .expect("answered before the body ended")
            .unwrap();
        assert!(read > 0, "closed without an answer");
        answer.extend_from_slice(&buffer[..read]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(stored_copies(&server).await, 0);

    let fits = upload(&server, &mina, "fits.bin", noise(MAX, 3)).await;
    assert_eq!(fits.size, MAX as u64, "the limit itself is allowed");
}

#[tokio::test]
async fn what_is_not_a_readable_picture_is_only_ever_a_download() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let html = b"<!doctype html><script>alert(document.cookie)</script>".to_vec();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    for (name, bytes) in [("cat.png", html), ("logo.svg", svg)] {
        let (status, body) = upload_as(&server, &mina, name, "image/png", bytes.clone()).await;
        assert_eq!(status, 201, "{body}");
        let file: Attachment = serde_json::from_value(body).unwrap();
        assert_eq!((file.mime.as_str(), file.width, file.height), ("application/octet-stream", None, None));

        let served = read(&server, &mina, file.id, "").await;
        assert_eq!(served.status(), 200);
        let headers = served.headers();
        assert_eq!(headers["content-type"], "application/octet-stream");
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"{name}\"; filename*=UTF-8''{name}").as_str()
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
        assert_eq!(served.bytes().await.unwrap(), bytes, "kept as sent");
        assert_eq!(read(&server, &mina, file.id, "/thumbnail").await.status(), 404, "no thumbnail");
    }
}

#[tokio::test]
async fn a_file_is_read_by_its_uploader_and_by_whoever_may_read_its_room() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, room, .. } = server.mina_and_jun_in("open to all").await;
    let ara = server.sign_up("Ara").await;
    let photo = upload(&server, &mina, "us.png", png(400, 300, 5)).await;
    assert_eq!(read(&server, &mina, photo.id, "").await.status(), 200, "the uploader, before it is sent");
    assert_eq!(read(&server, &jun, photo.id, "").await.status(), 404, "nobody else before it is sent");

    let message = sent(&mut mina_tab, room, vec![photo.id]).await;
    assert_eq!(read(&server, &jun, photo.id, "").await.status(), 200, "a member of the room");
    for part in ["", "/thumbnail"] {
        let outsider = read(&server, &ara, photo.id, part).await;
        assert_eq!(outsider.status(), 200, "not a member, looking into the public room: as its messages");
    }
    let other = upload(&server, &mina, "them.png", png(40, 30, 7)).await;
    sent(&mut mina_tab, room, vec![other.id]).await;
    mina_tab.act(Action::DeleteMessage { room, message }).await;
    assert_eq!(read(&server, &ara, photo.id, "").await.status(), 404, "gone with its message");
    assert_eq!(read(&server, &jun, photo.id, "").await.status(), 404, "for the members too");
    assert_eq!(read(&server, &ara, other.id, "").await.status(), 200, "the next one stays");
    let private = mina_tab.create_private_room("just us").await;
    let secret = upload(&server, &mina, "plan.png", png(40, 30, 6)).await;
    sent(&mut mina_tab, private, vec![secret.id]).await;
    assert_eq!(read(&server, &ara, secret.id, "").await.status(), 404, "a private room's: as if there were none");
    assert_eq!(read(&server, &ara, AttachmentId(999), "").await.status(), 404);
    let anonymous = reqwest::get(server.http(&format!("/api/attachments/{}", photo.id))).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn deleting_a_message_deletes_its_files_bytes_unless_another_message_has_them() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, mut jun_tab, room } = server.mina_and_jun_in("redaction").await;
    let bytes = png(64, 64, 9);
    let mine = upload(&server, &mina, "secret.png", bytes.clone()).await;
    let first = sent(&mut mina_tab, room, vec![mine.id]).await;
    let theirs = upload(&server, &jun, "forwarded.png", bytes.clone()).await;
    let second = sent(&mut jun_tab, room, vec![theirs.id]).await;
    assert_eq!(stored_copies(&server).await, 1);

    mina_tab.act(Action::DeleteMessage { room, message: first }).await;
    assert_eq!(read(&server, &jun, mine.id, "").await.status(), 404, "the deleted message's file");
    assert_eq!(read(&server, &mina, mine.id, "").await.status(), 404, "even for its uploader");
    let shared = read(&server, &jun, theirs.id, "").await;
    assert_eq!(shared.status(), 200, "another message has the same bytes");
    assert_eq!(shared.bytes().await.unwrap(), bytes);
    assert_eq!(stored_copies(&server).await, 1);
    let events: Value = reqwest::Client::new()
        .get(server.http(&format!("/api/rooms/{room}/events?after=0")))
        .bearer_auth(&jun.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!events.to_string().contains("secret.png"), "no description is left behind: {events}");

    jun_tab.act(Action::DeleteMessage { room, message: second }).await;
    assert_eq!(read(&server, &jun, theirs.id, "").await.status(), 404);
    assert_eq!(stored_copies(&server).await, 0, "the bytes are gone, not hidden");
    let (resumed, _) = server.connect(&jun).await.resume(room, Seq::ZERO).await;
    assert!(!format!("{resumed:?}").contains("forwarded.png"));
}

#[tokio::test]
async fn uploads_are_bounded_per_person_with_codes_the_app_words() {
    const KIB: u64 = 1024;
    let server = TestServer::start_with(|config| {
        config.max_upload_bytes = 64 * KIB;
        config.upload_quota_bytes = 100 * KIB;
        config.uploads_per_minute = 3;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    upload(&server, &mina, "one.bin", noise(60 * KIB as usize, 1)).await;
    let (status, body) = upload_as(&server, &mina, "two.bin", "", noise(60 * KIB as usize, 2)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["upload"], serde_json::json!({"kind": "quota_exceeded", "used": 60 * KIB, "max": 100 * KIB}));

    let jun = server.sign_up("Jun").await;
    upload(&server, &jun, "a.bin", noise(10, 1)).await;
    upload(&server, &jun, "b.bin", noise(10, 2)).await;
    upload(&server, &jun, "c.bin", noise(10, 3)).await;
    let response = reqwest::Client::new()
        .post(server.http("/api/attachments?name=d.bin"))
        .bearer_auth(&jun.token)
        .body(noise(10, 4))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["upload"], serde_json::json!({"kind": "too_many_uploads", "per_minute": 3, "retry_after": wait}));
}

#[tokio::test]
async fn a_message_carries_only_its_senders_own_files() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, room, .. } = server.mina_and_jun_in("mine").await;
    let juns = upload(&server, &jun, "jun.bin", noise(100, 1)).await;
    // Someone else's file is refused as one that does not exist: ids cannot
    // be probed for which were uploaded.
    let not_hers = refusal(send(&mut mina_tab, room, "look", vec![juns.id]).await);
    assert_eq!(not_hers, (RejectCode::NotFound, format!("you have no attachment {}", juns.id)));
    let none = refusal(send(&mut mina_tab, room, "look", vec![AttachmentId(999)]).await);
    assert_eq!(none, (RejectCode::NotFound, "you have no attachment 999".to_owned()));
    assert_eq!(read(&server, &mina, juns.id, "").await.status(), 404, "a refused send shares nothing");

    let minas = upload(&server, &mina, "mina.bin", noise(100, 2)).await;
    assert_eq!(refused_with(send(&mut mina_tab, room, "", vec![minas.id, minas.id]).await), RejectCode::Invalid);
    let eleven = vec![minas.id; 11];
    assert_eq!(refused_with(send(&mut mina_tab, room, "", eleven).await), RejectCode::Invalid);
    assert_eq!(refused_with(send(&mut mina_tab, room, " ", Vec::new()).await), RejectCode::Invalid, "no text, no file");
    assert!(matches!(send(&mut mina_tab, room, "", vec![minas.id]).await, Outcome::Applied { .. }));
}

#[tokio::test]
async fn a_file_never_sent_can_be_removed_and_is_forgotten_after_the_retention() {
    let server = TestServer::start().await;
    let TwoInARoom { mina, jun, mut mina_tab, room, .. } = server.mina_and_jun_in("second thoughts").await;
    let remove = |who: &Session, id: AttachmentId| {
        let request =
            reqwest::Client::new().delete(server.http(&format!("/api/attachments/{id}"))).bearer_auth(&who.token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let unwanted = upload(&server, &mina, "unwanted.bin", noise(100, 1)).await;
    assert_eq!(remove(&jun, unwanted.id).await, 404, "only its uploader removes it");
    assert_eq!(remove(&mina, unwanted.id).await, 204);
    assert_eq!(read(&server, &mina, unwanted.id, "").await.status(), 404);
    assert_eq!(stored_copies(&server).await, 0);

    let kept = upload(&server, &mina, "kept.bin", noise(100, 2)).await;
    sent(&mut mina_tab, room, vec![kept.id]).await;
    assert_eq!(remove(&mina, kept.id).await, 404, "a sent file goes with its message");
    let forgotten = upload(&server, &mina, "forgotten.bin", noise(100, 3)).await;
    let thirty_one_days = 31 * 24 * 3600 * 1000_i64;
    sqlx::query("UPDATE attachments SET created_at = created_at - $1")
        .bind(thirty_one_days)
        .execute(&server.database().await)
        .await
        .unwrap();
    drop(mina_tab);

    // Forgotten when the server starts (and every hour), as action records are.
    let server = TestServer::start_on(server.stop().await, |_| {}).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while read(&server, &mina, forgotten.id, "").await.status() != 404 {
        assert!(tokio::time::Instant::now() < deadline, "a file never sent is forgotten past the retention");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(read(&server, &jun, kept.id, "").await.status(), 200, "sent: kept with its message");
    assert_eq!(stored_copies(&server).await, 1);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn every_node_serves_a_file_uploaded_on_another() {
    use common::node::Node;
    use common::{connect_at, sign_up_at, Database};
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let node_a = Node::start(&database.url);
    let node_b = Node::start(&database.url);
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let jun = sign_up_at(node_b.addr, "Jun").await;
    let mut mina_tab = connect_at(node_a.addr, &mina).await;
    let room = mina_tab.create_room("two nodes").await;
    let mut jun_tab = connect_at(node_b.addr, &jun).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    jun_tab.resume(room, Seq::ZERO).await;

    let http = reqwest::Client::new();
    let bytes = png(500, 250, 4);
    let photo: Attachment = http
        .post(format!("http://{}/api/attachments?name=a.png", node_a.addr))
        .bearer_auth(&mina.token)
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sent(&mut mina_tab, room, vec![photo.id]).await;
    let carried = jun_tab
        .recv_until(|frame| match frame {
            hanmadi_protocol::ServerFrame::Event { event: RoomEvent::Message { attachments, .. }, .. } => {
                Some(attachments.clone())
            }
            _ => None,
        })
        .await;
    assert_eq!(carried, vec![photo.clone()], "the event crosses the bus with its files");
    let served = http
        .get(format!("http://{}/api/attachments/{}", node_b.addr, photo.id))
        .bearer_auth(&jun.token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap(), bytes, "node B serves what node A kept");
}

#[tokio::test]
async fn uploads_at_once_cannot_share_the_last_of_a_quota() {
    const KIB: usize = 1024;
    let server = TestServer::start_with(|config| {
        config.max_upload_bytes = 64 * KIB as u64;
        config.upload_quota_bytes = 100 * KIB as u64;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    let uploads = (0..4).map(|n| upload_as(&server, &mina, "same time.bin", "", noise(60 * KIB, n)));
    let mut statuses: Vec<u16> = futures_util::future::join_all(uploads).await.into_iter().map(|(s, _)| s).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 413, 413, 413], "only one 60 KiB file fits in 100 KiB");
}
