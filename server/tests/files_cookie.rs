//! Reading files as a browser does: the files cookie set at sign-in, sent by
//! `<img src>` and download links, which reads only what its owner may and
//! nothing else, and goes with signing out.

mod common;

use common::files::{noise, png, read, sent, stored_copies, upload};
use common::{call_as, Session, TestServer};
use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::{Action, AttachmentId, Outcome};
use reqwest::Method;

/// A browser signed in: the session the app keeps, and the files cookie the
/// browser keeps (`hanmadi_files=<value>`, as it sends it back).
struct Browser {
    session: Session,
    cookie: String,
}

/// The files cookie a response sets: its `name=value` and its attributes.
fn files_cookie_set_by(response: &reqwest::Response) -> (String, String) {
    let set = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("hanmadi_files="))
        .expect("a files cookie is set");
    let (pair, attributes) = set.split_once("; ").unwrap();
    (pair.to_owned(), attributes.to_owned())
}

/// Signs `name` up as the app does, from a page on plain http.
async fn sign_up_in_a_browser(server: &TestServer, name: &str) -> Browser {
    let response = reqwest::Client::new()
        .post(server.http("/api/session"))
        .header("origin", "http://127.0.0.1:3000")
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let (cookie, _) = files_cookie_set_by(&response);
    Browser { session: response.json().await.unwrap(), cookie }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// What `<img src>` or a download link fetches: a GET with the cookie and
/// no `Authorization`.
async fn read_with_cookie(server: &TestServer, cookie: &str, id: AttachmentId, part: &str) -> reqwest::Response {
    let url = server.http(&format!("/api/attachments/{id}{part}"));
    reqwest::Client::new().get(url).header("cookie", cookie).send().await.unwrap()
}

/// Mina posts a photo and a PDF in a private room Jun joined with her
/// invite; Ara is in no room (and a private room's files are hers to read
/// only once she is in it).
struct FilesInARoom {
    mina: Browser,
    jun: Browser,
    ara: Browser,
    photo: Attachment,
    pdf: Attachment,
}

async fn photo_and_pdf_in_a_room(server: &TestServer) -> FilesInARoom {
    let mina = sign_up_in_a_browser(server, "Mina").await;
    let jun = sign_up_in_a_browser(server, "Jun").await;
    let ara = sign_up_in_a_browser(server, "Ara").await;
    let mut mina_tab = server.connect(&mina.session).await;
    let room = mina_tab.create_private_room("weekend").await;
    let (status, invite) = call_as(server, &mina.session, Method::POST, &format!("/api/rooms/{room}/invites")).await;
    assert_eq!(status, 201, "{invite}");
    let mut jun_tab = server.connect(&jun.session).await;
    let invite = invite["token"].as_str().expect("an invite token").to_owned();
    let joined = jun_tab.act(Action::JoinWithInvite { invite }).await;
    assert!(matches!(joined, Outcome::Applied { .. }), "{joined:?}");
    let photo = upload(server, &mina.session, "beach.png", png(640, 480, 2)).await;
    let pdf = upload(server, &mina.session, "tickets.pdf", noise(2000, 4)).await;
    sent(&mut mina_tab, room, vec![photo.id, pdf.id]).await;
    FilesInARoom { mina, jun, ara, photo, pdf }
}

#[tokio::test]
async fn signing_in_gives_the_browser_a_cookie_for_reading_files_only() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.http("/api/session"))
        .header("origin", "http://localhost:3000")
        .json(&serde_json::json!({ "name": "Mina" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let (cookie, attributes) = files_cookie_set_by(&response);
    let mina: Session = response.json().await.unwrap();
    assert_eq!(cookie, format!("hanmadi_files={}", mina.token), "the session's own token");
    let attributes: Vec<&str> = attributes.split("; ").collect();
    for wanted in ["Path=/api/attachments", "HttpOnly", "SameSite=Strict"] {
        assert!(attributes.contains(&wanted), "{wanted} in {attributes:?}");
    }
    let max_age: u64 = attributes.iter().find_map(|a| a.strip_prefix("Max-Age=")).unwrap().parse().unwrap();
    let token_life = mina.expires_at - unix_now();
    assert!(max_age.abs_diff(token_life) <= 2, "lives as long as the token: {max_age} s, {token_life} s");
    assert!(!attributes.contains(&"Secure"), "a page on plain http would have a Secure cookie refused");

    let over_https = reqwest::Client::new()
        .post(server.http("/api/session"))
        .header("origin", "https://chat.example.com")
        .json(&serde_json::json!({ "name": "Jun" }))
        .send()
        .await
        .unwrap();
    let (_, attributes) = files_cookie_set_by(&over_https);
    assert!(attributes.split("; ").any(|a| a == "Secure"), "a page on https: {attributes}");
}

#[tokio::test]
async fn a_member_sees_pictures_and_downloads_files_with_the_cookie_alone() {
    let server = TestServer::start().await;
    let FilesInARoom { jun, photo, pdf, .. } = photo_and_pdf_in_a_room(&server).await;

    let thumbnail = read_with_cookie(&server, &jun.cookie, photo.id, "/thumbnail").await;
    assert_eq!(thumbnail.status(), 200);
    let headers = thumbnail.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "private, max-age=3600", "a list of thumbnails is not fetched on every view");
    let vary = headers["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("cookie") && vary.contains("authorization"), "cached per credential: {vary}");
    assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
    let small = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 240));

    let download = read_with_cookie(&server, &jun.cookie, pdf.id, "").await;
    assert_eq!(download.status(), 200);
    let headers = download.headers();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(download.bytes().await.unwrap(), noise(2000, 4));

    let etag = read_with_cookie(&server, &jun.cookie, photo.id, "").await.headers()["etag"].clone();
    let again = reqwest::Client::new()
        .get(server.http(&format!("/api/attachments/{}", photo.id)))
        .header("cookie", &jun.cookie)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "once the cache has aged, an unchanged file costs a 304");
    assert_eq!(again.headers()["cache-control"], "private, max-age=3600");
}

