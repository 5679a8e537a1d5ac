-- Whether each person's direct conversations say what was seen (PostgreSQL).
-- Kept in step with ../sqlite/0014_shares_seen.sql. 1, the default, shares it
-- both ways; 0 neither: the other person is not told how far they have read,
-- nor are they told how far the other has (`hanmadi_protocol::http::Settings`).
ALTER TABLE users ADD COLUMN shares_seen BIGINT NOT NULL DEFAULT 1;
