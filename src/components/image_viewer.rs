//! The "Image viewer": an image of a message, full size, in a modal
//! `<dialog>` (`super::modal`), opened from its thumbnail.

use hanmadi_protocol::attachments::Attachment;
use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::modal::Modal;
use super::reactive::{handler, redrawn};
use crate::api;
use crate::i18n::{lang, t};

/// Opens the room's viewer; a thumbnail finds it in context.
#[derive(Clone, Copy)]
pub struct Viewer {
    shown: RwSignal<Option<Attachment>>,
    modal: Modal,
}

impl Viewer {
    /// Shows `file`; `event` is the click on what opened it.
    pub fn open(self, file: Attachment, event: &MouseEvent) {
        self.shown.set(Some(file));
        self.modal.open(event);
    }
}

/// Makes the room's viewer and provides it to the room's rows.
pub fn provide_viewer() -> Viewer {
    let viewer = Viewer { shown: RwSignal::new(None), modal: Modal::new() };
    provide_context(viewer);
    viewer
}

pub fn use_viewer() -> Viewer {
    expect_context()
}

#[component]
pub fn ImageViewer(viewer: Viewer) -> impl IntoView {
    let Viewer { shown, modal } = viewer;
    let close = move || modal.close();
    let content = redrawn(move || {
        shown
            .get()
            .map(|file| {
                let (width, height) = (file.width.unwrap_or(1), file.height.unwrap_or(1));
                let url = api::attachment_url(file.id);
                view! {
                    <div class="viewer-bar">
                        <button type="button" on:click=handler(move |_| close())>{t().close}</button>
                        <span class="file-name">{file.name.clone()}</span>
                        <span class="file-size">{lang().file_size(file.size)}</span>
                        <a href=url.clone() download=file.name.clone() aria-label=lang().download_file(&file.name)>
                            {t().download}
                        </a>
                    </div>
                    <img src=url alt=file.name width=width height=height />
                }
            })
            .into_any()
    });
    view! {
        <dialog
            class="image-viewer"
            node_ref=modal.dialog
            aria-label=t().image_viewer
            on:close=handler(move |_| {
                shown.set(None);
                modal.on_close();
            })
            on:pointerdown=handler(move |event| modal.on_pointerdown(&event))
            on:click=handler(move |event| modal.on_click(&event))
        >
            <div class="viewer-body">{content}</div>
        </dialog>
    }
}
