//! The Web Locks API, for what the tabs of one browser must do one at a time
//! or know of each other (`socket::tabs`, `socket::open_tabs`,
//! `socket::saved_outbox`, `parcels`).
//! Where the browser has none, `locks()` is `None` and each caller does
//! without.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The calls of the Web Locks API used here, bound by hand: web-sys has them
/// only behind `--cfg=web_sys_unstable_apis`, which also changes other
/// bindings the app uses (`scroll_top` becomes `f64`).
#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    pub type LockManager;

    #[wasm_bindgen(method)]
    pub fn request(this: &LockManager, name: &str, callback: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(method, js_name = request)]
    pub fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &js_sys::Object,
        callback: &JsValue,
    ) -> js_sys::Promise;

    #[wasm_bindgen(method)]
    pub fn query(this: &LockManager) -> js_sys::Promise;
}

pub fn locks() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).ok()?;
    // Browsers without Web Locks have no `navigator.locks`.
    (!locks.is_undefined()).then(|| locks.unchecked_into())
}

/// The names of the locks held now by this origin's pages, or `None` where
/// the browser cannot tell.
pub async fn held() -> Option<Vec<String>> {
    let snapshot = JsFuture::from(locks()?.query()).await.ok()?;
    let held = js_sys::Reflect::get(&snapshot, &"held".into()).ok()?;
    let names = js_sys::Array::from(&held)
        .iter()
        .filter_map(|lock| js_sys::Reflect::get(&lock, &"name".into()).ok()?.as_string())
        .collect();
    Some(names)
}

/// A lock held until this is dropped.
pub struct Held {
    release: js_sys::Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// Waits for the lock `name`, then holds it until the [`Held`] is dropped.
/// `None` where the browser has no Web Locks, or will not give them.
pub async fn exclusively(name: &str) -> Option<Held> {
    let locks = locks()?;
    let mut release = None;
    // The browser holds the lock until the promise the callback returns settles.
    let done = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let mut settle = None;
    let granted = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (release, (grant, refuse)) = (release?, settle?);
    let on_grant = Closure::once_into_js(move |_lock: JsValue| {
        let _ = grant.call0(&JsValue::NULL);
        done
    });
    // Made before waiting: were this future dropped before the grant, the
    // guard would settle `done`, so a late grant is released at once.
    let held = Held { release };
    // Refused (a sandboxed page): the request fails without a grant. Granted,
    // it settles once the lock is released.
    let asked = JsFuture::from(locks.request(name, &on_grant));
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = asked.await {
            let _ = refuse.call1(&JsValue::NULL, &error);
        }
    });
    JsFuture::from(granted).await.ok().map(|_| held)
}
