//! The server ended the session (`Event::SessionEnded`): signed out on
//! another device, or away past the token's grace. This page goes back to
//! the first-run prompt at once, and what was never sent is kept to show
//! there (`crate::unsent`).
//!
//! Each tab keeps what its engine held. The tab holding the socket (or a tab
//! alone) also keeps what all tabs share, and then forgets the session with
//! it: the drafts, and the messages waiting with their files, read from
//! IndexedDB before they are forgotten. A following tab leaves the storage
//! to it, so the shared words are kept once, whichever tab found the end.
//! (Tabs that cannot share a socket each keep them: if two find the end at
//! once, the shared words may be shown twice.)

use hanmadi_client_core::PendingAction;
use hanmadi_protocol::{ActionKey, AttachmentId, RoomId};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::adapter::{signed_in, Shared};
use super::tabs::Tabs;
use crate::i18n::lang;
use crate::store::Store;
use crate::unsent::{self, Kind, Notice};
use crate::{console, drafts, parcels, session};

pub fn session_ended(shared: &Shared, store: &Store, unsent: &[PendingAction]) {
    let me = store.me().get_untracked();
    let rooms = store.rooms();
    let room_name = move |room: RoomId| {
        let name =
            rooms.with_untracked(|rooms| rooms.iter().find(|info| info.id == room).map(|info| info.name.clone()));
        name.unwrap_or_else(|| format!("#{room}"))
    };
    let file_names = |ids: &[AttachmentId]| store.uploaded_files(ids).into_iter().map(|file| file.name).collect();
    let mut notice = Notice::new(lang());
    notice.add_outbox(unsent, &room_name, &file_names);

    // This tab heard of the end late, after someone signed in again in
    // another: that session is not over, and this tab takes it.
    if let Some(fresh) = session::saved().filter(|saved| Some(saved.user.id) != me) {
        keep_and_show(store, &notice);
        return signed_in(shared, fresh);
    }
    let set_session = shared.borrow().set_session;
    if !Tabs::connects(shared.borrow().tabs.as_ref()) {
        keep_and_show(store, &notice);
        return set_session.set(None);
    }
    for (room, text) in me.map(drafts::all).unwrap_or_default() {
        notice.add(Kind::Draft, &room_name(room), &text, &[]);
    }
    // Kept at once, and the session forgotten at once: nothing more is made
    // under it (the calls waiting on the refused refresh find no session, and
    // the page that could make more is gone), and a reload now loses nothing.
    keep_and_show(store, &notice);
    session::forget_all_but_files();
    set_session.set(None);

    let in_outbox: Vec<ActionKey> = unsent.iter().map(|pending| pending.key.clone()).collect();
    let store = store.clone();
    spawn_local(async move {
        let waiting = match parcels::saved::all().await {
            Ok(waiting) => waiting,
            // Left kept: they are this user's, and go out under no one else.
            Err(why) => return console::warn(format_args!("messages waiting with files could not be read: {why}")),
        };
        let mut notice = Notice::new(lang());
        // Not one made into a message just before the end: the outbox told it.
        let theirs = waiting.into_iter().filter(|parcel| Some(parcel.user) == me && !in_outbox.contains(&parcel.key));
        for parcel in theirs {
            let files: Vec<String> = parcel.files.into_iter().map(|file| file.name).collect();
            notice.add(Kind::Message, &room_name(parcel.room), &parcel.text, &files);
        }
        keep_and_show(&store, &notice);
        session::forget_files().await;
    });
}

fn keep_and_show(store: &Store, notice: &Notice) {
    unsent::keep(notice);
    store.show_unsent(unsent::saved());
}
