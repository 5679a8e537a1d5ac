-- Where each member has read each room up to (PostgreSQL). Kept in step with ../sqlite/0006_read_positions.sql.
-- Kept on the server so that unread counts and the "New messages" line
-- survive reloads and follow the person to their other tabs and devices.
-- It only moves forward, and never past the room's head.
ALTER TABLE memberships ADD COLUMN read_seq BIGINT NOT NULL DEFAULT 0;

-- Nobody starts with a room's whole history unread.
UPDATE memberships SET read_seq = (SELECT head_seq FROM rooms WHERE rooms.id = memberships.room_id);
