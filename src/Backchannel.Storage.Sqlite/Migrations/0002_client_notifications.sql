-- Ping and push: what the provider needs to notify clients, and to take back what a failed push carried.

-- The auth_req_id of ping and push requests, sealed (AES-256-GCM with a sealing key of provider_keys): notifications carry it.
ALTER TABLE auth_requests ADD COLUMN auth_req_id_sealed BLOB NULL;

-- Set once the client was told about the expiry of its undecided request.
ALTER TABLE auth_requests ADD COLUMN expiry_notified INTEGER NOT NULL DEFAULT 0;

CREATE INDEX auth_requests_pending_expiry ON auth_requests (expires_at) WHERE status = 0 AND expiry_notified = 0 AND delivery_mode <> 'poll';

-- Access tokens taken back before they expire (a push that never arrived), by jti.
CREATE TABLE revoked_access_tokens (
    jti         TEXT    NOT NULL PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);
