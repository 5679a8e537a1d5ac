-- The rooms a person is in, found by the person (SQLite).
-- Kept in step with ../postgres/0011_memberships_by_person.sql.

-- A search looks up the people in a room with the asker, whose mentions it
-- finds too: from the asker's memberships, which the primary key (room first)
-- cannot find without reading them all.
CREATE INDEX memberships_by_person ON memberships (user_id);
