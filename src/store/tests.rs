//! The store's stories: what each event from the engine does to what the
//! page shows.

use super::*;
use hanmadi_client_core::SequencedEvent;
use hanmadi_protocol::http::{HistoryEvent, LastMessage, MessagesPage};
use hanmadi_protocol::Version;
use hanmadi_protocol::{mention_token, ActionKey};
use reading::Unread;

const LOBBY: RoomId = RoomId(1);
const MINA: UserId = UserId(1);
const JUN: UserId = UserId(2);

fn store_as_mina() -> Store {
    let store = Store::new();
    store.me.set(Some(MINA));
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store
}

fn lobby() -> RoomInfo {
    RoomInfo { member: true, ..RoomInfo::listed(LOBBY, "lobby".into(), RoomKind::Public) }
}

/// The rooms list as shown: id, name, and whether we are a member.
fn listed(store: &Store) -> Vec<(u64, String, bool)> {
    store.rooms.with(|rooms| rooms.iter().map(|room| (room.id.0, room.name.clone(), room.member)).collect())
}

fn shown(id: u64, name: &str, member: bool) -> (u64, String, bool) {
    (id, name.to_owned(), member)
}

fn room_listed(room: u64, name: &str) -> Event {
    Event::RoomListed { room: RoomId(room), name: name.into() }
}

fn applied(action: Action, room: u64) -> Event {
    let key = ActionKey::new("k").unwrap();
    Event::ActionApplied { key, action, room: RoomId(room), seq: Some(Seq(2)), here: true }
}

fn message_from(author: UserId, seq: u64) -> Event {
    said(seq, author, "hi")
}

/// `author` (Jun's name on it, whoever it is) says `text` in the lobby at `seq`.
fn said(seq: u64, author: UserId, text: &str) -> Event {
    let event = RoomEvent::Message {
        id: MessageId(seq),
        author,
        author_name: "Jun".into(),
        text: text.into(),
        reply_to: None,
        attachments: Vec::new(),
    };
    Event::RoomEvents { room: LOBBY, events: vec![SequencedEvent { seq: Seq(seq), at: 0, event }], live: true }
}

fn unread(store: &Store) -> u32 {
    store.rooms.with(|rooms| rooms[0].unread.messages)
}

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
fn a_quoted_original_outside_the_history_follows_its_edits_and_deletion() {
    let store = store_as_mina();
    let original = history([(3, JUN)]).messages.remove(0);
    store.original_fetched(LOBBY, original.clone());
    let event = |seq, event| Event::RoomEvents {
        room: LOBBY,
        events: vec![SequencedEvent { seq: Seq(seq), at: 0, event }],
        live: true,
    };
    let quoted = || store.room(LOBBY).quoted.with(|quoted| quoted.get(&original.id).cloned().unwrap());
    store.apply(&event(40, RoomEvent::Edited { id: original.id, text: "fixed".into() }), &[]);
    assert_eq!((quoted().text.as_str(), quoted().edited), ("fixed", true));
    store.apply(&event(41, RoomEvent::Deleted { id: original.id }), &[]);
    assert!(quoted().deleted && quoted().text.is_empty(), "no copy of a deleted original's text stays");
    assert!(store.room(LOBBY).timeline.with(|t| t.entries().is_empty()), "the history held is untouched");
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
    store.history_loaded(room, history((1..=60).map(|seq| (seq, JUN))));
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

/// A page of history holding a message at each seq, by its author.
fn history(seqs: impl IntoIterator<Item = (u64, UserId)>) -> MessagesPage {
    let messages: Vec<_> = seqs
        .into_iter()
        .map(|(seq, author)| hanmadi_protocol::http::MessageView {
            id: MessageId(seq),
            seq: Seq(seq),
            author,
            author_name: "x".into(),
            text: "hi".into(),
            at: 0,
            edited: false,
            deleted: false,
            reply_to: None,
            reactions: Vec::new(),
            attachments: Vec::new(),
        })
        .collect();
    let head = messages.last().map_or(Seq::ZERO, |message| message.seq);
    MessagesPage { head, messages, notices: Vec::new(), complete: false }
}

#[test]
fn after_a_reload_the_servers_position_gives_the_count_and_the_line() {
    let store = store_as_mina();
    store.listed_reads([(
        LOBBY,
        Listed { head: Seq(10), read: Seq(7), unread: Unread { messages: 2, mentions: 0 }, seen: Seq::ZERO },
    )]);
    assert_eq!(unread(&store), 2, "as the server counted");
    store.apply(&message_from(JUN, 11), &[]);
    assert_eq!(unread(&store), 3, "and one more since");
    // Opening the room loads its history: the messages the list counted are not counted twice.
    store.room(LOBBY).timeline.update(|t| t.add_history(history([(6, JUN), (7, MINA), (8, JUN), (9, JUN)])));
    assert_eq!(unread(&store), 3);
    assert_eq!(store.mark_read(LOBBY, None), Some(Seq(11)));
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(8)), "the line where reading stopped last time");
    assert_eq!(unread(&store), 0);
}

