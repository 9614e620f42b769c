-- TOTP replay refusal (RFC 6238 §5.2: a code is accepted once). The time step
-- (Unix seconds / 30) of the last code accepted for the user; a code is only
-- accepted for a later step, by a conditional UPDATE that must change the row,
-- so two racing requests cannot both use one code. Kept in D1 rather than KV
-- because KV is eventually consistent and has no compare-and-set.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
