//! At the foot of the members panel: renaming the room (for everyone in it) and
//! leaving it. Both go through the outbox like every action, so they work
//! offline and apply once.

use hanmadi_protocol::limits::{check_room_name, MAX_ROOM_NAME_CHARS};
use hanmadi_protocol::{Action, RoomId};
use leptos::prelude::*;

use super::one_field_form::{FormControl, OneFieldForm};
use super::reactive::handler;
use crate::i18n::{lang, t};
use crate::router::use_navigate;
use crate::socket::use_socket;

#[component]
pub fn RoomActions(room: RoomId, name: Signal<String>) -> impl IntoView {
    let socket = use_socket();
    let navigate = use_navigate();
    let rename = move |name: String, form: FormControl| {
        let name = match check_room_name(&name) {
            Ok(name) => name,
            Err(problem) => return form.refuse(lang().text_problem(&problem)),
        };
        // A full outbox is explained by the socket; the form stays open.
        if socket.act(Action::RenameRoom { room, name }).is_ok() {
            form.close();
        }
    };
    let leave = move |_| {
        if socket.act(Action::LeaveRoom { room }).is_ok() {
            navigate("/");
        }
    };

    view! {
        <div class="room-actions">
            <OneFieldForm
                button_text=t().rename_room
                field_label=t().new_room_name
                max_chars=MAX_ROOM_NAME_CHARS
                submit_text=t().rename
                form_class="rename-form"
                initial=name
                replaces_button=true
                on_submit=rename
            />
            <button type="button" class="leave-room" on:click=handler(leave)>{t().leave_room}</button>
        </div>
    }
}
