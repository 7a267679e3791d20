-- The portal's lockout: failed sign-ins per account, counted in the store so that every node sees them.
-- window_ends_at: when the current count stops counting (a failure after it starts a new count);
-- locked_until: the end of the lockout, 0 when never locked. Times are Unix milliseconds.
CREATE TABLE sign_in_failures (
    account         TEXT    NOT NULL PRIMARY KEY,
    failures        INTEGER NOT NULL,
    window_ends_at  INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_failures_window_ends_at ON sign_in_failures (window_ends_at);
