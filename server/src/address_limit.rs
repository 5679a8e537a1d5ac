//! A rate limit per client address, for HTTP calls: every API call (one
//! address cannot keep the database busy for everyone), and more strictly the
//! calls that cost the server something lasting (a sign-up creates a user):
//! one address cannot make thousands of guests in a burst. The same limit
//! keyed by person counts uploads, which cost storage and decoding.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use crate::rate_limit::TokenBucket;

/// Addresses remembered before the ones with a full bucket (idle) are dropped.
const PRUNE_ABOVE: usize = 10_000;

pub struct AddressLimit<K = IpAddr> {
    burst: u32,
    per_minute: u32,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

impl<K: Hash + Eq> AddressLimit<K> {
    /// `per_minute` calls a minute per address, in bursts of `burst`.
    pub fn new(burst: u32, per_minute: u32) -> Self {
        Self { burst, per_minute, buckets: Mutex::default() }
    }

    /// Takes a call from `address`, or says how long until it may call again.
    pub fn take(&self, address: K) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("address limit lock");
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| !bucket.is_full());
        }
        let bucket = buckets.entry(address).or_insert_with(|| TokenBucket::per_minute(self.burst, self.per_minute));
        if bucket.try_take() {
            Ok(())
        } else {
            Err(bucket.wait())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_address_has_its_own_burst_then_waits() {
        let limit = AddressLimit::<IpAddr>::new(2, 6);
        let (home, cafe): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(limit.take(home).is_ok() && limit.take(home).is_ok());
        let wait = limit.take(home).unwrap_err();
        assert!(wait <= Duration::from_secs(10) && wait > Duration::from_secs(9), "{wait:?}");
        assert!(limit.take(cafe).is_ok(), "another address is not affected");
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(limit.take(home).is_ok());
    }
}
