//! Where Mina has read each room: what is unread, the "New messages" line,
//! what Jun has seen of hers, and all of it opened again from what was kept.

use super::*;

#[test]
fn messages_from_others_are_unread_until_the_room_is_read_and_a_replay_counts_once() {
    let store = store_as_mina();
    store.apply(&message_from(JUN, 1), &[]);
    store.apply(&message_from(MINA, 2), &[]);
    assert_eq!(unread(&store), 1, "my own message is not unread");
    store.begin_rooms_fetch().finish(vec![lobby()]);
    assert_eq!(unread(&store), 1, "a refreshed rooms list keeps the count");
    store.apply(&message_from(JUN, 3), &[]);
    store.apply(&message_from(JUN, 3), &[]);
    assert_eq!(unread(&store), 2, "replayed after a reconnect, still one message");
    assert_eq!(store.mark_read(LOBBY, None), Some(Seq(3)), "the position the server is to hear");
    assert_eq!(unread(&store), 0);
    assert_eq!(store.mark_read(LOBBY, None), None, "nothing new: nothing to tell");
}

#[test]
fn the_new_messages_line_goes_before_the_first_unread_message() {
    let store = store_as_mina();
    let new_line = || store.new_line_at(LOBBY);
    store.apply(&message_from(MINA, 1), &[]);
    store.apply(&message_from(JUN, 2), &[]);
    store.apply(&message_from(JUN, 3), &[]);
    store.mark_read(LOBBY, None);
    assert_eq!(new_line(), Some(Seq(2)), "the first unread one, not the latest nor mine");
    store.apply(&message_from(JUN, 4), &[]);
    store.mark_read(LOBBY, None);
    assert_eq!(new_line(), Some(Seq(2)), "reading on keeps the line where it was");
}

#[test]
fn a_room_she_joins_has_nothing_unread_before_her_joining() {
    let store = store_as_mina();
    let room = RoomId(2);
    store.apply(&room_listed(2, "산책"), &[]);
    let (key, action) = (ActionKey::new("k").unwrap(), Action::JoinRoom { room });
    store.apply(&Event::ActionApplied { key, action, room, seq: Some(Seq(61)), here: true }, &[]);
    // Opened, its newest page of history loads: Jun's 60 messages before she came.
    store.history_loaded(room, history((1..=60).map(|seq| (seq, JUN))), NEWEST);
    assert_eq!(store.rooms.with(|rooms| rooms[1].unread), Unread::default(), "what came before she joined");
    assert_eq!(store.mark_read(room, None), None, "nothing to read");
    assert_eq!(store.new_line_at(room), None, "no \"New messages\" line over the room's history");
}

#[test]
fn what_arrives_while_she_looks_gets_no_new_messages_line_and_what_came_while_away_does() {
    let store = store_as_mina();
    let new_line = || store.new_line_at(LOBBY);
    store.apply(&message_from(JUN, 1), &[]);
    store.mark_read(LOBBY, None);
    store.room_closed(LOBBY); // seen, then opened again
    assert_eq!(store.mark_read(LOBBY, None), None, "nothing new");
    store.apply(&message_from(JUN, 2), &[]);
    assert_eq!(store.mark_read(LOBBY, Some(Seq(2))), Some(Seq(2)), "read as it arrives");
    assert_eq!(new_line(), None, "no line above what she watched arrive");
    // Her page hidden a while: what came meanwhile is marked once she is back.
    store.apply(&message_from(JUN, 3), &[]);
    store.apply(&message_from(JUN, 4), &[]);
    store.mark_read(LOBBY, None);
    assert_eq!(new_line(), Some(Seq(3)));
}

