-- Private rooms, their invite links, and direct conversations (SQLite).
-- Kept in step with ../postgres/0010_private_rooms.sql.

-- 'public': listed to everyone and open to join (every room before this);
-- 'private': listed to and read by its members only, joined with an invite;
-- 'direct': two people's conversation, found again by their pair.
ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'public';

-- Invite links to private rooms. Only the token's SHA-256 is kept, so the
-- database (or a backup of it) cannot be used to join; the token itself is
-- shown once, to the member who made it. A revoked invite stays, marked,
-- so its creator's list can say so and the limit counts live ones only.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id BIGINT NOT NULL REFERENCES rooms (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX invites_by_room ON invites (room_id);

-- The direct room of each pair of people, the smaller user id first. The row
-- is claimed before its room is made (room_id still empty), so two people
-- opening the conversation at once, on any nodes, find one room: the second
-- claim waits for the first and then reads its room.
CREATE TABLE direct_rooms (
    low_user BIGINT NOT NULL REFERENCES users (id),
    high_user BIGINT NOT NULL REFERENCES users (id),
    room_id BIGINT REFERENCES rooms (id),
    PRIMARY KEY (low_user, high_user)
);
-- The rooms list names each direct room after the other person, found by its room.
CREATE UNIQUE INDEX direct_rooms_by_room ON direct_rooms (room_id);
