//! Above the first-run prompt after the server ended the session: what the
//! person wrote that was never sent (`crate::unsent`, shown through the
//! store so every tab follows it), as one text to read and copy, so nothing
//! is lost without their knowing. It stays until dismissed (in any tab) or
//! until they sign in again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::reactive::handler;
use crate::browser_text;
use crate::i18n::t;
use crate::store::Store;
use crate::unsent;

#[component]
pub fn UnsentNotice() -> impl IntoView {
    let store = expect_context::<Store>();
    let kept = store.unsent();
    let copied = RwSignal::new(false);
    // No clipboard outside a secure page: the text is there to select.
    let not_copied = RwSignal::new(false);
    let copy = {
        let kept = kept.clone();
        move |_| {
            let text = kept.get_untracked().unwrap_or_default();
            spawn_local(async move {
                let copied = browser_text::copy_and_say_so(&text, copied).await;
                let _ = not_copied.try_set(!copied);
            });
        }
    };
    let dismiss = move |_| {
        unsent::forget();
        store.show_unsent(None);
        // Its button is gone: the one thing left to do is the name.
        if let Some(name) = document().get_element_by_id("first-run-name") {
            let _ = name.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    };
    let hidden = {
        let kept = kept.clone();
        move || kept.with(Option::is_none)
    };
    view! {
        <section class="unsent" aria-labelledby="unsent-heading" hidden=hidden>
            // Heard on coming, whatever has the focus (the name field does).
            <div role="alert">
                <h2 id="unsent-heading">{t().unsent_heading}</h2>
                <p id="unsent-explained">{t().unsent_explained}</p>
            </div>
            <textarea
                readonly
                rows="6"
                aria-labelledby="unsent-heading"
                aria-describedby="unsent-explained"
                prop:value=move || kept.get().unwrap_or_default()
            ></textarea>
            <div class="unsent-buttons">
                <button type="button" on:click=handler(copy)>{t().copy}</button>
                <button type="button" on:click=handler(dismiss)>{t().dismiss}</button>
            </div>
            <p role="status">
                {move || match (copied.get(), not_copied.get()) {
                    (true, _) => t().copied,
                    (_, true) => t().unsent_not_copied,
                    _ => "",
                }}
            </p>
        </section>
    }
}