#[test]
fn after_a_reload_the_servers_position_gives_the_count_and_the_line() {
    let store = store_as_mina();
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 2, mentions: 0 }))]);
    assert_eq!(unread(&store), 2, "as the server counted");
    store.apply(&message_from(JUN, 11), &[]);
    assert_eq!(unread(&store), 3, "and one more since");
    // Opening the room loads its history: the messages the list counted are not counted twice.
    store.room(LOBBY).timeline.update(|t| t.add_page(history([(6, JUN), (7, MINA), (8, JUN), (9, JUN)]), NEWEST));
    assert_eq!(unread(&store), 3);
    assert_eq!(store.mark_read(LOBBY, None), Some(Seq(11)));
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(8)), "the line where reading stopped last time");
    assert_eq!(unread(&store), 0);
}

#[test]
fn with_more_unread_than_a_page_the_line_moves_up_as_older_pages_load() {
    let store = store_as_mina();
    store.listed_reads([(LOBBY, listed_at(300, 100, Unread { messages: 200, mentions: 0 }))]);
    // Opened after a reload: the newest page only.
    store.history_loaded(LOBBY, history((251..=300).map(|seq| (seq, JUN))), NEWEST);
    store.mark_read(LOBBY, None);
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(251)), "before the first unread one held");
    store.history_loaded(LOBBY, history((151..=250).map(|seq| (seq, JUN))), NEWEST);
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(151)));
    store.history_loaded(LOBBY, history((51..=150).map(|seq| (seq, JUN))), NEWEST);
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(101)), "where her reading had stopped");
}

#[test]
fn minas_newest_message_says_seen_once_jun_has_read_it_until_he_answers() {
    let store = store_as_mina();
    store.apply(&message_from(JUN, 1), &[]);
    store.apply(&message_from(MINA, 2), &[]);
    store.apply(&message_from(MINA, 3), &[]);
    assert_eq!(store.seen_at(LOBBY), None, "not read yet");

    // Read up to her first: nothing says it yet, as her newest is unread.
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(2) }, &[]);
    assert_eq!(store.seen_at(LOBBY), None);
    // A rooms list fetched before he read further says less: it stays.
    let listed = Listed { head: Seq(3), read: Seq(3), unread: Unread::default(), seen: Seq(3) };
    store.listed_reads([(LOBBY, listed)]);
    assert_eq!(store.seen_at(LOBBY), Some(Seq(3)));
    store.listed_reads([(LOBBY, Listed { seen: Seq(1), ..listed })]);
    assert_eq!(store.seen_at(LOBBY), Some(Seq(3)), "never back");

    // Taken back, the one before it is her newest, and read.
    let deletion = SequencedEvent { seq: Seq(4), at: 0, event: RoomEvent::Deleted { id: MessageId(3) } };
    store.apply(&Event::RoomEvents { room: LOBBY, events: vec![deletion], live: true }, &[]);
    assert_eq!(store.seen_at(LOBBY), Some(Seq(2)));

    // He answers: his answer says he read it.
    store.apply(&message_from(JUN, 5), &[]);
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(5) }, &[]);
    assert_eq!(store.seen_at(LOBBY), None);
}

#[test]
fn while_mina_keeps_what_she_reads_to_herself_no_seen_shows_even_one_already_on_its_way() {
    let store = store_as_mina();
    store.apply(&message_from(MINA, 1), &[]);
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(1) }, &[]);
    assert_eq!(store.seen_at(LOBBY), Some(Seq(1)));

    store.set_shares_seen(false);
    assert_eq!(store.seen_at(LOBBY), None);
    // Told before she chose, heard after.
    store.apply(&message_from(MINA, 2), &[]);
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(2) }, &[]);
    assert_eq!(store.seen_at(LOBBY), None);
    // Sharing again, what was told while both shared shows once more.
    store.set_shares_seen(true);
    assert_eq!(store.seen_at(LOBBY), Some(Seq(2)));
}

