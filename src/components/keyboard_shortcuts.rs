//! Shortcuts that work anywhere on the page, for people who chat from the
//! keyboard: Alt+↑ / Alt+↓ open the previous / next of your rooms, and
//! Alt+Shift+↓ the next one with unread messages. The composer of the room
//! opened takes the focus. Shift+Escape marks all as read, as in other chat
//! apps. (Editing keys live with what they edit: ↑ in an empty composer,
//! Escape in an edit or in the members panel; what they handle is not
//! handled again here.)

use leptos::ev::{self, KeyboardEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::composer::{composing, focus_composer};
use super::modal;
use super::rooms_nav::MARK_ALL_READ_CLASS;
use crate::router::use_navigate;
use crate::store::navigation::{next_unread, room_after};
use crate::store::Store;

/// Renders nothing; listens for the shortcuts while mounted (inside the router).
#[component]
pub fn KeyboardShortcuts() -> impl IntoView {
    let store = expect_context::<Store>();
    let navigate = use_navigate();
    let handle = window_event_listener(ev::keydown, move |event: KeyboardEvent| {
        // A question or the image viewer open is answered or closed first.
        if event.ctrl_key() || event.meta_key() || composing(&event) || modal::one_is_open() {
            return;
        }
        // An Escape that closed or cancelled something was for that.
        if event.key() == "Escape" && event.shift_key() && !event.alt_key() && !event.default_prevented() {
            event.prevent_default();
            mark_all_read();
            return;
        }
        if !event.alt_key() {
            return;
        }
        let current = store.current_room().get_untracked();
        let shown = store.conversations_shown();
        let target = store.rooms().with_untracked(|rooms| match (event.key().as_str(), event.shift_key()) {
            ("ArrowDown", true) => next_unread(rooms, &shown, current),
            ("ArrowDown", false) => room_after(rooms, &shown, current, 1),
            ("ArrowUp", false) => room_after(rooms, &shown, current, -1),
            _ => None,
        });
        if let Some(room) = target {
            event.prevent_default();
            navigate(&format!("/rooms/{room}"));
            // The new room's composer is rendered after this event: focus it then.
            request_animation_frame(focus_composer);
        }
    });
    on_cleanup(move || handle.remove());
}

/// Shift+Escape presses "Mark all as read" in the sidebar (mounted beside
/// these shortcuts), so it does all the button does: a screen reader hears
/// it done, and the focus moves on if it was on the button.
fn mark_all_read() {
    let button = document().query_selector(&format!(".{MARK_ALL_READ_CLASS}")).ok().flatten();
    if let Some(button) = button.and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok()) {
        button.click();
    }
}
