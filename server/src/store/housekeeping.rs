//! The store's upkeep on SQLite (the write-ahead log's checkpoint, the search
//! index's batches): each a task that repeats one step until the server stops.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Store;
use crate::db::Dialect;

/// Runs `step` at once and then every `period`, on SQLite only, until
/// `shutdown`. A step that fails is logged (`failed` says what could not be
/// done) and the next one tries again; one that overruns its period delays
/// the next rather than bunching them up.
pub(super) fn every_period_on_sqlite<Step>(
    store: Arc<Store>,
    period: Duration,
    shutdown: CancellationToken,
    failed: &'static str,
    step: impl Fn(Arc<Store>) -> Step + Send + 'static,
) where
    Step: Future<Output = anyhow::Result<()>> + Send,
{
    if store.dialect != Dialect::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = every.tick() => {}
            }
            if let Err(error) = step(Arc::clone(&store)).await {
                tracing::warn!(error = format!("{error:#}"), "{failed}; the next round retries");
            }
        }
    });
}
