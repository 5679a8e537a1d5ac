//! Hanmadi's web app: a Leptos single-page app, mounted on `<body>`.

mod app;
mod components;
mod deploy_config;
mod session;
mod socket;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
