//! The rooms list: what the socket tells, our own actions, and fetches of
//! the whole list, in whatever order they come.

use super::*;

#[test]
fn a_created_room_appears_once_and_a_rename_follows() {
    let store = store_as_mina();
    let created = applied(Action::CreateRoom { name: "점심".into(), private: false }, 2);
    store.apply(&created, &[]);
    store.apply(&created, &[]);
    assert_eq!(store.rooms.with(|rooms| rooms.len()), 2);
    assert_eq!(store.joined_room.get(), Some(RoomId(2)), "and we are taken into it");
    let renamed = RoomEvent::Renamed { name: "저녁".into(), by: JUN };
    store.apply(
        &Event::RoomEvents {
            room: RoomId(2),
            events: vec![SequencedEvent { seq: Seq(3), at: 0, event: renamed }],
            live: true,
        },
        &[],
    );
    assert_eq!(store.rooms.with(|rooms| rooms[1].name.clone()), "저녁");
}

#[test]
fn a_room_created_in_another_tab_is_listed_here_but_opened_only_there() {
    let store = store_as_mina();
    let Event::ActionApplied { key, action, room, seq, .. } =
        applied(Action::CreateRoom { name: "점심".into(), private: false }, 2)
    else {
        unreachable!()
    };
    store.apply(&Event::ActionApplied { key, action, room, seq, here: false }, &[]);
    assert_eq!(listed(&store)[1], shown(2, "점심", true));
    assert_eq!(store.joined_room.get(), None, "this tab stays where it is");
}

#[test]
fn the_rooms_list_follows_what_the_socket_tells_without_fetching() {
    let store = store_as_mina();
    store.apply(&room_listed(3, "점심"), &[]);
    store.apply(&room_listed(2, "산책"), &[]);
    store.apply(&room_listed(3, "저녁"), &[]);
    store.apply(&room_listed(LOBBY.0, "로비"), &[]);
    let expected = [shown(1, "로비", true), shown(2, "산책", false), shown(3, "저녁", false)];
    assert_eq!(listed(&store), expected, "in id order, renamed in place, membership kept");
}

#[test]
fn a_fetched_list_gets_the_changes_heard_while_it_was_on_its_way() {
    let store = store_as_mina();
    store.apply(&room_listed(2, "산책"), &[]);
    let fetch = store.begin_rooms_fetch();
    store.apply(&room_listed(3, "점심"), &[]);
    store.apply(&applied(Action::JoinRoom { room: RoomId(2) }, 2), &[]);
    // Read by the server before either change.
    fetch.finish(vec![lobby(), RoomInfo::listed(RoomId(2), "산책".into(), RoomKind::Public)]);
    let expected = [shown(1, "lobby", true), shown(2, "산책", true), shown(3, "점심", false)];
    assert_eq!(listed(&store), expected);

    store.begin_rooms_fetch().finish(vec![lobby()]);
    assert_eq!(listed(&store), [shown(1, "lobby", true)], "once done, a later fetch is the list");
}

#[test]
fn a_slow_fetch_from_before_a_reconnect_never_replaces_a_newer_list() {
    let store = store_as_mina();
    let slow = store.begin_rooms_fetch();
    store.apply(&room_listed(2, "산책"), &[]);
    // Offline, the room is renamed "점심"; the next connection fetches again.
    let fresh = store.begin_rooms_fetch();
    fresh.finish(vec![lobby(), RoomInfo::listed(RoomId(2), "점심".into(), RoomKind::Public)]);
    assert_eq!(listed(&store)[1], shown(2, "점심", false), "what was heard before it began is older than it");
    slow.finish(vec![lobby()]);
    assert_eq!(listed(&store)[1], shown(2, "점심", false), "an older list arriving late changes nothing");
}

#[test]
fn a_room_i_create_is_mine_whether_the_socket_lists_it_before_or_after_the_ack() {
    let store = store_as_mina();
    let create = |name: &str| Action::CreateRoom { name: name.into(), private: false };
    store.apply(&room_listed(2, "점심"), &[]);
    store.apply(&applied(create("점심"), 2), &[]);
    store.apply(&applied(create("저녁"), 3), &[]);
    store.apply(&room_listed(3, "저녁"), &[]);
    assert_eq!(listed(&store)[1..], [shown(2, "점심", true), shown(3, "저녁", true)]);
}

#[test]
fn a_private_room_i_make_is_listed_as_private_and_one_entered_by_invite_opens_once_the_list_names_it() {
    let store = store_as_mina();
    store.apply(&applied(Action::CreateRoom { name: "비밀".into(), private: true }, 2), &[]);
    let kind_of =
        |room| store.rooms.with(|rooms| rooms.iter().find(|info| info.id == RoomId(room)).map(|info| info.kind));
    assert_eq!(kind_of(2), Some(RoomKind::Private));
    store.entered_joined_room();

    // The invite's answer names the room by id only: the list, fetched
    // again, brings its name and kind.
    let fetch = store.begin_rooms_fetch();
    store.apply(&applied(Action::JoinWithInvite { invite: "ab".repeat(32) }, 3), &[]);
    assert_eq!(store.joined_room.get(), Some(RoomId(3)), "the tab that used the link goes in");
    fetch.finish(vec![
        lobby(),
        RoomInfo { member: true, ..RoomInfo::listed(RoomId(3), "팀".into(), RoomKind::Private) },
    ]);
    assert_eq!(listed(&store)[1], shown(3, "팀", true));
    assert_eq!(kind_of(3), Some(RoomKind::Private));
}

