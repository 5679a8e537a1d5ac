//! The live ticker: a simulated market (a random walk over a few dozen symbols at
//! a configurable rate, up to thousands of updates a second) plus live server
//! stats, batched into one frame every 50 ms. Latest-wins: a connection that
//! falls behind skips to a fresh snapshot instead of catching up.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hanmadi_protocol::{encode, ServerFrame, TickerUpdate};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::delivery::Delivery;
use crate::versions::VersionClock;

const TICK: Duration = Duration::from_millis(50);

/// Symbols of the simulated market: three-letter names, and `stat:online` for
/// the number of connected sockets.
pub const ONLINE_STAT: &str = "stat:online";

pub struct TickerFeed {
    tx: broadcast::Sender<Arc<str>>,
    latest: Mutex<BTreeMap<String, TickerUpdate>>,
    versions: VersionClock,
}

impl TickerFeed {
    /// Starts the feed; `updates_per_second` 0 runs only the stats.
    pub fn start(
        symbols: usize,
        updates_per_second: u32,
        delivery: Arc<Delivery>,
        stop: CancellationToken,
    ) -> Arc<Self> {
        let feed = Arc::new(Self {
            tx: broadcast::channel(64).0,
            latest: Mutex::new(BTreeMap::new()),
            versions: VersionClock::default(),
        });
        let market = Market::new(symbols);
        tokio::spawn(Arc::clone(&feed).run(market, updates_per_second, delivery, stop));
        feed
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }

    /// Every symbol's latest value, for a connection that just arrived or fell behind.
    pub fn snapshot(&self) -> Option<String> {
        let latest = self.latest.lock().expect("ticker lock");
        (!latest.is_empty()).then(|| encode(&ServerFrame::Ticker { updates: latest.values().cloned().collect() }))
    }

    async fn run(
        self: Arc<Self>,
        mut market: Market,
        updates_per_second: u32,
        delivery: Arc<Delivery>,
        stop: CancellationToken,
    ) {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let per_tick = f64::from(updates_per_second) * TICK.as_secs_f64();
        let mut owed = 0.0;
        let mut last_online = None;
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = interval.tick() => {}
            }
            owed += per_tick;
            let mut updates = Vec::new();
            while owed >= 1.0 && !market.symbols.is_empty() {
                owed -= 1.0;
                let (symbol, price) = market.step();
                updates.push(TickerUpdate { symbol, version: self.versions.next(), price });
            }
            let online = delivery.connected();
            if last_online != Some(online) {
                last_online = Some(online);
                updates.push(TickerUpdate {
                    symbol: ONLINE_STAT.into(),
                    version: self.versions.next(),
                    price: online as f64,
                });
            }
            if updates.is_empty() {
                continue;
            }
            {
                let mut latest = self.latest.lock().expect("ticker lock");
                for update in &updates {
                    latest.insert(update.symbol.clone(), update.clone());
                }
            }
            let _ = self.tx.send(encode(&ServerFrame::Ticker { updates }).into());
        }
    }
}

/// A random walk: each step moves one symbol's price by up to ±0.5 %.
struct Market {
    symbols: Vec<(String, f64)>,
    rng: u64,
}

impl Market {
    fn new(count: usize) -> Self {
        let symbols = (0..count)
            .map(|i| {
                let letters: String =
                    [i / 676 % 26, i / 26 % 26, i % 26].iter().map(|n| char::from(b'A' + *n as u8)).collect();
                (letters, 50.0 + (i * 37 % 200) as f64)
            })
            .collect();
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        Self { symbols, rng: seed | 1 }
    }

    fn step(&mut self) -> (String, f64) {
        // xorshift64: plenty for a pretend market.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let index = (self.rng % self.symbols.len() as u64) as usize;
        let change = ((self.rng >> 32) % 1001) as f64 / 1000.0 - 0.5;
        let (symbol, price) = &mut self.symbols[index];
        *price = (*price * (1.0 + change / 100.0) * 100.0).round() / 100.0;
        (symbol.clone(), *price)
    }
}
