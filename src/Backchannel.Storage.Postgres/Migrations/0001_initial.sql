-- Backchannel scale-out store (PostgreSQL), schema version 1: the embedded store's final schema in one step.
-- Times are Unix milliseconds (UTC) in bigint columns, as in the embedded store: exact to the millisecond, compared
-- with the parameters the nodes send (each node's TimeProvider), never with the database server's clock.
-- Hashes, sealed values and key material are bytea; JSON documents are text, stored as the provider wrote them.

CREATE TABLE provider_keys (
    kid           text    NOT NULL PRIMARY KEY,
    alg           text    NOT NULL,
    purpose       integer NOT NULL,
    private_key   bytea   NOT NULL,   -- PKCS#8 (signing keys) or the raw key (sealing keys), protected by the key ring
    created_at    bigint  NOT NULL,
    activates_at  bigint  NOT NULL,
    retain_until  bigint  NULL
);

CREATE TABLE users (
    sub             text    NOT NULL PRIMARY KEY,
    username        text    NULL,
    email           text    NULL,     -- found case-insensitively (lower(email))
    phone_number    text    NULL,
    name            text    NULL,
    password_hash   text    NULL,     -- PBKDF2
    user_code_hash  text    NULL,     -- PBKDF2
    channel         text    NULL,
    claims          text    NULL,     -- JSON object
    source          text    NOT NULL DEFAULT 'config',
    updated_at      bigint  NOT NULL
);
-- Unique where present (nulls are distinct in a unique index).
CREATE UNIQUE INDEX users_username ON users (username);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE UNIQUE INDEX users_phone_number ON users (phone_number);

-- Polls update last_polled_at, last_poll_slowed_down and interval_seconds, none of them indexed: with room left in each
-- page (fillfactor) those updates stay on the page (HOT) and touch no index.
CREATE TABLE auth_requests (
    id                          text     NOT NULL PRIMARY KEY,   -- transaction id shown to devices
    auth_req_id_hash            bytea    NOT NULL UNIQUE,        -- SHA-256 of the auth_req_id
    client_id                   text     NOT NULL,
    subject                     text     NOT NULL,
    scope                       text     NOT NULL,
    acr_values                  text     NULL,
    binding_message             text     NULL,
    login_hint                  text     NULL,
    authorization_details       text     NULL,
    request_context             text     NULL,
    client_notification_token   text     NULL,
    auth_req_id_sealed          bytea    NULL,                   -- ping and push: the auth_req_id sealed with a sealing key
    delivery_mode               text     NOT NULL,
    channel                     text     NOT NULL,
    status                      integer  NOT NULL,               -- AuthenticationRequestStatus
    created_at                  bigint   NOT NULL,
    expires_at                  bigint   NOT NULL,
    interval_seconds            integer  NOT NULL,               -- grows by slow_down
    last_polled_at              bigint   NULL,                   -- the previous poll, whichever node it reached
    last_poll_slowed_down       boolean  NOT NULL DEFAULT false, -- what the last poll was answered
    decided_at                  bigint   NULL,
    acr                         text     NULL,
    amr                         text[]   NULL,
    redeemed_at                 bigint   NULL,
    expiry_notified             boolean  NOT NULL DEFAULT false  -- the client was told its undecided request expired
) WITH (fillfactor = 85);
-- The partial indexes name the pending status (0) as a constant, and so do the statements that use them: a prepared
-- statement's generic plan cannot prove a parameter equal to the constant of an index's predicate.
CREATE INDEX auth_requests_expires_at ON auth_requests (expires_at);
CREATE INDEX auth_requests_redeemed_at ON auth_requests (redeemed_at) WHERE redeemed_at IS NOT NULL;
CREATE INDEX auth_requests_pending_expiry ON auth_requests (expires_at)
    WHERE status = 0 AND NOT expiry_notified AND delivery_mode <> 'poll';
CREATE INDEX auth_requests_subject_pending ON auth_requests (subject, created_at) WHERE status = 0;

-- Notifications to deliver (authentication devices, ping and push), written in the same transaction as the change that
-- causes them, delivered by every node's worker. A lease is held by one node (its owner) until lease_until; only the
-- holder may complete or reschedule the message. Ids come from an identity and are never reused.
CREATE TABLE outbox (
    id               bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       text     NOT NULL,
    kind             integer  NOT NULL,                -- OutboxKind
    destination      text     NOT NULL,                -- device:{channel} or client:{client_id}
    payload          bytea    NULL,
    attempts         integer  NOT NULL DEFAULT 0,
    next_attempt_at  bigint   NOT NULL,
    lease_owner      text     NULL,
    lease_until      bigint   NULL,
    expires_at       bigint   NOT NULL,
    created_at       bigint   NOT NULL
) WITH (fillfactor = 85);
CREATE INDEX outbox_next_attempt_at ON outbox (next_attempt_at, id);
CREATE INDEX outbox_lease_owner ON outbox (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE refresh_tokens (
    token_hash   bytea    NOT NULL PRIMARY KEY,   -- SHA-256 of the refresh token
    family_id    text     NOT NULL,
    client_id    text     NOT NULL,
    subject      text     NOT NULL,
    scope        text     NOT NULL,
    auth_time    bigint   NOT NULL,
    acr          text     NULL,
    amr          text[]   NULL,
    created_at   bigint   NOT NULL,
    expires_at   bigint   NOT NULL,
    consumed_at  bigint   NULL,
    revoked_at   bigint   NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- JWT ids already used (client assertions, request objects), kept until the JWT expires.
CREATE TABLE used_jtis (
    jti_key     text    NOT NULL PRIMARY KEY,
    expires_at  bigint  NOT NULL
);
CREATE INDEX used_jtis_expires_at ON used_jtis (expires_at);

-- Access tokens taken back before they expire (a push that never arrived), by jti.
CREATE TABLE revoked_access_tokens (
    jti         text    NOT NULL PRIMARY KEY,
    expires_at  bigint  NOT NULL
);
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);

-- Registered clients: the RFC 7591 metadata as JSON (without the secret) and the secret's SHA-256.
CREATE TABLE clients (
    client_id    text    NOT NULL PRIMARY KEY,
    metadata     text    NOT NULL,
    secret_hash  bytea   NULL,
    source       text    NOT NULL,
    created_at   bigint  NOT NULL,
    updated_at   bigint  NOT NULL
);

-- How many requests each client has pending, kept in the statements that create requests and move them on, so that
-- Ciba:MaxPendingRequestsPerClient is one conditional upsert of one row, the same on every node.
CREATE TABLE client_pending (
    client_id  text     NOT NULL PRIMARY KEY,
    pending    integer  NOT NULL
);
