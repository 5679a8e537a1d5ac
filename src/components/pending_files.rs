//! The files of the message being written: "Attach file" (several at once), an
//! image pasted into the composer, or files dropped on the room. Each is
//! uploaded at once, over HTTP (`crate::upload`), and shown as a chip with its
//! name, size and progress, "Remove attachment", and why it was not uploaded
//! ("Retry"). The text typed beside them is their caption.
//!
//! The state is plain data (`crate::pending_files`); the browser's side of
//! each file (its bytes, for "Retry"; its request, for "Remove attachment")
//! is kept here beside it, under the same key.

use hanmadi_protocol::attachments::MAX_ATTACHMENTS;
use hanmadi_protocol::AttachmentId;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{DataTransfer, File, FileList};

use super::composer::focus_composer;
use super::image_preview::ImagePreview;
use super::keyed::keyed_list;
use super::reactive::{handler, memo, redrawn};
use crate::api;
use crate::i18n::{lang, t};
use crate::parcels::saved::ParcelFile;
use crate::pending_files::{FileKey, FileState, PendingFiles, Ready, UploadFailure};
use crate::store::Store;
use crate::upload::Upload;

/// The room's draft files: made by the room (files are dropped on all of
/// it), handed to its composer.
#[derive(Clone, Copy)]
pub struct DraftFiles {
    state: RwSignal<PendingFiles>,
    handles: StoredValue<Vec<Handle>, LocalStorage>,
    /// Why the last files picked were not all taken (more than a message carries).
    pub refusal: RwSignal<Option<String>>,
    store: StoredValue<Store>,
}

/// The browser's side of one file.
struct Handle {
    key: FileKey,
    file: File,
    request: Option<Upload>,
}

impl DraftFiles {
    pub fn new() -> Self {
        DraftFiles {
            state: RwSignal::new(PendingFiles::default()),
            handles: StoredValue::new_local(Vec::new()),
            refusal: RwSignal::new(None),
            store: StoredValue::new(expect_context()),
        }
    }

    /// Whether the message may go, and with which files; tracked.
    pub fn ready(self) -> Ready {
        self.state.with(PendingFiles::ready)
    }

    /// Takes `files` into the draft, as many as a message may still carry,
    /// and starts uploading each.
    pub fn add(self, files: Vec<File>) {
        let mut left_out = false;
        for file in files {
            let added = self.state.try_update(|state| state.add(file.name(), file.size() as u64)).flatten();
            let Some(key) = added else {
                left_out = true;
                continue;
            };
            self.handles.update_value(|handles| handles.push(Handle { key, file: file.clone(), request: None }));
            self.upload(key, file);
        }
        self.refusal.set(left_out.then(|| lang().too_many_files(MAX_ATTACHMENTS)));
    }

    fn upload(self, key: FileKey, file: File) {
        let Some(request) = Upload::new() else {
            self.state.update(|state| state.failed(key, UploadFailure::Unreachable));
            return;
        };
        self.handles.update_value(|handles| {
            if let Some(handle) = handles.iter_mut().find(|handle| handle.key == key) {
                handle.request = Some(request.clone());
            }
        });
        let (state, store) = (self.state, self.store.get_value());
        spawn_local(async move {
            let progress = move |sent| {
                let _ = state.try_update(|state| state.progress(key, sent));
            };
            match request.send(&file, &file.name(), Box::new(progress)).await {
                Ok(attachment) => {
                    store.file_uploaded(&attachment);
                    // Not wanted when its chip was removed, or the room left, meanwhile.
                    if state.try_update(|state| state.uploaded(key, attachment.clone())) != Some(true) {
                        forget(attachment.id);
                    }
                }
                Err(failure) => {
                    let _ = state.try_update(|state| state.failed(key, failure));
                }
            }
        });
    }

    /// "Retry" on a file that was not uploaded.
    fn retry(self, key: FileKey) {
        if !self.state.try_update(|state| state.retry(key)).unwrap_or(false) {
            return;
        }
        if let Some(file) = self.file(key) {
            self.upload(key, file);
        }
    }

    /// The file the browser holds under `key`.
    fn file(self, key: FileKey) -> Option<File> {
        self.handles.with_value(|handles| handles.iter().find(|h| h.key == key).map(|h| h.file.clone()))
    }

    /// "Remove attachment": its upload is stopped, or forgotten by the server.
    fn remove(self, key: FileKey) {
        let handle = self.handles.try_update_value(|handles| {
            let index = handles.iter().position(|handle| handle.key == key)?;
            Some(handles.remove(index))
        });
        if let Some(request) = handle.flatten().and_then(|handle| handle.request) {
            request.abort();
        }
        if let Some(id) = self.state.try_update(|state| state.remove(key)).flatten() {
            forget(id);
        }
        self.refusal.set(None);
    }

    /// Whether only the connection holds the message back; tracked.
    pub fn waits_for_network(self) -> bool {
        self.state.with(PendingFiles::waits_for_network)
    }

