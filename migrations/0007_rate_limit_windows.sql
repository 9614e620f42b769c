-- Rate limits count every attempt before checking it, and each count first
-- forgets the windows that have ended: this index keeps that sweep cheap.
CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at);
