//! A link to one message of a room (`/rooms/{room}/messages/{seq}`): a plain
//! click goes there without reloading and brings the message into view, lit,
//! however far back it is; following it again brings it back again. A click
//! with a modifier (new tab, new window) is left to the browser.

use hanmadi_protocol::{RoomId, Seq};
use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::reactive::handler;

use crate::router::{is_current, message_path, use_navigate};
use crate::store::Store;

#[component]
pub fn MessageLink(
    room: RoomId,
    seq: Seq,
    class: &'static str,
    /// The link's name for a screen reader, when its text alone says too little.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    children: Children,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let href = message_path(room, seq);
    let navigate = use_navigate();
    let click = {
        let href = href.clone();
        move |event: MouseEvent| {
            let modified = event.meta_key() || event.alt_key() || event.ctrl_key() || event.shift_key();
            if event.default_prevented() || event.button() != 0 || modified {
                return;
            }
            event.prevent_default();
            // The path does not change when the link is followed again: the
            // message is asked for all the same.
            let again = is_current(&href);
            navigate(&href);
            if again {
                store.reveal(room, seq);
            }
        }
    };
    view! {
        <a class=class href=href aria-label=move || label.map(|label| label.get()) on:click=handler(click)>
            {children()}
        </a>
    }
}
