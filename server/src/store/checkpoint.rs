//! SQLite's write-ahead log, copied back into the database file by a task of
//! its own, and started over so that it stays small.
//!
//! No commit does it (`wal_autocheckpoint = 0`, see `db::connect`): left to
//! SQLite, the commit that filled the log would wait for the checkpoint's
//! fsyncs, with every queued action behind it (10-20 ms stalls). SQLite writes
//! the log from its start again only at a commit after a checkpoint copied all
//! of it, with no read still in the log.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::housekeeping::every_period_on_sqlite;
use super::Store;

/// How often the write-ahead log is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Passes without the writer's turn, at most, before the one with it.
const CATCH_UP_PASSES: usize = 4;
/// Few enough frames found by a pass that the next, holding the turn, will
/// find few more.
const FEW_FRAMES: u64 = 64;

/// Checkpoints every second on SQLite, until `shutdown`.
pub fn checkpoint_in_background(store: Arc<Store>, shutdown: CancellationToken) {
    let failed = "SQLite checkpoint failed";
    every_period_on_sqlite(store, CHECKPOINT_EVERY, shutdown, failed, |store| async move { store.checkpoint().await });
}

impl Store {
    /// Copies the write-ahead log back into the database file, so that the
    /// next commit writes the log from its start.
    ///
    /// The passes that copy the bulk take no writer's turn: commits go on
    /// beside them. What commits append meanwhile a pass does not copy, so
    /// under steady writes no such pass ever copies the whole log, SQLite never
    /// starts it over, and it grows without end (every commit growing the
    /// file, and each checkpoint's fsync writing out that new space). So each
    /// pass copies what came during the one before, fewer frames each time,
    /// and the last holds the writer's turn to copy what is left: commits wait
    /// for that one alone.
    ///
    /// Writes that take no turn (sessions, `Sessions`) or a read begun before
    /// the last pass can still leave the log uncopied or in use; then it starts
    /// over after the next checkpoint instead, a second later.
    async fn checkpoint(&self) -> anyhow::Result<()> {
        let (mut copied, mut catch_up_passes) = (0, 0);
        while catch_up_passes < CATCH_UP_PASSES {
            let pass = self.passive_checkpoint().await?;
            // Fewer frames than were copied: the log started over since.
            let to_copy = if pass.frames >= copied { pass.frames - copied } else { pass.frames };
            (copied, catch_up_passes) = (pass.copied, catch_up_passes + 1);
            if to_copy <= FEW_FRAMES {
                break;
            }
        }
        let _turn = self.write_turn().await;
        let held = std::time::Instant::now();
        self.passive_checkpoint().await?;
        tracing::trace!(catch_up_passes, held_turn_us = held.elapsed().as_micros() as u64, "checkpoint");
        Ok(())
    }

    /// Copies what no reader still needs.
    async fn passive_checkpoint(&self) -> anyhow::Result<Pass> {
        let (_busy, frames, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&self.pool).await?;
        // Both are -1 without a log (a database in memory).
        Ok(Pass { frames: frames.max(0) as u64, copied: copied.max(0) as u64 })
    }
}

/// What one checkpoint pass found in the log.
struct Pass {
    /// Frames in the log as the pass began.
    frames: u64,
    /// Of those, how many are now in the database file.
    copied: u64,
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::path::Path;

    use super::*;
    use crate::db;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_starts_over_after_each_checkpoint_under_steady_writes() {
        let folder = tempfile::tempdir().unwrap();
        let database = folder.path().join("db.sqlite");
        let (pool, dialect) = db::connect(&format!("sqlite://{}", database.display())).await.unwrap();
        let store = Arc::new(Store::new(pool, dialect));
        let writing = CancellationToken::new();
        let writes = tokio::spawn({
            let (store, writing) = (Arc::clone(&store), writing.clone());
            async move {
                while !writing.is_cancelled() {
                    store.create_user("Mina").await.unwrap().unwrap();
                }
            }
        });
        let checkpoint_then_write = || async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            store.checkpoint().await.unwrap();
            // The next commit is the one that starts the log over.
            store.create_user("Jun").await.unwrap().unwrap();
        };
        checkpoint_then_write().await;
        let log = database.with_extension("sqlite-wal");
        let before = restarts(&log);
        for _ in 0..10 {
            checkpoint_then_write().await;
        }
        writing.cancel();
        writes.await.unwrap();
        // At least once each: more when the writes paused through a pass
        // beside them by chance, which then copied the whole log.
        let restarted = restarts(&log).wrapping_sub(before);
        assert!(restarted >= 10, "the log was written from its start {restarted} times after 10 checkpoints");
    }

    /// Counts the times SQLite writes the log from its start: the first salt
    /// in its header (bytes 16-19, big-endian) goes up by one each time.
    fn restarts(log: &Path) -> u32 {
        let mut header = [0; 20];
        std::fs::File::open(log).unwrap().read_exact(&mut header).unwrap();
        u32::from_be_bytes(header[16..20].try_into().unwrap())
    }
}
