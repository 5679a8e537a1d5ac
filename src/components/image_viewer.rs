//! The "Image viewer": an image of a message, full size, in a modal
//! `<dialog>`. The browser's own modal keeps the focus inside it and the page
//! behind it out of reach (for screen readers too), and Escape closes it;
//! closing, however it happens, gives the focus back to the thumbnail that
//! opened it, so keyboard users keep their place in the list.

use hanmadi_protocol::attachments::Attachment;
use leptos::ev::MouseEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::composer::focus_composer;
use super::reactive::{handler, redrawn};
use crate::api;
use crate::i18n::{lang, t};

/// Opens the room's viewer; a thumbnail finds it in context.
#[derive(Clone, Copy)]
pub struct Viewer {
    shown: RwSignal<Option<Attachment>>,
    /// What had the focus when it opened, to have it again on closing.
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    dialog: NodeRef<html::Dialog>,
}

impl Viewer {
    /// Shows `file`; `event` is the click on what opened it.
    pub fn open(self, file: Attachment, event: &MouseEvent) {
        let opener = event.current_target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok());
        self.opener.set_value(opener);
        self.shown.set(Some(file));
        // Once the image is in the dialog, so its first button takes the focus.
        request_animation_frame(move || {
            if let Some(dialog) = self.dialog.get_untracked().filter(|dialog| !dialog.open()) {
                let _ = dialog.show_modal();
            }
        });
    }
}

/// Makes the room's viewer and provides it to the room's rows.
pub fn provide_viewer() -> Viewer {
    let viewer = Viewer { shown: RwSignal::new(None), opener: StoredValue::new_local(None), dialog: NodeRef::new() };
    provide_context(viewer);
    viewer
}

pub fn use_viewer() -> Viewer {
    expect_context()
}

#[component]
pub fn ImageViewer(viewer: Viewer) -> impl IntoView {
    let dialog = viewer.dialog;
    let close = move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    // Escape, "Close" and a click beside the image all end here.
    let on_close = move |_| {
        viewer.shown.set(None);
        match viewer.opener.get_value().filter(|opener| opener.is_connected()) {
            Some(opener) => {
                let _ = opener.focus();
            }
            // The row scrolled out of the page's window meanwhile.
            None => focus_composer(),
        }
    };
    // The dialog is only the frame: a click on it, not on what it holds, is
    // a click on the dimmed page around it.
    let on_click = move |event: MouseEvent| {
        let on_frame = event
            .target()
            .zip(dialog.get_untracked())
            .is_some_and(|(target, dialog)| JsValue::from(target) == JsValue::from(dialog));
        if on_frame {
            close();
        }
    };
    let content = redrawn(move || {
        viewer
            .shown
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
            node_ref=dialog
            aria-label=t().image_viewer
            on:close=handler(on_close)
            on:click=handler(on_click)
        >
            {content}
        </dialog>
    }
}
