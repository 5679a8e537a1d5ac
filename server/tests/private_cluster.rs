//! Private and direct rooms across nodes on one PostgreSQL database: a direct
//! conversation opened on two nodes at once is one room, and a private room
//! made on one node reaches no outsider's list on the other. Real processes,
//! real sockets: `cargo xtask test` runs this on its throwaway server.

mod common;

use common::node::Node;
use common::{connect_at, sign_up_at, Client, Database};
use hanmadi_protocol::{Action, ActionKey, ClientFrame, Outcome, RoomEvent, RoomId, Seq, ServerFrame};

async fn answer(tab: &mut Client, key: &ActionKey) -> Outcome {
    tab.recv_until(|frame| match frame {
        ServerFrame::Ack { key: acked, outcome } if acked == key => Some(outcome.clone()),
        _ => None,
    })
    .await
}

fn room_of(outcome: &Outcome) -> RoomId {
    match outcome {
        Outcome::Applied { room, .. } => *room,
        other => panic!("not applied: {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn a_direct_conversation_opened_on_two_nodes_at_once_is_one_room() {
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let (a, b) = (Node::start(&database.url), Node::start(&database.url));
    for round in 0..10 {
        let mina = sign_up_at(a.addr, "Mina").await;
        let jun = sign_up_at(b.addr, "Jun").await;
        let mut mina_tab = connect_at(a.addr, &mina).await;
        let mut jun_tab = connect_at(b.addr, &jun).await;
        let (mina_key, jun_key) = (mina_tab.new_key(), jun_tab.new_key());
        let to_jun = Action::OpenDirect { with: jun.user.id };
        let to_mina = Action::OpenDirect { with: mina.user.id };
        mina_tab.send(&ClientFrame::Action { key: mina_key.clone(), action: to_jun }).await;
        jun_tab.send(&ClientFrame::Action { key: jun_key.clone(), action: to_mina }).await;
        let (minas, juns) = tokio::join!(answer(&mut mina_tab, &mina_key), answer(&mut jun_tab, &jun_key));
        assert_eq!(room_of(&minas), room_of(&juns), "round {round}: one room, {minas:?} {juns:?}");
        let made = [&minas, &juns].iter().filter(|o| matches!(o, Outcome::Applied { seq: Some(_), .. })).count();
        assert_eq!(made, 1, "round {round}: made once");
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn a_private_room_made_on_one_node_reaches_only_its_members_lists_on_the_other() {
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let (a, b) = (Node::start(&database.url), Node::start(&database.url));
    let mina = sign_up_at(a.addr, "Mina").await;
    let sora = sign_up_at(b.addr, "Sora").await;
    let mut mina_tab = connect_at(a.addr, &mina).await;
    let mut mina_phone = connect_at(b.addr, &mina).await;
    let mut sora_tab = connect_at(b.addr, &sora).await;

    let private = mina_tab.create_private_room("비밀").await;
    let public = mina_tab.create_room("광장").await;
    let first = sora_tab
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room, .. } => Some(*room),
            ServerFrame::RoomListStale {} => panic!("nothing of Sora's changed"),
            _ => None,
        })
        .await;
    assert_eq!(first, public, "Sora hears of the public room alone");
    mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::RoomListed { room, .. } if *room == private => panic!("a private room is never a delta"),
            ServerFrame::RoomListStale {} => Some(()),
            _ => None,
        })
        .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn leaving_a_room_on_one_node_stops_it_on_the_other() {
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let (a, b) = (Node::start(&database.url), Node::start(&database.url));
    let mina = sign_up_at(a.addr, "Mina").await;
    let jun = sign_up_at(a.addr, "Jun").await;
    let mut mina_tab = connect_at(a.addr, &mina).await;
    let room = mina_tab.create_room("lobby").await;
    let still_his = mina_tab.create_room("garden").await;

    let mut jun_laptop = connect_at(a.addr, &jun).await;
    let mut jun_phone = connect_at(b.addr, &jun).await;
    for joined in [room, still_his] {
        assert!(matches!(jun_laptop.act(Action::JoinRoom { room: joined }).await, Outcome::Applied { .. }));
    }
    jun_phone.resume(room, Seq::ZERO).await;
    jun_phone.resume(still_his, Seq::ZERO).await;

    // Left on his laptop, on node A: his phone, on node B, hears that he
    // left and nothing said there after.
    assert!(matches!(jun_laptop.act(Action::LeaveRoom { room }).await, Outcome::Applied { seq: Some(_), .. }));
    mina_tab.say(room, "after Jun left").await;
    mina_tab.say(still_his, "marker").await;
    let mut heard_in_lobby = Vec::new();
    jun_phone
        .recv_until(|frame| match frame {
            ServerFrame::Event { room: r, event, .. } if *r == room => {
                heard_in_lobby.push(event.clone());
                None
            }
            ServerFrame::Event { event: RoomEvent::Message { text, .. }, .. } if text == "marker" => Some(()),
            _ => None,
        })
        .await;
    assert_eq!(heard_in_lobby, [RoomEvent::Left { user: jun.user.id, name: Some("Jun".into()) }]);
}
