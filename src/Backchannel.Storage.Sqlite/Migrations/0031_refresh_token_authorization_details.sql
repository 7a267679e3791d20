-- The RFC 9396 authorization details of a refresh token's grant (a JSON array), so that the access tokens it is
-- refreshed into carry them too, and introspection shows them.
ALTER TABLE refresh_tokens ADD COLUMN authorization_details TEXT NULL;
