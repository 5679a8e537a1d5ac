-- Message search (SQLite): new messages are indexed in batches by a task of
-- the server's own (`server/src/store/search/index.rs`; why, in
-- docs/ARCHITECTURE.md, "Search"), not each in the transaction that adds it.
--
-- Every message with an id up to `up_to` is in the index, as its text stands
-- now; those above it are not yet. One row, always.
CREATE TABLE search_indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    up_to INTEGER NOT NULL
);

-- Migration 0008's triggers have indexed every message so far.
INSERT INTO search_indexed (id, up_to) SELECT 1, COALESCE(MAX(id), 0) FROM messages;

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;

-- An edit or deletion of a message already indexed changes its entry in the
-- same transaction, as before: a deleted message's text leaves the index at
-- once. One not yet indexed is left alone: the index takes its text as it
-- stands when it comes to it, and none if it was deleted.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted ON messages
WHEN old.id <= (SELECT up_to FROM search_indexed)
BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
    INSERT INTO messages_fts (rowid, body) SELECT new.id, new.body WHERE new.deleted = 0;
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT up_to FROM search_indexed)
BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;
