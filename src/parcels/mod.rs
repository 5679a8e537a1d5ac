//! Messages with files that could not go when Send was pressed (no
//! connection): each waits as a parcel — its files' bytes, its text and the
//! idempotency key reserved for it — kept in IndexedDB (`saved`), so a reload
//! or a closed tab loses nothing. Whenever the connection comes back (and when
//! the app opens), the parcels are sent in the order made: each file not yet
//! uploaded is uploaded (its id kept in the parcel as soon as the server has
//! it, so a reload does not upload it again), then the message goes to the
//! outbox under its reserved key, and the parcel is forgotten.
//!
//! Exactly once: the message is only ever made under the parcel's key. A
//! reload between making it and forgetting the parcel makes it again under
//! the same key, which the engine and the server answer as the first time
//! (`Client::act_as`). The tabs of a browser take turns sending (a Web
//! Lock), each reading what is still kept when its turn comes; where there
//! are no Web Locks two tabs may both send a parcel, the one socket's outbox
//! merges their messages by key, and the spare upload is one the server
//! forgets (unsent uploads are not kept).
//!
//! While they wait, parcels are drawn at the foot of their room as "Sending…"
//! (with the upload's progress), or "Not sent" and why when the server
//! refused a file (too large, over the quota): Delete, and Retry unless the
//! same bytes would be refused again. A refusal that asking again would get
//! (too large, over the quota) is kept with the parcel, so no tab uploads the
//! file again to learn it, and a reload still shows it. Every tab draws what
//! is kept: a tab that changes it tells the others (`BroadcastChannel`
//! `hanmadi.parcels`), which read it again.

pub mod saved;

