//! The server notices a peer that vanished without a goodbye, and never drops
//! one that is merely quiet.

mod common;

use std::time::Duration;

use common::proxy::{FaultProxy, Flow};
use common::{connect_at, text_of, TestServer};
use hanmadi_protocol::{Action, PresenceChange, Seq, ServerFrame};

/// Idle timeout for these stories: pinged after 1 s of silence, closed after 2 s.
const IDLE_TIMEOUT_SECS: u64 = 2;

#[tokio::test]
async fn a_phone_that_loses_its_network_leaves_the_room_within_the_idle_timeout() {
    let server = TestServer::start_with(|config| config.idle_timeout_secs = IDLE_TIMEOUT_SECS).await;
    let room = server.mina_and_jun_in("on the road").await;
    let (mut mina_tab, jun) = (room.mina_tab, room.jun);
    drop(room.jun_tab);
    while mina_tab.next_presence_change(room.room).await != (PresenceChange::Left { user: jun.user.id }) {}

    // Jun comes back on his phone, through a network that is about to fail.
    let network = FaultProxy::start(server.server.local_addr()).await;
    let mut phone = connect_at(network.addr, &jun).await;
    phone.resume(room.room, Seq::ZERO).await;
    let joined = mina_tab.next_presence_change(room.room).await;
    assert!(matches!(joined, PresenceChange::Joined { user, .. } if user == jun.user.id));

    // The tunnel: nothing goes through any more, and no goodbye is said.
    network.set(Flow::Lose, Flow::Lose);
    let started = std::time::Instant::now();
    let left = mina_tab.next_presence_change(room.room).await;
    assert_eq!(left, PresenceChange::Left { user: jun.user.id });
    println!("Jun left {:.1?} after his network vanished", started.elapsed());
}

#[tokio::test]
async fn a_quiet_reader_is_pinged_answers_and_stays() {
    let server = TestServer::start_with(|config| config.idle_timeout_secs = IDLE_TIMEOUT_SECS).await;
    let room = server.mina_and_jun_in("long silences").await;
    let mut jun_tab = room.jun_tab;
    drop(room.mina_tab);

    // Jun says nothing for three idle timeouts, only reading: his socket
    // answers the server's pings (as browsers do), so he is never taken for gone.
    let mut pings = 0;
    let quiet = tokio::time::sleep(Duration::from_secs(3 * IDLE_TIMEOUT_SECS));
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            () = &mut quiet => break,
            message = jun_tab.next_message() => match message {
                tokio_tungstenite::tungstenite::Message::Ping(_) => {
                    pings += 1;
                    // The pong is queued by tungstenite; a browser sends it at once.
                    futures_util::SinkExt::flush(&mut jun_tab.ws).await.unwrap();
                }
                tokio_tungstenite::tungstenite::Message::Close(frame) => panic!("Jun was dropped: {frame:?}"),
                _ => {}
            },
        }
    }
    assert!(pings >= 2, "the server pinged the quiet socket ({pings} pings)");

    let mut mina_tab = server.connect(&room.mina).await;
    mina_tab
        .act(Action::SendMessage {
            room: room.room,
            text: "still there?".into(),
            reply_to: None,
            attachments: Vec::new(),
        })
        .await;
    let delivered = jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::Event { event, .. } => Some(text_of(event).to_owned()),
            _ => None,
        })
        .await;
    assert_eq!(delivered, "still there?");
}
