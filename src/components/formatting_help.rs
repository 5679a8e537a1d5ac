//! "Formatting help" under the composer: what a message's markers turn into
//! (`hanmadi_protocol::markup`), each shown as typed and as it will look.

use leptos::prelude::*;

use super::disclosure::Disclosure;
use super::reactive::{handler, When};
use crate::i18n::t;

#[component]
pub fn FormattingHelp() -> impl IntoView {
    let help = Disclosure::new();
    view! {
        <div class="formatting-help" on:keydown=handler(move |event| help.close_on_escape(event))>
            <button
                type="button"
                node_ref=help.button
                aria-expanded=move || help.open.get().to_string()
                on:click=handler(move |_| help.toggle())
            >
                {t().formatting_help}
            </button>
            <When when=move || help.open.get()>
                <ul class="formatting-list" aria-label=t().formatting_help>
                    <li><code>"*…*"</code>" "<strong>{t().fmt_bold}</strong></li>
                    <li><code>"_…_"</code>" "<em>{t().fmt_italic}</em></li>
                    <li><code>"`…`"</code>" "<code>{t().fmt_code}</code></li>
                    <li><code>"```"</code>" "{t().fmt_code_block}</li>
                    <li>{t().fmt_links}</li>
                </ul>
            </When>
        </div>
    }
}
