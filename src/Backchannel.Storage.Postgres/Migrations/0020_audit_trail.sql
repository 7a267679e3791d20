-- Backchannel scale-out store (PostgreSQL), schema version 20: the audit trail.
--
-- What happened to each request (requested, notified, viewed, decided, failed, redeemed, expired, cancelled), kept for
-- Audit:RetentionDays, long after the request itself is removed. Never a secret, a token, an auth_req_id or the
-- binding_message text. Each node's audit trail writer inserts its events in batches (one statement for many rows);
-- the expiry of an undecided request whose client was not told is inserted by the statement that removes the request.
-- The id is the order recorded: the retention cleanup removes the oldest ids first, so no index on the time is needed.
CREATE TABLE request_events (
    id          bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  text     NOT NULL,   -- the transaction id, never the auth_req_id
    kind        text     NOT NULL,   -- RequestEventNames
    client_id   text     NOT NULL,
    subject     text     NOT NULL,
    at          bigint   NOT NULL,   -- when it happened (Unix ms)
    channel     text     NULL,
    approved    boolean  NULL,       -- decided: approved or denied
    detail      text     NULL,       -- the hint type, the evidence, the cause, the reason
    device      text     NULL        -- decided: the device that decided, when its channel names it
);
CREATE INDEX request_events_request ON request_events (request_id, at, id);
CREATE INDEX request_events_subject ON request_events (subject, at, id);
