//! The message Mina tapped on her phone, whose buttons show: until she taps
//! it again or moves on to something else.

use super::*;

#[test]
fn a_tapped_message_stays_selected_until_she_answers_edits_or_taps_beside_it() {
    let store = store_as_mina();
    let (first, second) = (MessageId(5), MessageId(6));
    store.toggle_selected(first);
    assert_eq!(store.selected.get(), Some(first));
    store.toggle_selected(second);
    assert_eq!(store.selected.get(), Some(second), "another tap moves it");
    store.toggle_selected(second);
    assert_eq!(store.selected.get(), None, "a second tap on it lets go");

    store.toggle_selected(second);
    store.start_reply(Replying { room: LOBBY, message: second, author: "Jun".into() });
    assert_eq!(store.selected.get(), None, "answering it");
    store.toggle_selected(first);
    store.start_editing(first);
    assert_eq!(store.selected.get(), None, "editing it");
    store.toggle_selected(first);
    store.unselect();
    assert_eq!(store.selected.get(), None, "a tap beside the messages, or words typed");
}
