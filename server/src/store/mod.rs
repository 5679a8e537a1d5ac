//! Everything the server keeps: users, rooms (public, private or direct, with
//! invites to private ones and the pair of each direct one), memberships (with
//! where each member has read up to), messages, each room's event log, and the
//! outcome of every action by its idempotency key.
//!
//! An action is applied in one transaction that also assigns the room's next
//! sequence numbers, appends the events and records the outcome under the key, so
//! after a commit all of it is durable together and a repeat of the key finds the
//! original answer. Nothing is acknowledged before that commit.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use hanmadi_protocol::http::{HistoryEvent, MessageView, PageFrom, Profile, Reaction, RoomSummary};
use hanmadi_protocol::limits::{check_display_name, TextProblem};
use hanmadi_protocol::{Member, MessageId, Millis, Outcome, RejectCode, ReplyTo, RoomEvent, RoomId, Seq, UserId};
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::db::Dialect;

/// The other person of a direct room's pair `d` (a `direct_rooms` row), for
/// the person given as the parameter `$me` ("$1"): an SQL expression.
macro_rules! other_in_pair {
    ($me:literal) => {
        concat!("CASE WHEN d.low_user = ", $me, " THEN d.high_user ELSE d.low_user END")
    };
}

/// Whether both people of a direct room's pair `d` share what they read
/// (`hanmadi_protocol::http::Settings`, migration 0014): an SQL condition.
/// If either keeps it to themselves, neither is told how far the other has
/// read, and what they read meanwhile is never told.
macro_rules! both_share_seen {
    () => {
        "NOT EXISTS (SELECT 1 FROM users s WHERE s.id IN (d.low_user, d.high_user) AND s.shares_seen = 0)"
    };
}

mod access;
mod apply;
mod attachments;
mod checkpoint;
mod direct;
mod housekeeping;
mod invites;
mod last_messages;
mod read_positions;
mod search;
mod settings;

pub use access::Access;

pub use apply::Submitted;
use apply::{apply_once, is_member};
pub use attachments::{NewUpload, Served};
pub use checkpoint::checkpoint_in_background;
pub use invites::InviteProblem;
pub use read_positions::ReadPosition;
pub use search::index_for_search_in_background;

/// A signed-in user (the same shape others see).
pub type User = Profile;

/// Which way a page reads from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toward {
    Older,
    Newer,
}

impl Toward {
    /// The SQL order that takes the rows nearest the page's start first.
    fn order(self) -> &'static str {
        match self {
            Toward::Older => "DESC",
            Toward::Newer => "ASC",
        }
    }

    /// The SQL comparison of a row's seq with the page's start.
    fn beyond(self) -> &'static str {
        match self {
            Toward::Older => "<",
            Toward::Newer => ">",
        }
    }
}

/// One event of a room's log, with its room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub room: RoomId,
    pub seq: Seq,
    pub at: Millis,
    pub event: RoomEvent,
}

/// An event as the HTTP API sends it (its room is in the path).
impl From<StoredEvent> for HistoryEvent {
    fn from(stored: StoredEvent) -> Self {
        HistoryEvent { seq: stored.seq, at: stored.at, event: stored.event }
    }
}

/// Whether an action may change anything, or only be answered if its key was
/// applied before: the sender's rate limit decides, and a replay of actions
/// already applied (an outbox resent after a reconnect) is never limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Apply,
    RepeatOnly,
}

/// How an action was settled.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Applied now, or refused now and recorded: its outcome.
    New(Outcome),
    /// The key was settled before: the original outcome, and nothing changed.
    Repeat(Outcome),
    /// A new key under [`Admission::RepeatOnly`]: neither applied nor recorded,
    /// so the same key may be sent again later.
    Deferred,
}

/// The result of [`Store::apply_batch`] for one action.
#[derive(Debug)]
pub struct Applied {
    pub settled: Settled,
    /// The events the action produced, in order (none unless newly applied).
    pub events: Vec<StoredEvent>,
}

/// Why an action was refused; recorded as its outcome.
struct Refusal {
    code: RejectCode,
    message: String,
    /// What is wrong with a name or a message's text, for the app to word.
    problem: Option<TextProblem>,
}

