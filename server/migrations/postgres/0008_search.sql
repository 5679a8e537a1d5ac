-- Message search (PostgreSQL). Kept in step with ../sqlite/0008_search.sql.
-- A trigram index (pg_trgm, shipped with PostgreSQL and trusted, so the
-- database's owner may install it) on the text of messages still there: an
-- ILIKE '%…%' search finds any part of a word in any script, Korean included,
-- case-insensitively. The index follows every insert, edit and deletion in
-- the same transaction; a deleted message (its text blanked) leaves it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- New entries wait in the index's pending list and are merged into it in
-- bulk (cheap per message: the writer's transactions stay short). The list
-- is kept at 256 kB rather than 4 MB: the insert that merges it stalls for a
-- few milliseconds rather than tens, and while it is long the planner scans
-- every message instead of using the index.
CREATE INDEX messages_body_trigrams ON messages USING gin (body gin_trgm_ops)
    WITH (gin_pending_list_limit = 256) WHERE deleted = 0;