#[test]
fn the_line_stays_above_a_message_deleted_after_it_was_placed() {
    let store = store_as_mina();
    store.apply(&message_from(JUN, 1), &[]);
    store.mark_read(LOBBY, None);
    store.apply(&message_from(JUN, 2), &[]); // watched arriving
    store.mark_read(LOBBY, Some(Seq(2)));
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(1)));
    let deletion = SequencedEvent { seq: Seq(3), at: 0, event: RoomEvent::Deleted { id: MessageId(1) } };
    store.apply(&Event::RoomEvents { room: LOBBY, events: vec![deletion], live: true }, &[]);
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(1)), "not moved over what she watched arrive");
}

#[test]
fn mentions_of_me_are_counted_apart_from_the_list_on_and_cleared_by_reading() {
    let store = store_as_mina();
    let listed = Unread { messages: 2, mentions: 1 };
    store.listed_reads([(LOBBY, listed_at(10, 7, listed))]);
    store.apply(&said(11, JUN, &format!("{} lunch?", mention_token(MINA))), &[]);
    store.apply(&said(12, JUN, &format!("{} too?", mention_token(JUN))), &[]);
    store.apply(&said(13, MINA, &format!("{} me", mention_token(MINA))), &[]);
    let counted = store.rooms.with(|rooms| rooms[0].unread);
    assert_eq!(counted, Unread { messages: 4, mentions: 2 }, "the list's one and Jun's; not his own or mine");
    store.mark_read(LOBBY, None);
    assert_eq!(store.rooms.with(|rooms| rooms[0].unread), Unread::default());
}

#[test]
fn a_message_the_list_counted_that_is_deleted_or_edited_since_counts_as_it_stands() {
    let store = store_as_mina();
    let at_mina = mention_token(MINA);
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 3, mentions: 2 }))]);
    let messages = vec![
        view(8, JUN, &format!("{at_mina} lunch?")),
        view(9, JUN, &format!("{at_mina} at noon")),
        view(10, JUN, "or later"),
    ];
    let page = MessagesPage { head: Seq(10), messages, notices: Vec::new(), complete: false };
    store.history_loaded(LOBBY, page, NEWEST);
    let counted = || store.rooms.with(|rooms| rooms[0].unread);
    assert_eq!(counted(), Unread { messages: 3, mentions: 2 });
    let heard = |seq: u64, event: RoomEvent| store.apply(&in_lobby(seq, event), &[]);

    // Jun takes back his first question, and makes the last one about her.
    heard(11, RoomEvent::Deleted { id: MessageId(8) });
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 });
    heard(12, RoomEvent::Edited { id: MessageId(10), text: format!("{at_mina} or later") });
    assert_eq!(counted(), Unread { messages: 2, mentions: 2 });
    heard(13, RoomEvent::Edited { id: MessageId(9), text: "at noon".into() });
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 });
    // Heard again (a replay), it is not taken off twice.
    heard(14, RoomEvent::Deleted { id: MessageId(8) });
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 });
}

#[test]
fn a_message_changed_while_the_rooms_list_was_on_its_way_counts_as_it_stands_once_the_list_comes() {
    let store = store_as_mina();
    let at_mina = mention_token(MINA);
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 3, mentions: 1 }))]);
    let messages = vec![view(8, JUN, &format!("{at_mina} lunch?")), view(9, JUN, "noon"), view(10, JUN, "or later")];
    store.history_loaded(LOBBY, MessagesPage { head: Seq(10), messages, notices: Vec::new(), complete: false }, NEWEST);
    let counted = || store.rooms.with(|rooms| rooms[0].unread);
    let heard = |seq: u64, event: RoomEvent| store.apply(&in_lobby(seq, event), &[]);

    // Back online, the app asks for the rooms list; the server reads it at
    // once, then Jun takes back his question and makes his last about her.
    let fetch = store.begin_rooms_fetch();
    heard(11, RoomEvent::Deleted { id: MessageId(8) });
    heard(12, RoomEvent::Edited { id: MessageId(10), text: format!("{at_mina} or later") });
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 });
    // The list arrives after both, counting the messages as they stood before.
    assert!(fetch.finish(vec![lobby()]));
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 3, mentions: 1 }))]);
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 }, "the question is gone, the last mentions her");

    // The next list, read after both, counts them itself: nothing is taken off twice.
    let fetch = store.begin_rooms_fetch();
    assert!(fetch.finish(vec![lobby()]));
    store.listed_reads([(LOBBY, listed_at(12, 7, Unread { messages: 2, mentions: 1 }))]);
    assert_eq!(counted(), Unread { messages: 2, mentions: 1 });
}

