-- Reactions on messages (PostgreSQL). Kept in step with ../sqlite/0002_reactions.sql.

-- One row per person, emoji and message; the event that added it is in events.
CREATE TABLE reactions (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    emoji TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);
