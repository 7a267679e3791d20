-- Hardening: how many requests each client has pending, kept in the transactions that create requests and move them
-- on, so that Ciba:MaxPendingRequestsPerClient costs one row per request instead of a count.
-- A request counts from its creation until it is decided or failed, or (undecided) its expiry was notified (ping, push)
-- or it was removed after the retention period (poll).
CREATE TABLE client_pending (
    client_id  TEXT    NOT NULL PRIMARY KEY,
    pending    INTEGER NOT NULL
);

INSERT INTO client_pending (client_id, pending)
SELECT client_id, COUNT(*) FROM auth_requests WHERE status = 0 AND expiry_notified = 0 GROUP BY client_id;
