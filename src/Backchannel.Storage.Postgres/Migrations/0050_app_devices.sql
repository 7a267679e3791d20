-- The app channel: devices their users registered, each with a key pair of its own (the provider keeps the public key).

CREATE TABLE app_devices (
    id          text    NOT NULL PRIMARY KEY,   -- RFC 7638 thumbprint of the public key: one device per key
    subject     text    NOT NULL,               -- the user it belongs to
    name        text    NOT NULL,
    public_key  text    NOT NULL,               -- the ES256 public key, a JWK in RFC 7638's canonical form
    push_token  text    NULL,                   -- its Firebase Cloud Messaging registration token, for wake-ups
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL
);
CREATE INDEX app_devices_subject ON app_devices (subject, created_at);
