//! Several server processes on one PostgreSQL database are one service: what
//! is said on one node reaches the people on another live, presence and typing
//! cross too, and a person whose node is killed resumes on another with
//! nothing missed. A node paused for a while, or deaf to the others for a
//! while, catches up once it is back. Real processes (so one can be killed
//! with SIGKILL, or paused), real sockets, a real PostgreSQL: `cargo xtask
//! test` runs this on its throwaway server.

mod common;

use std::time::Duration;

use common::node::Node;
use common::{connect_at, sign_up_at, text_of, Client, Database, Session};
use hanmadi_protocol::http::Settings;
use hanmadi_protocol::{
    Action, ClientFrame, Cursor, Outcome, PresenceChange, RoomEvent, RoomId, Seq, ServerFrame, UserId,
};
use sqlx::{Connection, Executor};

/// A fresh PostgreSQL database and two nodes serving it, started one after
/// the other: the first creates the signing key the second reads. The
/// database goes when dropped, after the nodes.
async fn two_nodes() -> (Database, Node, Node) {
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let node_a = Node::start(&database.url);
    let node_b = Node::start(&database.url);
    (database, node_a, node_b)
}

/// Mina on node A and Jun on node B, each with a tab, in the room "across the
/// hall": Mina made it and follows it, Jun has joined it.
struct Hall {
    mina: Session,
    jun: Session,
    mina_tab: Client,
    jun_tab: Client,
    room: RoomId,
}

async fn across_the_hall(node_a: &Node, node_b: &Node) -> Hall {
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let jun = sign_up_at(node_b.addr, "Jun").await;
    let mut mina_tab = connect_at(node_a.addr, &mina).await;
    let room = mina_tab.create_room("across the hall").await;
    mina_tab.resume(room, Seq::ZERO).await;
    let mut jun_tab = connect_at(node_b.addr, &jun).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    Hall { mina, jun, mina_tab, jun_tab, room }
}

/// Waits until `user` is shown present in `room` (in the snapshot or a later change).
async fn until_present(tab: &mut Client, room: RoomId, user: UserId) {
    tab.recv_until(|frame| match frame {
        ServerFrame::Presence { room: r, members, .. } if *r == room => {
            members.iter().any(|m| m.user == user).then_some(())
        }
        ServerFrame::PresenceChanged { room: r, change: PresenceChange::Joined { user: u, .. }, .. } if *r == room => {
            (*u == user).then_some(())
        }
        _ => None,
    })
    .await;
}

