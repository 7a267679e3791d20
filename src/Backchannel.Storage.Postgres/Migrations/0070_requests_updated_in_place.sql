-- Backchannel scale-out store (PostgreSQL), schema version 70: decisions, redemptions and polls update a request in place.
--
-- PostgreSQL writes an update as a heap-only tuple (HOT: on the same page, no index touched, no index entry left to
-- vacuum) only when no indexed column changes, and the columns an index's predicate names count as indexed. Version 1
-- named the status in the predicates of two partial indexes and indexed redeemed_at, so every decision and every
-- redemption wrote a new entry into each of the table's indexes. Now no index names a column that a decision or a
-- redemption changes (status, decided_at, acr, amr, redeemed_at; polls change last_polled_at, last_poll_slowed_down
-- and interval_seconds, which were never indexed):
-- - a user's requests are found by subject (the pending ones among them by the status in the row);
-- - ping and push requests whose expiry was not yet looked at are found by expiry; the sweep that tells clients of
--   expired undecided requests marks every request it passes (decided ones too), so each leaves that index once;
-- - a redeemed request is removed with the others, ExpiredRequestRetentionSeconds after its expiry (by expires_at),
--   instead of that long after its redemption.
DROP INDEX auth_requests_subject_pending;
CREATE INDEX auth_requests_subject ON auth_requests (subject, created_at);
DROP INDEX auth_requests_pending_expiry;
CREATE INDEX auth_requests_unswept_expiry ON auth_requests (expires_at) WHERE NOT expiry_notified AND delivery_mode <> 'poll';
DROP INDEX auth_requests_redeemed_at;
