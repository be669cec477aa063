-- Replies and reactions (issue 20). reply_to: the message this one answers (its quote is joined at read
-- time, so an edit or a deletion of the original shows). reactions: [{emoji, userIds}] in the order each
-- emoji first came; NULL when none, as most messages have none.
ALTER TABLE messages ADD COLUMN reply_to uuid;
ALTER TABLE messages ADD COLUMN reactions jsonb;
