//! Hanmadi's web app: a Leptos single-page app, mounted on `<body>`.

mod api;
mod app;
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
mod components;
mod deploy_config;
mod i18n;
mod markup;
mod mentions;
mod router;
mod session;
mod socket;
mod store;

fn main() {
    console_error_panic_hook::set_once();
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("lang", i18n::lang().tag());
    }
    leptos::mount::mount_to_body(app::App);
}
