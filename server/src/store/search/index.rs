//! SQLite's search index, brought up to date in batches by a task of its own
//! rather than in the transaction that adds each message (migration 0015):
//! indexed in its own commit, each message wrote an FTS5 segment of its own,
//! a third of what every commit wrote (`docs/ARCHITECTURE.md`, "Search").
//!
//! Batching hides no message from a search: a search first indexes what is
//! waiting ([`Store::catch_up_search_index`]), so it finds every message
//! committed before it, as on PostgreSQL.
//!
//! Nothing is passed over: every message is added under the writer's turn,
//! which a batch holds too, and a batch reads the newest id inside its own
//! write. Message ids only grow (AUTOINCREMENT never hands one out again).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::db::Dialect;
use crate::store::housekeeping::every_period_on_sqlite;
use crate::store::Store;

/// How often the messages committed since are indexed.
const INDEX_EVERY: Duration = Duration::from_millis(250);
/// The last message id indexed, and the newest.
const PROGRESS: &str = "SELECT up_to, (SELECT COALESCE(MAX(id), 0) FROM messages) FROM search_indexed";
/// Most messages indexed in one transaction, so that no commit waits long
/// behind it (the first run after a bulk import, say).
const BATCH: i64 = 1_000;

/// Indexes new messages four times a second on SQLite, until `shutdown`.
/// What is still waiting when the server stops is indexed when it starts.
pub fn index_for_search_in_background(store: Arc<Store>, shutdown: CancellationToken) {
    let failed = "indexing messages for search failed";
    every_period_on_sqlite(
        store,
        INDEX_EVERY,
        shutdown,
        failed,
        |store| async move { store.catch_up_search_index().await },
    );
}

impl Store {
    /// Indexes every message committed and not yet in the search index (on
    /// SQLite; PostgreSQL's index is always up to date). Takes the writer's
    /// turn only when some are waiting.
    pub(super) async fn catch_up_search_index(&self) -> anyhow::Result<()> {
        if self.dialect != Dialect::Sqlite {
            return Ok(());
        }
        let (up_to, newest): (i64, i64) = sqlx::query_as(PROGRESS).fetch_one(&self.pool).await?;
        if newest > up_to {
            while self.index_batch().await? {}
        }
        Ok(())
    }

    /// Indexes up to [`BATCH`] waiting messages in one transaction, holding
    /// the writer's turn so that no message commits meanwhile; whether more
    /// are waiting. A message deleted before its turn is left out; an edited
    /// one is indexed as it stands.
    async fn index_batch(&self) -> anyhow::Result<bool> {
        let (_turn, mut tx) = self.begin_write().await?;
        let (up_to, newest): (i64, i64) = sqlx::query_as(PROGRESS).fetch_one(&mut *tx).await?;
        if newest <= up_to {
            return Ok(false);
        }
        let end = newest.min(up_to + BATCH);
        sqlx::query(
            "INSERT INTO messages_fts (rowid, body) \
             SELECT id, body FROM messages WHERE id > $1 AND id <= $2 AND deleted = 0",
        )
        .bind(up_to)
        .bind(end)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE search_indexed SET up_to = $1").bind(end).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(end < newest)
    }
}

#[cfg(test)]
mod tests {
    use hanmadi_protocol::{Action, ActionKey, MessageId, Outcome, RoomId};

    use super::super::fts5_phrase;
    use super::*;
    use crate::db;
    use crate::store::{Admission, Settled, Submitted, User};

    /// Mina's room, written to through the store alone: no task indexes it
    /// behind the test's back.
    struct Room {
        store: Store,
        mina: User,
        room: RoomId,
        keys: u32,
        _folder: tempfile::TempDir,
    }

    impl Room {
        async fn open() -> Self {
            let folder = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", folder.path().join("db.sqlite").display());
            let (pool, dialect) = db::connect(&url).await.unwrap();
            let store = Store::new(pool, dialect);
            let mina = store.create_user("Mina").await.unwrap().unwrap();
            let mut room = Self { store, mina, room: RoomId(0), keys: 0, _folder: folder };
            room.room = room.act(Action::CreateRoom { name: "passwords".into(), private: false }).await.0;
            room
        }

        async fn act(&mut self, action: Action) -> (RoomId, Option<MessageId>) {
            self.keys += 1;
            let key = ActionKey::new(format!("k{}", self.keys)).unwrap();
            let submitted = Submitted { user: &self.mina, key: &key, action: &action, admission: Admission::Apply };
            let applied = self.store.apply_batch(&[submitted]).await.unwrap();
            match &applied[0].settled {
                Settled::New(Outcome::Applied { room, message, .. }) => (*room, *message),
                other => panic!("{action:?} was not applied: {other:?}"),
            }
        }

