//! Latest-wins values (the live ticker): only the newest value of each symbol
//! matters. Older versions are dropped on arrival, nothing is queued while
//! offline, and any number of updates between two animation frames collapse into
//! one write per symbol.

use hanmadi_protocol::{TickerUpdate, Version};

use crate::sorted_map::SortedMap;

/// A symbol's value as the page should show it.
#[derive(Debug, Clone, PartialEq)]
pub struct TickerValue {
    pub symbol: String,
    pub version: Version,
    pub price: f64,
}

#[derive(Debug, Default)]
pub struct Ticker {
    latest: SortedMap<String, (Version, f64)>,
    /// Symbols changed since the last frame, in a stable order.
    dirty: SortedMap<String, ()>,
    dropped_stale: u64,
}

impl Ticker {
    /// Takes a batch of updates; any not newer than what is held is dropped.
    pub fn apply(&mut self, updates: Vec<TickerUpdate>) {
        for TickerUpdate { symbol, version, price } in updates {
            match self.latest.get_mut(&symbol) {
                Some((held, _)) if *held >= version => self.dropped_stale += 1,
                Some(entry) => {
                    *entry = (version, price);
                    self.dirty.insert(symbol, ());
                }
                None => {
                    self.latest.insert(symbol.clone(), (version, price));
                    self.dirty.insert(symbol, ());
                }
            }
        }
    }

    /// What changed since the last call: one value per symbol, the newest. Call once
    /// per animation frame and write each to the page.
    pub fn take_frame(&mut self) -> Vec<TickerValue> {
        std::mem::take(&mut self.dirty)
            .into_keys()
            .map(|symbol| {
                let (version, price) = self.latest[&symbol];
                TickerValue { symbol, version, price }
            })
            .collect()
    }

    /// Whether a frame would have anything to write (lets the adapter skip
    /// requesting an animation frame).
    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// How many updates were dropped for being older than the value held.
    pub fn dropped_stale(&self) -> u64 {
        self.dropped_stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(symbol: &str, version: u64, price: f64) -> TickerUpdate {
        TickerUpdate { symbol: symbol.into(), version: Version(version), price }
    }

    #[test]
    fn five_hundred_updates_in_one_frame_become_one_write_per_symbol() {
        let mut ticker = Ticker::default();
        let updates = (1..=500).map(|i| update(["AAA", "BBB"][i as usize % 2], i, i as f64)).collect();
        ticker.apply(updates);
        let frame = ticker.take_frame();
        assert_eq!(
            frame,
            [
                TickerValue { symbol: "AAA".into(), version: Version(500), price: 500.0 },
                TickerValue { symbol: "BBB".into(), version: Version(499), price: 499.0 },
            ]
        );
        assert!(ticker.take_frame().is_empty(), "nothing changed since");
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let mut ticker = Ticker::default();
        ticker.apply(vec![update("AAA", 7, 70.0)]);
        ticker.take_frame();
        ticker.apply(vec![update("AAA", 6, 60.0), update("AAA", 7, 71.0)]);
        assert!(ticker.take_frame().is_empty());
        assert_eq!(ticker.dropped_stale(), 2);
    }
}
