//! Message search: the messages in the rooms a person is in whose text
//! contains what they typed, newest first, as they stand now. How each
//! database finds them is in `docs/ARCHITECTURE.md` ("Search"); in short:
//!
//! - SQLite: the trigram full-text index `messages_fts` (migration 0008) for
//!   three characters or more; a scan of the person's rooms for fewer, which
//!   the index cannot look up. New messages are indexed in batches
//!   ([`index`]), and a search first indexes those still waiting;
//! - PostgreSQL: `ILIKE`, served by a pg_trgm index on the text.
//!
//! A search also finds the mentions of the people, in a room with the person
//! searching, whose names contain it (an `@` before it aside): a mention is
//! held in the text as the person's token (`<@12>`), not their name, and the
//! app draws it as "@Mina".
//!
//! Deleted messages are never found: their text is blanked and they leave the
//! index in the transaction that deletes them (or never enter it), and every
//! query also asks for `deleted = 0`. An edit replaces the indexed text, so
//! only the latest is found.

mod highlight;
mod index;

pub use index::index_for_search_in_background;

use hanmadi_protocol::http::{SearchHit, SearchResults};
use hanmadi_protocol::{mention_token, MessageId, RoomId, Seq, UserId};

use super::Store;
use crate::db::Dialect;

/// What a hit is read as ([`Row`]). A direct room's name is the other
/// person's, as in the rooms list.
macro_rules! hit_columns {
    () => {
        concat!(
            "SELECT m.id, m.room_id, \
             COALESCE((SELECT w.name FROM direct_rooms d JOIN users w ON w.id = ",
            other_in_pair!("$1"),
            " WHERE d.room_id = r.id), r.name), \
             m.seq, m.author_id, m.author_name, m.body, m.created_at "
        )
    };
}

/// A search's query: the hit's columns from the messages of rooms `$1` is in
/// that `matched` (a condition on `m`) and are not deleted, newest first,
/// below id `$3`, at most `$4`.
macro_rules! hits_where {
    ($matched:literal) => {
        concat!(
            hit_columns!(),
            "FROM messages m \
             JOIN memberships ms ON ms.room_id = m.room_id AND ms.user_id = $1 \
             JOIN rooms r ON r.id = m.room_id \
             WHERE ",
            $matched,
            " AND m.deleted = 0 AND m.id < $3 \
             ORDER BY m.id DESC LIMIT $4"
        )
    };
}

/// The fewest characters SQLite's trigram index can look up.
const TRIGRAM: usize = 3;

/// Hits through the trigram index. `$2` is an FTS5 phrase ([`fts5_phrase`]).
/// The membership join keeps the search to the person's rooms; message ids
/// grow with time, so the newest come first and a page ends at a message id.
const SQLITE_INDEXED: &str = hits_where!("m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $2)");

/// Hits by scanning, for one or two characters. `$2` is a LIKE pattern
/// ([`like_pattern`]); SQLite's LIKE ignores case for ASCII letters only.
const SQLITE_SCANNED: &str = hits_where!("m.body LIKE $2 ESCAPE '\\'");

/// Hits on PostgreSQL, any length. `deleted = 0` is also what lets the
/// planner use the partial trigram index.
const POSTGRES: &str = hits_where!("m.body ILIKE $2 ESCAPE '\\'");

/// [`SQLITE_SCANNED`], or a mention of someone so named: `$5` is an FTS5
/// query for their tokens ([`any_phrase`]), which the trigram index finds.
const SQLITE_SCANNED_OR_MENTIONED: &str =
    hits_where!("(m.body LIKE $2 ESCAPE '\\' OR m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $5))");

/// [`POSTGRES`], or a mention of someone so named: `$5` is a regular
/// expression for their tokens ([`any_token`]). The trigram index serves a
/// regular expression too, so both halves are looked up, not scanned.
const POSTGRES_OR_MENTIONED: &str = hits_where!("(m.body ILIKE $2 ESCAPE '\\' OR m.body ~ $5)");

/// The people in a room with `$1` (themself included) whose name is like
/// `$2`, shortest names first (the one called just that before the longer
/// ones holding it), at most `$3`. From `$1`'s memberships (migration 0011).
macro_rules! people_named {
    ($like:literal) => {
        concat!(
            "SELECT u.id FROM users u \
             WHERE u.id IN (SELECT theirs.user_id FROM memberships mine \
                 JOIN memberships theirs ON theirs.room_id = mine.room_id WHERE mine.user_id = $1) \
             AND u.name ",
            $like,
            " $2 ESCAPE '\\' ORDER BY length(u.name), u.id LIMIT $3"
        )
    };
}

/// The most people whose mentions one search looks for: a letter or two is
/// in many names, and each adds a term to the query.
const MAX_NAMED: i64 = 20;

/// id, room, room's name, seq, author, author's name, text, created.
type Row = (i64, i64, String, i64, i64, String, String, i64);

