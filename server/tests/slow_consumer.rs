//! A client that cannot keep up is resynced from the database, never silently
//! dropped (unlike axum's chat example, which ends a lagging client's loop).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::TestServer;
use futures_util::StreamExt;
use hanmadi_protocol::{decode_server, Action, ClientFrame, Cursor, Seq, ServerFrame};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_reader_that_stalls_is_told_to_resync_and_then_misses_nothing() {
    // A tiny fan-out buffer, so that stalling is cheap to provoke.
    let server = TestServer::start_with(|config| {
        config.fanout_buffer = 8;
        config.frames_per_sec = 10_000;
        config.actions_per_sec = 10_000;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_room("firehose").await;
    let mut jun_tab = server.connect(&jun).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    let (_, start) = jun_tab.resume(room, Seq::ZERO).await;

    // Jun stops reading. Big messages fill the socket buffers quickly, then his
    // connection falls behind the fan-out buffer.
    let big = "가".repeat(4000);
    let total = 600u64;
    for _ in 0..total {
        mina_tab.act(Action::SendMessage { room, text: big.clone(), reply_to: None, attachments: Vec::new() }).await;
    }
    let head = Seq(start.0 + total);

    // Jun reads again: what arrives live, a resync notice, then a resume fills in.
    let mut seen = BTreeSet::new();
    let mut resynced = false;
    while seen.len() < total as usize {
        let message = tokio::time::timeout(Duration::from_secs(10), jun_tab.ws.next())
            .await
            .expect("frames keep coming")
            .expect("still open")
            .expect("no transport error");
        let Message::Text(text) = message else { continue };
        match decode_server(text.as_bytes()).unwrap() {
            ServerFrame::Event { seq, .. } => {
                seen.insert(seq);
            }
            ServerFrame::Resync { room: r } if r == room => {
                resynced = true;
                // As the client engine does: resume from the last contiguous seq.
                let after = (start.0..).take_while(|s| *s == start.0 || seen.contains(&Seq(*s))).last().unwrap();
                jun_tab.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: Seq(after) }] }).await;
            }
            _ => {}
        }
    }
    assert!(resynced, "the stalled reader was told to resync");
    let expected: BTreeSet<Seq> = (start.0 + 1..=head.0).map(Seq).collect();
    assert_eq!(seen, expected, "every message reached the slow reader");
}
