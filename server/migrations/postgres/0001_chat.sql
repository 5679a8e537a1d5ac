-- Hanmadi's schema (PostgreSQL). Kept in step with ../sqlite/0001_chat.sql.

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE rooms (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    -- The last sequence number given to an event in this room; bumped in the
    -- same transaction that stores the event.
    head_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
    room_id BIGINT NOT NULL REFERENCES rooms (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
    -- The seq of the event that created the message: pages of history are cut by it.
    seq BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    -- 0 or 1 (an integer: the Any driver cannot read SQLite booleans).
    deleted BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX messages_by_room_seq ON messages (room_id, seq);

-- Every reliable event, replayed to resuming clients in seq order.
CREATE TABLE events (
    room_id BIGINT NOT NULL REFERENCES rooms (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (room_id, seq)
);

-- The outcome of every action, by the user's idempotency key: a repeat gets the
-- same answer and changes nothing.
CREATE TABLE actions (
    user_id BIGINT NOT NULL REFERENCES users (id),
    action_key TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (user_id, action_key)
);
