-- DPoP (RFC 9449): the SHA-256 thumbprint (RFC 7638) of the key a client proved at the backchannel authentication
-- endpoint; the request's tokens are bound to it. NULL: the request is not bound (a proof at the token endpoint may bind).
ALTER TABLE auth_requests ADD COLUMN dpop_jkt text;
