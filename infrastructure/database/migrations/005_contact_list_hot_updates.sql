-- Every message rewrites both members' contact_list rows (last message, activity, unread). With an index
-- on last_activity_at, each of those updates also wrote three index entries and left dead ones behind
-- for vacuum; without it, and with room left in each page, PostgreSQL updates the rows in place (HOT).
-- A user's list is read whole and sorted by activity: a sort of one user's contacts, cheaper than the
-- index was to keep up.
DROP INDEX contact_list_by_activity_idx;
ALTER TABLE contact_list SET (fillfactor = 50);
