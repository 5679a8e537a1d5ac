//! Every kind of bad input gets a clear error or close code, and other clients
//! carry on undisturbed.

mod common;

use std::time::Duration;

use common::TestServer;
use futures_util::StreamExt;
use hanmadi_protocol::{close_code, ClientFrame, ErrorCode, ServerFrame, PROTOCOL_VERSION};
use tokio_tungstenite::tungstenite::Message;

async fn expect_error(client: &mut common::Client, expected: ErrorCode) -> String {
    match client.recv().await {
        ServerFrame::Error { code, message } if code == expected => message,
        other => panic!("expected a {expected:?} error, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_unknown_binary_and_oversized_frames_get_clear_errors() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut client = server.connect(&mina).await;

    client.send_raw(Message::text("{not json")).await;
    expect_error(&mut client, ErrorCode::Malformed).await;

    client.send_raw(Message::text(r#"{"type":"teleport"}"#)).await;
    let message = expect_error(&mut client, ErrorCode::UnknownType).await;
    assert!(message.contains("teleport"), "{message}");

    client.send_raw(Message::binary(vec![1, 2, 3])).await;
    expect_error(&mut client, ErrorCode::BinaryNotSupported).await;

    let too_big = format!(r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#, "x".repeat(70_000));
    client.send_raw(Message::text(too_big)).await;
    expect_error(&mut client, ErrorCode::TooLarge).await;

    client.send(&ClientFrame::Ping { nonce: 9 }).await;
    assert_eq!(client.recv().await, ServerFrame::Pong { nonce: 9 });
}

#[tokio::test]
async fn an_absurdly_large_frame_closes_only_that_connection() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut bystander = server.connect(&mina).await;
    let mut flooder = server.connect(&mina).await;
    let _ = futures_util::SinkExt::send(&mut flooder.ws, Message::text("x".repeat(1024 * 1024))).await;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), flooder.ws.next()).await.unwrap() {
            Some(Ok(Message::Text(_))) => continue, // ticker frames may come first
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), close_code::MESSAGE_TOO_BIG);
                break;
            }
            None | Some(Err(_)) | Some(Ok(Message::Close(None))) => break, // dropped mid-frame: also fine
            other => panic!("expected the flooder to be closed, got {other:?}"),
        }
    }
    bystander.send(&ClientFrame::Ping { nonce: 3 }).await;
    assert_eq!(bystander.recv().await, ServerFrame::Pong { nonce: 3 });
}

#[tokio::test]
async fn frames_before_hello_are_refused() {
    let server = TestServer::start().await;
    let mut client = server.raw().await;
    client.send(&ClientFrame::Ping { nonce: 1 }).await;
    expect_error(&mut client, ErrorCode::HandshakeRequired).await;
}

#[tokio::test]
async fn no_forged_or_expired_token_gets_in() {
    // The shortest life a token can have: it has expired two seconds later.
    let server = TestServer::start_with(|config| config.token_ttl_secs = 1).await;
    let expired = server.sign_up("Mina").await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;

    let mut client = server.raw().await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: None }).await;
    assert_eq!(client.expect_close(close_code::UNAUTHORIZED).await, "sign in first");

    let mut client = server.raw().await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(expired.token.clone()) }).await;
    assert_eq!(client.expect_close(close_code::UNAUTHORIZED).await, "token expired");

    // Another user's id in a signed token: `v2.<key>.<session>.<generation>.<user>.<expires>.<signature>`.
    let mut parts: Vec<&str> = expired.token.split('.').collect();
    parts[4] = "999";
    let forged = parts.join(".");
    let mut client = server.raw().await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(forged) }).await;
    assert_eq!(client.expect_close(close_code::UNAUTHORIZED).await, "invalid token");
}

#[tokio::test]
async fn an_old_client_is_told_its_protocol_is_unsupported() {
    let server = TestServer::start().await;
    let mut client = server.raw().await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION + 1, token: None }).await;
    client.expect_close(close_code::UNSUPPORTED_PROTOCOL).await;
}

#[tokio::test]
async fn a_page_from_another_site_is_refused_with_4403_and_the_own_origin_is_welcome() {
    let server = TestServer::start().await;
    let mut evil = server.connect_with_origin("https://evil.example").await;
    assert_eq!(evil.expect_close(close_code::FORBIDDEN).await, "origin not allowed");

    let mina = server.sign_up("Mina").await;
    let own = format!("http://{}", server.server.local_addr());
    let mut client = server.connect_with_origin(&own).await;
    client.send(&ClientFrame::Hello { protocol: PROTOCOL_VERSION, token: Some(mina.token) }).await;
    assert!(matches!(client.recv().await, ServerFrame::Welcome { .. }));
}

#[tokio::test]
async fn a_steady_flood_of_binary_frames_just_over_the_rate_is_cut_off() {
    let server = TestServer::start_with(|config| config.frames_per_sec = 100).await;
    let mina = server.sign_up("Mina").await;
    let mut flooder = server.connect(&mina).await;
    // Three times the rate, evenly: some frames always get through, which
    // must not forgive the ones refused in between.
    let mut every = tokio::time::interval(Duration::from_micros(3_333));
    let started = tokio::time::Instant::now();
    let closed_with = loop {
        assert!(started.elapsed() < Duration::from_secs(20), "a steady flood was tolerated");
        tokio::select! {
            _ = every.tick() => {
                if futures_util::SinkExt::send(&mut flooder.ws, Message::binary(vec![0u8; 16])).await.is_err() {
                    break None;
                }
            }
            message = flooder.ws.next() => match message {
                Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => break None,
            },
        }
    };
    assert_eq!(closed_with, Some(close_code::RATE_LIMITED));
}

#[tokio::test]
async fn a_flood_is_slowed_with_errors_then_cut_off_while_others_carry_on() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut bystander = server.connect(&mina).await;
    let mut flooder = server.connect(&mina).await;
    let mut rate_limited = 0;
    let mut closed_with = None;
    for nonce in 0..2_000u64 {
        if futures_util::SinkExt::send(
            &mut flooder.ws,
            Message::text(hanmadi_protocol::encode(&ClientFrame::Ping { nonce })),
        )
        .await
        .is_err()
        {
            break;
        }
    }
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(5), flooder.ws.next()).await {
        match message {
            Message::Text(text) if text.contains("rate_limited") => rate_limited += 1,
            Message::Close(frame) => {
                closed_with = frame.map(|f| u16::from(f.code));
                break;
            }
            _ => {}
        }
    }
    assert!(rate_limited > 0, "the flooder was told to slow down");
    assert_eq!(closed_with, Some(close_code::RATE_LIMITED));
    bystander.send(&ClientFrame::Ping { nonce: 1 }).await;
    assert_eq!(bystander.recv().await, ServerFrame::Pong { nonce: 1 });
}
