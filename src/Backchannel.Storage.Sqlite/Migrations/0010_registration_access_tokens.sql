-- Dynamic client registration (RFC 7591, 7592): the SHA-256 of a registered client's registration access token. Clients
-- from the settings have none (NULL), so no token can manage them. Registered clients have source 'registration' and
-- are kept when the settings are seeded.
ALTER TABLE clients ADD COLUMN registration_token_hash BLOB NULL;
