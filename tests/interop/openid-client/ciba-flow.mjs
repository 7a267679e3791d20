// Runs one CIBA flow with openid-client v6 and prints the outcome as one line of JSON.
// Usage: node ciba-flow.mjs <issuer> <client_id> <client_secret> <login_hint> [binding_message] [ping_port] [--default-client-auth]
// With a ping port, the script is a ping client: it listens on 127.0.0.1:<ping_port>/cb, sends a
// client_notification_token, waits for the ping (checking its bearer token and auth_req_id), then redeems.
// With --default-client-auth the library authenticates the client its own default way (client_secret_post), as a
// relying party that passes only its secret does; otherwise with HTTP Basic (client_secret_basic).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';

const flags = process.argv.slice(2).filter((argument) => argument.startsWith('--'));
const [issuer, clientId, clientSecret, loginHint, bindingMessage = 'openid-client interop', pingPort] =
  process.argv.slice(2).filter((argument) => !argument.startsWith('--'));

function listenForPing(port, expectedToken) {
  let resolvePing;
  const pinged = new Promise((resolve) => { resolvePing = resolve; });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      res.writeHead(204).end();
      resolvePing({ authorization: req.headers.authorization, body: JSON.parse(body) });
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, pinged })))
    .then((listening) => ({ ...listening, expectedToken }));
}

try {
  const options = { execute: [client.allowInsecureRequests] };
  const config = flags.includes('--default-client-auth')
    ? await client.discovery(new URL(issuer), clientId, clientSecret, undefined, options)
    : await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), options);

  const parameters = { scope: 'openid profile email', login_hint: loginHint, binding_message: bindingMessage };
  let ping = null;
  if (pingPort) {
    const notificationToken = randomBytes(32).toString('base64url');
    ping = await listenForPing(Number(pingPort), notificationToken);
    parameters.client_notification_token = notificationToken;
  }

  const authorization = await client.initiateBackchannelAuthentication(config, parameters);

  let pinged = false;
  if (ping) {
    const received = await Promise.race([ping.pinged, new Promise((_, reject) => setTimeout(() => reject(new Error('no ping within 20 s')), 20_000))]);
    ping.server.close();
    if (received.authorization !== `Bearer ${ping.expectedToken}`) throw new Error('the ping carried the wrong bearer token');
    if (received.body.auth_req_id !== authorization.auth_req_id) throw new Error('the ping carried the wrong auth_req_id');
    pinged = true;
  }

  const tokens = await client.pollBackchannelAuthenticationGrant(config, authorization, { signal: AbortSignal.timeout(30_000) });
  const claims = tokens.claims();
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  let refreshed = null;
  if (tokens.refresh_token) {
    const next = await client.refreshTokenGrant(config, tokens.refresh_token);
    refreshed = { sub: next.claims()?.sub ?? null, rotated: next.refresh_token !== tokens.refresh_token };
  }

  console.log(JSON.stringify({
    ok: true,
    pinged,
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
process.exit(0);
