//! "Mina is typing…": a polite live region, so screen readers hear it when idle.

use leptos::prelude::*;

use crate::i18n::lang;

#[component]
pub fn TypingLine(typing: ArcReadSignal<Vec<String>>) -> impl IntoView {
    let text = move || typing.with(|names| lang().typing(names));
    view! { <p class="typing" aria-live="polite">{text}</p> }
}
