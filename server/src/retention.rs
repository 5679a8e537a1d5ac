//! Idempotency records do not pile up forever: those older than the retention
//! (`--action-retention-days`) are forgotten, at start-up and every hour after,
//! and so are files uploaded that long ago and never sent (they count against
//! their uploader's quota). The retention is longer than any outbox can wait
//! to be sent (see [`crate::config::Config::check`]), so no resend can arrive
//! after its record, or the file it sends, is gone.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::{now_millis, Store};

const EVERY: Duration = Duration::from_secs(3600);
/// Rows deleted per statement: a short write, so actions never wait long.
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
            match in_batches(|| store.forget_actions_before(before, BATCH)).await {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "forgot action records past the retention"),
                Err(error) => tracing::warn!(%error, "could not forget old action records; next hour retries"),
            }
            match in_batches(|| store.forget_unsent_uploads_before(before, BATCH)).await {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "forgot files never sent, past the retention"),
                Err(error) => tracing::warn!(%error, "could not forget unsent files; next hour retries"),
            }
        }
    });
}

/// Calls `forget` (which deletes up to [`BATCH`] rows) until a batch comes up
/// short; how many rows it deleted in all.
async fn in_batches<F: Future<Output = anyhow::Result<u64>>>(mut forget: impl FnMut() -> F) -> anyhow::Result<u64> {
    let mut forgotten = 0;
    loop {
        let count = forget().await?;
        forgotten += count;
        if count < u64::from(BATCH) {
            return Ok(forgotten);
        }
    }
}
