//! The rooms sidebar: "Mark all as read" while anything is unread, your rooms
//! with unread counts and their newest message (a private one marked), "New
//! room", your direct conversations with their newest message (or
//! "typing…"), and the other rooms, to look into or join.

use hanmadi_protocol::http::RoomKind;
use hanmadi_protocol::limits::{check_room_name, MAX_ROOM_NAME_CHARS};
use hanmadi_protocol::markup;
use hanmadi_protocol::Action;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::keyed::live_rows;
use super::message_search::MessageSearch;
use super::message_text::name_in;
use super::one_field_form::{Choice, FormControl, OneFieldForm};
use super::reactive::{effect, handler, memo, When};
use super::room_page::fetch_members;
use crate::i18n::{lang, t, SaidBy};
use crate::router::Link;
use crate::socket::use_socket;
use crate::store::navigation::{conversations, in_order_shown, is_direct};
use crate::store::{reading, to_look_into, RoomInfo, Store};

#[component]
pub fn RoomsNav() -> impl IntoView {
    let store = expect_context::<Store>();
    let rooms = store.rooms();
    let sidebar = NodeRef::<leptos::html::Div>::new();
    // Looked at again when the pointer or the focus leaves the rooms.
    let recheck = RwSignal::new(());
    let direct = {
        let (rooms, store) = (rooms.clone(), store.clone());
        memo(move || {
            recheck.track();
            let yours = rooms.with(|rooms| {
                let fresh = conversations(rooms);
                let yours =
                    if holds_still(sidebar) { in_order_shown(fresh, &store.conversations_shown()) } else { fresh };
                yours.into_iter().cloned().collect::<Vec<_>>()
            });
            // Kept as shown: the list reads this memo, so it is computed
            // again before the page is drawn, and so before a key is pressed.
            store.conversations_shown_as(yours.iter().map(|room| room.id).collect());
            yours
        })
    };
    {
        let store = store.clone();
        on_cleanup(move || store.conversations_shown_as(Vec::new()));
    }
    let in_list = move |wanted: fn(&RoomInfo) -> bool| {
        let rooms = rooms.clone();
        memo(move || rooms.with(|rooms| rooms.iter().filter(|room| wanted(room)).cloned().collect::<Vec<_>>()))
    };
    let mine = in_list(|room| room.member && !is_direct(room));
    let others = in_list(to_look_into);
    let socket = use_socket();

    view! {
        <div
            class="rooms"
            node_ref=sidebar
            on:pointerleave=handler(move |_| recheck.set(()))
            on:focusout=handler(move |_| recheck.set(()))
        >
            <MessageSearch />
            <nav aria-label=t().rooms>
            <div class="rooms-top">
                <h2 class="side-heading">{t().rooms}</h2>
                <MarkAllRead />
            </div>
            <YourRooms rooms=mine />
            <NewRoom />
            <When when=move || direct.with(|direct| !direct.is_empty())>
                <h2 class="side-heading">{t().direct_messages}</h2>
                <YourRooms rooms=direct />
            </When>
            <When when=move || others.with(|others| !others.is_empty())>
                <h2 class="side-heading">{t().other_rooms}</h2>
                <ul class="rooms-list">
                    {live_rows(
                        others,
                        |room| room.id,
                        move |room| {
                            let id = room.with_untracked(|room| room.id);
                            let name = memo(move || room.with(|room| room.name.clone()));
                            // The name looks into the room; "Join" joins it from here.
                            view! {
                                <li class="room-joinable">
                                    <Link href=format!("/rooms/{id}") class="room-peek">{name}</Link>
                                    <button
                                        type="button"
                                        aria-label=move || lang().join_room(&name.get())
                                        on:click=handler(move |_| {
                                            let _ = socket.act(Action::JoinRoom { room: id });
                                        })
                                    >
                                        {t().join}
                                    </button>
                                </li>
                            }
                            .into_any()
                        },
                    )}
                </ul>
            </When>
            </nav>
        </div>
    }
}

