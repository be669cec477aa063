-- Faster message search (issue 20; BENCHMARKS.md, "Message search … after"). A search ranks only a window of
-- the newest matches (projections/search/search.queries.ts), found one of two ways:
-- - common words: the user's conversations newest first, merged, until the window is full: this index.
--   (The document is not in it, for an index-only scan: a 4,000-character message's tsvector can exceed the
--   2.7 kB a B-tree entry may hold.)
-- - rare words: the GIN index on `document`, whose matches in the whole table are few.
CREATE INDEX message_search_recent_idx ON message_search (contact_id, sent_at, id);
