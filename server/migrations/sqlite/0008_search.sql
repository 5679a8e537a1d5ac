-- Message search (SQLite). Kept in step with ../postgres/0008_search.sql.
-- A full-text index of every message's text as it stands now, by trigrams:
-- every run of three characters, so it finds any part of a word in any
-- script (Korean has no spaces between a word and its particles, and no
-- stemmer to lean on), case-insensitively. Searches shorter than three
-- characters cannot use it; the server scans the searcher's rooms for those.
--
-- Contentless: it keeps no second copy of the text, only the index, and
-- `contentless_delete` lets a row be taken out by its rowid (the message id).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

-- A deleted or edited message's old text is purged from the index at once,
-- not merely marked deleted until segments happen to be merged.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);

-- Kept in step by triggers, inside the transaction that changes the message:
-- a new message is indexed; an edit replaces its entry; a deletion (the text
-- blanked, `deleted` set) takes it out for good.
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted = 0
BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted ON messages
BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
    INSERT INTO messages_fts (rowid, body) SELECT new.id, new.body WHERE new.deleted = 0;
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;

INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE deleted = 0;
