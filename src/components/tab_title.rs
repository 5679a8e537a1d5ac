//! The tab's title carries the unread count, so a hidden tab still says "(3)".
//! Coming back to the tab reads the room on screen.

use leptos::ev;
use leptos::prelude::*;

use super::reactive::effect;

use crate::socket::use_socket;
use crate::store::reading::has_unread;
use crate::store::Store;

#[component]
pub fn TabTitle() -> impl IntoView {
    let store = expect_context::<Store>();
    let rooms = store.rooms();
    effect(move || {
        let unread: u32 =
            rooms.with(|rooms| rooms.iter().filter(|room| has_unread(room)).map(|room| room.unread.messages).sum());
        let title = if unread > 0 { format!("({unread}) Hanmadi") } else { "Hanmadi".to_owned() };
        document().set_title(&title);
    });
    let socket = use_socket();
    let handle = window_event_listener(ev::visibilitychange, move |_| {
        if let Some(room) = store.current_room().get_untracked() {
            socket.read(room);
        }
    });
    on_cleanup(move || handle.remove());
}