        async fn say(&mut self, text: &str) -> MessageId {
            let action =
                Action::SendMessage { room: self.room, text: text.into(), reply_to: None, attachments: vec![] };
            self.act(action).await.1.unwrap()
        }

        async fn edit(&mut self, message: MessageId, text: &str) {
            self.act(Action::EditMessage { room: self.room, message, text: text.into() }).await;
        }

        async fn delete(&mut self, message: MessageId) {
            self.act(Action::DeleteMessage { room: self.room, message }).await;
        }

        /// The messages the index itself finds holding `needle`.
        async fn indexed(&self, needle: &str) -> Vec<MessageId> {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT rowid FROM messages_fts WHERE messages_fts MATCH $1 ORDER BY rowid")
                    .bind(fts5_phrase(needle))
                    .fetch_all(&self.store.pool)
                    .await
                    .unwrap();
            ids.into_iter().map(|id| MessageId(id as u64)).collect()
        }

        async fn up_to(&self) -> MessageId {
            let up_to: i64 =
                sqlx::query_scalar("SELECT up_to FROM search_indexed").fetch_one(&self.store.pool).await.unwrap();
            MessageId(up_to as u64)
        }
    }

    #[tokio::test]
    async fn the_index_takes_each_message_as_it_stands_when_it_comes_to_it() {
        let mut room = Room::open().await;
        let told_early = room.say("my password is hunter2").await;
        let lunch = room.say("lunch at noon").await;
        room.store.catch_up_search_index().await.unwrap();
        assert_eq!(room.up_to().await, lunch);
        assert_eq!(room.indexed("hunter2").await, [told_early]);

        let told_late = room.say("hunter2 again, sorry").await;
        let dinner = room.say("dinner at seven").await;
        assert!(room.indexed("dinner").await.is_empty(), "not indexed in the commit");
        // Indexed already: the edit and the deletion change the index at once.
        room.edit(told_early, "my password is ********").await;
        room.delete(lunch).await;
        assert!(room.indexed("hunter2").await.is_empty());
        assert!(room.indexed("noon").await.is_empty());
        // Waiting still: the index will take them as they stand by then.
        room.edit(told_late, "******** again, sorry").await;
        room.delete(dinner).await;
        assert!(room.indexed("again").await.is_empty(), "an edit does not index a message early");
        room.store.catch_up_search_index().await.unwrap();

        assert_eq!(room.up_to().await, dinner);
        assert!(room.indexed("hunter2").await.is_empty(), "an edit before indexing left the old text out");
        assert!(room.indexed("dinner").await.is_empty(), "a message deleted before indexing never went in");
        assert!(room.indexed("noon").await.is_empty());
        assert_eq!(room.indexed("********").await, [told_early, told_late]);
        room.delete(told_late).await;
        assert!(room.indexed("again").await.is_empty());
    }

    #[tokio::test]
    async fn a_search_finds_a_message_the_moment_it_is_committed() {
        let mut room = Room::open().await;
        room.store.catch_up_search_index().await.unwrap();
        let said = room.say("found at once").await;
        assert!(room.indexed("at once").await.is_empty(), "not indexed in the commit");

        let found = room.store.search(room.mina.id, "at once", None, 10).await.unwrap();
        assert_eq!(found.hits.iter().map(|hit| hit.message).collect::<Vec<_>>(), [said]);
        assert_eq!(room.indexed("at once").await, [said], "the search indexed it first");
    }

    #[tokio::test]
    async fn a_long_wait_is_indexed_in_several_transactions() {
        let mut room = Room::open().await;
        room.store.catch_up_search_index().await.unwrap();
        let first = room.say("first of many").await;
        let last = room.say("last of many").await;
        // As if a bulk import had written more than a batch since: the first
        // batch ends at `first`.
        sqlx::query("UPDATE search_indexed SET up_to = $1")
            .bind(first.0 as i64 - BATCH)
            .execute(&room.store.pool)
            .await
            .unwrap();
        assert!(room.store.index_batch().await.unwrap(), "more waiting after the first batch");
        assert_eq!(room.up_to().await, first);
        assert_eq!(room.indexed("of many").await, [first]);
        room.store.catch_up_search_index().await.unwrap();
        assert_eq!(room.up_to().await, last);
        assert_eq!(room.indexed("of many").await, [first, last]);
    }
}
