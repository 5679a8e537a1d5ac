//! One room: its name and who is here, the message list, what is typing, the
//! composer, and the viewer its images open in. The route is `/rooms/{id}`.

use hanmadi_protocol::RoomId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::image_viewer::{provide_viewer, ImageViewer};
use super::{Composer, MembersPanel, MessageList, TypingLine};
use crate::api;
use crate::i18n::{lang, t};
use crate::router::use_room;
use crate::socket::use_socket;
use crate::store::timeline::Timeline;
use crate::store::Store;

#[component]
pub fn RoomPage() -> impl IntoView {
    let store = expect_context::<Store>();
    let room = use_room();

    // The room on screen: what it holds is read, and what arrives or loads
    // while it is open (the history fetched on opening after a reload).
    {
        let store = store.clone();
        Effect::new(move |_| store.show_room(room.get()));
    }
    {
        let (store, socket) = (store.clone(), use_socket());
        Effect::new(move |_| {
            if let Some(room) = room.get() {
                store.room(room).timeline().with(Timeline::newest_seq);
                socket.read(room);
            }
        });
    }
    {
        let store = store.clone();
        on_cleanup(move || store.show_room(None));
    }

    move || match room.get() {
        None => view! { <p class="empty">{t().no_such_room}</p> }.into_any(),
        Some(room) => view! { <Room room /> }.into_any(),
    }
}

#[component]
fn Room(room: RoomId) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let name = {
        let rooms = store.rooms();
        Memo::new(move |_| {
            rooms.with(|rooms| rooms.iter().find(|r| r.id == room).map(|r| r.name.clone()).unwrap_or_default())
        })
    };
    {
        let store = store.clone();
        on_cleanup(move || store.room_closed(room));
    }
    {
        let store = store.clone();
        spawn_local(async move {
            if let Ok(list) = api::members(room).await {
                store.members_fetched(room, list);
            }
        });
    }
    let viewer = provide_viewer();
    let presence = state.presence();
    let here =
        move || presence.with(|members| lang().here(&members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>()));
    view! {
        <section class="room">
            <header class="room-header">
                <div class="room-heading">
                    <h2 class="room-title">{move || name.get()}</h2>
                    <p class="room-presence">{here}</p>
                </div>
                <MembersPanel room name=name.into() />
            </header>
            <MessageList room name=name.into() />
            <TypingLine typing=state.typing() />
            <Composer room />
            <ImageViewer viewer />
        </section>
    }
}
