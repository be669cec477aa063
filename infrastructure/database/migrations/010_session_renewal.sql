-- Sessions that slide: a short-lived access token (the JWT) is renewed with a rotating refresh token while
-- the user keeps the app open. `expires_at` is now the session's absolute end; `renewed_at` measures idleness.
ALTER TABLE sessions ADD COLUMN renewed_at timestamptz NOT NULL DEFAULT now();

-- Only hashes are kept. A token is used once: a second use (after a short grace for two tabs racing) means
-- it was stolen, and ends the whole session (OAuth 2.0 Security BCP, refresh token rotation).
CREATE TABLE session_refresh_tokens (
  token_hash text        PRIMARY KEY,
  session_id uuid        NOT NULL,
  issued_at  timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz
);
CREATE INDEX session_refresh_tokens_session_idx ON session_refresh_tokens (session_id);
