// Runs one CIBA flow with openid-client v6 and prints the outcome as one line of JSON.
// Usage: node ciba-flow.mjs <issuer> <client_id> <client_secret> <login_hint> [binding_message]
import * as client from 'openid-client';

const [issuer, clientId, clientSecret, loginHint, bindingMessage = 'openid-client interop'] = process.argv.slice(2);

try {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
    execute: [client.allowInsecureRequests],
  });

  const authorization = await client.initiateBackchannelAuthentication(config, {
    scope: 'openid profile email',
    login_hint: loginHint,
    binding_message: bindingMessage,
  });

  const tokens = await client.pollBackchannelAuthenticationGrant(config, authorization, {
    signal: AbortSignal.timeout(30_000),
  });
  const claims = tokens.claims();
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  let refreshed = null;
  if (tokens.refresh_token) {
    const next = await client.refreshTokenGrant(config, tokens.refresh_token);
    refreshed = { sub: next.claims()?.sub ?? null, rotated: next.refresh_token !== tokens.refresh_token };
  }

  console.log(JSON.stringify({
    ok: true,
    expires_in: authorization.expires_in,
    interval: authorization.interval ?? null,
    token_type: tokens.token_type,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    has_refresh_token: Boolean(tokens.refresh_token),
    userinfo_email: userInfo.email ?? null,
    refreshed,
  }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.error ?? error.code ?? error.name, description: error.error_description ?? error.message }));
}
