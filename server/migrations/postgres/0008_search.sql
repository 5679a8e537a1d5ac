-- Message search (PostgreSQL). Kept in step with ../sqlite/0008_search.sql.
-- A trigram index (pg_trgm, shipped with PostgreSQL and trusted, so the
-- database's owner may install it) on the text of messages still there: an
-- ILIKE '%…%' search finds any part of a word in any script, Korean included,
-- case-insensitively. The index follows every insert, edit and deletion in
-- the same transaction; a deleted message (its text blanked) leaves it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX messages_body_trigrams ON messages USING gin (body gin_trgm_ops) WHERE deleted = 0;
