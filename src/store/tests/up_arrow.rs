//! ↑ in Mina's empty composer: which message of hers it edits, and when.

use hanmadi_client_core::Status;

use super::*;

const SECOND: &str = "second";
/// No message of hers waits in the lobby with its files.
const NO_FILES: bool = false;

/// Mina, connected, said "first" at 5, and Jun answered at 6.
fn mina_said_first() -> Store {
    let store = store_as_mina();
    store.apply(&Event::Status(Status::Connected), &[]);
    store.show_room(Some(LOBBY));
    store.apply(&said(5, MINA, "first"), &[]);
    store.apply(&said(6, JUN, "an answer"), &[]);
    store
}

/// Her second message, in the outbox as `state`.
fn second(room: RoomId, state: ActionState) -> PendingAction {
    let action = Action::SendMessage { room, text: SECOND.into(), reply_to: None, attachments: Vec::new() };
    PendingAction { key: ActionKey::new(SECOND).unwrap(), action, state }
}

/// The server's answer to her second message: it is at 7.
fn second_applied() -> Event {
    let PendingAction { key, action, .. } = second(LOBBY, ActionState::Sending);
    Event::ActionApplied { key, action, room: LOBBY, seq: Some(Seq(7)), here: true }
}

/// The server has her second message: its event at 7, then its answer.
fn second_arrives(store: &Store) {
    store.apply(&said(7, MINA, SECOND), &[second(LOBBY, ActionState::Sending)]);
    store.apply(&Event::OutboxChanged, &[]);
    store.apply(&second_applied(), &[]);
}

/// ↑ pressed in the lobby while her second message is `state`.
fn up_arrow_while_second_is(state: ActionState) -> Store {
    let store = mina_said_first();
    store.apply(&Event::OutboxChanged, &[second(LOBBY, state)]);
    assert!(store.edit_newest(LOBBY, NO_FILES), "an edit will open");
    assert_eq!(store.editing.get(), None, "not of the message before the one she sees as her newest");
    store
}

fn refused() -> ActionState {
    ActionState::Failed { code: RejectCode::Invalid, reason: "no".into(), problem: None }
}

#[test]
fn up_arrow_edits_her_newest_message_though_jun_spoke_after() {
    let store = mina_said_first();
    assert!(store.edit_newest(LOBBY, NO_FILES));
    assert_eq!(store.editing.get(), Some(MessageId(5)));
}

#[test]
fn a_message_waiting_in_another_room_is_not_in_the_way() {
    let store = mina_said_first();
    store.apply(&Event::OutboxChanged, &[second(RoomId(2), ActionState::Queued)]);
    assert!(store.edit_newest(LOBBY, NO_FILES));
    assert_eq!(store.editing.get(), Some(MessageId(5)));
}

#[test]
fn up_arrow_just_after_enter_opens_the_edit_of_what_she_sent_once_the_server_has_it() {
    let store = up_arrow_while_second_is(ActionState::Sending);
    // The room on screen told again (as the page's effect may) asks nothing new.
    store.show_room(Some(LOBBY));
    second_arrives(&store);
    assert_eq!(store.editing.get(), Some(MessageId(7)));
}

#[test]
fn in_a_tab_that_does_not_hold_the_socket_a_message_on_its_way_is_queued_and_opens_the_same() {
    let store = up_arrow_while_second_is(ActionState::Queued);
    second_arrives(&store);
    assert_eq!(store.editing.get(), Some(MessageId(7)));
}

#[test]
fn an_answer_that_comes_before_the_room_shows_the_message_opens_nothing_and_a_new_up_arrow_does() {
    // The room was filling a gap: the message's event is held back until it is filled.
    let store = up_arrow_while_second_is(ActionState::Sending);
    store.apply(&Event::OutboxChanged, &[]);
    store.apply(&second_applied(), &[]);
    store.apply(&said(7, MINA, SECOND), &[]);
    assert_eq!(store.editing.get(), None, "nothing opens while she may be reading");
    assert!(store.edit_newest(LOBBY, NO_FILES));
    assert_eq!(store.editing.get(), Some(MessageId(7)));
}

