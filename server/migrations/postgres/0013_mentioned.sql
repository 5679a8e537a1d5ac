-- Whom each message mentions, as the app draws it (PostgreSQL). Kept in step with
-- ../sqlite/0013_mentioned.sql. The mention tokens (`<@12>`) of the people
-- the message's text mentions, one after another, read with the app's own
-- parse (`hanmadi_protocol::markup::mentioned`) when the message is written
-- or edited: a token typed inside code mentions no one. The rooms list counts
-- a person's unread mentions by it. Messages from before stay NULL, and are
-- counted by the token in their text, as they were.
ALTER TABLE messages ADD COLUMN mentioned TEXT;
