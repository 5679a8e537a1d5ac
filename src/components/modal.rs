//! A modal `<dialog>` that a button opens, about one thing (an image, a
//! message). The browser's own modal keeps the focus inside it and the page
//! behind it out of reach (for screen readers too), and Escape closes it;
//! closing, however it happens, gives the focus back to the button that
//! opened it, so keyboard users keep their place in the list.

use leptos::ev::MouseEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::composer::focus_composer;

/// A dialog, and what opened it. What it is about is its owner's to keep.
#[derive(Clone, Copy)]
pub struct Modal {
    /// What had the focus when it opened, to have it again on closing.
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    /// The `<dialog>` itself, which the component showing it sets.
    pub dialog: NodeRef<html::Dialog>,
}

impl Modal {
    pub fn new() -> Self {
        Modal { opener: StoredValue::new_local(None), dialog: NodeRef::new() }
    }

    /// Shows the dialog; `event` is the click on what opened it.
    pub fn open(self, event: &MouseEvent) {
        let opener = event.current_target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok());
        self.opener.set_value(opener);
        // Once what it is about is drawn in it, so its first button takes the focus.
        request_animation_frame(move || {
            if let Some(dialog) = self.dialog.get_untracked().filter(|dialog| !dialog.open()) {
                let _ = dialog.show_modal();
            }
        });
    }

    /// Closes it, as Escape does.
    pub fn close(self) {
        if let Some(dialog) = self.dialog.get_untracked() {
            dialog.close();
        }
    }

    /// Closes it after doing what it asked, which takes away what opened it
    /// (a deleted message's buttons): the focus goes to the message box.
    pub fn close_done(self) {
        self.opener.set_value(None);
        self.close();
    }

    /// The dialog's `close` event, however it was closed: the focus goes back.
    pub fn on_close(self) {
        match self.opener.get_value().filter(|opener| opener.is_connected()) {
            Some(opener) => {
                let _ = opener.focus();
            }
            // The row scrolled out of the page's window meanwhile.
            None => focus_composer(),
        }
    }

    /// The dialog's `click` event. The dialog is only the frame: a click on
    /// it, not on what it holds, is a click on the dimmed page around it,
    /// and closes it.
    pub fn on_click(self, event: &MouseEvent) {
        let on_frame = event
            .target()
            .zip(self.dialog.get_untracked())
            .is_some_and(|(target, dialog)| JsValue::from(target) == JsValue::from(dialog));
        if on_frame {
            self.close();
        }
    }
}
