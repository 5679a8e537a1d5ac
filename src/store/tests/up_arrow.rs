//! ↑ in Mina's empty composer: which message of hers it edits, and when.

use super::*;

const SECOND: &str = "second";

/// Mina said "first" at 5, and Jun answered at 6.
fn mina_said_first() -> Store {
    let store = store_as_mina();
    store.apply(&said(5, MINA, "first"), &[]);
    store.apply(&said(6, JUN, "an answer"), &[]);
    store
}

/// Her second message, in the outbox as `state`.
fn second(room: RoomId, state: ActionState) -> PendingAction {
    let action = Action::SendMessage { room, text: SECOND.into(), reply_to: None, attachments: Vec::new() };
    PendingAction { key: ActionKey::new(SECOND).unwrap(), action, state }
}

/// The server has her second message: its event at 7, then its answer.
fn second_arrives(store: &Store) {
    store.apply(&said(7, MINA, SECOND), &[second(LOBBY, ActionState::Sending)]);
    store.apply(&Event::OutboxChanged, &[]);
    let PendingAction { key, action, .. } = second(LOBBY, ActionState::Sending);
    store.apply(&Event::ActionApplied { key, action, room: LOBBY, seq: Some(Seq(7)), here: true }, &[]);
}

/// ↑ pressed in the lobby while her second message is being sent.
fn up_arrow_while_second_is_sent() -> Store {
    let store = mina_said_first();
    store.show_room(Some(LOBBY));
    store.apply(&Event::OutboxChanged, &[second(LOBBY, ActionState::Sending)]);
    assert!(store.edit_newest(LOBBY), "an edit will open");
    store
}

fn refused() -> ActionState {
    ActionState::Failed { code: RejectCode::Invalid, reason: "no".into(), problem: None }
}

#[test]
fn up_arrow_edits_her_newest_message_though_jun_spoke_after() {
    let store = mina_said_first();
    assert!(store.edit_newest(LOBBY));
    assert_eq!(store.editing.get(), Some(MessageId(5)));
}

#[test]
fn a_message_waiting_in_another_room_is_not_in_the_way() {
    let store = mina_said_first();
    store.apply(&Event::OutboxChanged, &[second(RoomId(2), ActionState::Queued)]);
    assert!(store.edit_newest(LOBBY));
    assert_eq!(store.editing.get(), Some(MessageId(5)));
}

#[test]
fn up_arrow_just_after_enter_opens_the_edit_of_what_she_sent_once_the_server_has_it() {
    let store = up_arrow_while_second_is_sent();
    assert_eq!(store.editing.get(), None, "not of the message before the one she sees as her newest");
    // The room on screen told again (as the page's effect may) asks nothing new.
    store.show_room(Some(LOBBY));
    second_arrives(&store);
    assert_eq!(store.editing.get(), Some(MessageId(7)));
}

#[test]
fn a_message_waiting_for_the_connection_or_not_sent_cannot_be_edited_yet() {
    let store = mina_said_first();
    for state in [ActionState::Queued, refused()] {
        store.apply(&Event::OutboxChanged, &[second(LOBBY, state.clone())]);
        assert!(!store.edit_newest(LOBBY), "{state:?}");
        assert_eq!(store.editing.get(), None, "{state:?}");
    }
}

#[test]
fn nothing_opens_out_of_the_blue_when_the_connection_went_before_the_server_had_it() {
    let store = up_arrow_while_second_is_sent();
    store.apply(&Event::OutboxChanged, &[second(LOBBY, ActionState::Queued)]);
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "sent minutes later, when she has moved on");
}

#[test]
fn an_edit_she_opens_or_a_room_she_opens_meanwhile_wins() {
    let store = up_arrow_while_second_is_sent();
    store.start_editing(MessageId(5));
    second_arrives(&store);
    assert_eq!(store.editing.get(), Some(MessageId(5)), "the edit she chose");

    let store = up_arrow_while_second_is_sent();
    store.show_room(Some(RoomId(2)));
    second_arrives(&store);
    assert_eq!(store.editing.get(), None, "nothing opens in a room she left");
}
