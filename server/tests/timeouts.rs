//! A client too slow to send its request is cut off, so slow clients cannot
//! hold every connection (slowloris).

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn server_with_one_second_to_send() -> TestServer {
    TestServer::start_with(|config| config.http_timeout_secs = 1).await
}

/// Reads what the server says until it closes the connection (or 10 s pass).
async fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut heard = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut heard)).await;
    assert!(read.is_ok(), "the server still holds the connection after 10 s");
    (String::from_utf8_lossy(&heard).into_owned(), started.elapsed())
}

#[tokio::test]
async fn half_a_request_line_and_then_nothing_is_cut_off() {
    let server = server_with_one_second_to_send().await;
    let mut stream = TcpStream::connect(server.server.local_addr()).await.unwrap();
    stream.write_all(b"GET /api/rooms HT").await.unwrap();
    let (_, took) = read_until_closed(&mut stream).await;
    println!("cut off after {took:.1?}");
}

#[tokio::test]
async fn a_body_that_stops_halfway_gets_408() {
    let server = server_with_one_second_to_send().await;
    let mut stream = TcpStream::connect(server.server.local_addr()).await.unwrap();
    let request = "POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":";
    stream.write_all(request.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_prompt_client_is_served_as_usual() {
    let server = server_with_one_second_to_send().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    tab.create_room("still here").await;
}
