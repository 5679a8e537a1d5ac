//! One room: its name and who is here, the message list, what is typing, the
//! composer, and the viewer its images open in. Files dropped anywhere on it
//! are attached to the message being written. The route is `/rooms/{id}`;
//! a public room you are not in is looked into there (`RoomPreview`).

use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::{Member, RoomId, UserId};
use leptos::ev::DragEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::composer::fine_pointer;
use super::delete_question::{provide_delete_question, DeleteQuestionDialog};
use super::image_viewer::{provide_viewer, ImageViewer};
use super::modal;
use super::pending_files::{carries_files, files_in, DraftFiles};
use super::reactive::{effect, handler, memo};
use super::room_preview::RoomPreview;
use super::{Composer, MembersPanel, MessageList, TypingLine};
use crate::api;
use crate::i18n::{lang, t, Lang};
use crate::router::{use_room, Link};
use crate::socket::use_socket;
use crate::store::timeline::Timeline;
use crate::store::{RoomView, Store};

#[component]
pub fn RoomPage() -> impl IntoView {
    let store = expect_context::<Store>();
    let room = use_room();

    // What the page shows: the room, or a public room she is not in looked
    // into, once the rooms list says which.
    let page = {
        let store = store.clone();
        memo(move || room.get().map(|room| (room, store.room_view(room))))
    };

    // The room on screen: what it holds is read, and what arrives or loads
    // while it is open (the history fetched on opening after a reload). A
    // room looked into, or one waiting for the list, is not one of hers on
    // screen.
    let hers = memo(move || page.get().and_then(|(room, view)| (view == RoomView::Room).then_some(room)));
    {
        let store = store.clone();
        effect(move || store.show_room(hers.get()));
    }
    {
        let (store, socket) = (store.clone(), use_socket());
        effect(move || {
            if let Some(room) = hers.get() {
                store.room(room).timeline().with(Timeline::newest_seq);
                socket.read(room);
            }
        });
    }
    {
        let store = store.clone();
        on_cleanup(move || store.show_room(None));
    }

    move || match page.get() {
        None => view! { <p class="empty">{t().no_such_room}</p> }.into_any(),
        Some((_, RoomView::Waiting)) => view! {
            <section class="room">
                <header class="room-header">{back_to_rooms()}</header>
                <p class="empty">{t().loading}</p>
            </section>
        }
        .into_any(),
        Some((room, RoomView::LookedInto)) => view! { <RoomPreview room name=name_of(room) /> }.into_any(),
        Some((room, RoomView::Room)) => view! { <Room room /> }.into_any(),
    }
}

/// Fetches everyone in `room`, online or not: its joins, leaves and renames
/// keep the list current from then on (`Store::begin_members_fetch`).
/// `then` hears whether it came.
pub fn fetch_members(store: &Store, room: RoomId, then: impl FnOnce(bool) + 'static) {
    let fetch = store.begin_members_fetch(room);
    spawn_local(async move {
        let list = api::members(room).await;
        let came = list.is_ok();
        if let Ok(list) = list {
            fetch.finish(list);
        }
        then(came);
    });
}

/// The room's name as listed ("" until the list has it).
fn name_of(room: RoomId) -> Memo<String> {
    let rooms = expect_context::<Store>().rooms();
    memo(move || rooms.with(|rooms| rooms.iter().find(|r| r.id == room).map(|r| r.name.clone()).unwrap_or_default()))
}

/// What kind of room it is, as listed (`None` until the list has it).
fn kind_of(room: RoomId) -> Memo<Option<RoomKind>> {
    let rooms = expect_context::<Store>().rooms();
    memo(move || rooms.with(|rooms| rooms.iter().find(|r| r.id == room).map(|r| r.kind)))
}

/// Under the room's name: who is here ("2 here: Mina, Jun"); in a direct
/// conversation, whether the other person is ("Online"), as a chat app
/// says it. Nothing until the room's presence is told.
fn who_is_here(lang: Lang, presence: &[Member], direct: bool, me: Option<UserId>) -> String {
    if !direct {
        return lang.here(&presence.iter().map(|member| member.name.as_str()).collect::<Vec<_>>());
    }
    match presence.iter().any(|member| Some(member.user) != me) {
        _ if presence.is_empty() => String::new(),
        true => lang.texts().online.to_owned(),
        false => lang.texts().offline_members.to_owned(),
    }
}

