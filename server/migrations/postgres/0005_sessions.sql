-- Sessions kept on the server, and signing keys with ids (PostgreSQL). Kept in step with ../sqlite/0005_sessions.sql.
-- A token names its session and generation: signing out or an operator's
-- revocation ends the session, and each refresh moves it to a new generation
-- so the older token stops working.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- When the generation last moved: the one before it is still answered for
    -- a moment, so two tabs refreshing at once both carry on.
    refreshed_at BIGINT NOT NULL,
    ended_at BIGINT
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The key that signed tokens before keys had ids keeps verifying them.
INSERT INTO signing_keys (id, secret, created_at)
SELECT 'k0', value, 0 FROM server_secrets WHERE name = 'token_key';
DELETE FROM server_secrets WHERE name = 'token_key';
