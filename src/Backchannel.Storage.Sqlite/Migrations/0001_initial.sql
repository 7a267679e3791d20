-- Backchannel embedded store, schema version 1. Times are Unix milliseconds (UTC).

CREATE TABLE provider_keys (
    kid           TEXT    NOT NULL PRIMARY KEY,
    alg           TEXT    NOT NULL,
    purpose       INTEGER NOT NULL,
    private_key   BLOB    NOT NULL,   -- PKCS#8 (signing keys) or the raw key (sealing keys)
    created_at    INTEGER NOT NULL,
    activates_at  INTEGER NOT NULL,
    retain_until  INTEGER NULL
);

CREATE TABLE users (
    sub             TEXT NOT NULL PRIMARY KEY,
    username        TEXT NULL,
    email           TEXT NULL COLLATE NOCASE,
    phone_number    TEXT NULL,
    name            TEXT NULL,
    password_hash   TEXT NULL,        -- PBKDF2
    user_code_hash  TEXT NULL,        -- PBKDF2
    channel         TEXT NULL,
    claims          TEXT NULL,        -- JSON object
    source          TEXT NOT NULL DEFAULT 'config',  -- where the user came from: config
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_phone_number ON users (phone_number) WHERE phone_number IS NOT NULL;

CREATE TABLE auth_requests (
    id                          TEXT    NOT NULL PRIMARY KEY,   -- transaction id shown to devices
    auth_req_id_hash            BLOB    NOT NULL UNIQUE,        -- SHA-256 of the auth_req_id
    client_id                   TEXT    NOT NULL,
    subject                     TEXT    NOT NULL,
    scope                       TEXT    NOT NULL,
    acr_values                  TEXT    NULL,
    binding_message             TEXT    NULL,
    login_hint                  TEXT    NULL,
    authorization_details       TEXT    NULL,
    request_context             TEXT    NULL,
    client_notification_token   TEXT    NULL,
    delivery_mode               TEXT    NOT NULL,
    channel                     TEXT    NOT NULL,
    status                      INTEGER NOT NULL,               -- AuthenticationRequestStatus
    created_at                  INTEGER NOT NULL,
    expires_at                  INTEGER NOT NULL,
    interval_seconds            INTEGER NOT NULL,
    decided_at                  INTEGER NULL,
    acr                         TEXT    NULL,
    amr                         TEXT    NULL,                   -- JSON array
    redeemed_at                 INTEGER NULL
);
CREATE INDEX auth_requests_expires_at ON auth_requests (expires_at);

-- Notifications to deliver (authentication devices; ping and push), written in the same transaction as the change
-- that causes them and delivered by a background worker.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: a delivered id must not come back for a new message
    request_id       TEXT    NOT NULL,
    kind             INTEGER NOT NULL,
    payload          BLOB    NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER NOT NULL DEFAULT 0,
    expires_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX outbox_next_attempt_at ON outbox (next_attempt_at);

CREATE TABLE refresh_tokens (
    token_hash   BLOB    NOT NULL PRIMARY KEY,   -- SHA-256 of the refresh token
    family_id    TEXT    NOT NULL,
    client_id    TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    scope        TEXT    NOT NULL,
    auth_time    INTEGER NOT NULL,
    acr          TEXT    NULL,
    amr          TEXT    NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER NULL,
    revoked_at   INTEGER NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- JWT ids already used (client assertions, request objects), kept until the JWT expires.
CREATE TABLE used_jtis (
    jti_key     TEXT    NOT NULL PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX used_jtis_expires_at ON used_jtis (expires_at);
