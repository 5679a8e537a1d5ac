//! At the foot of the members panel: renaming the room (for everyone in it) and
//! leaving it. Both go through the outbox like every action, so they work
//! offline and apply once.

use hanmadi_protocol::limits::check_room_name;
use hanmadi_protocol::{Action, RoomId};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::i18n::t;
use crate::socket::use_socket;

#[component]
pub fn RoomActions(room: RoomId, name: Signal<String>) -> impl IntoView {
    let socket = use_socket();
    let navigate = use_navigate();
    let renaming = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<html::Input>::new();
    // Focus the field with the current name selected, so typing replaces it. The
    // name is written into the field by this same render: select it after.
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            request_animation_frame(move || {
                let _ = field.focus();
                field.select();
            });
        }
    });
    let button = NodeRef::<html::Button>::new();
    // The button is back after this render: return the focus to it then.
    let stop = move || {
        renaming.set(false);
        request_animation_frame(move || {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let start = move |_| {
        draft.set(name.get_untracked());
        error.set(None);
        renaming.set(true);
    };
    let rename = move |event: SubmitEvent| {
        event.prevent_default();
        let chosen = draft.get_untracked().trim().to_owned();
        if let Err(why) = check_room_name(&chosen) {
            error.set(Some(why));
            return;
        }
        match socket.act(Action::RenameRoom { room, name: chosen }) {
            Ok(_) => stop(),
            Err(full) => error.set(Some(full.to_string())),
        }
    };
    let leave = move |_| {
        if socket.act(Action::LeaveRoom { room }).is_ok() {
            navigate("/", NavigateOptions::default());
        }
    };

    view! {
        <div class="room-actions">
            <Show
                when=move || renaming.get()
                fallback=move || view! { <button type="button" node_ref=button on:click=start>{t().rename_room}</button> }
            >
                <form
                    class="rename-form"
                    on:submit=rename
                    on:keydown=move |event: KeyboardEvent| {
                        if event.key() == "Escape" {
                            // Only the form closes, not the whole panel.
                            event.stop_propagation();
                            stop();
                        }
                    }
                >
                    <input
                        type="text"
                        node_ref=field
                        aria-label=t().new_room_name
                        maxlength="80"
                        prop:value=move || draft.get()
                        on:input=move |event| draft.set(event_target_value(&event))
                    />
                    <button type="submit">{t().rename}</button>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </form>
            </Show>
            <button type="button" class="leave-room" on:click=leave>{t().leave_room}</button>
        </div>
    }
}
