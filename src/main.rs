//! Hanmadi's web app: a Leptos single-page app, mounted on `<body>`.

mod api;
mod app;
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
mod browser_text;
mod components;
mod console;
mod cut_short;
mod deadline;
mod deploy_config;
mod drafts;
mod first_screen;
mod i18n;
mod last_seen;
mod local_storage;
mod mentions;
mod parcels;
mod pending_files;
mod router;
mod session;
mod socket;
mod store;
mod unsent;
mod upload;
mod web_locks;

fn main() {
    // The released app aborts at once on a panic, with nothing to print
    // (xtask/src/std_for_size.rs); `trunk serve`'s build says why it panicked.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("lang", i18n::lang().tag());
    }
    first_screen::after_composing(|| {
        first_screen::hand_over();
        leptos::mount::mount_to_body(app::App);
    });
    keep_the_app_for_offline();
}

/// Installs the service worker (`public/sw.js`), which keeps the app's files
/// so a reload with no network still opens it. Where it cannot be (an old
/// browser, a page not served securely), the app works as before, online.
fn keep_the_app_for_offline() {
    let Some(window) = web_sys::window() else { return };
    if js_sys::Reflect::has(&window.navigator(), &"serviceWorker".into()).unwrap_or(false) {
        let _ = window.navigator().service_worker().register("/sw.js");
    }
}
