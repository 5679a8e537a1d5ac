//! The socket endpoint, driven by real WebSocket clients against the real server on
//! port 0 with a real SQLite file.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hanmadi_protocol::{close_code, decode_server, encode, ClientFrame, ErrorCode, ServerFrame, PROTOCOL_VERSION};
use hanmadi_server::{start, Config, RunningServer};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

struct TestServer {
    server: RunningServer,
    _dir: tempfile::TempDir,
}

async fn test_server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(format!("sqlite://{}", dir.path().join("chat.db").display()));
    config.static_dir = dir.path().join("no-dist");
    TestServer { server: start(config).await.unwrap(), _dir: dir }
}

impl TestServer {
    fn url(&self) -> String {
        format!("ws://{}/ws", self.server.local_addr())
    }

    async fn connect(&self) -> Client {
        connect_async(self.url()).await.unwrap().0
    }

    async fn connect_and_hello(&self) -> Client {
        let mut client = self.connect().await;
        send(&mut client, &ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None }).await;
        assert_eq!(receive(&mut client).await, ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None });
        client
    }
}

async fn send(client: &mut Client, frame: &ClientFrame) {
    client.send(Message::text(encode(frame))).await.unwrap();
}

async fn next_message(client: &mut Client) -> Message {
    tokio::time::timeout(Duration::from_secs(5), client.next())
        .await
        .expect("the server answered within 5 s")
        .expect("the socket is still open")
        .expect("no transport error")
}

async fn receive(client: &mut Client) -> ServerFrame {
    match next_message(client).await {
        Message::Text(text) => decode_server(text.as_bytes()).unwrap(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

async fn expect_error(client: &mut Client, expected: ErrorCode) -> String {
    match receive(client).await {
        ServerFrame::Error { code, message } if code == expected => message,
        other => panic!("expected a {expected:?} error, got {other:?}"),
    }
}

async fn expect_close(client: &mut Client, expected: u16) {
    match next_message(client).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), expected, "{frame:?}"),
        other => panic!("expected close {expected}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_says_hello_and_is_welcomed_then_pings() {
    let server = test_server().await;
    let mut client = server.connect_and_hello().await;
    send(&mut client, &ClientFrame::Ping { nonce: 42 }).await;
    assert_eq!(receive(&mut client).await, ServerFrame::Pong { nonce: 42 });
}

#[tokio::test]
async fn frames_before_hello_are_refused_until_the_handshake() {
    let server = test_server().await;
    let mut client = server.connect().await;
    send(&mut client, &ClientFrame::Ping { nonce: 1 }).await;
    expect_error(&mut client, ErrorCode::HandshakeRequired).await;
    send(&mut client, &ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None }).await;
    assert_eq!(receive(&mut client).await, ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None });
}

#[tokio::test]
async fn bad_frames_get_clear_errors_and_the_connection_carries_on() {
    let server = test_server().await;
    let mut client = server.connect_and_hello().await;

    client.send(Message::text("{not json")).await.unwrap();
    expect_error(&mut client, ErrorCode::Malformed).await;

    client.send(Message::text(r#"{"type":"teleport"}"#)).await.unwrap();
    let message = expect_error(&mut client, ErrorCode::UnknownType).await;
    assert!(message.contains("teleport"), "{message}");

    client.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    expect_error(&mut client, ErrorCode::BinaryNotSupported).await;

    let too_big = format!(r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#, "x".repeat(70_000));
    client.send(Message::text(too_big)).await.unwrap();
    expect_error(&mut client, ErrorCode::TooLarge).await;

    send(&mut client, &ClientFrame::Ping { nonce: 9 }).await;
    assert_eq!(receive(&mut client).await, ServerFrame::Pong { nonce: 9 });
}

#[tokio::test]
async fn an_absurdly_large_frame_closes_only_that_connection() {
    let server = test_server().await;
    let mut bystander = server.connect_and_hello().await;
    let mut flooder = server.connect_and_hello().await;
    let _ = flooder.send(Message::text("x".repeat(1024 * 1024))).await;
    match tokio::time::timeout(Duration::from_secs(5), flooder.next()).await.unwrap() {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), close_code::MESSAGE_TOO_BIG),
        None | Some(Err(_)) | Some(Ok(Message::Close(None))) => {} // dropped mid-frame: also fine
        other => panic!("expected the flooder to be closed, got {other:?}"),
    }
    send(&mut bystander, &ClientFrame::Ping { nonce: 3 }).await;
    assert_eq!(receive(&mut bystander).await, ServerFrame::Pong { nonce: 3 });
}

#[tokio::test]
async fn an_old_client_is_told_its_protocol_is_unsupported() {
    let server = test_server().await;
    let mut client = server.connect().await;
    send(&mut client, &ClientFrame::Hello { protocol: PROTOCOL_VERSION + 1, token: None }).await;
    expect_close(&mut client, close_code::UNSUPPORTED_PROTOCOL).await;
}

#[tokio::test]
async fn a_page_from_another_site_is_refused_with_4403() {
    let server = test_server().await;
    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert("Origin", "https://evil.example".parse().unwrap());
    let (mut client, _) = connect_async(request).await.unwrap();
    expect_close(&mut client, close_code::FORBIDDEN).await;
}

#[tokio::test]
async fn a_page_from_the_servers_own_origin_is_welcome() {
    let server = test_server().await;
    let mut request = server.url().into_client_request().unwrap();
    let origin = format!("http://{}", server.server.local_addr());
    request.headers_mut().insert("Origin", origin.parse().unwrap());
    let (mut client, _) = connect_async(request).await.unwrap();
    send(&mut client, &ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None }).await;
    assert_eq!(receive(&mut client).await, ServerFrame::Welcome { protocol: PROTOCOL_VERSION, user: None });
}

#[tokio::test]
async fn a_graceful_shutdown_tells_every_client_to_come_back() {
    let TestServer { server, _dir } = test_server().await;
    let url = format!("ws://{}/ws", server.local_addr());
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut client = connect_async(&url).await.unwrap().0;
        send(&mut client, &ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None }).await;
        receive(&mut client).await;
        clients.push(client);
    }
    let shutdown = tokio::spawn(server.shutdown());
    for client in &mut clients {
        expect_close(client, close_code::SERVICE_RESTART).await;
    }
    shutdown.await.unwrap().unwrap();
}

#[tokio::test]
async fn health_check_reports_the_database() {
    let server = test_server().await;
    let url = format!("http://{}/healthz", server.server.local_addr());
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}
