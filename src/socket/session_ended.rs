//! The server ended the session (`Event::SessionEnded`): signed out on
//! another device, or away past the token's grace. What it had not sent is
//! kept to show on the first-run prompt (`crate::unsent`), then the session
//! is forgotten with its drafts and waiting files, this page goes back to the
//! prompt, and the other tabs start over there too.

use hanmadi_client_core::PendingAction;
use hanmadi_protocol::{AttachmentId, RoomId};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::adapter::Shared;
use crate::i18n::lang;
use crate::store::Store;
use crate::unsent::{self, Kind, Notice};
use crate::{drafts, parcels, session};

pub fn session_ended(shared: &Shared, store: &Store, unsent: &[PendingAction]) {
    let rooms = store.rooms();
    let room_name = move |room: RoomId| {
        let name =
            rooms.with_untracked(|rooms| rooms.iter().find(|info| info.id == room).map(|info| info.name.clone()));
        name.unwrap_or_else(|| format!("#{room}"))
    };
    let file_names = |ids: &[AttachmentId]| store.uploaded_files(ids).into_iter().map(|file| file.name).collect();
    let mut notice = Notice::new(lang());
    notice.add_outbox(unsent, &room_name, &file_names);
    let me = store.me().get_untracked();
    let weak = std::rc::Rc::downgrade(shared);
    spawn_local(async move {
        // Messages waiting with their files, kept in IndexedDB.
        let waiting = parcels::saved::all().await.unwrap_or_default();
        for parcel in waiting.into_iter().filter(|parcel| Some(parcel.user) == me) {
            let files: Vec<String> = parcel.files.into_iter().map(|file| file.name).collect();
            notice.add(Kind::Message, &room_name(parcel.room), &parcel.text, &files);
        }
        // Last, the words still being written.
        for (room, text) in me.map(drafts::all).unwrap_or_default() {
            notice.add(Kind::Draft, &room_name(room), &text, &[]);
        }
        unsent::keep(&notice);
        session::forget();
        let Some(shared) = weak.upgrade() else { return };
        if let Some(tabs) = &shared.borrow().tabs {
            tabs.signed_out();
        }
        // With the adapter released: the prompt coming may call back into it.
        let set_session = shared.borrow().set_session;
        set_session.set(None);
    });
}
