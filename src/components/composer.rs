//! The composer: Enter sends, Shift+Enter adds a line, and Enter during an IME
//! composition (Korean, Japanese, Chinese) only confirms the syllable.

use hanmadi_protocol::limits::check_message_text;
use hanmadi_protocol::{Action, RoomId};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use crate::i18n::t;
use crate::socket::use_socket;

#[component]
pub fn Composer(room: RoomId) -> impl IntoView {
    let socket = use_socket();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let send = move || {
        let message = text.get_untracked();
        if message.trim().is_empty() {
            return;
        }
        if let Err(why) = check_message_text(&message) {
            error.set(Some(why));
            return;
        }
        match socket.act(Action::SendMessage { room, text: message }) {
            Ok(_) => {
                text.set(String::new());
                error.set(None);
            }
            Err(full) => error.set(Some(full.to_string())),
        }
    };
    let on_keydown = move |event: KeyboardEvent| {
        // keyCode 229: some browsers report IME keystrokes this way, with
        // `isComposing` still false on the Enter that ends the composition.
        let composing = event.is_composing() || event.key_code() == 229;
        if event.key() == "Enter" && !event.shift_key() && !composing {
            event.prevent_default();
            send();
        }
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send();
    };

    view! {
        <form class="composer" on:submit=on_submit>
            <textarea
                aria-label=t().message
                placeholder=t().message
                rows="1"
                prop:value=move || text.get()
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    socket.typing(room);
                }
                on:keydown=on_keydown
            ></textarea>
            <button type="submit">{t().send}</button>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </form>
    }
}