/// The class of the "Mark all as read" button, which Shift+Escape presses
/// (see `keyboard_shortcuts`).
pub const MARK_ALL_READ_CLASS: &str = "mark-all-read";

/// How long "All marked as read" stays for a screen reader to come upon.
const ANNOUNCED_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// "Mark all as read", beside the rooms' heading. It keeps its place while
/// nothing is unread, hidden, so the rooms never move under a click as it
/// comes and goes. Pressed, a screen reader hears it done, and if it had the focus the
/// focus goes to the first of your rooms rather than to nowhere.
#[component]
fn MarkAllRead() -> impl IntoView {
    let store = expect_context::<Store>();
    let socket = use_socket();
    let rooms = store.rooms();
    let any_unread = memo(move || rooms.with(|rooms| rooms.iter().any(reading::has_unread)));
    let announced = RwSignal::new(false);
    let mark = move |event: web_sys::MouseEvent| {
        let focused = document().active_element();
        if socket.mark_all_read() {
            announced.set(true);
            set_timeout(move || _ = announced.try_set(false), ANNOUNCED_FOR);
        }
        let button = event.current_target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(button) = button.filter(|button| focused.is_some_and(|focused| focused.is_same_node(Some(button))))
        {
            focus_first_room(&button);
        }
    };
    view! {
        <button
            type="button"
            class=MARK_ALL_READ_CLASS
            class:idle=move || !any_unread.get()
            aria-keyshortcuts="Shift+Escape"
            on:click=handler(mark)
        >
            {t().mark_all_read}
        </button>
        <p class="visually-hidden" role="status">{move || announced.get().then_some(t().all_marked_read)}</p>
    }
}

/// Focuses the first room link in the sidebar holding `button`.
fn focus_first_room(button: &web_sys::HtmlElement) {
    let link = button.closest("nav").ok().flatten().and_then(|nav| nav.query_selector("a.room-link").ok().flatten());
    if let Some(link) = link.and_then(|link| link.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = link.focus();
    }
}

/// Whether the conversations hold still, in the order shown: while the
/// pointer is over the rooms (a conversation heard from meanwhile does not
/// move from under a click) or the focus is in them (a row moved is put back
/// in the page, which takes the focus away). Read when the list changes.
fn holds_still(sidebar: NodeRef<leptos::html::Div>) -> bool {
    let Some(sidebar) = sidebar.try_get_untracked().flatten() else { return false };
    let focused = document().active_element().is_some_and(|focused| sidebar.contains(Some(&focused)));
    focused || sidebar.matches(":hover").unwrap_or(false)
}

/// Links to rooms of yours, with their unread and mention counts; a private
/// room is marked with a lock, which a screen reader reads as "Private room".
#[component]
fn YourRooms(rooms: Memo<Vec<RoomInfo>>) -> impl IntoView {
    view! {
        <ul class="rooms-list">
            // Keyed by id: a new unread count or name changes the link in
            // place, so a keyboard user's focus on it stays.
            {live_rows(
                rooms,
                |room| room.id,
                move |room| {
                    let (href, private) = room.with_untracked(|room| {
                        (format!("/rooms/{}", room.id), room.kind == RoomKind::Private)
                    });
                    let unread = memo(move || room.with(|room| room.unread.messages));
                    let mentions = memo(move || room.with(|room| room.unread.mentions));
                    let (last, typing) = newest_line(room);
                    view! {
                        <li>
                            <Link href class="room-link">
                                <span class="room-label">
                                    <span class="room-name">
                                        {move || room.with(|room| room.name.clone())}
                                        {private.then(|| view! {
                                            <span class="room-private" aria-hidden="true">" 🔒"</span>
                                            <span class="visually-hidden">{format!(", {}", t().private_room)}</span>
                                        })}
                                    </span>
                                    <When when=move || last.with(|last| !last.is_empty())>
                                        <span class="room-last" class:typing=typing>
                                            <span class="visually-hidden">": "</span>
                                            {last}
                                        </span>
                                    </When>
                                </span>
                                <When when=move || { unread.get() > 0 }>
                                    <span class="unread" aria-label=move || lang().unread(unread.get())>
                                        {unread}
                                    </span>
                                </When>
                                <When when=move || { mentions.get() > 0 }>
                                    <span class="mention-count" aria-label=move || lang().mentions(mentions.get())>
                                        "@"{mentions}
                                    </span>
                                </When>
                            </Link>
                        </li>
                    }
                    .into_any()
                },
            )}
        </ul>
    }
}