#[component]
fn Room(room: RoomId) -> impl IntoView {
    let store = expect_context::<Store>();
    let state = store.room(room);
    let (name, kind) = (name_of(room), kind_of(room));
    let direct = Signal::derive(move || kind.get() == Some(RoomKind::Direct));
    {
        let store = store.clone();
        on_cleanup(move || store.room_closed(room));
    }
    let heading = NodeRef::<leptos::html::H2>::new();
    hand_focus_on_touch(heading, room);
    fetch_members(&store, room, |_| {});
    let viewer = provide_viewer();
    let delete_question = provide_delete_question();
    let files = DraftFiles::new();
    // Drags over the room: entering a child counts, leaving one uncounts,
    // so the hint stays while the pointer moves over the room's parts. The
    // hint is the room's class, set on the element the handlers sit on.
    let drags = StoredValue::new(0u32);
    let on_drag = move |event: DragEvent, step: i32| {
        if !carries_files(event.data_transfer()) {
            return;
        }
        // Without this the browser would open the file in place of the app.
        event.prevent_default();
        // Nothing is dropped through a question or the image viewer.
        if modal::one_is_open() {
            if let Some(data) = event.data_transfer() {
                data.set_drop_effect("none");
            }
            return;
        }
        if step != 0 {
            drags.update_value(|drags| *drags = drags.saturating_add_signed(step));
            show_drop_hint(&event, drags.get_value() > 0);
        }
    };
    let on_drop = move |event: DragEvent| {
        if let Some(data) = event.data_transfer().filter(|data| carries_files(Some(data.clone()))) {
            event.prevent_default();
            if modal::one_is_open() {
                return;
            }
            drags.set_value(0);
            show_drop_hint(&event, false);
            files.add(files_in(&data));
        }
    };
    let (presence, me) = (state.presence(), store.me());
    let here = move || presence.with(|present| who_is_here(lang(), present, direct.get(), me.get()));
    let room_view = view! {
        <section
            class="room"
            on:dragenter=handler(move |event| on_drag(event, 1))
            on:dragover=handler(move |event| on_drag(event, 0))
            on:dragleave=handler(move |event| on_drag(event, -1))
            on:drop=handler(on_drop)
        >
            <header class="room-header">
                {back_to_rooms()}
                <div class="room-heading">
                    <h2 class="room-title" tabindex="-1" node_ref=heading>{move || name.get()}</h2>
                    <p class="room-presence">{here}</p>
                </div>
                <MembersPanel room name=name.into() kind />
            </header>
            <MessageList room name=name.into() direct />
            <TypingLine typing=state.typing() />
            <Composer room files />
            <ImageViewer viewer />
            <DeleteQuestionDialog room question=delete_question />
            <p class="drop-hint" aria-hidden="true">{t().drop_files}</p>
        </section>
    };
    // The draft's files are let go with the room, after the composer's own
    // cleanup (cleanups run in the order registered): a message waiting for
    // them takes them along first (`Composer`), and only what is left is
    // stopped or forgotten.
    on_cleanup(move || files.discard());
    room_view
}

/// "←" ("Rooms" to a screen reader), shown on a phone only, where the rooms
/// give way to the room.
pub(super) fn back_to_rooms() -> impl IntoView {
    view! {
        <Link href="/".to_owned() class="room-back" up=true>
            <span aria-hidden="true">"←"</span>
            // Said, not shown: the arrow alone leaves the room's name the
            // phone's width.
            <span class="visually-hidden">{t().rooms}</span>
        </Link>
    }
}

/// On a touch screen the composer does not take the focus when a room opens
/// (its keyboard would cover the room), so the room's heading does: a
/// screen reader says which room opened. Going back to the rooms (a phone
/// shows one or the other) gives the focus to the room's link there, in
/// place of the page, once nothing else has it.
pub(super) fn hand_focus_on_touch(heading: NodeRef<leptos::html::H2>, room: RoomId) {
    effect(move || {
        if let Some(heading) = heading.get() {
            if !fine_pointer() {
                let _ = heading.focus();
            }
        }
    });
    on_cleanup(move || {
        if fine_pointer() {
            return;
        }
        request_animation_frame(move || {
            let document = document();
            if document.active_element().is_some_and(|focused| Some(focused) != document.body().map(Into::into)) {
                return;
            }
            let link = document.query_selector(&format!(".rooms a[href=\"/rooms/{room}\"]")).ok().flatten();
            if let Some(link) = link.and_then(|link| link.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = link.focus();
            }
        });
    });
}

/// Shows or hides "Drop files here" over the room a drag event is handled on.
fn show_drop_hint(event: &DragEvent, shown: bool) {
    if let Some(room) = event.current_target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()) {
        let _ = room.class_list().toggle_with_force("dropping", shown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_says_whether_the_other_person_is_here_and_a_room_who_is() {
        let (mina, jun) = (UserId(1), UserId(2));
        let both = [Member { user: mina, name: "Mina".into() }, Member { user: jun, name: "Jun".into() }];
        assert_eq!(who_is_here(Lang::En, &both, false, Some(mina)), "2 here: Mina, Jun");
        assert_eq!(who_is_here(Lang::En, &both, true, Some(mina)), "Online");
        assert_eq!(who_is_here(Lang::Ko, &both[..1], true, Some(mina)), "오프라인", "only she is");
        assert_eq!(who_is_here(Lang::En, &[], true, Some(mina)), "", "not told yet");
    }
}