#[test]
fn of_two_rooms_lists_on_their_way_the_one_read_before_a_deletion_may_come_last() {
    let store = store_as_mina();
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 3, mentions: 0 }))]);
    store.history_loaded(LOBBY, history([(8, JUN), (9, JUN), (10, JUN)]), NEWEST);
    let counted = || store.rooms.with(|rooms| rooms[0].unread.messages);

    // Two lists asked for at once (the page starting, its socket connecting);
    // Jun takes a message back while both are on their way.
    let (first, second) = (store.begin_rooms_fetch(), store.begin_rooms_fetch());
    store.apply(&in_lobby(11, RoomEvent::Deleted { id: MessageId(8) }), &[]);
    assert_eq!(counted(), 2);
    // The first was read after the deletion, the second before it, and comes last.
    assert!(first.finish(vec![lobby()]));
    store.listed_reads([(LOBBY, listed_at(11, 7, Unread { messages: 2, mentions: 0 }))]);
    assert_eq!(counted(), 2);
    assert!(second.finish(vec![lobby()]));
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 3, mentions: 0 }))]);
    assert_eq!(counted(), 2, "the deletion is made again on it");
}

#[test]
fn what_was_last_seen_opens_again_with_the_same_counts_and_its_newest_messages() {
    let store = store_as_mina();
    store.listed_reads([(LOBBY, listed_at(60, 58, Unread { messages: 2, mentions: 0 }))]);
    let seen: Vec<(u64, UserId)> = (1..=60).map(|seq| (seq, if seq % 2 == 0 { JUN } else { MINA })).collect();
    store.history_loaded(LOBBY, history(seen), NEWEST);
    store.apply(&message_from(JUN, 61), &[]);
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(59) }, &[]);
    let shown = store.rooms.with(|rooms| rooms[0].unread);

    let snapshot::Snapshot { rooms, pages } = store.snapshot().expect("a list is shown");
    let [(room, page)] = pages.as_slice() else { panic!("one room of hers: {pages:?}") };
    assert_eq!((*room, page.head, page.messages.len()), (LOBBY, Seq(61), snapshot::MESSAGES_KEPT));
    assert_eq!(page.messages[0].seq, Seq(12), "the newest kept");

    // Opened again, as the adapter does with no server to answer.
    let again = Store::new();
    again.me.set(Some(MINA));
    again.history_loaded(LOBBY, page.clone(), NEWEST);
    let listed = rooms.iter().map(|room| (room.id, Listed::from(room)));
    again.begin_rooms_fetch().finish(rooms.iter().cloned().map(RoomInfo::from).collect());
    again.listed_reads(listed);
    assert_eq!(again.rooms.with(|rooms| rooms[0].unread), shown, "counted as it was shown");
    assert_eq!(again.room(LOBBY).seen.get_untracked(), Seq(59), "as far as Jun had read");
    assert_eq!(again.mark_read(LOBBY, None), Some(Seq(61)));
}

#[test]
fn the_kept_copy_keeps_which_rooms_are_private_and_who_a_conversation_is_with() {
    let store = store_as_mina();
    let direct =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(RoomId(4), "Jun".into(), RoomKind::Direct) };
    let private = RoomInfo { member: true, ..RoomInfo::listed(RoomId(5), "비밀".into(), RoomKind::Private) };
    store.begin_rooms_fetch().finish(vec![lobby(), direct.clone(), private.clone()]);

    let again = Store::new();
    again
        .begin_rooms_fetch()
        .finish(store.snapshot().expect("a list is shown").rooms.into_iter().map(RoomInfo::from).collect());
    assert_eq!(again.rooms.get(), [lobby(), direct, private]);
}

