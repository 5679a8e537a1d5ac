//! The database pool: SQLite by default (one file, WAL, created on first start),
//! PostgreSQL when the URL says so. The same queries run on both through sqlx's
//! `Any` driver; only the migrations differ.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

/// Which database is behind the pool, for the few decisions that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub async fn connect(database_url: &str) -> anyhow::Result<(AnyPool, Dialect)> {
    sqlx::any::install_default_drivers();
    let dialect = if database_url.starts_with("sqlite:") {
        Dialect::Sqlite
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Dialect::Postgres
    } else {
        anyhow::bail!("unsupported database URL {database_url:?}: use sqlite://… or postgres://…");
    };
    let url = match dialect {
        Dialect::Sqlite => sqlite_url(database_url)?,
        Dialect::Postgres => database_url.to_owned(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if dialect == Dialect::Sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        // No ping before every use: a dead connection fails its query, and the
        // ping is one more round trip on the write path.
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if dialect == Dialect::Sqlite {
                    // Per connection: enforce references, wait for the writer
                    // instead of failing at once, and with WAL, NORMAL keeps every
                    // committed transaction across a process crash. No connection
                    // checkpoints on commit (see `store::checkpoint`).
                    // What is deleted is overwritten, not left in free pages:
                    // a deleted message's file is gone from the database file.
                    conn.execute(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                         PRAGMA wal_autocheckpoint = 0; PRAGMA secure_delete = ON",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(database_url)))?;
    match dialect {
        Dialect::Sqlite => {
            // WAL is a property of the file: readers never wait for the writer.
            pool.execute("PRAGMA journal_mode = WAL").await.context("cannot switch SQLite to WAL")?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await.context("cannot migrate the database")?;
        }
        Dialect::Postgres => {
            sqlx::migrate!("./migrations/postgres").run(&pool).await.context("cannot migrate the database")?;
        }
    }
    Ok((pool, dialect))
}

/// Creates the SQLite file's folder and asks for the file to be created if missing.
fn sqlite_url(database_url: &str) -> anyhow::Result<String> {
    let path = database_url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path != ":memory:" {
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the database folder {}", parent.display()))?;
        }
    }
    let separator = if database_url.contains('?') { '&' } else { '?' };
    Ok(if database_url.contains("mode=") {
        database_url.to_owned()
    } else {
        format!("{database_url}{separator}mode=rwc")
    })
}

/// The URL without its password, fit for an error message or a log.
fn redact(database_url: &str) -> String {
    match (database_url.find("://"), database_url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &database_url[..scheme], &database_url[at..]),
        _ => database_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://chat:s3cret@127.0.0.1:5432/chat"), "postgres://…@127.0.0.1:5432/chat");
        assert_eq!(redact("sqlite://data/hanmadi.db"), "sqlite://data/hanmadi.db");
    }
}
