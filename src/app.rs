//! The root component: creates the one shared socket and lays out the page.

use leptos::prelude::*;

use crate::components::{ConnectionBadge, FirstRun};
use crate::socket::provide_socket;

#[component]
pub fn App() -> impl IntoView {
    let socket = provide_socket();
    let signed_in = move || socket.session.with(Option::is_some);
    view! {
        <header class="app-header">
            <h1 class="app-title">"Hanmadi"</h1>
            <Show when=signed_in>
                <ConnectionBadge />
            </Show>
        </header>
        <main class="app-main">
            <Show when=signed_in fallback=|| view! { <FirstRun /> }>
                <p class="signed-in">
                    "Signed in as "
                    <strong>{move || socket.session.with(|s| s.as_ref().map(|s| s.user.name.clone()))}</strong>
                </p>
            </Show>
        </main>
    }
}
