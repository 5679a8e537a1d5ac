//! Files in tests: images and bytes made to order, uploaded and read over
//! real HTTP, and sent in a message over a real socket.

use std::io::Cursor;

use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::{Action, AttachmentId, MessageId, Outcome, RoomId};
use serde_json::Value;

use super::{Client, Session, TestServer};

/// A PNG of `width` × `height`, its pixels made from `seed` (different seeds,
/// different bytes).
pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([seed, x as u8, y as u8, 255]));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

/// Bytes that are no kind of image.
pub fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|n| (n as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// Uploads `bytes` as `name`, claiming `claimed` as its type; the status and body.
pub async fn upload_as(server: &TestServer, who: &Session, name: &str, claimed: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.http("/api/attachments"))
        .query(&[("name", name)])
        .bearer_auth(&who.token)
        .header("content-type", claimed)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Uploads `bytes` as `name`; its description, which must be new.
pub async fn upload(server: &TestServer, who: &Session, name: &str, bytes: Vec<u8>) -> Attachment {
    let (status, body) = upload_as(server, who, name, "application/octet-stream", bytes).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Reads an attachment (`part` is "" or "/thumbnail") as `who`.
pub async fn read(server: &TestServer, who: &Session, id: AttachmentId, part: &str) -> reqwest::Response {
    let url = server.http(&format!("/api/attachments/{id}{part}"));
    reqwest::Client::new().get(url).bearer_auth(&who.token).send().await.unwrap()
}

pub async fn send(tab: &mut Client, room: RoomId, text: &str, attachments: Vec<AttachmentId>) -> Outcome {
    tab.act(Action::SendMessage { room, text: text.into(), reply_to: None, attachments }).await
}

pub async fn sent(tab: &mut Client, room: RoomId, attachments: Vec<AttachmentId>) -> MessageId {
    match send(tab, room, "", attachments).await {
        Outcome::Applied { message: Some(message), .. } => message,
        other => panic!("not sent: {other:?}"),
    }
}

/// How many contents the database keeps: stored copies of files.
pub async fn stored_copies(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM attachment_contents")
        .fetch_one(&server.database().await)
        .await
        .unwrap()
}
