-- Which events are notices: the room's creation, a join, a leave, a rename
-- (SQLite). Kept in step with ../postgres/0012_notices.sql. History pages carry
-- them beside their messages, so "Jun joined" is still there after a reload;
-- the index finds them without reading the reactions and edits between.
ALTER TABLE events ADD COLUMN notice BIGINT NOT NULL DEFAULT 0;

UPDATE events SET notice = 1
WHERE json_extract(body, '$.kind') IN ('created', 'joined', 'left', 'renamed');

CREATE INDEX events_notices ON events (room_id, seq) WHERE notice <> 0;
