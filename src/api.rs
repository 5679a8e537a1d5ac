//! The server's HTTP API, as the app uses it: the rooms list and history pages.
//! Requests carry the session token; an expired token is refreshed once.

use gloo_net::http::{Request, Response};
use hanmadi_client_core::SequencedEvent;
use hanmadi_protocol::{MessageId, Millis, RoomEvent, RoomId, Seq, UserId};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::deploy_config;
use crate::session;
use crate::store::timeline::MessageEntry;
use crate::store::RoomInfo;

#[derive(Deserialize)]
struct RoomSummary {
    id: RoomId,
    name: String,
    member: bool,
}

pub async fn rooms() -> Result<Vec<RoomInfo>, String> {
    let rooms: Vec<RoomSummary> = get("/api/rooms").await?;
    Ok(rooms.into_iter().map(|r| RoomInfo { id: r.id, name: r.name, member: r.member, unread: 0 }).collect())
}

#[derive(Deserialize)]
struct MessageView {
    id: MessageId,
    seq: Seq,
    author: UserId,
    author_name: String,
    text: String,
    at: Millis,
    edited: bool,
    deleted: bool,
}

#[derive(Deserialize)]
struct MessagesPage {
    head: Seq,
    messages: Vec<MessageView>,
}

/// The newest `limit` messages before `before` (or the newest of all), and the
/// room's head at the time.
pub async fn messages(room: RoomId, before: Option<Seq>, limit: u32) -> Result<(Seq, Vec<MessageEntry>), String> {
    let before = before.map(|seq| format!("&before={seq}")).unwrap_or_default();
    let page: MessagesPage = get(&format!("/api/rooms/{room}/messages?limit={limit}{before}")).await?;
    let entries = page
        .messages
        .into_iter()
        .map(|m| MessageEntry {
            id: m.id,
            seq: m.seq,
            author: m.author,
            author_name: m.author_name,
            text: m.text,
            at: m.at,
            edited: m.edited,
            deleted: m.deleted,
        })
        .collect();
    Ok((page.head, entries))
}

#[derive(Deserialize)]
struct StoredEvent {
    seq: Seq,
    at: Millis,
    event: RoomEvent,
}

#[derive(Deserialize)]
struct EventsPage {
    events: Vec<StoredEvent>,
}

/// A room's events with `after < seq < before`: the answer to a gap.
pub async fn events(room: RoomId, after: Seq, before: Seq) -> Result<Vec<SequencedEvent>, String> {
    let page: EventsPage = get(&format!("/api/rooms/{room}/events?after={after}&before={before}")).await?;
    Ok(page.events.into_iter().map(|e| SequencedEvent { seq: e.seq, at: e.at, event: e.event }).collect())
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, String> {
    let mut response = send(path).await?;
    if response.status() == 401 {
        // The token expired while the tab slept: refresh once and try again.
        let saved = session::saved().ok_or("signed out")?;
        session::refresh(&saved.token).await?;
        response = send(path).await?;
    }
    if !response.ok() {
        return Err(format!("the server answered {} to {path}", response.status()));
    }
    response.json().await.map_err(|error| format!("unreadable answer from {path}: {error}"))
}

async fn send(path: &str) -> Result<Response, String> {
    let token = session::saved().map(|session| session.token).unwrap_or_default();
    Request::get(&deploy_config::api_url(path))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| "cannot reach the server".to_owned())
}
