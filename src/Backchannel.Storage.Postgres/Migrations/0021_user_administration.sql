-- Backchannel scale-out store (PostgreSQL), schema version 21: users managed through the admin API.
--
-- A user may be disabled (it is then unknown to the protocol, and kept), and every write of a user increments its
-- version, on which the admin API's updates are conditional (If-Match). source (from version 1): 'config' for users of
-- Backchannel:Users (rewritten at start), 'admin' for users created through the admin API (kept across restarts).
ALTER TABLE users ADD COLUMN disabled_at bigint NULL;
ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;