/// What a room's link shows under its name: its newest message (empty while
/// nothing said is left), who said it first in a group room; in a direct
/// conversation, "typing…" while the other person types. Also whether they
/// type. A mention in it names people as they are named now, those the page
/// has not heard of yet once the room's members are fetched.
fn newest_line(room: ReadSignal<RoomInfo>) -> (Memo<String>, Memo<bool>) {
    let (store, socket) = (expect_context::<Store>(), use_socket());
    let typing = {
        let typing = store.room(room.with_untracked(|info| info.id)).typing();
        memo(move || room.with(|info| info.kind == RoomKind::Direct) && typing.with(|names| !names.is_empty()))
    };
    // Someone the newest message mentions whom the room cannot name yet
    // (offline, and the room not opened here: its members never fetched)
    // has the room's members fetched (again, if a fetch failed), so the
    // line names them. Not before who is online there is heard (she is, so
    // it is never empty then): until then everyone is unknown, and every
    // room would ask.
    let asked = StoredValue::new(false);
    {
        let store = store.clone();
        effect(move || {
            let me = socket.session.with_untracked(|session| session.as_ref().map(|session| session.user.id));
            let unknown = room.with(|info| {
                let state = store.room(info.id);
                let mentioned = info.last.as_ref().map(|last| markup::mentioned(&last.text)).unwrap_or_default();
                state.members().with(Option::is_none)
                    && state.presence().with(|online| !online.is_empty())
                    && mentioned
                        .into_iter()
                        .any(|user| Some(user) != info.with && Some(user) != me && state.name_of(user).is_none())
            });
            // Looked at after the reads above, which keep the effect
            // listening while a fetch is on its way (and after it failed).
            if unknown && !asked.get_value() {
                asked.set_value(true);
                // Not had (offline): asked again on the next change. The row
                // may be gone by then.
                let asked_again = move |came: bool| {
                    let _ = asked.try_set_value(came);
                };
                fetch_members(&store, room.with_untracked(|info| info.id), asked_again);
            }
        });
    }
    let line = memo(move || {
        if typing.get() {
            return t().typing_now.to_owned();
        }
        room.with(|info| {
            let Some(last) = &info.last else { return String::new() };
            let me = socket.session.with(|session| session.as_ref().map(|session| session.user.clone()));
            let state = store.room(info.id);
            let name_of = |user| match &me {
                Some(me) if me.id == user => me.name.clone(),
                _ if Some(user) == info.with => info.name.clone(),
                _ => name_in(&state, user),
            };
            let text = markup::plain(&last.text, name_of);
            let by = match &me {
                Some(me) if me.id == last.author => SaidBy::You,
                _ if info.kind == RoomKind::Direct || last.author_name.is_empty() => SaidBy::Unnamed,
                _ => SaidBy::Named(&last.author_name),
            };
            lang().last_message(by, &text, last.files, last.first_file.as_deref())
        })
    });
    (line, typing)
}

/// "New room": a button that opens a one-field form in its place, with
/// "Private" (listed to and read by its members only, joined by invite link).
#[component]
fn NewRoom() -> impl IntoView {
    let socket = use_socket();
    let private = RwSignal::new(false);
    let create = move |name: String, form: FormControl| {
        let name = match check_room_name(&name) {
            Ok(name) => name,
            Err(problem) => return form.refuse(lang().text_problem(&problem)),
        };
        // A full outbox is explained by the socket; the form stays open.
        if socket.act(Action::CreateRoom { name, private: private.get_untracked() }).is_ok() {
            private.set(false);
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
            choice=Choice { checked: private, label: t().private, hint: t().private_hint }
        />
    }
}
