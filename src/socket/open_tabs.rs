//! Which of this browser's Hanmadi tabs are still open, told by the browser
//! itself: each tab holds a Web Lock named after it for as long as it lives,
//! and the browser releases it the moment the tab closes, crashes or is
//! killed, with no event the tab could miss (`pagehide` never fires in a
//! crash). Another tab asks for the locks held (`web_locks::held`) to tell a
//! live tab's saved outbox from one nobody will send.
//!
//! Where the browser has no Web Locks, nothing is known here and only the
//! `pagehide` path of `saved_outbox` adopts outboxes.

use wasm_bindgen::prelude::*;

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

/// Whether `tab` is open, by the locks `held` now (`web_locks::held`).
pub fn is_open(held: &[String], tab: &str) -> bool {
    held.iter().any(|name| name.strip_prefix(LOCK_PREFIX) == Some(tab))
}
