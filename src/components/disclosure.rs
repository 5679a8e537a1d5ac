//! A button that opens something beside it or in its place: the members
//! panel, the reaction palette, a one-field form. Escape inside closes just
//! that one, and closing gives the focus back to the button, so keyboard users
//! never lose their place.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Disclosure {
    pub open: RwSignal<bool>,
    /// The opening button; give it `node_ref=disclosure.button`.
    pub button: NodeRef<html::Button>,
}

impl Disclosure {
    pub fn new() -> Self {
        Self { open: RwSignal::new(false), button: NodeRef::new() }
    }

    pub fn toggle(self) {
        self.open.update(|open| *open = !*open);
    }

    /// Closes, then focuses the button after the render (a button the opened
    /// part had replaced only comes back with it).
    pub fn close(self) {
        self.open.set(false);
        request_animation_frame(move || {
            if let Some(button) = self.button.try_get_untracked().flatten() {
                let _ = button.focus();
            }
        });
    }

    /// For `on:keydown` on the opened part: Escape closes this one only, not a
    /// panel it sits in.
    pub fn close_on_escape(self, event: KeyboardEvent) {
        if event.key() == "Escape" {
            event.stop_propagation();
            self.close();
        }
    }
}
