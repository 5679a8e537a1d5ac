//! The message box and the edit field grow with what is typed, in every
//! browser.
//!
//! The stylesheet asks for it with `field-sizing: content`, which Chromium and
//! Safari 26 follow; Firefox does not know it, and a field there would keep
//! one line and scroll (a six-line message read through a slot). There, the
//! field is given the height of its text after each change, and as its
//! width changes. No crate does this, and the browser's own way wins
//! wherever it exists.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement};

use super::reactive::effect;
use super::resized::on_resize;

/// Keeps `field` as tall as its text (up to the stylesheet's `max-height`,
/// past which it scrolls), whenever `text` changes, where the browser does
/// not do it itself.
pub fn grow_with_text(field: NodeRef<html::Textarea>, text: Signal<String>) {
    if sizes_fields_itself() {
        return;
    }
    // Measured in the next frame, before it is drawn: the field holds the
    // new text by then, however it was set (typed, sent, a draft). The field
    // may be gone by then (its room closed meanwhile, in a hidden tab whose
    // frames wait).
    let fit_now = move || {
        if let Some(field) = field.try_get_untracked().flatten() {
            fit(&field);
        }
    };
    effect(move || {
        text.track();
        request_animation_frame(fit_now);
    });
    // Its width changed (the window, a scrollbar beside it): the text wraps
    // anew. Its own height changing calls this too, and fits it to the same.
    on_resize(field, fit_now);
}

/// `length` in CSS pixels to a hundredth, as the field's width may be
/// fractional (a width rounded up could fit a line the field wraps). Written
/// with integers, so that the app carries no float formatting: it formats no
/// other float.
fn css_px(length: f64) -> String {
    let hundredths = (length * 100.0 + 0.5) as u64;
    format!("{}.{:02}px", hundredths / 100, hundredths % 100)
}

/// Whether the browser grows a field with its content from the stylesheet.
fn sizes_fields_itself() -> bool {
    web_sys::css::supports_with_value("field-sizing", "content").unwrap_or(false)
}

/// Gives the field its text's height, with its borders (the stylesheet sizes
/// borders in, `box-sizing: border-box`). The text is measured in a hidden
/// copy of the field beside it, out of the page's flow: shrinking the field
/// itself to measure would grow the message list for a moment, and the
/// browser would move the list's scroll away from the newest message.
fn fit(field: &HtmlTextAreaElement) {
    let Some(parent) = field.parent_node() else { return };
    let Some(copy) = field.clone_node().ok().and_then(|copy| copy.dyn_into::<HtmlTextAreaElement>().ok()) else {
        return;
    };
    copy.remove_attribute("id").ok();
    copy.set_rows(1);
    let style = HtmlElement::style(&copy);
    for (property, value) in [
        ("position", "absolute"),
        ("visibility", "hidden"),
        ("height", "auto"),
        ("width", &css_px(field.get_bounding_client_rect().width())),
    ] {
        style.set_property(property, value).ok();
    }
    copy.set_value(&field.value());
    if parent.append_child(&copy).is_err() {
        return;
    }
    let height = copy.scroll_height() + field.offset_height() - field.client_height();
    copy.remove();
    HtmlElement::style(field).set_property("height", &format!("{height}px")).ok();
}