#[tokio::test]
async fn a_cookie_reads_only_what_its_owner_may_and_a_header_decides_over_it() {
    let server = TestServer::start().await;
    let FilesInARoom { mina, jun, ara, photo, pdf } = photo_and_pdf_in_a_room(&server).await;
    for (id, part) in [(photo.id, "/thumbnail"), (photo.id, ""), (pdf.id, "")] {
        let outsider = read_with_cookie(&server, &ara.cookie, id, part).await;
        assert_eq!(outsider.status(), 404, "not in the room: as if there were no such file");
        let nobody = reqwest::get(server.http(&format!("/api/attachments/{id}{part}"))).await.unwrap();
        assert_eq!(nobody.status(), 401, "no credential at all");
        let forged = read_with_cookie(&server, "hanmadi_files=v2.k1.nobody.1.1.9999999999.AAAA", id, part).await;
        assert_eq!(forged.status(), 401);
    }
    assert_eq!(read_with_cookie(&server, &mina.cookie, photo.id, "").await.status(), 200, "the uploader");

    // Both sent: the header is the credential, for better or worse.
    let both = |token: &str, cookie: &str| {
        reqwest::Client::new()
            .get(server.http(&format!("/api/attachments/{}", photo.id)))
            .bearer_auth(token)
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(both(&jun.session.token, &ara.cookie).await.unwrap().status(), 200);
    assert_eq!(both(&ara.session.token, &jun.cookie).await.unwrap().status(), 404);
    assert_eq!(both("not-a-token", &jun.cookie).await.unwrap().status(), 401, "a bad header is not passed over");
}

#[tokio::test]
async fn the_cookie_uploads_deletes_and_lists_nothing() {
    let server = TestServer::start().await;
    let jun = sign_up_in_a_browser(&server, "Jun").await;
    let http = reqwest::Client::new();
    let upload_with_cookie = http
        .post(server.http("/api/attachments?name=sneaky.bin"))
        .header("cookie", &jun.cookie)
        .body(noise(100, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(upload_with_cookie.status(), 401, "uploading takes the token in Authorization");
    assert_eq!(stored_copies(&server).await, 0);

    let draft = upload(&server, &jun.session, "draft.bin", noise(100, 2)).await;
    let delete_with_cookie = http
        .delete(server.http(&format!("/api/attachments/{}", draft.id)))
        .header("cookie", &jun.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(delete_with_cookie.status(), 401, "so does deleting");
    assert_eq!(read(&server, &jun.session, draft.id, "").await.status(), 200, "still there");

    for path in ["/api/rooms", "/api/me", "/api/search?q=hi"] {
        let call = http.get(server.http(path)).header("cookie", &jun.cookie).send().await.unwrap();
        assert_eq!(call.status(), 401, "{path} takes only the token in Authorization");
    }
}

#[tokio::test]
async fn signing_out_clears_the_cookie_and_a_kept_copy_reads_nothing() {
    let server = TestServer::start().await;
    let FilesInARoom { jun, photo, .. } = photo_and_pdf_in_a_room(&server).await;
    assert_eq!(read_with_cookie(&server, &jun.cookie, photo.id, "/thumbnail").await.status(), 200);

    let signed_out = reqwest::Client::new()
        .delete(server.http("/api/session"))
        .header("origin", "http://127.0.0.1:3000")
        .bearer_auth(&jun.session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    let (cleared, attributes) = files_cookie_set_by(&signed_out);
    assert_eq!(cleared, "hanmadi_files=", "emptied");
    assert!(attributes.split("; ").any(|a| a == "Max-Age=0"), "and removed: {attributes}");
    assert!(attributes.split("; ").any(|a| a == "Path=/api/attachments"), "the same cookie: {attributes}");

    let kept_copy = read_with_cookie(&server, &jun.cookie, photo.id, "/thumbnail").await;
    assert_eq!(kept_copy.status(), 401, "the session is over, and so is its cookie");
}

#[tokio::test]
async fn after_a_refresh_the_new_cookie_reads_files() {
    let server = TestServer::start().await;
    let FilesInARoom { jun, photo, .. } = photo_and_pdf_in_a_room(&server).await;
    let refreshed = reqwest::Client::new()
        .post(server.http("/api/session/refresh"))
        .header("origin", "http://127.0.0.1:3000")
        .bearer_auth(&jun.session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    let (cookie, attributes) = files_cookie_set_by(&refreshed);
    assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"));
    let session: Session = refreshed.json().await.unwrap();
    assert_eq!(cookie, format!("hanmadi_files={}", session.token), "the fresh token");

    assert_eq!(read_with_cookie(&server, &cookie, photo.id, "/thumbnail").await.status(), 200);
    assert_eq!(read_with_cookie(&server, &cookie, photo.id, "").await.status(), 200);
    let replaced = read_with_cookie(&server, &jun.cookie, photo.id, "").await;
    assert_eq!(replaced.status(), 401, "the replaced token's cookie stops working with it");

    let refused = reqwest::Client::new()
        .post(server.http("/api/session/refresh"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().get("set-cookie").is_none(), "a refusal leaves the browser's cookie alone");
}
