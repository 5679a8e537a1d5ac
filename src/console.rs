//! What the app tells a developer in the browser's console, each line begun
//! with "Hanmadi:" so that it stands apart from the page's other scripts.
//! Nothing here is for the person using the app: what they need to know, the
//! page says in their words.

use std::fmt;

use wasm_bindgen::JsValue;

/// Something went wrong that the app works around: a load to try again, a
/// change kept only for this page's lifetime.
pub fn warn(what: fmt::Arguments) {
    web_sys::console::warn_1(&line(what));
}

/// Something the app could not take in or open, and so leaves aside.
pub fn error(what: fmt::Arguments) {
    web_sys::console::error_1(&line(what));
}

/// [`warn`] with a JavaScript value (an exception) shown as itself, to be
/// inspected there.
pub fn warn_with(what: fmt::Arguments, value: &JsValue) {
    web_sys::console::warn_2(&line(what), value);
}

/// [`error`] with a JavaScript value shown as itself.
pub fn error_with(what: fmt::Arguments, value: &JsValue) {
    web_sys::console::error_2(&line(what), value);
}

fn line(what: fmt::Arguments) -> JsValue {
    format!("Hanmadi: {what}").into()
}
