//! Which of this browser's Hanmadi tabs are still open, told by the browser
//! itself: each tab holds a Web Lock named after it for as long as it lives,
//! and the browser releases it the moment the tab closes, crashes or is
//! killed, with no event the tab could miss (`pagehide` never fires in a
//! crash). Another tab asks for the locks held to tell a live tab's saved
//! outbox from one nobody will send.
//!
//! Where the browser has no Web Locks, nothing is known here and only the
//! `pagehide` path of `saved_outbox` adopts outboxes.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::web_locks::locks;

const LOCK_PREFIX: &str = "hanmadi.tab-open.";

/// Holds this tab's lock for the life of the page.
pub fn hold(tab: &str) {
    let Some(locks) = locks() else { return };
    // The lock is held until the promise its callback returns settles; this
    // one never does, so the browser releases it only when the page goes.
    let forever = Closure::once_into_js(|_lock: JsValue| js_sys::Promise::new(&mut |_, _| {}));
    let _ = locks.request(&format!("{LOCK_PREFIX}{tab}"), &forever);
}

/// The ids of the tabs open now, or `None` where the browser cannot tell.
pub async fn open() -> Option<Vec<String>> {
    let snapshot = JsFuture::from(locks()?.query()).await.ok()?;
    let held = js_sys::Reflect::get(&snapshot, &"held".into()).ok()?;
    let names = js_sys::Array::from(&held)
        .iter()
        .filter_map(|lock| js_sys::Reflect::get(&lock, &"name".into()).ok()?.as_string())
        .filter_map(|name| name.strip_prefix(LOCK_PREFIX).map(str::to_owned))
        .collect();
    Some(names)
}
