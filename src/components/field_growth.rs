//! The message box and the edit field grow with what is typed, in every
//! browser.
//!
//! The stylesheet asks for it with `field-sizing: content`, which Chromium and
//! Safari 26 follow; Firefox does not know it, and a field there would keep
//! one line and scroll (a six-line message read through a slot). There, the
//! field is given the height of its text after each change instead. No crate
//! does this, and the browser's own way wins wherever it exists: it also
//! follows the field's width as the window changes.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::reactive::effect;

/// Keeps `field` as tall as its text (up to the stylesheet's `max-height`,
/// past which it scrolls), whenever `text` changes, where the browser does
/// not do it itself.
pub fn grow_with_text(field: NodeRef<html::Textarea>, text: Signal<String>) {
    if sizes_fields_itself() {
        return;
    }
    effect(move || {
        text.track();
        // Measured in the next frame, before it is drawn: the field holds the
        // new text by then, however it was set (typed, sent, a draft).
        request_animation_frame(move || {
            if let Some(field) = field.get_untracked() {
                fit(&field);
            }
        });
    });
}

/// Whether the browser grows a field with its content from the stylesheet.
fn sizes_fields_itself() -> bool {
    web_sys::css::supports_with_value("field-sizing", "content").unwrap_or(false)
}

/// Sets the field's height to its text's: first `auto`, so that a field that
/// had grown shrinks again, then the text's height with the field's borders
/// (the stylesheet sizes borders in, `box-sizing: border-box`).
fn fit(field: &web_sys::HtmlTextAreaElement) {
    let style = field.unchecked_ref::<web_sys::HtmlElement>().style();
    let _ = style.set_property("height", "auto");
    let borders = field.offset_height() - field.client_height();
    let _ = style.set_property("height", &format!("{}px", field.scroll_height() + borders));
}
