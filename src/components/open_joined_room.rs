//! Creating or joining a room takes you into it, once the server has applied
//! it; the composer then takes the focus, as whenever a room opens on a
//! computer. Only this tab's own actions do this: another tab's join moves
//! nobody.

use leptos::prelude::*;

use super::reactive::effect;

use crate::router::{is_within, use_navigate};
use crate::store::Store;

#[component]
pub fn OpenJoinedRoom() -> impl IntoView {
    let store = expect_context::<Store>();
    let joined = store.joined_room();
    let navigate = use_navigate();
    effect(move || {
        if let Some(room) = joined.get() {
            store.entered_joined_room();
            // Joined where it was looked into: a link to one of its messages
            // stays, and the room opens at that message.
            let path = format!("/rooms/{room}");
            if !is_within(&path) {
                navigate(&path);
            }
        }
    });
}
