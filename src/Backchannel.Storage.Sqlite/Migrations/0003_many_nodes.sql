-- The house for growth: outbox leases name their owner and messages their destination; clients live in the store.

-- A lease is held by one node (its owner) until lease_until; only the holder may complete or reschedule the message.
-- Messages left by a version without owners are free to take.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NULL;
UPDATE outbox SET lease_until = 0;

-- Where a message goes (device:{channel} or client:{client_id}): deliveries are isolated by it.
ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT '';

-- Registered clients: the RFC 7591 metadata as JSON (without the secret) and the secret's SHA-256.
CREATE TABLE clients (
    client_id    TEXT    NOT NULL PRIMARY KEY,
    metadata     TEXT    NOT NULL,
    secret_hash  BLOB    NULL,
    source       TEXT    NOT NULL,   -- settings (rewritten at start)
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- A subject's pending requests (what a user's device or portal lists).
CREATE INDEX auth_requests_subject_pending ON auth_requests (subject, expires_at) WHERE status = 0;
