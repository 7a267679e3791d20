-- Pairwise subject identifiers given out (OpenID Connect Core 8.1), by sector, and the users they stand for: a pairwise
-- sub a client names again (login_hint, id_token_hint, an access token at /userinfo) is traced back through this table.
-- A row is written once, with INSERT OR IGNORE, and never changes.
CREATE TABLE pairwise_subjects (
    sector        TEXT  NOT NULL,   -- the sector identifier: a host name
    pairwise_sub  TEXT  NOT NULL,   -- what the sector's clients see
    subject       TEXT  NOT NULL,   -- the user's own sub
    PRIMARY KEY (sector, pairwise_sub)
) WITHOUT ROWID;
