//! The rooms sidebar: your rooms with unread counts, the others to join, and
//! "New room".

use hanmadi_protocol::limits::{check_room_name, MAX_ROOM_NAME_CHARS};
use hanmadi_protocol::Action;
use leptos::prelude::*;
use leptos_router::components::A;

use super::one_field_form::{FormControl, OneFieldForm};
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
                                aria-label=lang().join_room(&room.name)
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

/// "New room": a button that opens a one-field form in its place.
#[component]
fn NewRoom() -> impl IntoView {
    let socket = use_socket();
    let create = move |name: String, form: FormControl| {
        let name = match check_room_name(&name) {
            Ok(name) => name,
            Err(problem) => return form.refuse(lang().text_problem(&problem)),
        };
        // A full outbox is explained by the socket; the form stays open.
        if socket.act(Action::CreateRoom { name }).is_ok() {
            form.close();
        }
    };
    view! {
        <OneFieldForm
            button_text=t().new_room
            button_class="new-room"
            field_label=t().room_name
            max_chars=MAX_ROOM_NAME_CHARS
            submit_text=t().create
            form_class="new-room-form"
            replaces_button=true
            on_submit=create
        />
    }
}