impl Refusal {
    fn new(code: RejectCode, message: String) -> Self {
        Refusal { code, message, problem: None }
    }
}

impl From<TextProblem> for Refusal {
    fn from(problem: TextProblem) -> Self {
        Refusal { code: RejectCode::Invalid, message: problem.to_string(), problem: Some(problem) }
    }
}

type Checked<T> = Result<T, Refusal>;

pub struct Store {
    pool: AnyPool,
    /// SQLite has one writer at a time; taking turns here, rather than in SQLite's
    /// busy handler, keeps a read-then-write transaction from failing with "database
    /// is locked" when another writer got there first, and lets a checkpoint copy
    /// the whole write-ahead log (`checkpoint`). PostgreSQL needs no turns.
    /// Session writes (`Sessions`) take none: one row each, rare, and kept from
    /// failing a transaction, as another process's writes are, by
    /// [`Store::begin_write`].
    writer: Option<Mutex<()>>,
    dialect: Dialect,
}

impl Store {
    pub fn new(pool: AnyPool, dialect: Dialect) -> Self {
        Self { pool, writer: (dialect == Dialect::Sqlite).then(|| Mutex::new(())), dialect }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.writer {
            Some(writer) => Some(writer.lock().await),
            None => None,
        }
    }

    /// Takes the writer's turn and begins a transaction that will write; hold
    /// the turn (the first of the pair, dropped last) until the transaction
    /// ends. On PostgreSQL there is no turn and the transaction is a plain one.
    ///
    /// On SQLite it begins IMMEDIATE, taking SQLite's write lock at once. A
    /// write that takes no turn (a session's, another process's) can then only
    /// come before or after the whole transaction: it waits for the lock, or
    /// the transaction waits for it at its start, in SQLite's busy handler.
    /// Begun DEFERRED, a transaction that had read while such a write held the
    /// lock would fail at its first write, at once: the busy handler does not
    /// retry a read turning into a write.
    async fn begin_write(&self) -> anyhow::Result<(Option<MutexGuard<'_, ()>>, Transaction<'static, Any>)> {
        let turn = self.write_turn().await;
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok((turn, tx))
    }

    // ---- users ----

    /// A new user under `name` as [`check_display_name`] gives it, or what is
    /// wrong with the name.
    pub async fn create_user(&self, name: &str) -> anyhow::Result<Result<User, TextProblem>> {
        let name = &match check_display_name(name) {
            Ok(name) => name,
            Err(problem) => return Ok(Err(problem)),
        };
        let _turn = self.write_turn().await;
        let id: i64 = sqlx::query_scalar("INSERT INTO users (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now_millis() as i64)
            .fetch_one(&self.pool)
            .await?;
        Ok(Ok(User { id: UserId(id as u64), name: name.to_owned() }))
    }

    pub async fn user(&self, id: UserId) -> anyhow::Result<Option<User>> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
            .bind(id.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(name.map(|name| User { id, name }))
    }

    pub async fn rename_user(&self, id: UserId, name: &str) -> anyhow::Result<Result<User, TextProblem>> {
        let name = &match check_display_name(name) {
            Ok(name) => name,
            Err(problem) => return Ok(Err(problem)),
        };
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0 as i64)
            .execute(&self.pool)
            .await?;
        Ok(Ok(User { id, name: name.to_owned() }))
    }

    // ---- reading ----

