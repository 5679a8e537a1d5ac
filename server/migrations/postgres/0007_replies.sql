-- Which earlier message of the same room a message answers (PostgreSQL). Kept in step with ../sqlite/0007_replies.sql.
-- Only the id: the quote above a reply is read from the original as it stands,
-- so a deleted original leaves no copy of its text in the reply.
ALTER TABLE messages ADD COLUMN reply_to BIGINT REFERENCES messages (id);