    /// The draft's files, to wait with their message for the connection: the
    /// bytes of each, and its id where it was uploaded. Uploads still under
    /// way are stopped (the parcel uploads those files itself).
    pub fn for_parcel(self) -> Vec<ParcelFile> {
        self.handles.with_value(|handles| {
            handles.iter().filter_map(|handle| handle.request.as_ref()).for_each(Upload::abort);
            self.state.with_untracked(|state| {
                state
                    .files()
                    .iter()
                    .filter_map(|file| {
                        let handle = handles.iter().find(|handle| handle.key == file.key)?;
                        let uploaded = match &file.state {
                            FileState::Uploaded(attachment) => Some(attachment.id),
                            _ => None,
                        };
                        let bytes = handle.file.clone().into();
                        Some(ParcelFile { name: file.name.clone(), size: file.size, bytes, uploaded })
                    })
                    .collect()
            })
        })
    }

    /// The message went to the outbox with the files.
    pub fn sent(self) {
        self.state.update(PendingFiles::clear);
        self.handles.update_value(Vec::clear);
        self.refusal.set(None);
    }

    /// The room is left with files still in the draft (which, like its text,
    /// does not outlive the room's page): their uploads are stopped or
    /// forgotten.
    pub fn discard(self) {
        self.handles.with_value(|handles| handles.iter().filter_map(|h| h.request.as_ref()).for_each(Upload::abort));
        let uploads = self.state.with_untracked(|state| state.uploads().collect::<Vec<_>>());
        uploads.into_iter().for_each(forget);
    }
}

/// Asks the server to forget an upload no message will carry. Not worth
/// telling anyone when it cannot: the server forgets unsent uploads itself.
fn forget(id: AttachmentId) {
    spawn_local(async move {
        if let Err(why) = api::forget_attachment(id).await {
            crate::console::warn(format_args!("the server keeps unsent file {id}: {why}"));
        }
    });
}

/// The files a drag or a paste carries.
pub fn files_in(data: &DataTransfer) -> Vec<File> {
    data.files().as_ref().map(files_of).unwrap_or_default()
}

/// Whether a drag carries files (not text or a link being dragged).
pub fn carries_files(data: Option<DataTransfer>) -> bool {
    data.is_some_and(|data| data.types().includes(&"Files".into(), 0))
}

fn files_of(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|index| list.item(index)).collect()
}

/// "Attach file": the browser's file picker, several files at once.
#[component]
pub fn AttachButton(files: DraftFiles) -> impl IntoView {
    let picker = NodeRef::<html::Input>::new();
    let picked = move |_| {
        if let Some(picker) = picker.get_untracked() {
            // Taken out before the field is emptied, so the same file can be
            // picked again later.
            files.add(picker.files().as_ref().map(files_of).unwrap_or_default());
            picker.set_value("");
        }
    };
    view! {
        <button
            type="button"
            class="attach"
            aria-label=t().attach_file
            title=t().attach_file
            on:click=handler(move |_| {
                if let Some(picker) = picker.get_untracked() {
                    picker.click();
                }
            })
        >
            "📎"
        </button>
        <input type="file" multiple hidden node_ref=picker on:change=handler(picked) />
    }
}

/// The draft's files, one chip each, in the order added. A chip is made when
/// its file comes, and kept while it stays (its picture is not decoded
/// again as others come and go); each follows its own file's progress.
#[component]
pub fn FileChips(files: DraftFiles) -> impl IntoView {
    let keys = memo(move || files.state.with(|state| state.files().iter().map(|file| file.key).collect::<Vec<_>>()));
    view! {
        <ul class="file-chips" aria-label=t().attachments hidden=move || keys.with(Vec::is_empty)>
            {keyed_list(move || keys.get(), |key: &FileKey| u64::from(key.0), move |key| view! { <FileChip files key /> }.into_any())}
        </ul>
    }
}

#[component]
fn FileChip(files: DraftFiles, key: FileKey) -> impl IntoView {
    let (name, size) = files
        .state
        .with_untracked(|state| state.file(key).map(|file| (file.name.clone(), file.size)).unwrap_or_default());
    let name_id = format!("pending-file-{}", key.0);
    let uploading = lang().uploading(&name);
    let not_uploaded = move || {
        files.state.with(|state| state.file(key).is_some_and(|file| matches!(file.state, FileState::NotUploaded(_))))
    };
    // Its progress while it goes, or why it did not.
    let state = redrawn(move || {
        files
            .state
            .with(|state| {
                match state.file(key).map(|file| &file.state) {
            Some(FileState::Uploading { sent }) => view! {
                <progress max=size.max(1).to_string() value=sent.to_string() aria-label=uploading.clone()></progress>
            }
            .into_any(),
            Some(FileState::NotUploaded(failure)) => view! {
                <span class="chip-failure" role="alert">{lang().upload_failure(failure)}</span>
                {failure
                    .may_pass_on_retry()
                    .then(|| view! { <button type="button" on:click=handler(move |_| files.retry(key))>{t().retry}</button> })}
            }
            .into_any(),
            _ => ().into_any(),
        }
            })
            .into_any()
    });
    let preview =
        files.file(key).filter(|file| file.type_().starts_with("image/")).map(|file| view! { <ImagePreview file /> });
    view! {
        <li class="file-chip" class:not-uploaded=not_uploaded>
            {preview}
            <span class="chip-about">
                <span class="file-name" id=name_id.clone()>{name}</span>
                <span class="file-size">{lang().file_size(size)}</span>
            </span>
            {state}
            <button
                type="button"
                class="chip-remove"
                aria-label=t().remove_attachment
                aria-describedby=name_id
                title=t().remove_attachment
                on:click=handler(move |_| {
                    files.remove(key);
                    focus_composer();
                })
            >
                "✕"
            </button>
        </li>
    }
}
