//! The live ticker: one item per symbol, each with its own signal, written at
//! most once per animation frame however fast updates arrive.

use leptos::prelude::*;

use super::keyed::keyed_list;
use crate::i18n::t;
use crate::store::Store;

#[component]
pub fn TickerPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let ticker = store.ticker();
    let symbols =
        move || ticker.with(|t| t.iter().map(|(symbol, value)| (symbol.clone(), value.clone())).collect::<Vec<_>>());
    view! {
        <section class="ticker" aria-labelledby=TICKER_HEADING>
            <h2 id=TICKER_HEADING class="side-heading">{t().live_ticker}</h2>
            <ul>
                {keyed_list(
                    symbols,
                    |(symbol, _)| symbol.clone(),
                    |(symbol, value)| {
                        let whole = symbol.starts_with("stat:");
                        view! {
                            <li class="ticker-item">
                                <span class="symbol">{label(&symbol)}</span>
                                <span class="price">{move || value.with(|v| price_text(v.price, whole))}</span>
                            </li>
                        }
                        .into_any()
                    },
                )}
            </ul>
        </section>
    }
}

const TICKER_HEADING: &str = "ticker-heading";

/// Market symbols show as they are; live stats get a readable name.
fn label(symbol: &str) -> String {
    match symbol {
        "stat:online" => t().online_now.to_owned(),
        other => other.to_owned(),
    }
}

/// The price as the ticker shows it: whole for counters, two decimals for
/// prices. JavaScript's `toFixed` formats it, so the wasm carries no float
/// formatter of its own.
fn price_text(price: f64, whole: bool) -> String {
    let digits = if whole { 0 } else { 2 };
    js_sys::Number::from(price).to_fixed(digits).map(String::from).unwrap_or_default()
}
