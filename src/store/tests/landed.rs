//! Mina's message, "Sending…" until the server answers, shows once: its
//! waiting copy goes the moment the room shows it, not at the answer after.

use hanmadi_protocol::attachments::Attachment;
use hanmadi_protocol::ReplyTo;

use super::*;

/// Mina's message saying `text` in `room`, waiting for the server's answer.
fn waiting(key: &str, room: RoomId, text: &str) -> PendingAction {
    let action = Action::SendMessage { room, text: text.into(), reply_to: None, attachments: Vec::new() };
    PendingAction { key: ActionKey::new(key).unwrap(), action, state: ActionState::Sending }
}

/// Mina's store, in the lobby, with `outbox` waiting.
fn mina_waiting_for(outbox: &[PendingAction]) -> Store {
    let store = store_as_mina();
    store.apply(&Event::OutboxChanged, outbox);
    store
}

/// The keys of the messages the lobby shows as waiting.
fn shown_waiting(store: &Store) -> Vec<String> {
    store.messages_shown_waiting(LOBBY).into_iter().map(|pending| pending.key.as_str().to_owned()).collect()
}

#[test]
fn her_message_shows_once_from_the_moment_the_room_has_it_to_the_answer_after() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "lunch?")]);
    assert_eq!(shown_waiting(&store), ["a"]);

    store.apply(&said(7, MINA, "lunch?"), &[]);
    assert!(store.room(LOBBY).timeline().with(|timeline| timeline.entry(Seq(7)).is_some()), "the room shows it");
    assert!(shown_waiting(&store).is_empty(), "and not its waiting copy too");

    // The answer takes it out of the outbox; nothing is held for it after.
    store.apply(&Event::OutboxChanged, &[]);
    assert!(store.landed.get().is_empty());
}

#[test]
fn the_same_words_twice_go_one_arrival_each_in_the_order_sent() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok"), waiting("b", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok"), &[]);
    assert_eq!(shown_waiting(&store), ["b"], "the first arrival is the first sent");
    store.apply(&said(8, MINA, "ok"), &[]);
    assert!(shown_waiting(&store).is_empty());
}

#[test]
fn the_same_words_from_jun_or_in_another_room_leave_hers_waiting() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok")]);
    store.apply(&said(7, JUN, "ok"), &[]);
    let Event::RoomEvents { events, live, .. } = said(8, MINA, "ok") else { unreachable!() };
    store.apply(&Event::RoomEvents { room: RoomId(2), events, live }, &[]);
    assert_eq!(shown_waiting(&store), ["a"]);
}

#[test]
fn an_arrival_with_other_words_another_answer_or_other_files_is_another_message() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok!"), &[]);
    store.apply(&said_with(8, "ok", Some(ReplyTo { id: MessageId(7), seq: Seq(7) }), Vec::new()), &[]);
    store.apply(&said_with(9, "ok", None, vec![photo()]), &[]);
    assert_eq!(shown_waiting(&store), ["a"]);
}

#[test]
fn her_answer_with_a_file_is_matched_by_what_it_answers_and_carries() {
    let mut pending = waiting("a", LOBBY, "here");
    pending.action = Action::SendMessage {
        room: LOBBY,
        text: "here".into(),
        reply_to: Some(MessageId(5)),
        attachments: vec![photo().id],
    };
    let store = mina_waiting_for(&[pending]);
    let answer = Some(ReplyTo { id: MessageId(5), seq: Seq(5) });
    let another_photo = Attachment { id: AttachmentId(4), ..photo() };
    store.apply(&said_with(7, "here", answer, vec![another_photo]), &[]);
    assert_eq!(shown_waiting(&store), ["a"], "another file is another message");
    store.apply(&said_with(8, "here", answer, vec![photo()]), &[]);
    assert!(shown_waiting(&store).is_empty());
}

#[test]
fn a_message_refused_after_all_shows_again_with_its_reason() {
    // Her phone said the same words at that moment, and took her copy's place.
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok"), &[]);
    assert!(shown_waiting(&store).is_empty());

    let mut refused = waiting("a", LOBBY, "ok");
    refused.state = ActionState::Failed { code: RejectCode::RateLimited, reason: "slow down".into(), problem: None };
    store.apply(&Event::OutboxChanged, &[refused]);
    assert_eq!(shown_waiting(&store), ["a"]);
}

#[test]
fn a_message_already_sent_is_matched_before_one_still_queued() {
    let mut queued = waiting("q", LOBBY, "ok");
    queued.state = ActionState::Queued;
    let store = mina_waiting_for(&[queued, waiting("s", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok"), &[]);
    assert_eq!(shown_waiting(&store), ["q"]);
}

#[test]
fn a_room_loaded_again_shows_her_waiting_message_again_until_it_holds_it() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok"), &[]);
    store.apply(&Event::RoomReset { room: LOBBY, head: Seq(7) }, &[]);
    assert_eq!(shown_waiting(&store), ["a"], "the room holds nothing yet");
}

#[test]
fn up_arrow_edits_her_message_the_moment_the_room_shows_it() {
    let store = mina_waiting_for(&[waiting("a", LOBBY, "ok")]);
    store.apply(&said(7, MINA, "ok"), &[]);
    assert!(store.edit_newest(LOBBY, false));
    assert_eq!(store.editing.get(), Some(MessageId(7)));
}

/// Mina says `text` in the lobby at `seq`, answering `reply_to`, with `attachments`.
fn said_with(seq: u64, text: &str, reply_to: Option<ReplyTo>, attachments: Vec<Attachment>) -> Event {
    let event = RoomEvent::Message {
        id: MessageId(seq),
        author: MINA,
        author_name: "Mina".into(),
        text: text.into(),
        reply_to,
        attachments,
    };
    in_lobby(seq, event)
}

fn photo() -> Attachment {
    Attachment {
        id: AttachmentId(3),
        name: "photo.png".into(),
        size: 1024,
        mime: "image/png".into(),
        width: Some(640),
        height: Some(480),
    }
}