#[test]
fn with_more_unread_than_a_page_the_line_moves_up_as_older_pages_load() {
    let store = store_as_mina();
    store.listed_reads([(
        LOBBY,
        Listed { head: Seq(300), read: Seq(100), unread: Unread { messages: 200, mentions: 0 }, seen: Seq::ZERO },
    )]);
    // Opened after a reload: the newest page only.
    store.history_loaded(LOBBY, history((251..=300).map(|seq| (seq, JUN))));
    store.mark_read(LOBBY, None);
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(251)), "before the first unread one held");
    store.history_loaded(LOBBY, history((151..=250).map(|seq| (seq, JUN))));
    assert_eq!(store.new_line_at(LOBBY), Some(Seq(151)));
    store.history_loaded(LOBBY, history((51..=150).map(|seq| (seq, JUN))));
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
    store.listed_reads([(LOBBY, Listed { head: Seq(10), read: Seq(7), unread: listed, seen: Seq::ZERO })]);
    store.apply(&said(11, JUN, &format!("{} lunch?", mention_token(MINA))), &[]);
    store.apply(&said(12, JUN, &format!("{} too?", mention_token(JUN))), &[]);
    store.apply(&said(13, MINA, &format!("{} me", mention_token(MINA))), &[]);
    let counted = store.rooms.with(|rooms| rooms[0].unread);
    assert_eq!(counted, Unread { messages: 4, mentions: 2 }, "the list's one and Jun's; not his own or mine");
    store.mark_read(LOBBY, None);
    assert_eq!(store.rooms.with(|rooms| rooms[0].unread), Unread::default());
}

#[test]
fn what_was_last_seen_opens_again_with_the_same_counts_and_its_newest_messages() {
    let store = store_as_mina();
    store.listed_reads([(
        LOBBY,
        Listed { head: Seq(60), read: Seq(58), unread: Unread { messages: 2, mentions: 0 }, seen: Seq::ZERO },
    )]);
    let seen: Vec<(u64, UserId)> = (1..=60).map(|seq| (seq, if seq % 2 == 0 { JUN } else { MINA })).collect();
    store.history_loaded(LOBBY, history(seen));
    store.apply(&message_from(JUN, 61), &[]);
    store.apply(&Event::Seen { room: LOBBY, seq: Seq(59) }, &[]);
    let shown = store.rooms.with(|rooms| rooms[0].unread);

    let snapshot::Snapshot { rooms, pages } = store.snapshot();
    let [(room, page)] = pages.as_slice() else { panic!("one room of hers: {pages:?}") };
    assert_eq!((*room, page.head, page.messages.len()), (LOBBY, Seq(61), snapshot::MESSAGES_KEPT));
    assert_eq!(page.messages[0].seq, Seq(12), "the newest kept");

    // Opened again, as the adapter does with no server to answer.
    let again = Store::new();
    again.me.set(Some(MINA));
    again.history_loaded(LOBBY, page.clone());
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
    again.begin_rooms_fetch().finish(store.snapshot().rooms.into_iter().map(RoomInfo::from).collect());
    assert_eq!(again.rooms.get(), [lobby(), direct, private]);
}

#[test]
fn reading_on_another_screen_clears_what_is_unread_here() {
    let store = store_as_mina();
    store.listed_reads([(
        LOBBY,
        Listed { head: Seq(10), read: Seq(7), unread: Unread { messages: 2, mentions: 0 }, seen: Seq::ZERO },
    )]);
    store.apply(&message_from(JUN, 11), &[]);
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(10) }, &[]);
    assert_eq!(unread(&store), 1, "read up to 10 on the phone; 11 is still new");
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(11) }, &[]);
    assert_eq!(unread(&store), 0);
    store.apply(&Event::ReadElsewhere { room: LOBBY, seq: Seq(9) }, &[]);
    assert_eq!(unread(&store), 0, "a position never moves back");
}

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
fn a_message_mentioning_me_is_offered_for_a_notification() {
    let store = store_as_mina();
    store.apply(&said(8, JUN, "mina, lunch?"), &[]);
    assert_eq!(store.last_mention.get(), None, "her name in passing is not a mention");
    store.apply(&said(9, JUN, &format!("{} lunch?", mention_token(MINA))), &[]);
    assert_eq!(
        store.last_mention.get(),
        Some(Mention {
            room: LOBBY,
            author: "Jun".into(),
            text: format!("{} lunch?", mention_token(MINA)),
            direct: false
        })
    );
}