use hanmadi_protocol::{Action, ActionKey, RoomId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use web_sys::BroadcastChannel;

use crate::components::effect;
use crate::console;
use crate::i18n::lang;
use crate::pending_files::UploadFailure;
use crate::socket::{use_socket, SocketContext};
use crate::store::Store;
use crate::upload::Upload;
use crate::web_locks;
use saved::{Parcel, ParcelsFull};

/// How long to wait before trying a parcel again while connected (the
/// upload alone failed, or the outbox was full).
const TRY_AGAIN_AFTER: std::time::Duration = std::time::Duration::from_secs(15);

/// A parcel as its room draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelView {
    pub key: ActionKey,
    pub room: RoomId,
    pub text: String,
    /// Each file's name and size.
    pub files: Vec<(String, u64)>,
    pub state: ParcelState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParcelState {
    /// Waiting for the connection, or its turn.
    Waiting,
    /// Uploading `name`, `sent` bytes of `size` so far.
    Uploading { name: String, sent: u64, size: u64 },
    /// The server refused one of its files, for this reason.
    NotSent(UploadFailure),
}

impl ParcelState {
    /// Whether only this tab knows it, so reading the parcels kept again
    /// leaves it drawn: an upload under way here, or a refusal that is not
    /// kept (one that may pass by itself: shown until Retry, or a reload).
    fn known_here_only(&self) -> bool {
        match self {
            ParcelState::Waiting => false,
            ParcelState::Uploading { .. } => true,
            ParcelState::NotSent(failure) => failure.lasting().is_none(),
        }
    }
}

/// The Web Lock a tab holds while it sends parcels.
const SENDING_LOCK: &str = "hanmadi.parcels-sending";

/// The channel on which a tab tells the others that the parcels kept changed.
const CHANGED_CHANNEL: &str = "hanmadi.parcels";

/// The parcels waiting, and the one sender of them; provided at the root.
#[derive(Clone, Copy)]
pub struct Parcels {
    shown: RwSignal<Vec<ParcelView>>,
    socket: SocketContext,
    store: StoredValue<Store>,
    /// A run is under way; `again` asks it to look once more when done.
    running: StoredValue<bool>,
    again: StoredValue<bool>,
    other_tabs: StoredValue<Option<OtherTabs>, LocalStorage>,
}

/// This browser's other tabs, told when the parcels kept change and telling
/// this one; `None` where the browser has no `BroadcastChannel` (each tab
/// then sees the others' changes at its next run).
struct OtherTabs {
    channel: BroadcastChannel,
    _on_change: Closure<dyn FnMut()>,
}

impl Drop for OtherTabs {
    fn drop(&mut self) {
        self.channel.close();
    }
}

impl Parcels {
    /// Starts sending what was left waiting (by this tab before a reload, or
    /// by another), and again whenever the connection comes back. Call once,
    /// at the root, under the socket.
    pub fn provide() -> Self {
        let parcels = Parcels {
            shown: RwSignal::new(Vec::new()),
            socket: use_socket(),
            store: StoredValue::new(expect_context()),
            running: StoredValue::new(false),
            again: StoredValue::new(false),
            other_tabs: StoredValue::new_local(None),
        };
        provide_context(parcels);
        parcels.other_tabs.set_value(BroadcastChannel::new(CHANGED_CHANNEL).ok().map(|channel| {
            let on_change = Closure::<dyn FnMut()>::new(move || parcels.read_again());
            channel.set_onmessage(Some(on_change.as_ref().unchecked_ref()));
            OtherTabs { channel, _on_change: on_change }
        }));
        let (status, session) = (parcels.socket.status, parcels.socket.session);
        effect(move || {
            if status.with(|status| *status == hanmadi_client_core::Status::Connected) {
                parcels.send_waiting();
            }
        });
        // The network back while the socket stayed up (it may outlive a
        // short loss): no new connection says so, the browser does.
        let on_line = window_event_listener(leptos::ev::online, move |_| parcels.send_waiting());
        on_cleanup(move || on_line.remove());
        // Signing out forgets them (`session::forget`); signing in shows and
        // sends the new person's.
        effect(move || match session.with(Option::is_some) {
            true => parcels.send_waiting(),
            false => parcels.shown.set(Vec::new()),
        });
        parcels
    }

    /// How many messages wait with their files (the session's end drops them).
    pub fn count(self) -> usize {
        self.shown.with(Vec::len)
    }

    /// The parcels of `room`, oldest first; tracked.
    pub fn in_room(self, room: RoomId) -> Vec<ParcelView> {
        self.shown.with(|shown| shown.iter().filter(|parcel| parcel.room == room).cloned().collect())
    }

    /// Keeps a message whose files could not be uploaded yet, to send it when
    /// it can. Refused, keeping nothing, when the files waiting would pass
    /// [`saved::MAX_WAITING_BYTES`], or the browser will not keep them.
    pub async fn keep(self, parcel: Parcel) -> Result<(), String> {
        match saved::keep(&parcel).await? {
            Ok(()) => {
                // A run may have drawn it already.
                self.shown.update(|shown| {
                    if !shown.iter().any(|shown| shown.key == parcel.key) {
                        shown.push(view_of(&parcel, ParcelState::Waiting));
                    }
                });
                self.tell_other_tabs();
                self.send_waiting();
                Ok(())
            }
            Err(ParcelsFull { waiting, .. }) => Err(lang().parcels_full(waiting, saved::MAX_WAITING_BYTES)),
        }
    }

    /// "Retry" on a parcel not sent: its refusal is taken away, and it is sent.
    pub fn retry(self, key: &ActionKey) {
        self.set_state(key, ParcelState::Waiting);
        let key = key.clone();
        spawn_local(async move {
            self.change_kept(&key, |kept| kept.refused = None).await;
            self.send_waiting();
        });
    }

    /// "Delete" on a parcel not sent: it is forgotten, files and all.
    pub fn delete(self, key: ActionKey) {
        self.undraw(&key);
        spawn_local(async move {
            // Undrawn again once forgotten: a read of what was kept may have
            // ended meanwhile.
            if let Err(why) = self.forget(&key).await {
                console::warn(format_args!("a deleted message's files stay kept: {why}"));
            }
        });
    }

    /// Sends every parcel that can go, in the order made; one run at a time.
    fn send_waiting(self) {
        if self.running.get_value() {
            self.again.set_value(true);
            return;
        }
        self.running.set_value(true);
        spawn_local(async move {
            // Every tab of the browser sends the parcels it finds kept, so
            // they take turns: each reads what is still kept when its turn
            // comes, and no file goes up twice at once.
            let _turn = web_locks::exclusively(SENDING_LOCK).await;
            loop {
                self.again.set_value(false);
                if let Err(why) = self.run().await {
                    console::warn(format_args!("cannot read the messages waiting: {why}"));
                }
                if !self.again.get_value() {
                    break;
                }
            }
            self.running.set_value(false);
        });
    }

    /// Another tab changed the parcels kept: draws them again.
    fn read_again(self) {
        spawn_local(async move {
            if let Err(why) = self.read_kept().await {
                console::warn(format_args!("cannot read the messages waiting: {why}"));
            }
        });
    }

    /// Reads the signed-in person's parcels, oldest first, and draws them as
    /// kept: refused, or waiting (unless this tab knows more).
    async fn read_kept(self) -> Result<Vec<Parcel>, String> {
        let me = self.store.with_value(|store| store.me().get_untracked());
        let mut kept = saved::all().await?;
        kept.retain(|parcel| Some(parcel.user) == me);
        self.shown.update(|shown| {
            let before = std::mem::take(shown);
            *shown = kept
                .iter()
                .map(|parcel| {
                    let state = match parcel.refused {
                        Some(problem) => ParcelState::NotSent(UploadFailure::Refused(problem)),
                        None => before
                            .iter()
                            .find(|shown| shown.key == parcel.key && shown.state.known_here_only())
                            .map_or(ParcelState::Waiting, |shown| shown.state.clone()),
                    };
                    view_of(parcel, state)
                })
                .collect();
        });
        Ok(kept)
    }

    async fn run(self) -> Result<(), String> {
        for mut parcel in self.read_kept().await? {
            if !self.waiting(&parcel.key) {
                continue;
            }
            match self.upload_files(&mut parcel).await {
                Ok(()) => self.uploaded(&parcel.key),
                // No connection: the rest wait for it too, and while the
                // socket stays up (the HTTP request alone failed), they are
                // tried again in a while.
                Err(UploadFailure::Unreachable) => {
                    self.set_state(&parcel.key, ParcelState::Waiting);
                    self.try_again_later();
                    return Ok(());
                }
                Err(refused) => {
                    // Kept first, then drawn, so no other tab's news read
                    // meanwhile undoes it. Not kept, the next run asks again.
                    if let Some(problem) = refused.lasting() {
                        self.change_kept(&parcel.key, move |kept| kept.refused = Some(problem)).await;
                    }
                    self.set_state(&parcel.key, ParcelState::NotSent(refused));
                    continue;
                }
            }
            // Deleted while its files went up.
            if !self.waiting(&parcel.key) {
                continue;
            }
            // The same file picked twice is one upload, named once.
            let mut attachments: Vec<_> = Vec::new();
            for id in parcel.files.iter().filter_map(|file| file.uploaded) {
                if !attachments.contains(&id) {
                    attachments.push(id);
                }
            }
            let message = Action::SendMessage {
                room: parcel.room,
                text: parcel.text.clone(),
                reply_to: parcel.reply_to,
                attachments,
            };
            // A full outbox is explained by the socket; the parcel waits.
            if self.socket.act_as(parcel.key.clone(), message).is_err() {
                self.try_again_later();
                return Ok(());
            }
            self.forget(&parcel.key).await?;
        }
        Ok(())
    }

    /// Whether the parcel is still to be sent: drawn (not deleted), and not
    /// refused (until Retry).
    fn waiting(self, key: &ActionKey) -> bool {
        self.shown.with_untracked(|shown| {
            shown.iter().any(|shown| shown.key == *key && !matches!(shown.state, ParcelState::NotSent(_)))
        })
    }

    /// Looks again in a while, when the socket is up but a parcel could not go.
    fn try_again_later(self) {
        if self.socket.status.with_untracked(|status| *status == hanmadi_client_core::Status::Connected) {
            set_timeout(move || self.send_waiting(), TRY_AGAIN_AFTER);
        }
    }

    /// Uploads the parcel's files not uploaded yet, keeping each id as it comes.
    async fn upload_files(self, parcel: &mut Parcel) -> Result<(), UploadFailure> {
        for at in 0..parcel.files.len() {
            if parcel.files[at].uploaded.is_some() {
                continue;
            }
            let (name, size) = (parcel.files[at].name.clone(), parcel.files[at].size);
            let key = parcel.key.clone();
            self.set_state(&key, ParcelState::Uploading { name: name.clone(), sent: 0, size });
            let request = Upload::new().ok_or(UploadFailure::Unreachable)?;
            let progress = {
                let key = key.clone();
                move |sent| self.set_state(&key, ParcelState::Uploading { name: name.clone(), sent, size })
            };
            let attachment = request.send(&parcel.files[at].bytes, &parcel.files[at].name, Box::new(progress)).await?;
            self.store.with_value(|store| store.file_uploaded(&attachment));
            let id = attachment.id;
            parcel.files[at].uploaded = Some(id);
            // Kept at once, unless deleted meanwhile: a reload from here on
            // does not upload it again.
            if !self.waiting(&key) {
                return Ok(());
            }
            let noted = move |kept: &mut Parcel| {
                if let Some(file) = kept.files.get_mut(at) {
                    file.uploaded = Some(id);
                }
            };
            if !self.change_kept(&key, noted).await {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Changes the parcel `key` as kept ([`saved::update`]) and tells the
    /// other tabs. Gone meanwhile (sent, deleted, or signed out of, maybe in
    /// another tab), it is no longer drawn, so this tab does not send it:
    /// then `false`. If IndexedDB fails, it is said in the console, and the
    /// next run asks the server again what it did not note.
    async fn change_kept(self, key: &ActionKey, change: impl FnOnce(&mut Parcel) + 'static) -> bool {
        match saved::update(key, change).await {
            Ok(true) => {
                self.tell_other_tabs();
                true
            }
            Ok(false) => {
                self.undraw(key);
                false
            }
            Err(why) => {
                console::warn(format_args!("a change to a message waiting with files is not kept: {why}"));
                true
            }
        }
    }

    /// Forgets the parcel `key` (sent, or deleted), no longer draws it, and
    /// tells the other tabs.
    async fn forget(self, key: &ActionKey) -> Result<(), String> {
        saved::forget(key).await?;
        self.undraw(key);
        self.tell_other_tabs();
        Ok(())
    }

    fn undraw(self, key: &ActionKey) {
        self.shown.update(|shown| shown.retain(|parcel| parcel.key != *key));
    }

    /// Its files are up: "Sending…" without a progress bar, unless it was
    /// refused or deleted meanwhile, by another tab.
    fn uploaded(self, key: &ActionKey) {
        self.change_state(key, |state| {
            if matches!(state, ParcelState::Uploading { .. }) {
                *state = ParcelState::Waiting;
            }
        });
    }

    /// Tells the other tabs that the parcels kept changed.
    fn tell_other_tabs(self) {
        self.other_tabs.with_value(|other_tabs| {
            if let Some(other_tabs) = other_tabs {
                let _ = other_tabs.channel.post_message(&JsValue::TRUE);
            }
        });
    }

    fn set_state(self, key: &ActionKey, state: ParcelState) {
        self.change_state(key, |drawn| *drawn = state);
    }

    /// Changes how the parcel `key` is drawn, if it is.
    fn change_state(self, key: &ActionKey, change: impl FnOnce(&mut ParcelState)) {
        let _ = self.shown.try_update(|shown| {
            if let Some(parcel) = shown.iter_mut().find(|parcel| parcel.key == *key) {
                change(&mut parcel.state);
            }
        });
    }
}

fn view_of(parcel: &Parcel, state: ParcelState) -> ParcelView {
    ParcelView {
        key: parcel.key.clone(),
        room: parcel.room,
        text: parcel.text.clone(),
        files: parcel.files.iter().map(|file| (file.name.clone(), file.size)).collect(),
        state,
    }
}

/// The parcels' context; panics outside [`Parcels::provide`]'s tree, a bug.
pub fn use_parcels() -> Parcels {
    expect_context()
}
