//! The live ticker: one item per symbol, each with its own signal, written at
//! most once per animation frame however fast updates arrive.

use leptos::prelude::*;

use crate::i18n::t;
use crate::store::Store;

#[component]
pub fn TickerPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let ticker = store.ticker();
    let symbols =
        move || ticker.with(|t| t.iter().map(|(symbol, value)| (symbol.clone(), value.clone())).collect::<Vec<_>>());
    view! {
        <section class="ticker" aria-label=t().live_ticker role="region">
            <ul>
                <For each=symbols key=|(symbol, _)| symbol.clone() let:item>
                    <li class="ticker-item">
                        <span class="symbol">{label(&item.0)}</span>
                        <span class="price">{
                            let value = item.1.clone();
                            let whole = item.0.starts_with("stat:");
                            move || value.with(|v| if whole { format!("{:.0}", v.price) } else { format!("{:.2}", v.price) })
                        }</span>
                    </li>
                </For>
            </ul>
        </section>
    }
}

/// Market symbols show as they are; live stats get a readable name.
fn label(symbol: &str) -> String {
    match symbol {
        "stat:online" => t().online_now.to_owned(),
        other => other.to_owned(),
    }
}
