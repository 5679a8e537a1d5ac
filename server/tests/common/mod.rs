//! Test support: the real server on port 0 over a real SQLite file, guest
//! sessions over real HTTP, and real WebSocket clients.

// Each test binary uses part of this module; what one does not use is not dead.
#![allow(dead_code)]

pub mod files;
pub mod node;
pub mod proxy;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{
    decode_server, encode, Action, ActionKey, ClientFrame, Cursor, MessageId, Outcome, PresenceChange, RoomEvent,
    RoomId, Seq, ServerFrame, UserId, PROTOCOL_VERSION,
};
use hanmadi_server::{start, Config, RunningServer};
use serde::Deserialize;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

/// See [`TestServer::mina_and_jun_in`].
pub struct TwoInARoom {
    pub mina: Session,
    pub jun: Session,
    pub mina_tab: Client,
    pub jun_tab: Client,
    pub room: RoomId,
}

pub struct TestServer {
    pub server: RunningServer,
    database: Database,
}

/// Where a test server keeps its data: a fresh SQLite file in a temporary folder,
/// or, when `HANMADI_TEST_POSTGRES` names a PostgreSQL server (as `cargo xtask
/// test` does when it can start one), a fresh database on it. Kept across a
/// restart of the test server.
pub struct Database {
    pub url: String,
    _folder: tempfile::TempDir,
}

impl Database {
    pub async fn fresh() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let url = match std::env::var("HANMADI_TEST_POSTGRES") {
            Ok(admin_url) => fresh_postgres_database(&admin_url).await,
            Err(_) => format!("sqlite://{}", folder.path().join("chat.db").display()),
        };
        Self { url, _folder: folder }
    }
}

async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Executor;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name =
        format!("hanmadi_test_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url).await.unwrap();
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    format!("{base}/{name}")
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        // `RUST_LOG=debug cargo test` shows the server's logs; silent otherwise.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        Self::start_on(Database::fresh().await, adjust).await
    }

    /// A server on an existing database (a restart, when one ran there before).
    pub async fn start_on(database: Database, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_tests(database.url.clone());
        config.static_dir = database._folder.path().join("no-dist");
        config.ticker_rate = 0;
        adjust(&mut config);
        TestServer { server: start(config).await.unwrap(), database }
    }

    /// Where this server keeps its data, for a second node or an operator's task.
    pub fn database_url(&self) -> String {
        self.database.url.clone()
    }

    /// Stops gracefully and hands back the database for a restart.
    pub async fn stop(self) -> Database {
        self.server.shutdown().await.unwrap();
        self.database
    }

    /// The database, for stories that look at (or age) what is stored.
    pub async fn database(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database.url).await.unwrap()
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.local_addr())
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.server.local_addr())
    }

    pub async fn sign_up(&self, name: &str) -> Session {
        sign_up_at(self.server.local_addr(), name).await
    }

    /// Mina and Jun, signed up and connected, both in a new room `name` (Mina
    /// made it, Jun joined), each following it from its start.
    pub async fn mina_and_jun_in(&self, name: &str) -> TwoInARoom {
        let mina = self.sign_up("Mina").await;
        let jun = self.sign_up("Jun").await;
        let mut mina_tab = self.connect(&mina).await;
        let room = mina_tab.create_room(name).await;
        mina_tab.resume(room, Seq::ZERO).await;
        let mut jun_tab = self.connect(&jun).await;
        jun_tab.act(Action::JoinRoom { room }).await;
        jun_tab.resume(room, Seq::ZERO).await;
        TwoInARoom { mina, jun, mina_tab, jun_tab, room }
    }

    /// A raw socket: no hello yet.
    pub async fn raw(&self) -> Client {
        raw_at(self.server.local_addr()).await
    }

    /// A socket that has said hello with the session's token and been welcomed.
    pub async fn connect(&self, session: &Session) -> Client {
        connect_at(self.server.local_addr(), session).await
    }

    pub async fn connect_with_origin(&self, origin: &str) -> Client {
        let mut request = self.ws_url().into_client_request().unwrap();
        request.headers_mut().insert("Origin", origin.parse().unwrap());
        Client { ws: connect_async(request).await.unwrap().0, user: None }
    }
}

/// A guest session from the server at `addr`.
pub async fn sign_up_at(addr: SocketAddr, name: &str) -> Session {
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/session"))
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "sign up {name}");
    response.json().await.unwrap()
}

