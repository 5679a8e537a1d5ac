//! Above the first-run prompt after the server ended the session: what the
//! person wrote that was never sent (`crate::unsent`), as one text to read
//! and copy, so nothing is lost without their knowing. It stays until
//! dismissed or until they sign in again (`first_run`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::reactive::handler;
use crate::browser_text;
use crate::i18n::t;
use crate::unsent;

#[component]
pub fn UnsentNotice() -> impl IntoView {
    let kept = RwSignal::new(unsent::saved());
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = kept.get_untracked().unwrap_or_default();
        spawn_local(async move {
            browser_text::copy_and_say_so(&text, copied).await;
        });
    };
    let dismiss = move |_| {
        unsent::forget();
        kept.set(None);
    };
    view! {
        <section class="unsent" aria-labelledby="unsent-heading" hidden=move || kept.with(Option::is_none)>
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
                <button type="button" on:click=handler(copy)>
                    {move || if copied.get() { t().copied } else { t().copy }}
                </button>
                <button type="button" on:click=handler(dismiss)>{t().dismiss}</button>
            </div>
        </section>
    }
}
