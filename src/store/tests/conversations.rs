//! Rooms in the rooms list: a direct conversation named after the other
//! person as they are named now, and every room with its newest message as
//! it stands.

use super::*;

#[test]
fn a_conversation_takes_the_name_the_other_person_just_took() {
    let store = store_as_mina();
    let direct =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(RoomId(5), "Jun".into(), RoomKind::Direct) };
    store.begin_rooms_fetch().finish(vec![lobby(), direct]);
    let online = vec![Member { user: MINA, name: "Mina".into() }, Member { user: JUN, name: "Jun Park".into() }];
    store.apply(&Event::Presence { room: RoomId(5), members: online.clone() }, &[]);
    assert_eq!(listed(&store)[1], shown(5, "Jun Park", true));
    store.apply(&Event::Presence { room: LOBBY, members: online }, &[]);
    assert_eq!(listed(&store)[0], shown(1, "lobby", true), "a room keeps its own name");
}

#[test]
fn a_room_shows_its_newest_message_as_it_stands_whatever_the_order_heard() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let last = |seq: u64, text: &str| LastMessage {
        id: MessageId(seq),
        seq: Seq(seq),
        at: 0,
        author: JUN,
        author_name: "Jun".into(),
        text: text.into(),
        files: 0,
        first_file: None,
    };
    let with_jun = |newest: Option<LastMessage>| RoomInfo {
        member: true,
        with: Some(JUN),
        last: newest,
        ..RoomInfo::listed(LOBBY, "Jun".into(), RoomKind::Direct)
    };
    let shown = || store.rooms.with(|rooms| rooms[0].last.as_ref().map(|last| last.text.clone()));
    store.begin_rooms_fetch().finish(vec![with_jun(Some(last(2, "hi")))]);
    assert_eq!(shown().as_deref(), Some("hi"), "as listed");

    // A list fetched before "dinner?" was said arrives after it: the newer stays.
    let fetch = store.begin_rooms_fetch();
    store.apply(&said(3, JUN, "dinner?"), &[]);
    fetch.finish(vec![with_jun(Some(last(2, "hi")))]);
    assert_eq!(shown().as_deref(), Some("dinner?"));
    store.apply(&said(2, JUN, "hi"), &[]);
    assert_eq!(shown().as_deref(), Some("dinner?"), "a replay of an older one changes nothing");

    let edit = SequencedEvent {
        seq: Seq(4),
        at: 0,
        event: RoomEvent::Edited { id: MessageId(3), text: "dinner at 7?".into() },
    };
    store.apply(&Event::RoomEvents { room: LOBBY, events: vec![edit], live: true }, &[]);
    assert_eq!(shown().as_deref(), Some("dinner at 7?"));

    // Deleted, it gives way to the newest this tab holds, or to nothing.
    let delete = |seq: u64, id: u64| {
        let event = SequencedEvent { seq: Seq(seq), at: 0, event: RoomEvent::Deleted { id: MessageId(id) } };
        Event::RoomEvents { room: LOBBY, events: vec![event], live: true }
    };
    store.apply(&delete(5, 3), &[]);
    assert_eq!(shown().as_deref(), Some("hi"), "the one before, held by the timeline");
    store.apply(&delete(6, 2), &[]);
    assert_eq!(shown(), None);

    // A group room keeps its newest message too, with who said it.
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store.apply(&said(7, JUN, "hello"), &[]);
    assert_eq!(shown().as_deref(), Some("hello"));
    let by = store.rooms.with(|rooms| rooms[0].last.as_ref().map(|last| (last.author, last.author_name.clone())));
    assert_eq!(by, Some((JUN, "Jun".into())));
}

#[test]
fn a_conversation_s_page_may_bring_a_message_newer_than_its_listing_and_an_older_page_changes_nothing() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let with_jun =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(LOBBY, "Jun".into(), RoomKind::Direct) };
    store.begin_rooms_fetch().finish(vec![with_jun]);
    let shown = || store.rooms.with(|rooms| rooms[0].last.as_ref().map(|last| (last.seq, last.author)));
    store.history_loaded(LOBBY, history([(3, JUN), (4, MINA)]), NEWEST);
    assert_eq!(shown(), Some((Seq(4), MINA)), "said between the list and the page");
    store.history_loaded(LOBBY, history([(1, JUN), (2, JUN)]), NEWEST);
    assert_eq!(shown(), Some((Seq(4), MINA)));
}

