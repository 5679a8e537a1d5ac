-- Idempotency records stay small and bounded (PostgreSQL). Kept in step with ../sqlite/0003_action_records.sql.

-- A digest of the action a key was first used for: the same key sent with a
-- different action is refused instead of answered with the first one's outcome.
-- Records made before this column existed have none and are trusted as before.
ALTER TABLE actions ADD COLUMN digest TEXT;

-- Records older than the retention are pruned, oldest first.
CREATE INDEX actions_by_age ON actions (at);
