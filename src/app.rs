//! The root component: creates the store and the one shared socket, and lays out
//! the page: rooms on the side, the open room in the middle, the ticker beside.

use leptos::prelude::*;

use crate::components::{
    refuse_stray_drops, ActionNotices, ConnectionBadge, FirstRun, JoinByInvite, KeyboardShortcuts, MentionNotifier,
    OpenJoinedRoom, RoomPage, RoomsNav, SignOut, TabTitle, TickerPanel, When, YourName,
};
use crate::i18n::t;
use crate::parcels::Parcels;
use crate::router::{provide_router, use_page, use_room, Page};
use crate::socket::{provide_socket, use_socket};
use crate::store::Store;

#[component]
pub fn App() -> impl IntoView {
    let store = Store::new();
    provide_context(store.clone());
    let socket = provide_socket(store);
    // Messages with files that wait for the connection, sent from here.
    Parcels::provide();
    // A file let go beside a room is refused, never opened in place of the app.
    refuse_stray_drops();
    let signed_in = move || socket.session.with(Option::is_some);
    provide_router();
    let page = use_page();
    view! {
        <header class="app-header">
            <h1 class="app-title">"Hanmadi"</h1>
            <When when=signed_in>
                // The badge first: growing as the connection is lost, it
                // moves nothing after it.
                <div class="header-tools">
                    <ConnectionBadge />
                    <MentionNotifier />
                    <YourName />
                    <SignOut />
                </div>
            </When>
        </header>
        <When when=signed_in fallback=|| view! { <main class="app-main"><FirstRun /></main> }>
            <SignedIn page />
        </When>
    }
}

/// The app for a signed-in person.
#[component]
fn SignedIn(page: Memo<Page>) -> impl IntoView {
    // While signing out, nothing more is typed or sent as the person leaving.
    let signing_out = use_socket().signing_out;
    // A room's address with no room in it shows the rooms too: it has no way back.
    let room = use_room();
    view! {
        <TabTitle />
        <KeyboardShortcuts />
        <OpenJoinedRoom />
        <ActionNotices />
        // A phone shows one of them at a time (see `main.css`): the rooms,
        // or the room open, with a way back to them.
        <div
            class="layout"
            class:at-home=move || page.get() == Page::Home
            class:in-room=move || room.with(Option::is_some)
            inert=move || signing_out.get()
        >
            <RoomsNav />
            <main class="app-main">
                {move || match page.get() {
                    Page::Home => view! { <p class="empty">{t().pick_room}</p> }.into_any(),
                    Page::Room => view! { <RoomPage /> }.into_any(),
                    Page::Invite => view! { <JoinByInvite /> }.into_any(),
                    Page::NotFound => view! { <p class="empty">{t().not_found}</p> }.into_any(),
                }}
            </main>
            <TickerPanel />
        </div>
    }
}
