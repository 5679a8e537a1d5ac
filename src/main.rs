//! Hanmadi's web app: a Leptos single-page app, mounted on `<body>`.

mod api;
mod app;
mod components;
mod deploy_config;
mod session;
mod socket;
mod store;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
