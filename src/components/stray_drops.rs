//! A file let go anywhere but over a room (the rooms beside it, the header,
//! the first screen) would be opened by the browser in place of the app, and
//! what was being typed would go with it; so would a link let go anywhere but
//! in a text field. The page refuses such a drag: the pointer shows it cannot
//! be dropped there, and letting go does nothing.

use leptos::ev::{self, DragEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::pending_files::carries_files;

/// Listens, for as long as the app is open, for drags over the page. A room
/// takes files dragged over it (`room_page.rs`), and a text field takes text
/// and links; this refuses the rest.
pub fn refuse_stray_drops() {
    let refuse = |event: DragEvent| {
        // `:read-write`: a field that can be typed in (not a checkbox, nor
        // the invite link's read-only field).
        let taker = if carries_files(event.data_transfer()) { ".room" } else { ":read-write" };
        if over(&event, taker) {
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

/// Whether a drag event happened over something `selector` picks, which
/// takes the drag itself.
fn over(event: &DragEvent, selector: &str) -> bool {
    let target = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    target.is_some_and(|target| target.closest(selector).ok().flatten().is_some())
}
