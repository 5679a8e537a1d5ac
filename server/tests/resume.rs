//! A client that comes back gets exactly what it missed, in order; and what the
//! server acknowledged survives the server's restart.

mod common;

use common::{text_of, TestServer};
use hanmadi_protocol::{close_code, Action, ClientFrame, Cursor, Outcome, Seq, ServerFrame};

#[tokio::test]
async fn a_dropped_client_resumes_with_exactly_the_missed_events() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let jun = server.sign_up("Jun").await;
    let mut mina_tab = server.connect(&mina).await;
    let room = mina_tab.create_room("general").await;
    let mut jun_tab = server.connect(&jun).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    let (_, cursor) = jun_tab.resume(room, Seq::ZERO).await;
    drop(jun_tab); // the subway tunnel

    for n in 1..=5 {
        mina_tab
            .act(Action::SendMessage { room, text: format!("missed {n}"), reply_to: None, attachments: Vec::new() })
            .await;
    }

    let mut jun_tab = server.connect(&jun).await;
    let (missed, head) = jun_tab.resume(room, cursor).await;
    let texts: Vec<&str> = missed.iter().map(|(_, event)| text_of(event)).collect();
    assert_eq!(texts, ["missed 1", "missed 2", "missed 3", "missed 4", "missed 5"]);
    let seqs: Vec<u64> = missed.iter().map(|(seq, _)| seq.0).collect();
    assert_eq!(seqs, (cursor.0 + 1..=cursor.0 + 5).collect::<Vec<_>>());
    assert_eq!(head, Seq(cursor.0 + 5));

    // And live from there on, without repeats.
    mina_tab.act(Action::SendMessage { room, text: "live".into(), reply_to: None, attachments: Vec::new() }).await;
    let (_, seq, event) = jun_tab.next_event().await;
    assert_eq!((seq, text_of(&event)), (Seq(head.0 + 1), "live"));
}

#[tokio::test]
async fn a_restart_loses_no_acknowledged_message_and_says_1012_first() {
    let server = TestServer::start().await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let room = tab.create_room("general").await;
    let mut acknowledged = Vec::new();
    for n in 0..25 {
        let text = format!("before restart {n}");
        if let Outcome::Applied { seq: Some(seq), .. } =
            tab.act(Action::SendMessage { room, text: text.clone(), reply_to: None, attachments: Vec::new() }).await
        {
            acknowledged.push((seq, text));
        }
    }
    let stopping = tokio::spawn(server.stop());
    tab.expect_close(close_code::SERVICE_RESTART).await;
    let database = stopping.await.unwrap();

    let server = TestServer::start_on(database, |_| {}).await;
    let mut tab = server.connect(&mina).await;
    let (replayed, _) = tab.resume(room, Seq(2)).await;
    let replayed: Vec<(Seq, String)> = replayed.iter().map(|(seq, event)| (*seq, text_of(event).to_owned())).collect();
    assert_eq!(replayed, acknowledged);
}

#[tokio::test]
async fn a_cursor_ahead_of_a_restored_log_is_reset_and_nothing_new_is_missed() {
    let server = TestServer::start().await;
    let room = server.mina_and_jun_in("restored from last night's backup").await;
    let (mut mina_tab, jun, room) = (room.mina_tab, room.jun, room.room);
    mina_tab
        .act(Action::SendMessage { room, text: "after the restore".into(), reply_to: None, attachments: Vec::new() })
        .await;

    // Jun's tab remembers seq 50 from before the restore; the log now ends at 4.
    let mut jun_tab = server.connect(&jun).await;
    jun_tab.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: Seq(50) }] }).await;
    let head = jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::Reset { room: r, head } if *r == room => Some(*head),
            ServerFrame::Event { .. } => panic!("nothing is replayed past the head"),
            _ => None,
        })
        .await;

    // The next message reuses the seqs the old cursor had seen: it must arrive.
    mina_tab
        .act(Action::SendMessage { room, text: "do you see this?".into(), reply_to: None, attachments: Vec::new() })
        .await;
    let (seq, event) = jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::Event { room: r, seq, event, .. } if *r == room => Some((*seq, event.clone())),
            _ => None,
        })
        .await;
    assert!(seq > head && seq < Seq(50), "{seq} reuses a seq below the old cursor");
    assert_eq!(text_of(&event), "do you see this?");
}
