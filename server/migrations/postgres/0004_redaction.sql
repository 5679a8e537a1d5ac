-- Which message an event carries the text of (PostgreSQL). Kept in step with ../sqlite/0004_redaction.sql.
-- Editing a message rewrites the text of every event of it to the latest;
-- deleting it blanks them all: old text can be read nowhere, while each event
-- keeps its seq so the log stays contiguous.
ALTER TABLE events ADD COLUMN message_id BIGINT;

UPDATE events SET message_id = (body::jsonb ->> 'id')::BIGINT
WHERE body::jsonb ->> 'kind' IN ('message', 'edited');

CREATE INDEX events_by_message ON events (message_id) WHERE message_id IS NOT NULL;

-- Messages deleted before this migration lose their text everywhere now.
UPDATE events SET body = jsonb_set(body::jsonb, '{text}', '""')::TEXT
WHERE message_id IN (SELECT id FROM messages WHERE deleted <> 0);
