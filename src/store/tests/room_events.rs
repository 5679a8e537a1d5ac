//! What a room's events show beyond its messages (quotes, notifications,
//! who joined, the members), what waits or was refused, and the ticker.

use super::*;

#[test]
fn a_quoted_original_outside_the_history_follows_its_edits_and_deletion() {
    let store = store_as_mina();
    let original = history([(3, JUN)]).messages.remove(0);
    store.original_fetched(LOBBY, original.clone());
    let quoted = || store.room(LOBBY).quoted.with(|quoted| quoted.get(&original.id).cloned().unwrap());
    store.apply(&in_lobby(40, RoomEvent::Edited { id: original.id, text: "fixed".into() }), &[]);
    assert_eq!((quoted().text.as_str(), quoted().edited), ("fixed", true));
    store.apply(&in_lobby(41, RoomEvent::Deleted { id: original.id }), &[]);
    assert!(quoted().deleted && quoted().text.is_empty(), "no copy of a deleted original's text stays");
    assert!(store.room(LOBBY).timeline.with(|t| t.entries().is_empty()), "the history held is untouched");
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
        store.history_loaded(room, page, NEWEST);
        let live = SequencedEvent { seq: Seq(4), at: 0, event: RoomEvent::Left { user: JUN, name: None } };
        store.apply(&Event::RoomEvents { room, events: vec![live], live: true }, &[]);
    }
    assert_eq!(rows(LOBBY), [1, 2, 3, 4], "from the page and live");
    assert_eq!(rows(RoomId(4)), [3], "the message alone");
}

#[test]
fn the_members_list_follows_joins_and_leaves_once_fetched() {
    let store = store_as_mina();
    let members = || store.room(LOBBY).members.get().map(|m| m.into_iter().map(|m| m.name).collect::<Vec<_>>());
    store.apply(&in_lobby(1, RoomEvent::Joined { user: JUN, name: "Jun".into() }), &[]);
    assert_eq!(members(), None, "a join before the list is fetched does not make a list of one");

    store.begin_members_fetch(LOBBY).finish(vec![member(MINA, "Mina"), member(JUN, "Jun")]);
    store.apply(&in_lobby(2, RoomEvent::Joined { user: JUN, name: "Jun".into() }), &[]);
    store.apply(&in_lobby(3, RoomEvent::Joined { user: UserId(3), name: "Sora".into() }), &[]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Jun".into(), "Sora".into()]), "each person once");
    store.apply(&in_lobby(4, RoomEvent::Left { user: JUN, name: None }), &[]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Sora".into()]));
}

#[test]
fn a_join_or_leave_heard_while_the_members_are_on_their_way_is_not_lost() {
    let store = store_as_mina();
    let heard = |seq: u64, event: RoomEvent| store.apply(&in_lobby(seq, event), &[]);
    let members = || store.room(LOBBY).members.get().map(|m| m.into_iter().map(|m| m.name).collect::<Vec<_>>());

    // Mina opens the lobby; the server reads its members before Sora joins
    // and Jun leaves, and its answer comes after both are heard.
    let opening = store.begin_members_fetch(LOBBY);
    heard(1, RoomEvent::Joined { user: UserId(3), name: "Sora".into() });
    heard(2, RoomEvent::Left { user: JUN, name: None });
    opening.finish(vec![member(MINA, "Mina"), member(JUN, "Jun")]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Sora".into()]), "Sora in, Jun out");

    // She opens it twice more; the first answer comes last, read before Yuna joined.
    let first = store.begin_members_fetch(LOBBY);
    let second = store.begin_members_fetch(LOBBY);
    heard(3, RoomEvent::Joined { user: UserId(4), name: "Yuna".into() });
    second.finish(vec![member(MINA, "Mina"), member(UserId(3), "Sora"), member(UserId(4), "Yuna")]);
    first.finish(vec![member(MINA, "Mina"), member(UserId(3), "Sora")]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Sora".into(), "Yuna".into()]), "Yuna stays");

    // Once no fetch is on its way, nothing heard is kept for the next one.
    heard(4, RoomEvent::Left { user: UserId(4), name: None });
    let later = store.begin_members_fetch(LOBBY);
    heard(5, RoomEvent::Joined { user: UserId(4), name: "Yuna".into() });
    later.finish(vec![member(MINA, "Mina"), member(UserId(3), "Sora")]);
    assert_eq!(members(), Some(vec!["Mina".into(), "Sora".into(), "Yuna".into()]), "back again");
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
