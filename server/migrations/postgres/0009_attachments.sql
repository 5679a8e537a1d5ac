-- Files sent with messages (PostgreSQL). Kept in step with ../sqlite/0009_attachments.sql.
-- The bytes live in the database, so every node that can reach it can serve
-- them and a backup of the database is a backup of the files.

-- Each distinct content once, by its SHA-256 (hex): the same bytes uploaded
-- again, by anyone, are not stored again. What the bytes are was found by
-- the server from the bytes themselves; an image it could read has its size
-- as shown (`width`, `height`) and a small copy to show in the timeline.
CREATE TABLE attachment_contents (
    sha256 TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    width BIGINT,
    height BIGINT,
    thumbnail BYTEA,
    thumbnail_mime TEXT,
    created_at BIGINT NOT NULL
);

-- An upload: one person's copy of a content under a name. The same person
-- uploading the same bytes under the same name again (a retried upload) gets
-- the same row, so the same id.
CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    uploader_id BIGINT NOT NULL REFERENCES users (id),
    sha256 TEXT NOT NULL REFERENCES attachment_contents (sha256),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (uploader_id, sha256, name)
);
CREATE INDEX attachments_by_content ON attachments (sha256);

-- Which messages carry which uploads, in the order they were sent. Reading
-- an attachment is allowed to the members of a room where a message refers
-- to it (and to its uploader); deleting the message removes its rows here,
-- the uploads no other message refers to, and the contents no upload is left
-- to refer to.
CREATE TABLE message_attachments (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (message_id, attachment_id)
);
CREATE INDEX message_attachments_by_attachment ON message_attachments (attachment_id);

-- Stored out of line without trying to compress them: most files sent in a
-- chat (photos, archives, PDFs) are compressed already.
ALTER TABLE attachment_contents ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE attachment_contents ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
