//! The server's HTTP API, as the app uses it: the rooms list, history pages,
//! search, a private room's invite links, and where a message's files are
//! read. Requests carry the session token; an expired one is refreshed by the
//! engine, as the socket's is, and the request is tried once more. A try
//! with no whole answer in 20 s is given up (`crate::deadline`).

use gloo_net::http::Method;
use hanmadi_client_core::SequencedEvent;
use hanmadi_protocol::http::{
    EventsPage, Invite, InviteCreated, InvitePreview, MessagesPage, PageFrom, RoomSummary, SearchResults, ROOMS_PAGE,
};
use hanmadi_protocol::json::{self, FromJson};
use hanmadi_protocol::{AttachmentId, Member, MessageId, RoomId, Seq};

use crate::deadline::{self, Deadline};
use crate::deploy_config;
use crate::session;

/// The whole rooms list, page after page (by room id) until a short one.
pub async fn rooms() -> Result<Vec<RoomSummary>, String> {
    let mut rooms: Vec<RoomSummary> = Vec::new();
    loop {
        let after = rooms.last().map(|room| format!("&after={}", room.id)).unwrap_or_default();
        let page: Vec<RoomSummary> = get(&format!("/api/rooms?limit={ROOMS_PAGE}{after}")).await?;
        let last = page.len() < ROOMS_PAGE as usize;
        rooms.extend(page);
        if last {
            return Ok(rooms);
        }
    }
}

/// `limit` messages from where `from` says (the newest before a seq, or the
/// oldest after one), the notices among them, and the room's head at the time.
pub async fn messages(room: RoomId, from: PageFrom, limit: u32) -> Result<MessagesPage, String> {
    get(&format!("/api/rooms/{room}/messages?limit={limit}{}", from.query())).await
}

/// The newest messages containing `query` in the rooms we are in: of all, or
/// older than message `before` (the last one of the page before).
pub async fn search(query: &str, before: Option<MessageId>) -> Result<SearchResults, String> {
    let query = String::from(js_sys::encode_uri_component(query));
    let before = before.map(|message| format!("&before={message}")).unwrap_or_default();
    get(&format!("/api/search?q={query}{before}")).await
}

/// A room's events with `after < seq < before`: the answer to a gap.
pub async fn events(room: RoomId, after: Seq, before: Seq) -> Result<Vec<SequencedEvent>, String> {
    let page: EventsPage = get(&format!("/api/rooms/{room}/events?after={after}&before={before}")).await?;
    Ok(page.events.into_iter().map(|e| SequencedEvent { seq: e.seq, at: e.at, event: e.event }).collect())
}
/// Everyone in the room, online or not, earliest to join first.
pub async fn members(room: RoomId) -> Result<Vec<Member>, String> {
    get(&format!("/api/rooms/{room}/members")).await
}

/// Makes an invite link for a private room: its token is in the answer, and
/// only there (the server keeps only a hash of it).
pub async fn create_invite(room: RoomId) -> Result<InviteCreated, String> {
    read(Method::POST, &format!("/api/rooms/{room}/invites")).await
}

/// Which room an invite link opens, and who made it; asked before signing in.
pub async fn invite_preview(token: &str) -> Result<InvitePreview, String> {
    get(&format!("/api/invites/{token}")).await
}

/// The private room's invite links that still work, newest last.
pub async fn invites(room: RoomId) -> Result<Vec<Invite>, String> {
    get(&format!("/api/rooms/{room}/invites")).await
}

/// Revokes an invite link: whoever has it can no longer join with it.
pub async fn revoke_invite(room: RoomId, invite: u64) -> Result<(), String> {
    answer(Method::DELETE, &format!("/api/rooms/{room}/invites/{invite}")).await.map(drop)
}

/// Where a file's bytes are served. An `<img>` or a download link sends no
/// `Authorization` header: the browser sends the session's cookie, which the
/// server sets for these addresses alone when the token is made or renewed,
/// so the page keeps its `img-src 'self'` policy and no token is in a URL.
pub fn attachment_url(id: AttachmentId) -> String {
    deploy_config::api_url(&format!("/api/attachments/{id}"))
}

/// An image's thumbnail (at most 320 pixels a side), under the same rule.
pub fn thumbnail_url(id: AttachmentId) -> String {
    deploy_config::api_url(&format!("/api/attachments/{id}/thumbnail"))
}

/// "Remove attachment" on a file uploaded for a message never sent: the
/// server forgets it, and it stops counting against the uploader's quota.
pub async fn forget_attachment(id: AttachmentId) -> Result<(), String> {
    answer(Method::DELETE, &format!("/api/attachments/{id}")).await.map(drop)
}

async fn get<T: FromJson>(path: &str) -> Result<T, String> {
    read(Method::GET, path).await
}

/// The answer to `method path`, read as JSON.
async fn read<T: FromJson>(method: Method, path: &str) -> Result<T, String> {
    let body = answer(method, path).await?;
    json::from_str(&body).map_err(|error| format!("unreadable answer from {path}: {error}"))
}

/// The body of the server's answer to `method path`, when it is a success.
async fn answer(method: Method, path: &str) -> Result<String, String> {
    let (mut status, mut body) = exchange(method.clone(), path).await?;
    if status == 401 && session::saved().is_some() {
        // The token expired while the tab slept.
        crate::socket::token_refused().await;
        session::saved().ok_or("signed out")?;
        (status, body) = exchange(method, path).await?;
    }
    if !(200..300).contains(&status) {
        return Err(format!("the server answered {status} to {path}"));
    }
    Ok(body)
}

/// One try: the answer's status and body, all of it within
/// [`ANSWER_TIMEOUT_MS`](deadline::ANSWER_TIMEOUT_MS).
async fn exchange(method: Method, path: &str) -> Result<(u16, String), String> {
    let unreachable = |_| "cannot reach the server".to_owned();
    let deadline = Deadline::after(deadline::ANSWER_TIMEOUT_MS);
    // Signed out (an invite link's preview), a request carries no token.
    let token = session::saved().map(|session| session.token).unwrap_or_default();
    let response = deadline.on(session::authorised(method, path, &token)).send().await.map_err(unreachable)?;
    let body = response.text().await.map_err(unreachable)?;
    Ok((response.status(), body))
}