#[test]
fn anything_said_to_me_in_a_direct_conversation_is_offered_for_a_notification() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let with_jun =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(LOBBY, "Jun".into(), RoomKind::Direct) };
    store.begin_rooms_fetch().finish(vec![with_jun]);
    store.apply(&said(3, MINA, "my own words"), &[]);
    assert_eq!(store.last_mention.get(), None, "not her own");
    store.apply(&said(4, JUN, "are you free?"), &[]);
    let offered = store.last_mention.get().expect("offered");
    assert_eq!((offered.text.as_str(), offered.direct), ("are you free?", true));
}

#[test]
fn a_room_shows_who_joined_and_a_direct_conversation_does_not() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let with_jun =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(RoomId(4), "Jun".into(), RoomKind::Direct) };
    store.begin_rooms_fetch().finish(vec![lobby(), with_jun]);
    let rows =
        |room: RoomId| store.room(room).timeline.with(|t| t.entries().iter().map(|e| e.seq().0).collect::<Vec<_>>());
    for room in [LOBBY, RoomId(4)] {
        let joined = |seq: u64, user: UserId| HistoryEvent {
            seq: Seq(seq),
            at: 0,
            event: RoomEvent::Joined { user, name: "x".into() },
        };
        let mut page = history([(3, MINA)]);
        page.notices = vec![joined(1, MINA), joined(2, JUN)];
        store.history_loaded(room, page);
        let live = SequencedEvent { seq: Seq(4), at: 0, event: RoomEvent::Left { user: JUN } };
        store.apply(&Event::RoomEvents { room, events: vec![live], live: true }, &[]);
    }
    assert_eq!(rows(LOBBY), [1, 2, 3, 4], "from the page and live");
    assert_eq!(rows(RoomId(4)), [3], "the message alone");
}

