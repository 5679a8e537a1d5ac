//! A file let go anywhere but over a room (the rooms beside it, the header,
//! the first screen) would be opened by the browser in place of the app, and
//! what was being typed would go with it. The page refuses such a drag: the
//! pointer shows it cannot be dropped there, and letting go does nothing.

use leptos::ev::{self, DragEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::pending_files::carries_files;

/// Listens, for as long as the app is open, for drags of files over the page.
/// A room takes a drag over itself (`room_page.rs`); this refuses the rest.
pub fn refuse_stray_drops() {
    let refuse = |event: DragEvent| {
        if over_a_room(&event) || !carries_files(event.data_transfer()) {
            return;
        }
        // Cancelling is what keeps the browser from opening the file; "none"
        // is what then makes letting go do nothing.
        event.prevent_default();
        if let Some(data) = event.data_transfer() {
            data.set_drop_effect("none");
        }
    };
    let over = window_event_listener(ev::dragover, refuse);
    let dropped = window_event_listener(ev::drop, refuse);
    on_cleanup(move || {
        over.remove();
        dropped.remove();
    });
}

/// Whether a drag event happened over a room, whose own handlers decide.
fn over_a_room(event: &DragEvent) -> bool {
    let target = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    target.is_some_and(|target| target.closest(".room").ok().flatten().is_some())
}
