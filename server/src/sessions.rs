//! Sessions kept on the server, so that a session can end: signing out
//! (`DELETE /api/session`), an operator's `hanmadi-server revoke-user`, and each
//! refresh (which moves the session to a new generation, so the token it
//! replaced stops working).
//!
//! A token is checked once per socket (at hello) and once per API call: its
//! signature here without the database, then one primary-key lookup. Sockets
//! already open with a session that ends are closed (4401): this node tells
//! its own sockets at once, and every node polls for sessions ended elsewhere
//! (and for a new signing key, which it signs with from then on).

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hanmadi_protocol::UserId;
use sqlx::AnyPool;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use crate::auth::{unix_now, Claims, Issued, SessionRef, TokenError, Tokens};

/// How long the token a refresh replaced still gets the new one instead of a
/// refusal: two tabs of one browser renewing the same token at once both
/// carry on, while a copy used later is refused.
const REPLACED_TOKEN_GRACE: Duration = Duration::from_secs(60);
/// How often each node looks for sessions ended on another node or by an
/// operator, to close its sockets signed in with them, and for a new
/// signing key.
const ENDED_POLL: Duration = Duration::from_secs(2);
/// Keys are read again for a token signed with an unknown one at most this
/// often, so forged key ids cannot make every request hit the database.
const KEY_RELOAD_EVERY: Duration = Duration::from_secs(10);
/// How long a token signed with a key this node does not know waits for the
/// keys to be read after it came: past it, the token is neither good nor
/// refused. The poll reads them every [`ENDED_POLL`].
const KEY_READ_WAIT: Duration = Duration::from_secs(5);

pub struct Sessions {
    pool: AnyPool,
    tokens: RwLock<Tokens>,
    keys_reloaded: Mutex<Option<Instant>>,
    /// When the read of the signing keys last held by this node began.
    keys_read: watch::Sender<Instant>,
    /// The server stopping: the poll reads no more keys, so nothing waits for it.
    shutdown: CancellationToken,
    /// The ids of sessions that ended, for every socket on this node.
    ended: broadcast::Sender<Arc<str>>,
}

/// A session as its row says.
struct Row {
    generation: i64,
    refreshed_at: i64,
    ended: bool,
}

impl Sessions {
    /// Starts watching for sessions ended elsewhere, until `shutdown`.
    pub fn start(pool: AnyPool, tokens: Tokens, shutdown: CancellationToken) -> Arc<Self> {
        let (ended, _) = broadcast::channel(256);
        let sessions = Arc::new(Self {
            pool,
            tokens: RwLock::new(tokens),
            keys_reloaded: Mutex::new(None),
            keys_read: watch::Sender::new(Instant::now()),
            ended,
            shutdown,
        });
        tokio::spawn(Arc::clone(&sessions).watch_ended());
        sessions
    }