#[test]
fn the_members_list_follows_joins_and_leaves_once_fetched() {
    let store = store_as_mina();
    let event = |seq: u64, event: RoomEvent| Event::RoomEvents {
        room: LOBBY,
        events: vec![SequencedEvent { seq: Seq(seq), at: 0, event }],
        live: true,
    };
    let members = || store.room(LOBBY).members.get().map(|m| m.into_iter().map(|m| m.name).collect::<Vec<_>>());
    store.apply(&event(1, RoomEvent::Joined { user: JUN, name: "Jun".into() }), &[]);
    assert_eq!(members(), None, "a join before the list is fetched does not make a list of one");

    store
        .room(LOBBY)
        .members
        .set(Some(vec![Member { user: MINA, name: "Mina".into() }, Member { user: JUN, name: "Jun".into() }]));
    store.apply(&event(2, RoomEvent::Joined { user: JUN, name: "Jun".into() }), &[]);
    store.apply(&event(3, RoomEvent::Joined { user: UserId(3), name: "Sora".into() }), &[]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Jun".into(), "Sora".into()]), "each person once");
    store.apply(&event(4, RoomEvent::Left { user: JUN }), &[]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Sora".into()]));
}

#[test]
fn a_refused_edit_is_explained_and_a_refused_message_is_kept() {
    let store = store_as_mina();
    let rejected = |action: Action, stays: bool| Event::ActionRejected {
        key: hanmadi_protocol::ActionKey::new("k").unwrap(),
        action,
        stays,
        here: true,
        code: hanmadi_protocol::RejectCode::NotFound,
        reason: "that message was deleted".into(),
        problem: None,
    };
    store.apply(
        &rejected(
            Action::SendMessage { room: LOBBY, text: "hi".into(), reply_to: None, attachments: Vec::new() },
            true,
        ),
        &[],
    );
    assert_eq!(store.refused.get(), None, "a message stays as Not sent, with Retry and Delete");
    let edit = Action::EditMessage { room: LOBBY, message: MessageId(1), text: "fixed".into() };
    store.apply(&rejected(edit.clone(), false), &[]);
    let refused = store.refused.get().expect("explained");
    assert_eq!((refused.action, refused.reason.as_str()), (edit, "that message was deleted"));
}

#[test]
fn a_refused_room_name_keeps_what_was_wrong_for_the_notice_to_word() {
    let store = store_as_mina();
    let key = ActionKey::new("r").unwrap();
    let problem = hanmadi_protocol::limits::check_room_name("\u{200B}").unwrap_err();
    let (code, reason) = (hanmadi_protocol::RejectCode::Invalid, problem.to_string());
    let state = ActionState::Failed { code, reason: reason.clone(), problem: Some(problem) };
    let action = Action::CreateRoom { name: "\u{200B}".into(), private: false };
    let outbox = [PendingAction { key: key.clone(), action: action.clone(), state }];
    let rejected = Event::ActionRejected {
        key,
        action: action.clone(),
        stays: false,
        here: true,
        code,
        reason: reason.clone(),
        problem: Some(problem),
    };
    store.apply(&rejected, &outbox);
    assert_eq!(store.refused.get(), Some(Refused { action, code: Some(code), reason, problem: Some(problem) }));
}

#[test]
fn waiting_joins_edits_and_renames_are_listed_but_messages_and_reactions_show_in_place() {
    let waiting = |key: &str, action: Action, state: ActionState| PendingAction {
        key: hanmadi_protocol::ActionKey::new(key).unwrap(),
        action,
        state,
    };
    let refused =
        ActionState::Failed { code: hanmadi_protocol::RejectCode::NotFound, reason: "gone".into(), problem: None };
    let outbox = [
        waiting(
            "message",
            Action::SendMessage { room: LOBBY, text: "hi".into(), reply_to: None, attachments: Vec::new() },
            ActionState::Queued,
        ),
        waiting("join", Action::JoinRoom { room: RoomId(2) }, ActionState::Queued),
        waiting(
            "react",
            Action::AddReaction { room: LOBBY, message: MessageId(1), emoji: "👍".into() },
            ActionState::Sending,
        ),
        waiting(
            "edit",
            Action::EditMessage { room: LOBBY, message: MessageId(1), text: "x".into() },
            ActionState::Sending,
        ),
        waiting("rename", Action::RenameRoom { room: LOBBY, name: "x".into() }, refused),
        waiting("leave", Action::LeaveRoom { room: LOBBY }, ActionState::Queued),
    ];
    let listed: Vec<&str> = waiting_unseen(&outbox).map(|pending| pending.key.as_str()).collect();
    assert_eq!(listed, ["join", "edit", "leave"], "a refused one is explained instead, not listed as waiting");
}

#[test]
fn each_ticker_symbol_gets_its_own_signal_updated_in_place() {
    let store = Store::new();
    let value =
        |symbol: &str, version: u64| TickerValue { symbol: symbol.into(), version: Version(version), price: 1.0 };
    store.paint_ticker(vec![value("AAA", 1), value("BBB", 1)]);
    let aaa = store.ticker.with(|t| t["AAA"].clone());
    store.paint_ticker(vec![value("AAA", 2)]);
    assert_eq!(aaa.get().version, Version(2), "the same signal, updated");
    assert_eq!(store.ticker.with(|t| t.len()), 2);
}

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
fn a_direct_conversation_shows_its_newest_message_as_it_stands_whatever_the_order_heard() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let last = |seq: u64, text: &str| LastMessage {
        id: MessageId(seq),
        seq: Seq(seq),
        at: 0,
        author: JUN,
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

    // A room that is not a direct one keeps none.
    store.begin_rooms_fetch().finish(vec![lobby()]);
    store.apply(&said(7, JUN, "hello"), &[]);
    assert_eq!(shown(), None);
}

#[test]
fn a_conversation_s_page_may_bring_a_message_newer_than_its_listing_and_an_older_page_changes_nothing() {
    let store = Store::new();
    store.me.set(Some(MINA));
    let with_jun =
        RoomInfo { member: true, with: Some(JUN), ..RoomInfo::listed(LOBBY, "Jun".into(), RoomKind::Direct) };
    store.begin_rooms_fetch().finish(vec![with_jun]);
    let shown = || store.rooms.with(|rooms| rooms[0].last.as_ref().map(|last| (last.seq, last.author)));
    store.history_loaded(LOBBY, history([(3, JUN), (4, MINA)]));
    assert_eq!(shown(), Some((Seq(4), MINA)), "said between the list and the page");
    store.history_loaded(LOBBY, history([(1, JUN), (2, JUN)]));
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