#[test]
fn a_deletion_that_changes_nothing_shown_is_still_made_on_a_list_fetched_meanwhile() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let last = |seq: u64| LastMessage {
        id: MessageId(seq),
        seq: Seq(seq),
        at: 0,
        author: JUN,
        author_name: "Jun".into(),
        text: "hi".into(),
        files: 0,
        first_file: None,
    };
    let with_jun = |newest: u64| RoomInfo {
        member: true,
        with: Some(JUN),
        last: Some(last(newest)),
        ..RoomInfo::listed(LOBBY, "Jun".into(), RoomKind::Direct)
    };
    let deleted = |seq: u64, id: u64| {
        let event = SequencedEvent { seq: Seq(seq), at: 0, event: RoomEvent::Deleted { id: MessageId(id) } };
        Event::RoomEvents { room: LOBBY, events: vec![event], live: true }
    };
    store.begin_rooms_fetch().finish(vec![with_jun(7)]);
    let fetch = store.begin_rooms_fetch();
    store.apply(&deleted(8, 7), &[]); // this tab holds nothing before it: nothing shown
    store.apply(&deleted(9, 6), &[]); // nothing shown changes
    fetch.finish(vec![with_jun(6)]); // the server's list, made between the two
    assert_eq!(store.rooms.with(|rooms| rooms[0].last.clone()), None, "not the deleted one");
}

#[test]
fn a_group_room_s_page_may_bring_a_message_newer_than_its_listing_too() {
    let store = store_as_mina();
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store.history_loaded(LOBBY, history([(3, JUN)]), NEWEST);
    let shown = store.rooms.with(|rooms| rooms[0].last.as_ref().map(|last| (last.seq, last.author)));
    assert_eq!(shown, Some((Seq(3), JUN)), "said between the list and the page");
}

/// Mina opens a conversation with Jun: its first events (made, two joins)
/// reach her before a rooms list says it is a conversation. Once one does,
/// they go, as they never show in a conversation opened from the list.
#[test]
fn a_conversation_opened_here_says_nothing_of_how_it_began() {
    let store = store_as_mina();
    let room = RoomId(5);
    let events = [
        RoomEvent::Created { name: "Mina, Jun".into(), by: MINA },
        RoomEvent::Joined { user: MINA, name: "Mina".into() },
        RoomEvent::Joined { user: JUN, name: "Jun".into() },
    ];
    let events = events.into_iter().zip(1..).map(|(event, seq)| SequencedEvent { seq: Seq(seq), at: 0, event });
    store.apply(&Event::RoomEvents { room, events: events.collect(), live: true }, &[]);
    let seqs = || store.room(room).timeline.with(|t| t.entries().iter().map(|e| e.seq().0).collect::<Vec<_>>());
    assert_eq!(seqs(), [1, 2, 3], "not known yet for a conversation");

    let direct =
        |room, with| RoomInfo { member: true, with: Some(with), ..RoomInfo::listed(room, "".into(), RoomKind::Direct) };
    let with_sora = RoomId(6);
    store.begin_rooms_fetch().finish(vec![lobby(), direct(room, JUN), direct(with_sora, UserId(3))]);
    assert_eq!(seqs(), Vec::<u64>::new());
    let Event::RoomEvents { events: hi, .. } = said(4, JUN, "hi") else { unreachable!() };
    store.apply(&Event::RoomEvents { room, events: hi, live: true }, &[]);
    assert_eq!(seqs(), [4], "what is said after shows as ever");

    let joined = SequencedEvent { seq: Seq(1), at: 0, event: RoomEvent::Joined { user: MINA, name: "Mina".into() } };
    store.apply(&Event::RoomEvents { room: with_sora, events: vec![joined], live: true }, &[]);
    let held = store.room(with_sora).timeline.with(|t| t.entries().len());
    assert_eq!(held, 0, "a conversation first heard of after the list is one from its first event");
}