    /// One page of the rooms list, as `user` sees it: the first `limit` rooms
    /// with ids above `after`, by id, of those they may know (every public
    /// room; private and direct ones they are in). A direct room is named
    /// after the other person, as they are named now. For the rooms they are in, where they
    /// have read up to and how many messages by others are still unread there
    /// (deleted ones do not count: there is nothing left to read), and how many
    /// of those mention them (as the app draws them, see
    /// [`hanmadi_protocol::markup::mentioned`] and migration 0013), and the
    /// newest message still there; for their direct rooms, how far the other
    /// person's reading was shared, if both share what they read now.
    pub async fn rooms_for(&self, user: UserId, after: RoomId, limit: u32) -> anyhow::Result<Vec<RoomSummary>> {
        /// id, name, head, members, member (0 or 1), read, unread, mentions,
        /// kind, and for a direct room the other person's id, name and
        /// shared read position (while both share what they read).
        type Row = (i64, String, i64, i64, i64, i64, i64, i64, String, Option<i64>, Option<String>, Option<i64>);
        // `<@12>` in a LIKE pattern: none of its characters is a wildcard. It
        // is looked for among whom a message mentions; in the text of a
        // message from before that was kept (migration 0013).
        let mentioned = format!("%{}%", hanmadi_protocol::mention_token(user));
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT r.id, r.name, r.head_seq, \
                 CAST((SELECT COUNT(*) FROM memberships m WHERE m.room_id = r.id) AS BIGINT), \
                 CAST(CASE WHEN me.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT), \
                 CAST(COALESCE(me.read_seq, 0) AS BIGINT), \
                 CAST((SELECT COUNT(*) FROM messages g WHERE g.room_id = r.id AND g.seq > me.read_seq \
                     AND g.author_id <> $1 AND g.deleted = 0) AS BIGINT), \
                 CAST((SELECT COUNT(*) FROM messages g WHERE g.room_id = r.id AND g.seq > me.read_seq \
                     AND g.author_id <> $1 AND g.deleted = 0 AND COALESCE(g.mentioned, g.body) LIKE $4) AS BIGINT), \
                 r.kind, w.id, w.name, \
                 (SELECT o.shared_read_seq FROM memberships o WHERE o.room_id = d.room_id AND o.user_id = w.id AND ",
            both_share_seen!(),
            ") \
             FROM rooms r LEFT JOIN memberships me ON me.room_id = r.id AND me.user_id = $1 \
             LEFT JOIN direct_rooms d ON d.room_id = r.id \
             LEFT JOIN users w ON w.id = ",
            other_in_pair!("$1"),
            " WHERE r.id > $2 AND (r.kind = 'public' OR me.user_id IS NOT NULL) ORDER BY r.id LIMIT $3",
        ))
        .bind(user.0 as i64)
        .bind(after.0 as i64)
        .bind(i64::from(limit))
        .bind(mentioned)
        .fetch_all(&self.pool)
        .await?;
        let mut last = HashMap::new();
        if rows.iter().any(|row| row.4 > 0) {
            let through = rows.last().map_or(after, |row| RoomId(row.0 as u64));
            last = last_messages::last_messages(&self.pool, user, after, through).await?;
        }
        rows.into_iter()
            .map(
                |(id, name, head, members, mine, read, unread, mentions, kind, with, with_name, seen)| -> anyhow::Result<_> {
                    let with = with.zip(with_name).map(|(id, name)| Profile { id: UserId(id as u64), name });
                    Ok(RoomSummary {
                        id: RoomId(id as u64),
                        name: with.as_ref().map_or(name, |other| other.name.clone()),
                        head: Seq(head as u64),
                        members: members as u64,
                        member: mine > 0,
                        read: Seq(read as u64),
                        unread: u32::try_from(unread).unwrap_or(u32::MAX),
                        mentions: u32::try_from(mentions).unwrap_or(u32::MAX),
                        kind: access::kind_of(&kind)?,
                        with,
                        last: last.remove(&RoomId(id as u64)),
                        seen: Seq(seen.unwrap_or(0) as u64),
                    })
                },
            )
            .collect()
    }

    /// Everyone in the room under their current names, earliest to join first.
    pub async fn members(&self, room: RoomId) -> anyhow::Result<Vec<Member>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = $1 ORDER BY m.joined_at, u.id",
        )
        .bind(room.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, name)| Member { user: UserId(id as u64), name }).collect())
    }

    pub async fn is_member(&self, room: RoomId, user: UserId) -> anyhow::Result<bool> {
        is_member(&self.pool, room, user).await
    }

    /// The room's latest sequence number, or `None` if there is no such room.
    pub async fn head(&self, room: RoomId) -> anyhow::Result<Option<Seq>> {
        let head: Option<i64> = sqlx::query_scalar("SELECT head_seq FROM rooms WHERE id = $1")
            .bind(room.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(head.map(|head| Seq(head as u64)))
    }

    /// Events with `after < seq < before`, oldest first, at most `limit`.
    pub async fn events(
        &self,
        room: RoomId,
        after: Seq,
        before: Option<Seq>,
        limit: u32,
    ) -> anyhow::Result<Vec<StoredEvent>> {
        let before = before.map_or(i64::MAX, |seq| seq.0 as i64);
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, at, body FROM events WHERE room_id = $1 AND seq > $2 AND seq < $3 ORDER BY seq LIMIT $4",
        )
        .bind(room.0 as i64)
        .bind(after.0 as i64)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        decoded(room, rows)
    }

    /// The room's notices (see `RoomEvent::is_notice`) with `from <= seq <
    /// before`, oldest first: the `limit` of them nearest the page's start
    /// (`Toward::Older`: the newest; `Toward::Newer`: the oldest).
    pub async fn notices(
        &self,
        room: RoomId,
        from: Seq,
        before: Seq,
        toward: Toward,
        limit: u32,
    ) -> anyhow::Result<Vec<StoredEvent>> {
        let sql = format!(
            "SELECT seq, at, body FROM events \
             WHERE room_id = $1 AND notice <> 0 AND seq >= $2 AND seq < $3 ORDER BY seq {} LIMIT $4",
            toward.order()
        );
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(&sql)
            .bind(room.0 as i64)
            .bind(from.0 as i64)
            .bind(before.0 as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        match toward {
            Toward::Older => decoded(room, rows.into_iter().rev()),
            Toward::Newer => decoded(room, rows),
        }
    }

    /// `limit` messages from where `page` starts, oldest first: the newest
    /// ones before a seq, or the oldest ones after one; none past `head`.
    pub async fn messages(
        &self,
        room: RoomId,
        page: PageFrom,
        head: Seq,
        limit: u32,
    ) -> anyhow::Result<Vec<MessageView>> {
        /// id, author, author's name, seq, body, created, edited, deleted, and
        /// the id and seq of the message it answers.
        type Row = (i64, i64, String, i64, String, i64, Option<i64>, i64, Option<i64>, Option<i64>);
        let (bound, toward) = match page {
            PageFrom::Before(before) => (before.map_or(i64::MAX, |seq| seq.0 as i64), Toward::Older),
            PageFrom::After(after) => (after.0 as i64, Toward::Newer),
        };
        let sql = format!(
            "SELECT m.id, m.author_id, m.author_name, m.seq, m.body, m.created_at, m.edited_at, m.deleted, \
                    m.reply_to, o.seq \
             FROM messages m LEFT JOIN messages o ON o.id = m.reply_to \
             WHERE m.room_id = $1 AND m.seq {} $2 AND m.seq <= $3 ORDER BY m.seq {} LIMIT $4",
            toward.beyond(),
            toward.order()
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(room.0 as i64)
            .bind(bound)
            .bind(head.0 as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut messages: Vec<MessageView> = rows
            .into_iter()
            .map(|(id, author, author_name, seq, body, at, edited_at, deleted, reply_id, reply_seq)| MessageView {
                id: MessageId(id as u64),
                seq: Seq(seq as u64),
                author: UserId(author as u64),
                author_name,
                text: body,
                at: at as u64,
                edited: edited_at.is_some(),
                deleted: deleted != 0,
                reply_to: reply_id
                    .zip(reply_seq)
                    .map(|(id, seq)| ReplyTo { id: MessageId(id as u64), seq: Seq(seq as u64) }),
                reactions: Vec::new(),
                attachments: Vec::new(),
            })
            .collect();
        if toward == Toward::Older {
            messages.reverse();
        }
        if let (Some(first), Some(last)) = (messages.first(), messages.last()) {
            let mut reactions = self.reactions(room, first.seq, last.seq).await?;
            let mut attachments = self.attachments_of(room, first.seq, last.seq).await?;
            for message in &mut messages {
                message.reactions = reactions.remove(&message.id).unwrap_or_default();
                message.attachments = attachments.remove(&message.id).unwrap_or_default();
            }
        }
        Ok(messages)
    }

    /// The reactions on the room's messages with seqs in `first..=last`, by
    /// message, each emoji's people in the order they chose it.
    async fn reactions(
        &self,
        room: RoomId,
        first: Seq,
        last: Seq,
    ) -> anyhow::Result<HashMap<MessageId, Vec<Reaction>>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT r.message_id, r.emoji, r.user_id FROM reactions r JOIN messages m ON m.id = r.message_id \
             WHERE m.room_id = $1 AND m.seq >= $2 AND m.seq <= $3 ORDER BY r.at, r.user_id",
        )
        .bind(room.0 as i64)
        .bind(first.0 as i64)
        .bind(last.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut by_message: HashMap<MessageId, Vec<Reaction>> = HashMap::new();
        for (message, emoji, user) in rows {
            Reaction::add(by_message.entry(MessageId(message as u64)).or_default(), &emoji, UserId(user as u64));
        }
        Ok(by_message)
    }

    // ---- actions ----

    /// Forgets up to `limit` idempotency records made before `before`, oldest
    /// first; returns how many. In small batches, so no writer waits long.
    pub async fn forget_actions_before(&self, before: Millis, limit: u32) -> anyhow::Result<u64> {
        let _turn = self.write_turn().await;
        let forgotten = sqlx::query(
            "DELETE FROM actions WHERE (user_id, action_key) IN \
             (SELECT user_id, action_key FROM actions WHERE at < $1 ORDER BY at LIMIT $2)",
        )
        .bind(before as i64)
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?;
        Ok(forgotten.rows_affected())
    }

    /// Applies a batch of actions in one transaction (group commit), each exactly
    /// once per `key`: a repeat returns the original outcome and changes nothing.
    /// Every action keeps its own outcome; a refusal refuses that action alone.
    /// On PostgreSQL the transaction also announces its events to the cluster,
    /// so an event is announced if and only if it committed.
    pub async fn apply_batch(&self, actions: &[Submitted<'_>]) -> anyhow::Result<Vec<Applied>> {
        let (_turn, mut tx) = self.begin_write().await?;
        let mut applied = Vec::with_capacity(actions.len());
        for submitted in actions {
            applied.push(apply_once(&mut tx, submitted).await?);
        }
        if self.dialect == Dialect::Postgres {
            for payload in crate::delivery::event_payloads(applied.iter().flat_map(|a| &a.events)) {
                crate::delivery::notify(&mut *tx, &payload).await?;
            }
        }
        tx.commit().await?;
        Ok(applied)
    }
}

pub fn now_millis() -> Millis {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A room's events as stored (seq, time, JSON body), read back.
fn decoded(room: RoomId, rows: impl IntoIterator<Item = (i64, i64, String)>) -> anyhow::Result<Vec<StoredEvent>> {
    rows.into_iter()
        .map(|(seq, at, body)| {
            let event = serde_json::from_str(&body).with_context(|| format!("corrupt event {room}/{seq}"))?;
            Ok(StoredEvent { room, seq: Seq(seq as u64), at: at as u64, event })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hanmadi_protocol::{Action, ActionKey, Outcome};

    use super::*;
    use crate::db;

    /// A session's write takes no turn. One that holds SQLite's write lock
    /// while a group commit starts, reads and would write must make the group
    /// wait, not fail it.
    #[tokio::test]
    async fn a_write_without_a_turn_delays_a_group_commit_and_does_not_fail_it() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("db.sqlite").display());
        let (pool, dialect) = db::connect(&url).await.unwrap();
        let store = Store::new(pool, dialect);
        let mina = store.create_user("Mina").await.unwrap().unwrap();

        let mut session = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *session).await.unwrap();
        sqlx::query("INSERT INTO users (name, created_at) VALUES ('Jun', 0)").execute(&mut *session).await.unwrap();

        let key = ActionKey::new("create-room").unwrap();
        let action = Action::CreateRoom { name: "lunch".into(), private: false };
        let batch = [Submitted { user: &mina, key: &key, action: &action, admission: Admission::Apply }];
        let (applied, ()) = tokio::join!(store.apply_batch(&batch), async {
            // Long enough for a transaction begun DEFERRED to have read and
            // tried to write: it fails at once, the lock being held.
            tokio::time::sleep(Duration::from_millis(300)).await;
            sqlx::query("COMMIT").execute(&mut *session).await.unwrap();
        });

        let applied = applied.expect("the group commit waited for the session's write");
        assert!(matches!(applied[0].settled, Settled::New(Outcome::Applied { .. })), "{:?}", applied[0].settled);
    }
}
