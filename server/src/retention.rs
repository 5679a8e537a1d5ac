//! Idempotency records do not pile up forever: those older than the retention
//! (`--action-retention-days`) are forgotten, at start-up and every hour after.
//! The retention is longer than any outbox can wait to be sent (see
//! [`crate::config::Config::check`]), so no resend can arrive after its record
//! is gone.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::{now_millis, Store};

const EVERY: Duration = Duration::from_secs(3600);
/// Records deleted per statement: a short write, so actions never wait long.
const BATCH: u32 = 5_000;

pub fn forget_old_actions(store: Arc<Store>, retention: Duration, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = every.tick() => {}
            }
            let before = now_millis().saturating_sub(retention.as_millis() as u64);
            let mut forgotten = 0;
            loop {
                match store.forget_actions_before(before, BATCH).await {
                    Ok(count) if count < u64::from(BATCH) => break forgotten += count,
                    Ok(count) => forgotten += count,
                    Err(error) => {
                        tracing::warn!(%error, "could not forget old action records; next hour retries");
                        break;
                    }
                }
            }
            if forgotten > 0 {
                tracing::info!(forgotten, "forgot action records past the retention");
            }
        }
    });
}