/// A raw socket to the server at `addr`: no hello yet.
pub async fn raw_at(addr: SocketAddr) -> Client {
    Client { ws: connect_async(format!("ws://{addr}/ws")).await.unwrap().0, user: None }
}

/// A socket to the server at `addr` that has said hello, been welcomed, and
/// been told who it is.
pub async fn connect_at(addr: SocketAddr, session: &Session) -> Client {
    let mut client = raw_at(addr).await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(session.token.clone()) }).await;
    match client.recv().await {
        ServerFrame::Welcome { user: Some(user), .. } => assert_eq!(user, session.user.id),
        other => panic!("expected a welcome, got {other:?}"),
    }
    assert_eq!(client.told_who_you_are().await, (session.user.name.clone(), Settings::default()));
    client.user = Some(session.user.id);
    client
}

#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: u64,
    pub user: SessionUser,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub name: String,
}

/// A message [`Client::say`] said: where it is in its room, and its id.
#[derive(Debug, Clone, Copy)]
pub struct Said {
    pub seq: Seq,
    pub message: MessageId,
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    pub user: Option<UserId>,
}

impl Client {
    pub async fn send(&mut self, frame: &ClientFrame) {
        self.ws.send(Message::text(encode(frame))).await.unwrap();
    }

    /// Sends `frames` in one write, so that the server reads them together (one
    /// at a time, Nagle's algorithm holds the later ones back until the first is
    /// acknowledged).
    pub async fn send_together(&mut self, frames: impl IntoIterator<Item = ClientFrame>) {
        for frame in frames {
            self.ws.feed(Message::text(encode(&frame))).await.unwrap();
        }
        self.ws.flush().await.unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    pub async fn next_message(&mut self) -> Message {
        tokio::time::timeout(Duration::from_secs(10), self.ws.next())
            .await
            .expect("the server answered within 10 s")
            .expect("the socket is still open")
            .expect("no transport error")
    }

    /// The next frame that is not ticker, presence or rooms-list noise.
    pub async fn recv(&mut self) -> ServerFrame {
        loop {
            let frame = match self.next_message().await {
                Message::Text(text) => decode_server(text.as_bytes()).unwrap(),
                other => panic!("expected a text frame, got {other:?}"),
            };
            let noise = matches!(
                frame,
                ServerFrame::Ticker { .. }
                    | ServerFrame::Presence { .. }
                    | ServerFrame::PresenceChanged { .. }
                    | ServerFrame::RoomListed { .. }
                    | ServerFrame::RoomListStale {}
                    | ServerFrame::YouChanged { .. }
            );
            if !noise {
                return frame;
            }
        }
    }

    /// The next time this connection is told who it is whole (after its
    /// welcome, or a `room_list_stale`): the name and settings.
    pub async fn told_who_you_are(&mut self) -> (String, Settings) {
        self.recv_until(|frame| match frame {
            ServerFrame::YouChanged { name: Some(name), settings: Some(settings) } => Some((name.clone(), *settings)),
            _ => None,
        })
        .await
    }

    /// Reads until `pick` returns something, skipping other frames.
    pub async fn recv_until<T>(&mut self, mut pick: impl FnMut(&ServerFrame) -> Option<T>) -> T {
        loop {
            let frame = match self.next_message().await {
                Message::Text(text) => decode_server(text.as_bytes()).unwrap(),
                Message::Close(frame) => panic!("closed while waiting: {frame:?}"),
                _ => continue,
            };
            if let Some(found) = pick(&frame) {
                return found;
            }
        }
    }

    pub async fn expect_close(&mut self, code: u16) -> String {
        loop {
            match self.next_message().await {
                Message::Close(Some(frame)) => {
                    assert_eq!(u16::from(frame.code), code, "{frame:?}");
                    return frame.reason.to_string();
                }
                Message::Text(_) => continue,
                other => panic!("expected close {code}, got {other:?}"),
            }
        }
    }

    pub fn new_key(&mut self) -> ActionKey {
        // Unique across every tab of the test, as the app's random keys are: a
        // second tab of the same person must not repeat the first one's keys.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ActionKey::new(format!("key-{}-{n}", self.user.map_or(0, |u| u.0))).unwrap()
    }

    /// Sends an action under `key` and returns its outcome, skipping other frames.
    pub async fn act_with_key(&mut self, key: &ActionKey, action: Action) -> Outcome {
        self.send(&ClientFrame::Action { key: key.clone(), action }).await;
        let key = key.clone();
        self.recv_until(|frame| match frame {
            ServerFrame::Ack { key: acked, outcome } if *acked == key => Some(outcome.clone()),
            _ => None,
        })
        .await
    }

    pub async fn act(&mut self, action: Action) -> Outcome {
        let key = self.new_key();
        self.act_with_key(&key, action).await
    }

    /// Says `text` in `room`, which must be applied.
    pub async fn say(&mut self, room: RoomId, text: &str) -> Said {
        match self.act(Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() }).await {
            Outcome::Applied { seq: Some(seq), message: Some(message), .. } => Said { seq, message },
            other => panic!("{text:?} not sent: {other:?}"),
        }
    }

