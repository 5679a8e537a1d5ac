-- Which message an event carries the text of (SQLite). Kept in step with ../postgres/0004_redaction.sql.
-- Editing a message rewrites the text of every event of it to the latest;
-- deleting it blanks them all: old text can be read nowhere, while each event
-- keeps its seq so the log stays contiguous.
ALTER TABLE events ADD COLUMN message_id BIGINT;

UPDATE events SET message_id = json_extract(body, '$.id')
WHERE json_extract(body, '$.kind') IN ('message', 'edited');

CREATE INDEX events_by_message ON events (message_id) WHERE message_id IS NOT NULL;

-- Messages deleted before this migration lose their text everywhere now.
UPDATE events SET body = json_set(body, '$.text', '')
WHERE message_id IN (SELECT id FROM messages WHERE deleted <> 0);
