// Runs one DPoP-bound CIBA poll flow with openid-client v6 (RFC 9449) and prints the outcome as one line of JSON.
// Usage: node ciba-dpop-flow.mjs <issuer> <client_id> <client_secret> <login_hint> [binding_message]
// The library makes an ES256 key pair, sends a DPoP proof with the token request (so the access token is bound to the
// key), reads /userinfo with `Authorization: DPoP` and a proof carrying ath, and refreshes with a proof of the same key.
// It also reads /userinfo with the bound token as a plain bearer token, which the provider must refuse.
import { createHash } from 'node:crypto';
import * as client from 'openid-client';

const [issuer, clientId, clientSecret, loginHint, bindingMessage = 'openid-client dpop interop'] = process.argv.slice(2);

function jwtPayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function thumbprint(publicKey) {
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

try {
  const options = { execute: [client.allowInsecureRequests] };
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), options);
  const keyPair = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(config, keyPair);

  const authorization = await client.initiateBackchannelAuthentication(config,
    { scope: 'openid profile email', login_hint: loginHint, binding_message: bindingMessage });
  const tokens = await client.pollBackchannelAuthenticationGrant(config, authorization, undefined,
    { DPoP, signal: AbortSignal.timeout(30_000) });
  const claims = tokens.claims();
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP });

  // The bound token as a bearer token: refused with a DPoP challenge.
  const bearer = await fetch(config.serverMetadata().userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });

  let refreshed = null;
  if (tokens.refresh_token) {
    const next = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
    refreshed = { token_type: next.token_type, jkt: jwtPayload(next.access_token).cnf?.jkt ?? null };
  }

  console.log(JSON.stringify({
    ok: true,
    token_type: tokens.token_type,
    jkt: jwtPayload(tokens.access_token).cnf?.jkt ?? null,
    key_thumbprint: await thumbprint(keyPair.publicKey),
    sub: claims.sub,
    userinfo_email: userInfo.email ?? null,
    bearer_status: bearer.status,
    bearer_challenge: bearer.headers.get('www-authenticate'),
    dpop_algs: config.serverMetadata().dpop_signing_alg_values_supported ?? null,
    refreshed,
  }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.error ?? error.code ?? error.name, description: error.error_description ?? error.message }));
}
