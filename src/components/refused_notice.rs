//! "Couldn't edit the message: that message was deleted": an action of yours
//! the server refused, which nothing else on the page shows (a refused message
//! stays in the list as "Not sent" instead). It stays until dismissed or
//! replaced by the next one, so a screen reader user hears it and nobody
//! misses it.

use leptos::prelude::*;

use crate::i18n::{lang, t};
use crate::store::Store;

#[component]
pub fn RefusedNotice() -> impl IntoView {
    let refused = RwSignal::from(expect_context::<Store>().refused);
    view! {
        <div class="refused-notice" role="alert">
            {move || {
                refused
                    .get()
                    .map(|problem| {
                        view! {
                            <p class="refused-box">
                                <span>{lang().not_done(&problem.action, &problem.reason)}</span>
                                <button type="button" on:click=move |_| refused.set(None)>{t().dismiss}</button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}