#[test]
fn a_message_waiting_for_the_connection_or_with_its_files_or_not_sent_cannot_be_edited_yet() {
    let store = mina_said_first();
    store.apply(&Event::OutboxChanged, &[second(LOBBY, refused())]);
    assert!(!store.edit_newest(LOBBY, NO_FILES), "not sent");

    store.apply(&Event::OutboxChanged, &[]);
    assert!(!store.edit_newest(LOBBY, true), "waiting with its files, shown after everything");

    store.apply(&Event::Status(Status::Offline), &[]);
    store.apply(&Event::OutboxChanged, &[second(LOBBY, ActionState::Queued)]);
    assert!(!store.edit_newest(LOBBY, NO_FILES), "waiting for the connection");
    store.apply(&Event::Status(Status::Connected), &[]);
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "nor later, when she has moved on");
}

#[test]
fn nothing_opens_out_of_the_blue_when_the_connection_goes_or_the_message_is_refused() {
    let store = up_arrow_while_second_is(ActionState::Sending);
    store.apply(&Event::Status(Status::Reconnecting { attempt: 1, next_try: None }), &[]);
    store.apply(&Event::Status(Status::Connected), &[]);
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "sent after the outage, when she has moved on");

    let store = up_arrow_while_second_is(ActionState::Sending);
    store.apply(&Event::OutboxChanged, &[second(LOBBY, refused())]);
    store.apply(&Event::OutboxChanged, &[second(LOBBY, ActionState::Sending)]);
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "refused, then sent again with Retry");
}

#[test]
fn what_she_does_meanwhile_wins() {
    let store = up_arrow_while_second_is(ActionState::Sending);
    store.start_editing(MessageId(5));
    second_arrives(&store);
    assert_eq!(store.editing.get(), Some(MessageId(5)), "the edit she chose");

    let store = up_arrow_while_second_is(ActionState::Sending);
    store.forget_edit_once_sent();
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "she typed");

    let store = up_arrow_while_second_is(ActionState::Sending);
    let third = PendingAction { key: ActionKey::new("third").unwrap(), ..second(LOBBY, ActionState::Sending) };
    store.apply(&Event::OutboxChanged, &[second(LOBBY, ActionState::Sending), third]);
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "she sent another: that one is her newest");

    let store = up_arrow_while_second_is(ActionState::Sending);
    store.start_reply(Replying { room: LOBBY, message: MessageId(6), author: "Jun".into() });
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "she answers Jun");

    let store = up_arrow_while_second_is(ActionState::Sending);
    store.show_room(Some(RoomId(2)));
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "nothing opens in a room she left");
}

#[test]
fn an_edit_left_open_does_not_follow_her_out_of_the_room_or_back() {
    let store = store_as_mina();
    store.show_room(Some(LOBBY));
    store.start_editing(MessageId(3));
    store.show_room(Some(LOBBY));
    assert_eq!(store.editing.get(), Some(MessageId(3)), "the same room shown again");
    store.show_room(Some(RoomId(2)));
    store.show_room(Some(LOBBY));
    assert_eq!(store.editing.get(), None);
}

#[test]
fn a_message_of_hers_shown_after_it_when_the_answer_comes_opens_nothing() {
    // "third" refused, still shown as not sent after the second.
    let store = up_arrow_while_second_is(ActionState::Sending);
    let third = PendingAction { key: ActionKey::new("third").unwrap(), ..second(LOBBY, refused()) };
    store.apply(&said(7, MINA, SECOND), &[second(LOBBY, ActionState::Sending), third.clone()]);
    store.apply(&Event::OutboxChanged, std::slice::from_ref(&third));
    store.apply(&second_applied(), &[third]);
    assert_eq!(store.editing.get(), None);
}

#[test]
fn a_message_she_wrote_on_her_phone_heard_before_the_answer_opens_nothing() {
    let store = up_arrow_while_second_is(ActionState::Sending);
    store.apply(&said(7, MINA, SECOND), &[second(LOBBY, ActionState::Sending)]);
    store.apply(&said(8, MINA, "from her phone"), &[second(LOBBY, ActionState::Sending)]);
    store.apply(&Event::OutboxChanged, &[]);
    store.apply(&second_applied(), &[]);
    assert_eq!(store.editing.get(), None);
}

#[test]
fn the_room_reset_or_the_session_ended_ends_the_wait() {
    for ended in [Event::RoomReset { room: LOBBY, head: Seq(9) }, Event::SessionEnded { unsent: Vec::new() }] {
        let store = up_arrow_while_second_is(ActionState::Sending);
        store.apply(&ended, &[second(LOBBY, ActionState::Sending)]);
        second_arrives(&store);
        assert_eq!(store.editing.get(), None, "{ended:?}");
    }
}