impl Store {
    /// The newest `limit` messages with ids below `before` in the rooms `user`
    /// is in whose text contains `needle`, ignoring case, newest first, and
    /// whether there are older ones. `needle` is searched for as typed, every
    /// character literally (the API has refused blank and overlong ones).
    pub async fn search(
        &self,
        user: UserId,
        needle: &str,
        before: Option<MessageId>,
        limit: u32,
    ) -> anyhow::Result<SearchResults> {
        if let Err(error) = self.catch_up_search_index().await {
            // The search still answers, without the newest messages at worst.
            tracing::warn!(error = format!("{error:#}"), "cannot index the newest messages before a search");
        }
        let named = self.people_named(user, needle).await?;
        let tokens: Vec<String> = named.iter().copied().map(mention_token).collect();
        let phrases = |first: Option<&str>| any_phrase(first.into_iter().chain(tokens.iter().map(String::as_str)));
        let (sql, pattern, mentioned) = match (self.dialect, named.is_empty()) {
            (Dialect::Sqlite, _) if needle.chars().count() >= TRIGRAM => (SQLITE_INDEXED, phrases(Some(needle)), None),
            (Dialect::Sqlite, true) => (SQLITE_SCANNED, like_pattern(needle), None),
            (Dialect::Sqlite, false) => (SQLITE_SCANNED_OR_MENTIONED, like_pattern(needle), Some(phrases(None))),
            (Dialect::Postgres, true) => (POSTGRES, like_pattern(needle), None),
            (Dialect::Postgres, false) => (POSTGRES_OR_MENTIONED, like_pattern(needle), Some(any_token(&named))),
        };
        let before = before.map_or(i64::MAX, |id| i64::try_from(id.0).unwrap_or(i64::MAX));
        // One more than asked for says whether there is another page.
        let mut query = sqlx::query_as(sql)
            // PostgreSQL plans an unnamed statement for the pattern at hand,
            // while a kept one soon gets a generic plan that cannot know a
            // rare word from a common one, and scans every message for both.
            .persistent(self.dialect == Dialect::Sqlite)
            .bind(user.0 as i64)
            .bind(pattern)
            .bind(before)
            .bind(i64::from(limit) + 1);
        if let Some(mentioned) = mentioned {
            query = query.bind(mentioned);
        }
        let rows: Vec<Row> = query.fetch_all(&self.pool).await?;
        let more = rows.len() > limit as usize;
        let hits = rows.into_iter().take(limit as usize).map(|row| hit(row, needle, &tokens)).collect();
        Ok(SearchResults { hits, more })
    }

    /// The people in a room with `user` (themself included) whose name
    /// contains `needle`, an `@` before it aside, ignoring case (on SQLite
    /// for ASCII letters only, as its scan of a short search): their
    /// mentions are searched for too.
    async fn people_named(&self, user: UserId, needle: &str) -> anyhow::Result<Vec<UserId>> {
        let name = needle.strip_prefix('@').unwrap_or(needle);
        if name.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self.dialect {
            Dialect::Sqlite => people_named!("LIKE"),
            Dialect::Postgres => people_named!("ILIKE"),
        };
        let ids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(user.0 as i64)
            .bind(like_pattern(name))
            .bind(MAX_NAMED)
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().map(|id| UserId(id as u64)).collect())
    }
}

fn hit((id, room, room_name, seq, author, author_name, text, at): Row, needle: &str, tokens: &[String]) -> SearchHit {
    SearchHit {
        room: RoomId(room as u64),
        room_name,
        message: MessageId(id as u64),
        seq: Seq(seq as u64),
        author: UserId(author as u64),
        author_name,
        highlights: highlight::highlights(&text, needle, tokens),
        text,
        at: at as u64,
    }
}

/// `needle` as one FTS5 phrase: quoted, with its own quotes doubled, so that
/// nothing in it is read as query syntax (`OR`, `*`, `NEAR`, column filters).
/// The trigram tokenizer then matches it as a substring.
fn fts5_phrase(needle: &str) -> String {
    format!("\"{}\"", needle.replace('"', "\"\""))
}

/// An FTS5 query for text containing any of `needles`, each one phrase.
fn any_phrase<'a>(needles: impl Iterator<Item = &'a str>) -> String {
    needles.map(fts5_phrase).collect::<Vec<_>>().join(" OR ")
}

/// A regular expression for text holding the token of any of `people`
/// (`<@(12|15)>`): ids are digits, so nothing in it needs escaping.
fn any_token(people: &[UserId]) -> String {
    let ids: Vec<String> = people.iter().map(|person| person.0.to_string()).collect();
    format!("<@({})>", ids.join("|"))
}

/// A LIKE pattern for text containing `needle`, with LIKE's wildcards (and
/// the escape character itself) in it escaped by `\`, so `100%` finds only
/// "100%".
fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_cannot_escape_its_quotes() {
        assert_eq!(fts5_phrase("점심 먹자"), "\"점심 먹자\"");
        assert_eq!(fts5_phrase("a\" OR \"b"), "\"a\"\" OR \"\"b\"");
        assert_eq!(fts5_phrase("lun*"), "\"lun*\"");
    }

    #[test]
    fn mentions_are_looked_for_beside_the_words() {
        assert_eq!(any_phrase(["mina", "<@12>"].into_iter()), "\"mina\" OR \"<@12>\"");
        assert_eq!(any_token(&[UserId(12), UserId(7)]), "<@(12|7)>");
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(like_pattern("100%"), "%100\\%%");
        assert_eq!(like_pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(like_pattern("점심"), "%점심%");
    }
}