    /// Signs `user` in: a new session, and its first token.
    pub async fn open(&self, user: UserId) -> anyhow::Result<Issued> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).context("no randomness for a session id")?;
        let session = SessionRef { id: URL_SAFE_NO_PAD.encode(id), generation: 1 };
        let now = unix_now() as i64;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, generation, created_at, refreshed_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&session.id)
        .bind(user.0 as i64)
        .bind(session.generation)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(self.issue(user, &session))
    }

    /// The user and session of a token that may be used now: unexpired, of a
    /// session still open, and the session's latest.
    pub async fn check(&self, token: &str) -> Result<(UserId, Arc<str>), TokenError> {
        let (user, session) = self.read(token).await?.check_current()?;
        match self.row(&session.id, user).await? {
            Some(row) if !row.ended && row.generation == session.generation => Ok((user, session.id.into())),
            _ => Err(TokenError::Ended),
        }
    }

    /// A fresh token for `token`'s session, which moves to a new generation:
    /// `token` stops working. The token just replaced gets the fresh one too,
    /// for a moment (see [`REPLACED_TOKEN_GRACE`]). A token from before
    /// sessions were kept opens one.
    pub async fn refresh(&self, token: &str) -> Result<(UserId, Issued), TokenError> {
        let claims = self.read(token).await?.check_refreshable()?;
        let Some(session) = claims.session else {
            return self.open(claims.user).await.map(|issued| (claims.user, issued)).map_err(unavailable);
        };
        let user = claims.user;
        for _ in 0..2 {
            let row = self.row(&session.id, user).await?.filter(|row| !row.ended).ok_or(TokenError::Ended)?;
            if row.generation == session.generation {
                if self.advance(&session).await.map_err(unavailable)? {
                    let next = SessionRef { id: session.id.clone(), generation: session.generation + 1 };
                    return Ok((user, self.issue(user, &next)));
                }
                continue; // another refresh of the same token won the race: read it again
            }
            let replaced_lately = unix_now() as i64 - row.refreshed_at <= REPLACED_TOKEN_GRACE.as_secs() as i64;
            if row.generation == session.generation + 1 && replaced_lately {
                let current = SessionRef { id: session.id.clone(), generation: row.generation };
                return Ok((user, self.issue(user, &current)));
            }
            break;
        }
        Err(TokenError::Ended)
    }

    /// Signs out: the session of `token` ends, and its sockets close. A token
    /// that no longer works has nothing to end.
    pub async fn end(&self, token: &str) -> Result<(), TokenError> {
        let claims = self.read(token).await?;
        let session = claims.session.ok_or(TokenError::NoSession)?;
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND user_id = $3 AND ended_at IS NULL")
            .bind(unix_now() as i64)
            .bind(&session.id)
            .bind(claims.user.0 as i64)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        let _ = self.ended.send(session.id.into());
        Ok(())
    }

    /// Session ids as they end, for a socket to close when its own does. A
    /// receiver that lags must check its session again with [`Sessions::is_open`].
    pub fn subscribe_ended(&self) -> broadcast::Receiver<Arc<str>> {
        self.ended.subscribe()
    }

    pub async fn is_open(&self, session: &str) -> anyhow::Result<bool> {
        let ended: Option<Option<i64>> = sqlx::query_scalar("SELECT ended_at FROM sessions WHERE id = $1")
            .bind(session)
            .fetch_optional(&self.pool)
            .await?;
        Ok(matches!(ended, Some(None)))
    }

    fn issue(&self, user: UserId, session: &SessionRef) -> Issued {
        self.tokens.read().expect("tokens lock").issue(user, session)
    }

    /// A token's claims. One signed with a key this node does not know is
    /// refused only once keys read after it came do not know it either:
    /// another node, or an operator, may have just added that key, and a
    /// refusal would end the session for good. Till then it waits for a read
    /// (its own, if one is due, or another request's, or the poll's).
    async fn read(&self, token: &str) -> Result<Claims, TokenError> {
        let came_at = Instant::now();
        let mut keys_read = self.keys_read.subscribe();
        let waited = tokio::time::timeout(KEY_READ_WAIT, async {
            loop {
                let read_at = *keys_read.borrow_and_update();
                let read = self.tokens.read().expect("tokens lock").read(token);
                match read {
                    Err(TokenError::UnknownKey(_)) if read_at < came_at => {}
                    other => return other,
                }
                if self.may_reload_keys() {
                    if let Err(error) = self.reload_keys().await {
                        // Not known yet, not unknown: the next request reads them again.
                        *self.keys_reloaded.lock().expect("reload lock") = None;
                        return Err(unavailable(error));
                    }
                } else {
                    tokio::select! {
                        changed = keys_read.changed() => changed.map_err(|_| TokenError::Unavailable)?,
                        () = self.shutdown.cancelled() => return Err(TokenError::Unavailable),
                    }
                }
            }
        });
        waited.await.unwrap_or(Err(TokenError::Unavailable))
    }

    /// Reads the signing keys. Of two reads at once (a request's and the
    /// poll's), the one begun later is kept, whichever ends first.
    async fn reload_keys(&self) -> anyhow::Result<()> {
        let began = Instant::now();
        let current = self.tokens.read().expect("tokens lock").clone();
        let fresh = current.reload_keys(&self.pool).await?;
        self.keys_read.send_if_modified(|read_at| {
            let newer = began > *read_at;
            if newer {
                *self.tokens.write().expect("tokens lock") = fresh;
                *read_at = began;
            }
            newer
        });
        Ok(())
    }

    fn may_reload_keys(&self) -> bool {
        let mut last = self.keys_reloaded.lock().expect("reload lock");
        let due = last.is_none_or(|at| at.elapsed() >= KEY_RELOAD_EVERY);
        if due {
            *last = Some(Instant::now());
        }
        due
    }

    async fn row(&self, session: &str, user: UserId) -> Result<Option<Row>, TokenError> {
        let row: Option<(i64, i64, Option<i64>)> =
            sqlx::query_as("SELECT generation, refreshed_at, ended_at FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(session)
                .bind(user.0 as i64)
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
        Ok(row.map(|(generation, refreshed_at, ended_at)| Row { generation, refreshed_at, ended: ended_at.is_some() }))
    }

    /// Moves the session past `session.generation`; false if it already was.
    async fn advance(&self, session: &SessionRef) -> anyhow::Result<bool> {
        let moved = sqlx::query(
            "UPDATE sessions SET generation = generation + 1, refreshed_at = $1 \
             WHERE id = $2 AND generation = $3 AND ended_at IS NULL",
        )
        .bind(unix_now() as i64)
        .bind(&session.id)
        .bind(session.generation)
        .execute(&self.pool)
        .await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Tells this node's sockets about sessions ended on other nodes or by an
    /// operator, and picks up new signing keys, every [`ENDED_POLL`].
    async fn watch_ended(self: Arc<Self>) {
        let mut since = unix_now() as i64;
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => return,
                () = tokio::time::sleep(ENDED_POLL) => {}
            }
            // A second of overlap: an end written in the same second as the
            // last poll is not missed (telling a socket twice is harmless).
            let polled_at = unix_now() as i64;
            let ended: Result<Vec<String>, _> = sqlx::query_scalar("SELECT id FROM sessions WHERE ended_at >= $1")
                .bind(since - 1)
                .fetch_all(&self.pool)
                .await;
            match ended {
                Ok(ended) => {
                    since = polled_at;
                    for id in ended {
                        let _ = self.ended.send(id.into());
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot look for ended sessions"),
            }
            if let Err(error) = self.reload_keys().await {
                tracing::warn!(%error, "cannot read the signing keys");
            }
        }
    }
}

/// Ends every session of `user` (an operator's revocation, from the command
/// line). Their sockets close within [`ENDED_POLL`] on every running node.
pub async fn end_all_of(pool: &AnyPool, user: UserId) -> anyhow::Result<u64> {
    let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(unix_now() as i64)
        .bind(user.0 as i64)
        .execute(pool)
        .await?;
    Ok(ended.rows_affected())
}

/// The database did not answer (down, restarting, its pool exhausted): the
/// token is neither good nor refused.
fn unavailable(error: impl std::fmt::Display) -> TokenError {
    tracing::warn!(%error, "the sessions cannot be read or written");
    TokenError::Unavailable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::add_signing_key;
    use crate::db;

    const TTL: Duration = Duration::from_secs(3600);

    /// A fresh database's pool and signing keys.
    async fn database() -> (tempfile::TempDir, AnyPool, Tokens) {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("db.sqlite").display());
        let (pool, _) = db::connect(&url).await.unwrap();
        let tokens = Tokens::load_or_create(&pool, TTL).await.unwrap();
        (folder, pool, tokens)
    }

    /// A node's sessions, with Mina signed in.
    async fn node(pool: &AnyPool, tokens: Tokens) -> (Arc<Sessions>, UserId, SessionRef) {
        let sessions = Sessions::start(pool.clone(), tokens, CancellationToken::new());
        let mina: i64 = sqlx::query_scalar("INSERT INTO users (name, created_at) VALUES ('Mina', 0) RETURNING id")
            .fetch_one(pool)
            .await
            .unwrap();
        let mina = UserId(mina as u64);
        let issued = sessions.open(mina).await.unwrap();
        let (_, session) = sessions.read(&issued.token).await.unwrap().check_current().unwrap();
        (sessions, mina, session)
    }

    #[tokio::test]
    async fn a_key_another_node_just_added_is_honoured_though_the_keys_were_just_read() {
        let (_folder, pool, tokens) = database().await;
        let (sessions, mina, session) = node(&pool, tokens).await;
        // A made-up key makes this node read its keys, which it will not do
        // again on demand for a while.
        let (_elsewhere, _, foreign) = database().await;
        let forged = foreign.issue(mina, &session).token;
        assert!(matches!(sessions.check(&forged).await, Err(TokenError::UnknownKey(_))));

        // Then another node adds a key and signs Mina's token with it.
        add_signing_key(&pool).await.unwrap();
        let other_node = Tokens::load_or_create(&pool, TTL).await.unwrap();
        let token = other_node.issue(mina, &session).token;
        let checked = sessions.check(&token).await;
        assert_eq!(checked.map(|(user, _)| user), Ok(mina), "it waits for the keys to be read, not refused");
    }
}
