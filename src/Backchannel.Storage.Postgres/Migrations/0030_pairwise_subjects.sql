-- Pairwise subject identifiers given out (OpenID Connect Core 8.1), by sector, and the users they stand for: a pairwise
-- sub a client names again (login_hint, id_token_hint, an access token at /userinfo) is traced back through this table,
-- from any node. A row is written once, with INSERT ... ON CONFLICT DO NOTHING, and never changes.
CREATE TABLE pairwise_subjects (
    sector        text  NOT NULL,   -- the sector identifier: a host name
    pairwise_sub  text  NOT NULL,   -- what the sector's clients see
    subject       text  NOT NULL,   -- the user's own sub
    PRIMARY KEY (sector, pairwise_sub)
);
