//! The rooms sidebar: your rooms with unread counts, the others to join, and
//! "New room".

use hanmadi_protocol::{limits::check_room_name, Action};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{lang, t};
use crate::socket::use_socket;
use crate::store::Store;

#[component]
pub fn RoomsNav() -> impl IntoView {
    let store = expect_context::<Store>();
    let rooms = store.rooms.clone();
    let mine = {
        let rooms = rooms.clone();
        move || rooms.get().into_iter().filter(|room| room.member).collect::<Vec<_>>()
    };
    let others = move || rooms.get().into_iter().filter(|room| !room.member).collect::<Vec<_>>();
    let socket = use_socket();

    view! {
        <nav class="rooms" aria-label=t().rooms>
            <ul class="rooms-list">
                <For each=mine key=|room| (room.id, room.name.clone(), room.unread) let:room>
                    <li>
                        <A href=format!("/rooms/{}", room.id) attr:class="room-link">
                            <span class="room-name">{room.name.clone()}</span>
                            <Show when=move || { room.unread > 0 }>
                                <span class="unread" aria-label=lang().unread(room.unread)>{room.unread}</span>
                            </Show>
                        </A>
                    </li>
                </For>
            </ul>
            <NewRoom />
            <Show when={
                let others = others.clone();
                move || !others().is_empty()
            }>
                <h2 class="rooms-heading">{t().other_rooms}</h2>
                <ul class="rooms-list">
                    <For each=others.clone() key=|room| (room.id, room.name.clone()) let:room>
                        <li class="room-joinable">
                            <span class="room-name">{room.name.clone()}</span>
                            <button
                                type="button"
                                on:click=move |_| {
                                    let _ = socket.act(Action::JoinRoom { room: room.id });
                                }
                            >
                                {t().join}
                            </button>
                        </li>
                    </For>
                </ul>
            </Show>
        </nav>
    }
}

/// "New room": a button that opens a one-field form. The field takes the focus;
/// Escape or "Cancel" closes it and gives the focus back to the button.
#[component]
fn NewRoom() -> impl IntoView {
    let socket = use_socket();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    let button = NodeRef::<html::Button>::new();
    let close = move || {
        open.set(false);
        error.set(None);
        // The button is back after this render: return the focus to it then.
        request_animation_frame(move || {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let create = move |event: SubmitEvent| {
        event.prevent_default();
        let chosen = name.get_untracked().trim().to_owned();
        if let Err(why) = check_room_name(&chosen) {
            error.set(Some(why));
            return;
        }
        match socket.act(Action::CreateRoom { name: chosen }) {
            Ok(_) => {
                name.set(String::new());
                close();
            }
            Err(full) => error.set(Some(full.to_string())),
        }
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || {
                view! {
                    <button type="button" class="new-room" node_ref=button on:click=move |_| open.set(true)>
                        {t().new_room}
                    </button>
                }
            }
        >
            <form
                class="new-room-form"
                on:submit=create
                on:keydown=move |event: KeyboardEvent| {
                    if event.key() == "Escape" {
                        close();
                    }
                }
            >
                <input
                    type="text"
                    node_ref=field
                    aria-label=t().room_name
                    placeholder=t().room_name
                    maxlength="80"
                    prop:value=move || name.get()
                    on:input=move |event| name.set(event_target_value(&event))
                />
                <button type="submit">{t().create}</button>
                <button type="button" on:click=move |_| close()>{t().cancel}</button>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </form>
        </Show>
    }
}
