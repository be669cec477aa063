-- The contact list no longer keeps a copy of each contact's last message: `listContacts` reads the newest
-- row of `messages`, so the preview can never disagree with the history (a log that spells one message id
-- two ways once made the copy show a message the history does not have).
ALTER TABLE contact_list DROP COLUMN last_message;
