//! Words the browser writes in its own language: dates and times, and the
//! clipboard, which only the browser can reach.

use hanmadi_protocol::Millis;
use leptos::prelude::*;

/// Day and time in the browser's language ("12월 3일 오후 3:04", "Dec 3, 3:04 PM").
pub fn date_and_time(at: Millis) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [("month", "short"), ("day", "numeric"), ("hour", "numeric"), ("minute", "2-digit")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64)).to_locale_string("default", &options).into()
}

/// Puts `text` on the clipboard; whether it was. Browsers offer no clipboard
/// outside a secure context (a plain-http address other than localhost).
pub async fn copy(text: &str) -> bool {
    let navigator = window().navigator();
    if !js_sys::Reflect::has(&navigator, &"clipboard".into()).unwrap_or(false) {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(navigator.clipboard().write_text(text)).await.is_ok()
}

/// How long a button says "Copied" after copying.
const SAID_FOR: std::time::Duration = std::time::Duration::from_secs(3);

/// Copies `text` and, when it was, holds `copied` for a moment, so the button
/// that did it can say so; whether it was copied.
pub async fn copy_and_say_so(text: &str, copied: RwSignal<bool>) -> bool {
    if !copy(text).await {
        return false;
    }
    if copied.try_set(true).is_none() {
        set_timeout(
            move || {
                let _ = copied.try_set(false);
            },
            SAID_FOR,
        );
    }
    true
}