    pub async fn create_room(&mut self, name: &str) -> RoomId {
        match self.act(Action::CreateRoom { name: name.into(), private: false }).await {
            Outcome::Applied { room, .. } => room,
            other => panic!("room not created: {other:?}"),
        }
    }

    /// A private room: listed to and read by its members only.
    pub async fn create_private_room(&mut self, name: &str) -> RoomId {
        match self.act(Action::CreateRoom { name: name.into(), private: true }).await {
            Outcome::Applied { room, .. } => room,
            other => panic!("private room not created: {other:?}"),
        }
    }

    /// Follows a room from `after`; returns the replayed events and the head.
    pub async fn resume(&mut self, room: RoomId, after: Seq) -> (Vec<(Seq, RoomEvent)>, Seq) {
        self.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after }] }).await;
        let mut events = Vec::new();
        loop {
            match self.recv().await {
                ServerFrame::Event { room: r, seq, event, .. } if r == room => events.push((seq, event)),
                ServerFrame::CaughtUp { room: r, head } if r == room => return (events, head),
                other => panic!("unexpected while resuming: {other:?}"),
            }
        }
    }

    /// The next change to `room`'s presence, skipping everything else.
    pub async fn next_presence_change(&mut self, room: RoomId) -> PresenceChange {
        self.recv_until(|frame| match frame {
            ServerFrame::PresenceChanged { room: r, change, .. } if *r == room => Some(change.clone()),
            _ => None,
        })
        .await
    }

    /// The next room event, skipping everything else.
    pub async fn next_event(&mut self) -> (RoomId, Seq, RoomEvent) {
        self.recv_until(|frame| match frame {
            ServerFrame::Event { room, seq, event, .. } => Some((*room, *seq, event.clone())),
            _ => None,
        })
        .await
    }
}

/// Calls the API as `who` (`method` on `path`): the status, and the JSON
/// body (`null` when there is none, a string when it is not JSON).
pub async fn call_as(
    server: &TestServer,
    who: &Session,
    method: reqwest::Method,
    path: &str,
) -> (u16, serde_json::Value) {
    let response =
        reqwest::Client::new().request(method, server.http(path)).bearer_auth(&who.token).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    let body = match serde_json::from_slice(&body) {
        _ if body.is_empty() => serde_json::Value::Null,
        Ok(json) => json,
        Err(_) => serde_json::Value::String(String::from_utf8_lossy(&body).into_owned()),
    };
    (status, body)
}

/// `who` takes the name `name` (`PATCH /api/me`): the status.
pub async fn rename(server: &TestServer, who: &Session, name: &str) -> reqwest::StatusCode {
    let body = serde_json::json!({ "name": name });
    let response =
        reqwest::Client::new().patch(server.http("/api/me")).bearer_auth(&who.token).json(&body).send().await.unwrap();
    response.status()
}

/// `who` chooses whether to share what they have seen (`PUT
/// /api/me/settings`): the status and the settings answered.
pub async fn share_seen(
    server: &TestServer,
    who: &Session,
    shares_seen: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .put(server.http("/api/me/settings"))
        .bearer_auth(&who.token)
        .json(&serde_json::json!({ "shares_seen": shares_seen }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(serde_json::Value::Null))
}

/// GETs `path` as `who`: the status and the JSON body.
pub async fn get_as(server: &TestServer, who: &Session, path: &str) -> (u16, serde_json::Value) {
    call_as(server, who, reqwest::Method::GET, path).await
}

pub fn text_of(event: &RoomEvent) -> &str {
    match event {
        RoomEvent::Message { text, .. } => text,
        other => panic!("not a message: {other:?}"),
    }
}
