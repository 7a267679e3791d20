-- The audit trail: what happened to each request (requested, notified, viewed, decided, failed, redeemed, expired,
-- cancelled), kept for Audit:RetentionDays, long after the request itself is removed. Never a secret, a token, an
-- auth_req_id or the binding_message text. Written in batches by each node's audit trail writer; the expiry of an
-- undecided request whose client was not told is written by the statement that removes the request.
-- The id is the order recorded: the retention cleanup removes the oldest ids first, so no index on the time is needed.
CREATE TABLE request_events (
    id          INTEGER PRIMARY KEY,
    request_id  TEXT    NOT NULL,   -- the transaction id, never the auth_req_id
    kind        TEXT    NOT NULL,   -- RequestEventNames
    client_id   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    at          INTEGER NOT NULL,   -- when it happened (Unix ms)
    channel     TEXT    NULL,
    approved    INTEGER NULL,       -- decided: 1 approved, 0 denied
    detail      TEXT    NULL,       -- the hint type, the evidence, the cause, the reason
    device      TEXT    NULL        -- decided: the device that decided, when its channel names it
);
CREATE INDEX request_events_request ON request_events (request_id, at, id);
CREATE INDEX request_events_subject ON request_events (subject, at, id);
