// Registers a client with openid-client v6's dynamicClientRegistration (RFC 7591, with an initial access token), then
// runs one CIBA poll flow with the registered client and prints the outcome as one line of JSON.
// Usage: node register-and-flow.mjs <issuer> <initial_access_token> <login_hint> [binding_message]
import * as client from 'openid-client';

const [issuer, initialAccessToken, loginHint, bindingMessage = 'openid-client registration interop'] = process.argv.slice(2);

try {
  // The library authenticates a registered client with client_secret_post and the secret the provider issued.
  const config = await client.dynamicClientRegistration(new URL(issuer), {
    client_name: 'openid-client interop',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['urn:openid:params:grant-type:ciba'],
    backchannel_token_delivery_mode: 'poll',
    redirect_uris: [],
    response_types: [],
    scope: 'openid profile email',
  }, undefined, { initialAccessToken, execute: [client.allowInsecureRequests] });
  const registered = config.clientMetadata();

  const authorization = await client.initiateBackchannelAuthentication(config, {
    scope: 'openid profile email', login_hint: loginHint, binding_message: bindingMessage,
  });
  const tokens = await client.pollBackchannelAuthenticationGrant(config, authorization, { signal: AbortSignal.timeout(30_000) });
  const claims = tokens.claims();

  console.log(JSON.stringify({
    ok: true,
    client_id: registered.client_id,
    has_client_secret: typeof registered.client_secret === 'string',
    registration_access_token: registered.registration_access_token,
    registration_client_uri: registered.registration_client_uri,
    sub: claims.sub,
    aud: claims.aud,
    has_refresh_token: Boolean(tokens.refresh_token),
  }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.error ?? error.code ?? error.name, description: error.error_description ?? error.message }));
}
process.exit(0);