/// The next message text in `room`, with its seq.
async fn next_message(tab: &mut Client, room: RoomId) -> (Seq, String) {
    loop {
        let (r, seq, event) = tab.next_event().await;
        if r == room {
            if let hanmadi_protocol::RoomEvent::Message { .. } = &event {
                return (seq, text_of(&event).to_owned());
            }
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn two_nodes_are_one_service_and_a_person_whose_node_dies_resumes_on_the_other() {
    let (_database, node_a, node_b) = two_nodes().await;

    // Mina is on node A, Jun on node B; their sessions are good on both.
    let Hall { mina, jun, mut mina_tab, mut jun_tab, room } = across_the_hall(&node_a, &node_b).await;
    jun_tab.send(&ClientFrame::Resume { cursors: vec![hanmadi_protocol::Cursor { room, after: Seq::ZERO }] }).await;

    // Presence crosses both ways.
    until_present(&mut jun_tab, room, mina.user.id).await;
    until_present(&mut mina_tab, room, jun.user.id).await;

    // Messages cross both ways, live.
    mina_tab
        .act(Action::SendMessage { room, text: "hello from node A".into(), reply_to: None, attachments: Vec::new() })
        .await;
    assert_eq!(next_message(&mut jun_tab, room).await.1, "hello from node A");
    jun_tab
        .act(Action::SendMessage { room, text: "안녕, from node B".into(), reply_to: None, attachments: Vec::new() })
        .await;
    let (last_seen_by_mina, text) = next_message(&mut mina_tab, room).await;
    assert_eq!(text, "안녕, from node B");

    // Typing crosses too, under the typist's name.
    jun_tab.send(&ClientFrame::Typing { room }).await;
    let typing = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Typing { room: r, name, .. } if *r == room => Some(name.clone()),
            _ => None,
        })
        .await;
    assert_eq!(typing, "Jun");

    // Node A dies mid-conversation. Node B stops hearing from it, and Mina
    // leaves Jun's presence once node A's entries expire.
    node_a.kill();
    let left = jun_tab
        .recv_until(|frame| match frame {
            ServerFrame::PresenceChanged { room: r, change: PresenceChange::Left { user }, .. } if *r == room => {
                Some(*user)
            }
            _ => None,
        })
        .await;
    assert_eq!(left, mina.user.id);

    // Jun goes on talking; Mina comes back through node B and resumes from the
    // last message she saw: she gets exactly what she missed, once, in order.
    let missed: Vec<String> = (1..=3).map(|n| format!("while you were away {n}")).collect();
    for text in &missed {
        jun_tab.act(Action::SendMessage { room, text: text.clone(), reply_to: None, attachments: Vec::new() }).await;
    }
    let mut mina_again = connect_at(node_b.addr, &mina).await;
    let (replayed, _) = mina_again.resume(room, last_seen_by_mina).await;
    let replayed: Vec<String> = replayed.iter().map(|(_, event)| text_of(event).to_owned()).collect();
    assert_eq!(replayed, missed);
    until_present(&mut jun_tab, room, mina.user.id).await;

    mina_again
        .act(Action::SendMessage { room, text: "back, on node B".into(), reply_to: None, attachments: Vec::new() })
        .await;
    assert_eq!(next_message(&mut jun_tab, room).await.1, "back, on node B");
    drop(node_b);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn a_room_created_or_renamed_on_one_node_is_listed_on_the_other() {
    let (_database, node_a, node_b) = two_nodes().await;
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let jun = sign_up_at(node_b.addr, "Jun").await;
    let mut mina_tab = connect_at(node_a.addr, &mina).await;
    let mut jun_tab = connect_at(node_b.addr, &jun).await;

    // Jun follows no room on node B: the room's own events list it there anyway.
    let room = mina_tab.create_room("across the hall").await;
    listed_as(&mut jun_tab, room, "across the hall", false).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    jun_tab.act(Action::RenameRoom { room, name: "down the hall".into() }).await;
    listed_as(&mut mina_tab, room, "down the hall", true).await;
    drop((node_a, node_b));
}

/// Reads room-list deltas until `room` is listed as `name`. A healthy reader
/// is sent each change itself; the screens of whoever made, joined or left
/// the room (`theirs`) are also told to fetch the list again.
async fn listed_as(tab: &mut Client, room: RoomId, name: &str, theirs: bool) {
    tab.recv_until(|frame| match frame {
        ServerFrame::RoomListed { room: r, name: listed } if *r == room => (listed == name).then_some(()),
        ServerFrame::RoomListStale {} if !theirs => panic!("a healthy reader is sent the change itself"),
        _ => None,
    })
    .await
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn a_room_read_on_one_node_is_read_on_the_same_persons_tab_on_the_other() {
    let (_database, node_a, node_b) = two_nodes().await;
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let jun = sign_up_at(node_a.addr, "Jun").await;
    let mut mina_laptop = connect_at(node_a.addr, &mina).await;
    let mut mina_phone = connect_at(node_b.addr, &mina).await;
    let room = mina_laptop.create_room("across the hall").await;
    let mut jun_tab = connect_at(node_a.addr, &jun).await;
    jun_tab.act(Action::JoinRoom { room }).await;
    let seq = jun_tab.say(room, "read me").await.seq;

    mina_laptop.send(&ClientFrame::Read { room, seq }).await;
    let told = mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::ReadUpTo { room, seq } => Some((*room, *seq)),
            _ => None,
        })
        .await;
    assert_eq!(told, (room, seq));
    drop((node_a, node_b));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn what_jun_reads_on_one_node_mina_is_told_he_has_seen_on_the_other() {
    let (_database, node_a, node_b) = two_nodes().await;
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let jun = sign_up_at(node_b.addr, "Jun").await;
    let mut mina_tab = connect_at(node_a.addr, &mina).await;
    let mut jun_tab = connect_at(node_b.addr, &jun).await;
    let room = match mina_tab.act(Action::OpenDirect { with: jun.user.id }).await {
        Outcome::Applied { room, .. } => room,
        other => panic!("not opened: {other:?}"),
    };
    let seq = mina_tab.say(room, "see you at 7").await.seq;

    jun_tab.send(&ClientFrame::Read { room, seq }).await;
    let told = mina_tab
        .recv_until(|frame| match frame {
            ServerFrame::Seen { room, seq } => Some((*room, *seq)),
            _ => None,
        })
        .await;
    assert_eq!(told, (room, seq));
    drop((node_a, node_b));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn what_mina_changes_about_herself_through_one_node_her_tab_on_the_other_is_told() {
    let (_database, node_a, node_b) = two_nodes().await;
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let mut mina_phone = connect_at(node_b.addr, &mina).await;

    let settings = serde_json::json!({ "shares_seen": false });
    let response = reqwest::Client::new()
        .put(format!("http://{}/api/me/settings", node_a.addr))
        .bearer_auth(&mina.token)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let told = mina_phone
        .recv_until(|frame| match frame {
            ServerFrame::YouChanged { name, settings } => Some((name.clone(), *settings)),
            _ => None,
        })
        .await;
    assert_eq!(told, (Some("Mina".into()), Some(Settings { shares_seen: false })));
    drop((node_a, node_b));
}

/// Renames `session`'s person through the node at `addr`.
async fn rename_at(addr: std::net::SocketAddr, session: &Session, name: &str) {
    let response = reqwest::Client::new()
        .patch(format!("http://{addr}/api/me"))
        .bearer_auth(&session.token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// The name of `session`'s person, as the node at `addr` reads it.
async fn name_at(addr: std::net::SocketAddr, session: &Session) -> String {
    let response =
        reqwest::Client::new().get(format!("http://{addr}/api/me")).bearer_auth(&session.token).send().await.unwrap();
    let me: serde_json::Value = response.json().await.unwrap();
    me["name"].as_str().expect("a name").to_owned()
}

/// Mina renames herself on her laptop and on her phone at the same moment,
/// again and again, one through each node. Each node announces as it
/// answers, so the other node may hear the two in the other order. Her tab
/// on each node is left, every time, with the name the service kept.
#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn two_renames_at_once_through_two_nodes_leave_every_device_with_the_name_kept() {
    let (_database, node_a, node_b) = two_nodes().await;
    let mina = sign_up_at(node_a.addr, "Mina").await;
    let mut tabs = [connect_at(node_a.addr, &mina).await, connect_at(node_b.addr, &mina).await];

    for round in 0..20 {
        let (on_a, on_b) = (format!("Mina {round} A"), format!("Mina {round} B"));
        tokio::join!(rename_at(node_a.addr, &mina, &on_a), rename_at(node_b.addr, &mina, &on_b));
        let kept = name_at(node_a.addr, &mina).await;
        for tab in &mut tabs {
            tab.recv_until(|frame| match frame {
                ServerFrame::YouChanged { name: Some(name), .. } if *name == kept => Some(()),
                _ => None,
            })
            .await;
        }
        // Nothing older is told after it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for tab in &mut tabs {
            tab.send(&ClientFrame::Ping { nonce: round }).await;
            let mut later = Vec::new();
            tab.recv_until(|frame| match frame {
                ServerFrame::YouChanged { name, .. } => {
                    later.push(name.clone());
                    None
                }
                ServerFrame::Pong { .. } => Some(()),
                _ => None,
            })
            .await;
            assert!(
                later.iter().all(|name| name.as_deref() == Some(kept.as_str())),
                "{kept} kept, then told {later:?}"
            );
        }
    }
    drop((node_a, node_b));
}

/// Mina is in the room on her laptop, through node A, and on her phone,
/// through node B, where Jun is too. She renames herself on her laptop: Jun
/// sees her new name in the room, as her laptop does, though node B held her
/// there under the old one for her phone.
#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn a_rename_through_one_node_shows_in_the_room_on_every_node_where_she_is() {
    let (_database, node_a, node_b) = two_nodes().await;
    let Hall { mina, mut mina_tab, mut jun_tab, room, .. } = across_the_hall(&node_a, &node_b).await;
    jun_tab.resume(room, Seq::ZERO).await;
    until_present(&mut jun_tab, room, mina.user.id).await;
    let mut mina_phone = connect_at(node_b.addr, &mina).await;
    mina_phone.resume(room, Seq::ZERO).await;
    until_present(&mut mina_phone, room, mina.user.id).await;

    rename_at(node_a.addr, &mina, "Mina Kim").await;
    for tab in [&mut jun_tab, &mut mina_tab] {
        let shown =
            tokio::time::timeout(
                Duration::from_secs(5),
                tab.recv_until(|frame| match frame {
                    ServerFrame::PresenceChanged {
                        room: r, change: PresenceChange::Renamed { user, name }, ..
                    } if *r == room && *user == mina.user.id => Some(name.clone()),
                    _ => None,
                }),
            )
            .await
            .expect("told of her new name in the room");
        assert_eq!(shown, "Mina Kim");
    }
    drop((node_a, node_b));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn people_on_a_node_taken_for_dead_are_present_again_once_it_is_heard_again() {
    let (_database, node_a, node_b) = two_nodes().await;
    let Hall { jun, mut mina_tab, mut jun_tab, room, .. } = across_the_hall(&node_a, &node_b).await;
    jun_tab.resume(room, Seq::ZERO).await;
    until_present(&mut mina_tab, room, jun.user.id).await;

    // Node B stops (a debugger, a host swapping) for longer than node A
    // waits for a silent node: node A takes it for dead, and Jun leaves.
    node_b.pause();
    assert_eq!(mina_tab.next_presence_change(room).await, PresenceChange::Left { user: jun.user.id });

    // Node B goes on, Jun still connected to it all along: once node A hears
    // from it again, Jun is back.
    node_b.resume();
    tokio::time::timeout(Duration::from_secs(5), until_present(&mut mina_tab, room, jun.user.id))
        .await
        .expect("Jun is present again once node B is heard from");
    drop((node_a, node_b));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: `cargo xtask test` runs it on a throwaway server"]
async fn what_is_said_while_a_node_cannot_listen_reaches_its_people_once_it_listens_again() {
    let database = Database::fresh().await;
    assert!(database.url.starts_with("postgres"), "set HANMADI_TEST_POSTGRES to a PostgreSQL admin URL");
    let mut admin = admin().await;
    let role = own_role(&mut admin, &database).await;
    let node_a = Node::start(&url_as(&database.url, &role));
    let node_b = Node::start(&database.url);
    let Hall { mut mina_tab, mut jun_tab, room, .. } = across_the_hall(&node_a, &node_b).await;
    let before = jun_tab.say(room, "before").await.seq;
    assert_eq!(next_message(&mut mina_tab, room).await, (before, "before".to_owned()));
    let mina_reads = tokio::spawn(read_until_said(mina_tab, room, before, "while node A was not listening"));

    // Node A loses its listening connection and cannot connect again: the
    // database turns its role away, so the listener fails.
    admin.execute(format!("ALTER ROLE {role} NOLOGIN").as_str()).await.unwrap();
    // (Found first, then ended: in one query, PostgreSQL may end backends
    // before it checks whose they are.)
    let listeners: Vec<i32> =
        sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE usename = $1 AND query LIKE 'LISTEN%'")
            .bind(&role)
            .fetch_all(&mut admin)
            .await
            .unwrap();
    assert_eq!(listeners.len(), 1, "node A's listener");
    sqlx::query("SELECT 1 FROM (SELECT pg_terminate_backend($1)) AS ended")
        .bind(listeners[0])
        .execute(&mut admin)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Its next try, a second after the failure, is held back instead (too
    // many connections for the role: a wait the listener sits out). Once
    // that try has begun (and a resync made before it, which Mina's tab
    // answers at once, has read the room), Jun, on node B, says something
    // that node A, not listening, is never told of.
    admin.execute(format!("ALTER ROLE {role} LOGIN CONNECTION LIMIT 0").as_str()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    jun_tab.say(room, "while node A was not listening").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    admin.execute(format!("ALTER ROLE {role} CONNECTION LIMIT -1").as_str()).await.unwrap();

    // Node A listens again, and Mina gets what was said meanwhile.
    tokio::time::timeout(Duration::from_secs(8), mina_reads)
        .await
        .expect("what was said while node A was not listening reaches Mina")
        .unwrap();
    drop((node_a, node_b));
}

/// A connection to the PostgreSQL server the tests run on, as its admin.
async fn admin() -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    let url = std::env::var("HANMADI_TEST_POSTGRES").expect("a PostgreSQL admin URL");
    sqlx::AnyConnection::connect(&url).await.unwrap()
}

/// A new role that owns `database` (so a node may run its migrations as
/// it), and which the test may then keep from connecting. It stays, as the
/// database does, on the throwaway server.
async fn own_role(admin: &mut sqlx::AnyConnection, database: &Database) -> String {
    let name = database.url.rsplit_once('/').expect("a database name").1;
    let role = format!("{name}_node");
    admin.execute(format!("CREATE ROLE {role} LOGIN PASSWORD '{role}'").as_str()).await.unwrap();
    admin.execute(format!("ALTER DATABASE {name} OWNER TO {role}").as_str()).await.unwrap();
    role
}

/// `url` signed in as `role` (whose password is its name).
fn url_as(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let server_and_database = rest.split_once('@').map_or(rest, |(_, after)| after);
    format!("{scheme}://{role}:{role}@{server_and_database}")
}

/// Reads `room` as the app does, from the event after `last`: events in
/// order, and on a resync a resume from the last one it has. Returns once
/// a message says `text`.
async fn read_until_said(mut tab: Client, room: RoomId, mut last: Seq, text: &str) {
    loop {
        let frame = tab
            .recv_until(|frame| match frame {
                ServerFrame::Event { room: r, .. } | ServerFrame::Resync { room: r } if *r == room => {
                    Some(frame.clone())
                }
                _ => None,
            })
            .await;
        match frame {
            ServerFrame::Resync { .. } => {
                tab.send(&ClientFrame::Resume { cursors: vec![Cursor { room, after: last }] }).await
            }
            ServerFrame::Event { seq, event, .. } if seq == last.next() => {
                last = seq;
                if matches!(&event, RoomEvent::Message { text: said, .. } if said == text) {
                    return;
                }
            }
            // Replayed again, or beyond a gap a resync fills.
            _ => {}
        }
    }
}
