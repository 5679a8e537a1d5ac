//! The root component: creates the one shared socket and lays out the page.

use leptos::prelude::*;

use crate::components::ConnectionBadge;
use crate::socket::provide_socket;

#[component]
pub fn App() -> impl IntoView {
    provide_socket();
    view! {
        <header class="app-header">
            <h1 class="app-title">"Hanmadi"</h1>
            <ConnectionBadge />
        </header>
        <main class="app-main"></main>
    }
}
