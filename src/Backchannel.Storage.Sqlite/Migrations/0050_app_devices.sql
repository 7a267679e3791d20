-- The app channel: devices their users registered, each with a key pair of its own (the provider keeps the public key).

CREATE TABLE app_devices (
    id          TEXT    NOT NULL PRIMARY KEY,   -- RFC 7638 thumbprint of the public key: one device per key
    subject     TEXT    NOT NULL,               -- the user it belongs to
    name        TEXT    NOT NULL,
    public_key  TEXT    NOT NULL,               -- the ES256 public key, a JWK in RFC 7638's canonical form
    push_token  TEXT    NULL,                   -- its Firebase Cloud Messaging registration token, for wake-ups
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX app_devices_subject ON app_devices (subject, created_at);