#[test]
fn reading_on_another_screen_clears_what_is_unread_here() {
    let store = store_as_mina();
    store.listed_reads([(LOBBY, listed_at(10, 7, Unread { messages: 2, mentions: 0 }))]);
    store.apply(&message_from(JUN, 11), &[]);
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(10) }, &[]);
    assert_eq!(unread(&store), 1, "read up to 10 on the phone; 11 is still new");
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(11) }, &[]);
    assert_eq!(unread(&store), 0);
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(9) }, &[]);
    assert_eq!(unread(&store), 0, "a position never moves back");
}

#[test]
fn mark_all_as_read_reads_each_room_with_something_unread_up_to_its_newest_known() {
    let store = store_as_mina();
    let (garden, quiet) = (RoomId(2), RoomId(3));
    let yours = |id, name: &str| RoomInfo { member: true, ..RoomInfo::listed(id, name.into(), RoomKind::Public) };
    store.begin_rooms_fetch().finish(vec![lobby(), yours(garden, "garden"), yours(quiet, "quiet")]);
    // The garden's list says 4 unread up to its head, none of them held here.
    let unread_there = Unread { messages: 4, mentions: 1 };
    store.listed_reads([(garden, listed_at(9, 5, unread_there))]);
    // The lobby holds Jun's two messages, the newer past what the list said.
    store.listed_reads([(LOBBY, listed_at(1, 0, unread_there))]);
    store.apply(&message_from(JUN, 2), &[]);

    assert_eq!(store.mark_all_read(), [(LOBBY, Seq(2)), (garden, Seq(9))], "the quiet room had nothing unread");
    let counts: Vec<Unread> = store.rooms.with(|rooms| rooms.iter().map(|room| room.unread).collect());
    assert_eq!(counts, [Unread::default(); 3]);
    assert_eq!(store.mark_all_read(), [], "nothing left to read");
    store.apply(&message_from(JUN, 3), &[]);
    assert_eq!(store.mark_all_read(), [(LOBBY, Seq(3))], "what comes after is unread again, and read again");
}

#[test]
fn nothing_is_kept_before_a_list_is_shown_and_a_room_not_loaded_yet_keeps_its_last_copy() {
    let store = Store::new();
    store.me.set(Some(MINA));
    assert!(store.snapshot().is_none(), "a page left before its rooms came has nothing worth keeping");

    let news = RoomInfo { member: true, ..RoomInfo::listed(RoomId(4), "news".into(), RoomKind::Public) };
    store.begin_rooms_fetch().finish(vec![lobby(), news]);
    store.listed_reads([(RoomId(4), listed_at(4, 2, Unread { messages: 1, mentions: 0 }))]);
    store.history_loaded(LOBBY, history(vec![(1, JUN)]), NEWEST);
    let snapshot::Snapshot { rooms, pages } = store.snapshot().expect("a list is shown");
    assert_eq!(pages.iter().map(|(room, _)| *room).collect::<Vec<_>>(), [LOBBY]);
    assert_eq!(store.rooms_not_loaded(), [RoomId(4)], "its copy kept before stands");
    // Opened again with that copy (Jun's message, seq 4): counted once.
    let again = Store::new();
    again.me.set(Some(MINA));
    again.history_loaded(RoomId(4), history(vec![(4, JUN)]), NEWEST);
    again.begin_rooms_fetch().finish(rooms.iter().cloned().map(RoomInfo::from).collect());
    again.listed_reads(rooms.iter().map(|room| (room.id, Listed::from(room))));
    let news = again.rooms.with(|rooms| rooms.iter().find(|room| room.id == RoomId(4)).map(|room| room.unread));
    assert_eq!(news, Some(Unread { messages: 1, mentions: 0 }));
}
