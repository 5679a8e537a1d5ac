-- Whether each person's direct conversations say what was seen (PostgreSQL).
-- Kept in step with ../sqlite/0014_shares_seen.sql. 1, the default, shares it
-- both ways; 0 neither: the other person is not told how far they have read,
-- nor are they told how far the other has (`hanmadi_protocol::http::Settings`).
ALTER TABLE users ADD COLUMN shares_seen BIGINT NOT NULL DEFAULT 1;

-- How far each member's reading was shared: `read_seq` as it stood when it
-- last moved while both people of the direct room shared what they read.
-- What is read while either keeps it to themselves stays theirs, even once
-- both share again (and no one can look while sharing for a moment).
ALTER TABLE memberships ADD COLUMN shared_read_seq BIGINT NOT NULL DEFAULT 0;
UPDATE memberships SET shared_read_seq = read_seq;
