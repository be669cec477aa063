-- Group calls (issue 18): each member's own call-log outcome. In an answered group call a member who joined
-- has a finished call, one who declined a declined one, and one who did neither a missed one.
ALTER TABLE call_log_meetings
  ADD COLUMN joined   uuid[] NOT NULL DEFAULT '{}',
  ADD COLUMN declined uuid[] NOT NULL DEFAULT '{}';