#[test]
fn a_public_room_she_is_not_in_is_looked_into_until_she_joins_and_nothing_is_decided_before_the_list() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let news = RoomId(2);
    assert_eq!(store.room_view(news), RoomView::Waiting, "a reload at its address, the list not known yet");

    let fetch = store.begin_rooms_fetch();
    fetch.finish(vec![lobby(), RoomInfo::listed(news, "news".into(), RoomKind::Public)]);
    assert_eq!(store.room_view(news), RoomView::LookedInto);
    assert_eq!(store.room_view(LOBBY), RoomView::Room, "hers");
    assert_eq!(store.room_view(RoomId(9)), RoomView::Room, "not listed: the room's own paths say what it is");

    store.apply(&applied(Action::JoinRoom { room: news }, 2), &[]);
    assert_eq!(store.room_view(news), RoomView::Room, "joined: the room itself, live");
    store.apply(&applied(Action::LeaveRoom { room: news }, 2), &[]);
    assert_eq!(store.room_view(news), RoomView::LookedInto, "left: looked into again");

    // A private room she left stays listed until the list is fetched
    // again, but is not one to look into: the server would not show it.
    store.apply(&applied(Action::CreateRoom { name: "team".into(), private: true }, 5), &[]);
    store.apply(&applied(Action::LeaveRoom { room: RoomId(5) }, 5), &[]);
    assert_eq!(store.room_view(RoomId(5)), RoomView::Room);
    assert!(store.rooms.with(|rooms| !rooms.iter().any(|room| room.id == RoomId(5) && to_look_into(room))));
}

#[test]
fn a_room_page_stops_waiting_when_no_list_can_be_had() {
    let store = Store::new();
    store.me.set(Some(MINA));
    assert_eq!(store.room_view(LOBBY), RoomView::Waiting);
    store.no_rooms_listed();
    assert_eq!(store.room_view(LOBBY), RoomView::Room, "opened as hers, as before any list");
}

#[test]
fn a_list_older_than_the_one_shown_is_not_shown() {
    let store = store_as_mina();
    let older = store.begin_rooms_fetch();
    let newer = store.begin_rooms_fetch();
    assert!(newer.finish(vec![lobby()]));
    assert!(!older.finish(Vec::new()), "begun before the one shown: neither it nor its read positions are shown");
    assert_eq!(store.rooms.with(Vec::len), 1);
    assert!(store.has_rooms_list());
}

#[test]
fn a_room_left_and_joined_again_is_loaded_anew_not_with_what_went_stale_meanwhile() {
    let held = |store: &Store| -> Vec<Seq> {
        store.room(LOBBY).timeline().with(|t| t.entries().iter().map(|entry| entry.seq()).collect())
    };
    let newest_page = || history((63..=70).map(|seq| (seq, JUN)));
    let store = store_as_mina();
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store.history_loaded(LOBBY, history([(1, JUN), (2, JUN)]), NEWEST);

    // Loading a room she never left keeps what is held (a link's history).
    store.loading_room(LOBBY);
    assert_eq!(held(&store), [Seq(1), Seq(2)]);

    // She leaves it here; away, she hears nothing while Jun says 60 more;
    // she joins again, and it is loaded from its newest page.
    store.apply(&applied(Action::LeaveRoom { room: LOBBY }, 1), &[]);
    store.apply(&applied(Action::JoinRoom { room: LOBBY }, 1), &[]);
    store.loading_room(LOBBY);
    store.history_loaded(LOBBY, newest_page(), NEWEST);
    assert_eq!(held(&store), (63..=70).map(Seq).collect::<Vec<_>>(), "no hole after what went stale");

    // On her laptop, the leave is heard live from her phone; she comes back
    // on the phone, and the laptop loads the room anew.
    let laptop = store_as_mina();
    laptop.begin_rooms_fetch().finish(vec![lobby()]);
    laptop.history_loaded(LOBBY, history([(1, JUN), (2, JUN)]), NEWEST);
    let left = SequencedEvent { seq: Seq(3), at: 0, event: RoomEvent::Left { user: MINA, name: None } };
    laptop.apply(&Event::RoomEvents { room: LOBBY, events: vec![left], live: true }, &[]);
    laptop.apply(&Event::NoLongerIn { room: LOBBY }, &[]);
    assert_eq!(laptop.room_view(LOBBY), RoomView::LookedInto, "not hers on the laptop either, at once");
    laptop.loading_room(LOBBY);
    laptop.history_loaded(LOBBY, newest_page(), NEWEST);
    assert_eq!(held(&laptop), (63..=70).map(Seq).collect::<Vec<_>>());
}

#[test]
fn a_room_a_list_says_is_not_hers_is_hers_again_in_a_list_fetched_after_it() {
    let store = store_as_mina();
    store.begin_rooms_fetch().finish(vec![lobby()]);
    let (older, newer) = (store.begin_rooms_fetch(), store.begin_rooms_fetch());
    // The older list says she left the lobby on another device (and the
    // engine, told so, follows it no more); she went back in meanwhile.
    older.finish(vec![RoomInfo { member: false, ..lobby() }]);
    store.apply(&Event::NoLongerIn { room: LOBBY }, &[]);
    assert_eq!(listed(&store), [(LOBBY.0, "lobby".to_owned(), false)]);
    newer.finish(vec![lobby()]);
    assert_eq!(listed(&store), [(LOBBY.0, "lobby".to_owned(), true)], "the newer list is not overruled");

    // Left while a list was on its way: the list, older than the leave, is.
    let on_its_way = store.begin_rooms_fetch();
    store.apply(&Event::NoLongerIn { room: LOBBY }, &[]);
    on_its_way.finish(vec![lobby()]);
    assert_eq!(listed(&store), [(LOBBY.0, "lobby".to_owned(), false)]);
}
