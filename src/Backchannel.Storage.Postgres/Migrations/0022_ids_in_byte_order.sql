-- Backchannel scale-out store (PostgreSQL), schema version 22: request ids and subjects compared byte by byte.
--
-- The admin API pages through requests and users in the order of their primary keys. A request's id begins with its
-- creation time in an alphabet that sorts like its bytes (RandomIdentifiers), so that walking the primary key from its
-- end lists requests newest first; users are listed by subject, as the embedded store orders them (by their bytes).
-- Under the database's default collation (en_US.UTF-8, say) both would sort by language rules (case and punctuation
-- folded); under "C" they sort by their bytes, and compare faster too. Equality is unchanged (both collations are
-- deterministic). The primary keys' indexes are rebuilt; the tables are not rewritten.
ALTER TABLE auth_requests ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE users ALTER COLUMN sub TYPE text COLLATE "C";
