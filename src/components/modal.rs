//! A modal `<dialog>` that a button opens, about one thing (an image, a
//! message, signing out). The browser's own modal keeps the focus inside it and the page
//! behind it out of reach of the pointer and of screen readers, and Escape
//! closes it; the page's keyboard shortcuts wait while one is open, and
//! nothing is dropped into the room through it ([`one_is_open`]). Closing
//! gives the focus back to the button that opened it, so keyboard users keep
//! their place in the list; where that button is gone (its message deleted),
//! to the message box on a computer.

use leptos::ev::{MouseEvent, PointerEvent};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::composer::return_focus_to_room;

/// A dialog, and what opened it. What it is about is its owner's to keep.
#[derive(Clone, Copy)]
pub struct Modal {
    /// What had the focus when it opened, to have it again on closing.
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    /// Whether the pointer went down on the dimmed page around the dialog,
    /// so that only a click begun there closes it (not a text selection
    /// dragged out of it).
    pressed_beside: StoredValue<bool>,
    /// The `<dialog>` itself, which the component showing it sets.
    pub dialog: NodeRef<html::Dialog>,
}

impl Modal {
    /// A modal closed when its owner goes (the room it belongs to left by
    /// Back or a notification), so it never stays open over another room.
    pub fn new() -> Self {
        let modal = Modal {
            opener: StoredValue::new_local(None),
            pressed_beside: StoredValue::new(false),
            dialog: NodeRef::new(),
        };
        on_cleanup(move || {
            if let Some(dialog) = modal.dialog.try_get_untracked().flatten() {
                dialog.close();
            }
        });
        modal
    }

    /// Shows the dialog; `event` is the click on what opened it.
    pub fn open(self, event: &MouseEvent) {
        let opener = event.current_target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok());
        self.opener.set_value(opener);
        // Once what it is about is drawn in it, so its first button takes the focus.
        request_animation_frame(move || {
            if let Some(dialog) = self.dialog.try_get_untracked().flatten().filter(|dialog| !dialog.open()) {
                let _ = dialog.show_modal();
            }
        });
    }

    /// Closes it, as Escape does.
    pub fn close(self) {
        if let Some(dialog) = self.dialog.try_get_untracked().flatten() {
            dialog.close();
        }
    }

    /// Closes it after doing what it asked, which takes away the button that
    /// opened it (a deleted message's Delete): the focus goes where it goes
    /// when that button is gone.
    pub fn close_done(self) {
        self.opener.set_value(None);
        self.close();
    }

    /// The dialog's `close` event, however it was closed: the focus goes back.
    /// It can come after the room it belonged to was left.
    pub fn on_close(self) {
        let Some(opener) = self.opener.try_get_value() else { return };
        match opener.filter(|opener| opener.is_connected()) {
            Some(opener) => {
                let _ = opener.focus();
            }
            // The row scrolled out of the page's window, or its message is gone.
            None => return_focus_to_room(),
        }
    }

    /// The dialog's `pointerdown` event: on the dialog itself, not on what it
    /// holds, it is on the dimmed page around it (its `::backdrop`). So the
    /// dialog's content sits in one box that fills it, padding and all.
    pub fn on_pointerdown(self, event: &PointerEvent) {
        self.pressed_beside.set_value(self.is_frame(event.target()));
    }

    /// The dialog's `click` event: one begun and ended beside it closes it.
    pub fn on_click(self, event: &MouseEvent) {
        if self.pressed_beside.get_value() && self.is_frame(event.target()) {
            self.close();
        }
    }

    fn is_frame(self, target: Option<web_sys::EventTarget>) -> bool {
        target
            .zip(self.dialog.get_untracked())
            .is_some_and(|(target, dialog)| JsValue::from(target) == JsValue::from(dialog))
    }
}

/// Whether a modal dialog is open on the page.
pub fn one_is_open() -> bool {
    document().query_selector("dialog:modal").ok().flatten().is_some()
}
