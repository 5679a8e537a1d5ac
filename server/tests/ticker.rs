//! The live ticker: a snapshot on arrival, then batches of newer values; every
//! symbol's version only ever goes up, across frames and across a restart.

mod common;

use std::collections::HashMap;

use common::TestServer;
use hanmadi_protocol::{ServerFrame, TickerUpdate, Version};

async fn ticker_updates(client: &mut common::Client, at_least: usize) -> Vec<TickerUpdate> {
    let mut updates = Vec::new();
    while updates.len() < at_least {
        let batch = client
            .recv_until(|frame| match frame {
                ServerFrame::Ticker { updates } => Some(updates.clone()),
                _ => None,
            })
            .await;
        updates.extend(batch);
    }
    updates
}

#[tokio::test]
async fn the_market_streams_with_versions_that_only_go_up_even_across_a_restart() {
    let server = TestServer::start_with(|config| {
        config.ticker_rate = 2_000;
        config.ticker_symbols = 30;
    })
    .await;
    let mina = server.sign_up("Mina").await;
    let mut tab = server.connect(&mina).await;
    let updates = ticker_updates(&mut tab, 500).await;

    let mut latest: HashMap<String, Version> = HashMap::new();
    for update in &updates {
        if let Some(previous) = latest.insert(update.symbol.clone(), update.version) {
            assert!(update.version > previous, "{} went from {previous:?} to {:?}", update.symbol, update.version);
        }
        let is_stat = update.symbol.starts_with("stat:");
        assert!(update.price.is_finite() && (is_stat || update.price > 0.0), "{update:?}");
    }
    assert!(latest.len() > 10, "many symbols move: {}", latest.len());
    assert!(latest.contains_key("stat:online"), "live stats ride along");
    drop(tab);

    let database = server.stop().await;
    let server = TestServer::start_on(database, |config| config.ticker_rate = 2_000).await;
    let mut tab = server.connect(&mina).await;
    for update in ticker_updates(&mut tab, 200).await {
        if let Some(before) = latest.get(&update.symbol) {
            assert!(update.version > *before, "a restarted server's {} is newer", update.symbol);
        }
    }
}
