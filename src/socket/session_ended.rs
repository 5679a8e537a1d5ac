//! The server ended the session (`Event::SessionEnded`): signed out on
//! another device, or away past the token's grace. This page goes back to
//! the first-run prompt at once, the other tabs end the session too, and
//! what was never sent is kept to show there (`crate::unsent`).
//!
//! Each tab tells what its engine held. The tab holding the socket (or a tab
//! alone) also tells what all tabs share, and then forgets the session with
//! it: the drafts, and the messages waiting with their files, read from
//! IndexedDB before they are forgotten. A following tab leaves the storage
//! to it, so the shared words are told once, whichever tab found the end.
//! (Tabs that cannot share a socket each tell them: if two find the end at
//! once, the shared words may be shown twice.)

use hanmadi_client_core::PendingAction;
use hanmadi_protocol::{AttachmentId, RoomId};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::adapter::Shared;
use super::tabs::Tabs;
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
    let (set_session, holds_storage) = {
        let adapter = shared.borrow();
        if let Some(tabs) = &adapter.tabs {
            tabs.session_ended();
        }
        (adapter.set_session, Tabs::connects(adapter.tabs.as_ref()))
    };
    if !holds_storage {
        unsent::keep(&notice);
        store.show_unsent(unsent::saved());
        set_session.set(None);
        return;
    }

    // At once, so nothing more is made under the ended session: the calls
    // waiting on the refused refresh find no session, and the page that could
    // make more is gone.
    let me = store.me().get_untracked();
    let drafts = me.map(drafts::all).unwrap_or_default();
    session::forget_all_but_files();
    set_session.set(None);

    let store = store.clone();
    spawn_local(async move {
        let waiting = parcels::saved::all().await.unwrap_or_default();
        for parcel in waiting.into_iter().filter(|parcel| Some(parcel.user) == me) {
            let files: Vec<String> = parcel.files.into_iter().map(|file| file.name).collect();
            notice.add(Kind::Message, &room_name(parcel.room), &parcel.text, &files);
        }
        // Last, the words still being written.
        for (room, text) in drafts {
            notice.add(Kind::Draft, &room_name(room), &text, &[]);
        }
        unsent::keep(&notice);
        store.show_unsent(unsent::saved());
        session::forget_files().await;
    });
}
