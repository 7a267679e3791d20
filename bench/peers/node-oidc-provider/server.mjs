// Benchmark peer: a CIBA (poll mode) OpenID Provider built on oidc-provider 9.13.3 that speaks
// Backchannel's "External HTTP device service" contract (see README.md in this folder).
//
// One process, everything in memory, no per-request logging, no rate limiting.

import * as http from 'node:http';
import * as https from 'node:https';
import * as crypto from 'node:crypto';

import Provider, { errors } from 'oidc-provider';
// The default in-memory adapter, constructed with a bigger store: the stock one is an LRU capped at
// 1000 entries, which at hundreds of flows per second evicts pending requests before the client polls.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

// ---------------------------------------------------------------------------------------------
// Configuration (environment)
// ---------------------------------------------------------------------------------------------

const env = process.env;
const PORT = intEnv('PORT', 5101);
const HOST = env.HOST || '127.0.0.1';
const ISSUER = (env.ISSUER || `http://127.0.0.1:${PORT}`).replace(/\/+$/, '');
const ALG = (env.ALG || 'ES256').toUpperCase();
const DEVICE_URL = env.DEVICE_URL || 'http://127.0.0.1:5200/notify';
const DEVICE_TOKEN = env.DEVICE_TOKEN || 'bench-device-token';
const ACCESS_TOKEN_FORMAT = (env.ACCESS_TOKEN_FORMAT || 'jwt').toLowerCase();
const CIBA_EXPIRY = intEnv('CIBA_EXPIRY', 120); // default lifetime of a backchannel request (s)
const CIBA_MAX_EXPIRY = intEnv('CIBA_MAX_EXPIRY', 600); // cap for requested_expiry (s)
const POLLING_INTERVAL = 5; // s, advertised as "interval" in the backchannel response
const ADAPTER_MAX_ENTRIES = intEnv('ADAPTER_MAX_ENTRIES', 1_000_000);
const RESOURCE = env.RESOURCE || 'urn:backchannel:bench:api'; // resource indicator = AT audience
const CALLBACK_URL = `${ISSUER}/ciba/callback`;
const CALLBACK_PATH = new URL(CALLBACK_URL).pathname;
const DEVICE_TIMEOUT_MS = intEnv('DEVICE_TIMEOUT_MS', 5000);
const DEVICE_MAX_SOCKETS = intEnv('DEVICE_MAX_SOCKETS', 256);

if (!['RS256', 'PS256', 'ES256'].includes(ALG)) fail(`ALG must be RS256, PS256 or ES256 (got ${ALG})`);
if (!['jwt', 'opaque'].includes(ACCESS_TOKEN_FORMAT)) fail(`ACCESS_TOKEN_FORMAT must be jwt or opaque (got ${ACCESS_TOKEN_FORMAT})`);
try { new URL(DEVICE_URL); } catch { fail(`DEVICE_URL is not a URL: ${DEVICE_URL}`); }

function intEnv(name, dflt) {
  if (env[name] === undefined || env[name] === '') return dflt;
  const v = Number(env[name]);
  if (!Number.isSafeInteger(v) || v <= 0) fail(`${name} must be a positive integer (got ${env[name]})`);
  return v;
}

function fail(msg) {
  console.error(`node-oidc-provider peer: ${msg}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Keys, generated at start
// ---------------------------------------------------------------------------------------------

// Signing key of ID tokens and JWT access tokens, of the type ALG needs.
const signingKey = ALG === 'ES256'
  ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const signingJwk = {
  ...signingKey.export({ format: 'jwk' }),
  kid: `bench-${ALG.toLowerCase()}-${crypto.randomBytes(4).toString('hex')}`,
  alg: ALG,
  use: 'sig',
};

// Key of the callback tokens handed to the device service (always ES256, never published).
const { privateKey: callbackPrivateKey, publicKey: callbackPublicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

// ---------------------------------------------------------------------------------------------
// The single user and client
// ---------------------------------------------------------------------------------------------

const USERS = new Map([
  ['alice', { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice' }],
]);
const LOGIN_HINTS = new Map([
  ['alice', 'alice'],
  ['alice@example.com', 'alice'],
]);

const CLIENT = {
  client_id: 'bench-client',
  client_secret: 'bench-secret',
  client_name: 'Bench Client',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['urn:openid:params:grant-type:ciba', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
  backchannel_token_delivery_mode: 'poll',
  id_token_signed_response_alg: ALG,
};

// ---------------------------------------------------------------------------------------------
// Device notification bookkeeping: transaction_id -> backchannel request id (the auth_req_id)
// ---------------------------------------------------------------------------------------------

/** @type {Map<string, {requestId: string, exp: number, decided: boolean}>} */
const transactions = new Map();

// Drop transactions that have expired (and a grace period so late callbacks still get expired_token).
setInterval(() => {
  const cutoff = Math.floor(Date.now() / 1000) - 60;
  for (const [id, tx] of transactions) {
    if (tx.exp < cutoff) transactions.delete(id);
  }
}, 10_000).unref();

// Failures are logged, but aggregated, so that a dead device service cannot flood the console.
const failures = { count: 0, last: '', reported: false };
setInterval(() => {
  if (failures.count) {
    console.error(`device notification: ${failures.count} attempt(s) failed in the last 5 s (last: ${failures.last})`);
    failures.count = 0;
  }
}, 5_000).unref();

function noteFailure(msg) {
  if (failures.count === 0 && !failures.reported) {
    failures.reported = true;
    console.error(`device notification failed: ${msg}`);
  } else {
    failures.count += 1;
  }
  failures.last = msg;
}

// Notifications go through a bounded keep-alive pool: a slow device service must not make the peer
// open thousands of sockets.
const deviceUrl = new URL(DEVICE_URL);
const deviceTransport = deviceUrl.protocol === 'https:' ? https : http;
const deviceAgent = new deviceTransport.Agent({ keepAlive: true, maxSockets: DEVICE_MAX_SOCKETS });

function postDevice(json) {
  return new Promise((resolve, reject) => {
    const req = deviceTransport.request(deviceUrl, {
      method: 'POST',
      agent: deviceAgent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
        authorization: `Bearer ${DEVICE_TOKEN}`,
      },
      timeout: DEVICE_TIMEOUT_MS,
    }, (res) => {
      res.resume(); // the answer's body is not used
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(json);
  });
}

async function notifyDevice(body, exp) {
  // Retried with backoff until the request expires, as Backchannel's http channel does.
  const json = JSON.stringify(body);
  let delay = 500;
  for (;;) {
    let problem;
    try {
      const status = await postDevice(json);
      if (status >= 200 && status < 300) return;
      problem = `HTTP ${status}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        noteFailure(`${problem} for transaction ${body.transaction_id}, not retried`);
        return;
      }
    } catch (err) {
      problem = err?.code || err?.message || String(err);
    }
    if (Date.now() + delay >= exp * 1000) {
      noteFailure(`${problem} for transaction ${body.transaction_id}, gave up (request expired)`);
      return;
    }
    noteFailure(`${problem} for transaction ${body.transaction_id}, retrying in ${delay} ms`);
    await new Promise((resolve) => { setTimeout(resolve, delay); });
    delay = Math.min(delay * 2, 10_000);
  }
}

async function triggerAuthenticationDevice(ctx, request, account, client) {
  const transactionId = crypto.randomBytes(20).toString('base64url');
  // request.exp is not set on the instance (the TTL is computed when saving): derive it the same way.
  const exp = request.exp ?? Math.floor(Date.now() / 1000) + request.expiration;
  transactions.set(transactionId, { requestId: request.jti, exp, decided: false });

  const callbackToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(CALLBACK_URL)
    .setSubject(transactionId)
    .setIssuedAt()
    .setExpirationTime(exp)
    .setJti(crypto.randomBytes(16).toString('base64url'))
    .sign(callbackPrivateKey);

  const params = request.params || {};
  const body = {
    transaction_id: transactionId,
    callback_url: CALLBACK_URL,
    callback_token: callbackToken,
    subject: account.accountId,
    login_hint: params.login_hint ?? null,
    client_id: client.clientId,
    client_name: client.clientName ?? null,
    scope: request.scope ?? null,
    acr_values: params.acr_values ?? null,
    binding_message: params.binding_message ?? null,
    authorization_details: params.authorization_details ?? null,
    expires_at: exp,
  };

  // Fire and forget: the client gets its auth_req_id without waiting for the device service.
  notifyDevice(body, exp).catch((err) => noteFailure(String(err)));
}

// ---------------------------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------------------------

const store = new LRU({ maxSize: ADAPTER_MAX_ENTRIES });

const provider = new Provider(ISSUER, {
  adapter: (name) => new MemoryAdapter(name, store, 15),
  jwks: { keys: [signingJwk] },
  clients: [CLIENT],
  clientDefaults: {
    id_token_signed_response_alg: ALG, // also the default alg of JWT access tokens
    token_endpoint_auth_method: 'client_secret_basic',
  },
  scopes: ['openid', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async findAccount(ctx, sub) {
    const user = USERS.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() { return { ...user }; },
    };
  },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    ciba: {
      enabled: true,
      deliveryModes: ['poll'],
      async processLoginHint(ctx, loginHint) {
        return LOGIN_HINTS.get(loginHint); // undefined -> unknown_user_id
      },
      async processLoginHintToken() {
        throw new errors.InvalidRequest('login_hint_token is not supported');
      },
      async verifyUserCode() {}, // user codes are not used
      async validateRequestContext() {}, // accepted, ignored
      async validateBindingMessage(ctx, bindingMessage) {
        // Any printable string up to 256 characters passes unchanged (the load generator correlates
        // flows by a unique binding_message).
        if (bindingMessage === undefined) return;
        if (bindingMessage.length > 256 || !/^[^\p{Cc}]+$/u.test(bindingMessage)) {
          throw new errors.InvalidBindingMessage('binding_message must be 1 to 256 printable characters');
        }
      },
      triggerAuthenticationDevice,
    },
    resourceIndicators: {
      enabled: true,
      // Every request gets the benchmark API as its resource, so access tokens are JWTs signed with
      // ALG (or opaque with ACCESS_TOKEN_FORMAT=opaque), like Backchannel's.
      async defaultResource() { return RESOURCE; },
      async useGrantedResource() { return true; },
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'openid',
          audience: RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: ACCESS_TOKEN_FORMAT,
          ...(ACCESS_TOKEN_FORMAT === 'jwt' ? { jwt: { sign: { alg: ALG } } } : {}),
        };
      },
    },
  },
  // Backchannel always issues a refresh token with a CIBA grant.
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  // No session behind a CIBA grant: tokens must not be tied to one.
  async expiresWithSession() { return false; },
  async rotateRefreshToken() { return true; },
  pkce: { required: () => false },
  ttl: {
    AccessToken: 3600,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    BackchannelAuthenticationRequest(ctx) {
      const requested = ctx?.oidc?.params?.requested_expiry;
      return requested ? Math.min(CIBA_MAX_EXPIRY, +requested) : CIBA_EXPIRY;
    },
  },
  // Keep error bodies plain JSON and never render pages.
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// The spec default polling interval is 5 s; say it explicitly, as Backchannel does.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'backchannel_authentication' && ctx.status === 200 && ctx.body?.auth_req_id) {
    ctx.body.interval = POLLING_INTERVAL;
  }
});

// Errors are answered to the client; only real server errors are worth a line on the console.
provider.on('server_error', (ctx, err) => { console.error('server_error:', err); });

// ---------------------------------------------------------------------------------------------
// POST /ciba/callback: the device service's answer
// ---------------------------------------------------------------------------------------------

function send(res, status, body) {
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store' });
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  res.end(json);
}

function readBody(req, limit = 16 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handleCallback(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    send(res, 405, { error: 'invalid_request', error_description: 'method not allowed' });
    return;
  }

  const auth = req.headers.authorization || '';
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(auth);
  if (!match) {
    res.setHeader('www-authenticate', 'Bearer');
    send(res, 401, { error: 'invalid_token', error_description: 'missing bearer callback token' });
    return;
  }

  let claims;
  try {
    ({ payload: claims } = await jwtVerify(match[1], callbackPublicKey, {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: CALLBACK_URL,
      requiredClaims: ['sub', 'exp', 'jti'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      // The signature was good (jose checks it before the claims): the request has expired.
      send(res, 400, { error: 'expired_token', error_description: 'the authentication request has expired' });
      return;
    }
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    send(res, 401, { error: 'invalid_token', error_description: 'invalid callback token' });
    return;
  }

  let body;
  try {
    const ct = req.headers['content-type'] || '';
    if (!/^application\/json\b/i.test(ct)) throw new Error('content-type');
    body = JSON.parse(await readBody(req));
  } catch {
    send(res, 400, { error: 'invalid_request', error_description: 'body must be a JSON object' });
    return;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)
    || (body.status !== 'approved' && body.status !== 'denied')
    || (body.acr !== undefined && typeof body.acr !== 'string')
    || (body.amr !== undefined && (!Array.isArray(body.amr) || !body.amr.every((v) => typeof v === 'string')))) {
    send(res, 400, { error: 'invalid_request', error_description: 'expected {"status":"approved"|"denied","acr"?:string,"amr"?:string[]}' });
    return;
  }

  const tx = transactions.get(claims.sub);
  const now = Math.floor(Date.now() / 1000);
  if (!tx) {
    // Signed by us but forgotten: it was swept after expiry.
    send(res, 400, { error: 'expired_token', error_description: 'the authentication request has expired' });
    return;
  }
  if (tx.decided) {
    send(res, 409, { error: 'invalid_request', error_description: 'the authentication request was already decided' });
    return;
  }
  if (tx.exp <= now) {
    send(res, 400, { error: 'expired_token', error_description: 'the authentication request has expired' });
    return;
  }
  // Claimed synchronously: of concurrent callbacks exactly one gets past this line.
  tx.decided = true;

  try {
    const request = await provider.BackchannelAuthenticationRequest.find(tx.requestId, { ignoreExpiration: true });
    if (!request || request.isExpired) {
      send(res, 400, { error: 'expired_token', error_description: 'the authentication request has expired' });
      return;
    }
    if (request.grantId || request.error || request.consumed) {
      send(res, 409, { error: 'invalid_request', error_description: 'the authentication request was already decided' });
      return;
    }

    if (body.status === 'approved') {
      const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
      const scopes = request.scope ? request.scope.split(' ') : ['openid'];
      grant.addOIDCScope(scopes.filter((s) => s === 'openid' || s === 'offline_access' || s === 'email' || s === 'profile').join(' ') || 'openid');
      if (request.resource) {
        for (const resource of [].concat(request.resource)) grant.addResourceScope(resource, 'openid');
      }
      await grant.save();
      await provider.backchannelResult(request, grant, {
        acr: body.acr,
        amr: body.amr,
        authTime: now,
      });
    } else {
      const denied = new errors.AccessDenied('end-user denied the authentication request');
      // backchannelResult() copies error_description onto the request under a name the model does not
      // persist (errorDescription is the stored field), so set the stored field ourselves.
      request.errorDescription = denied.error_description;
      await provider.backchannelResult(request, denied);
    }
    send(res, 204);
  } catch (err) {
    tx.decided = false;
    console.error('callback failed:', err);
    send(res, 500, { error: 'server_error' });
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP server
// ---------------------------------------------------------------------------------------------

const providerHandler = provider.callback();

const server = http.createServer((req, res) => {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  if (path === CALLBACK_PATH) {
    handleCallback(req, res).catch((err) => {
      console.error('callback failed:', err);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
    return;
  }
  providerHandler(req, res);
});

// Keep pooled client connections open longer than any sane client idle timeout.
server.keepAliveTimeout = 75_000;
server.headersTimeout = 80_000;
server.requestTimeout = 0;

server.listen(PORT, HOST, () => {
  console.log(`node-oidc-provider peer (oidc-provider 9.13.3) listening on http://${HOST}:${PORT}`);
  console.log(`  issuer ${ISSUER}, alg ${ALG}, access tokens ${ACCESS_TOKEN_FORMAT}, device ${DEVICE_URL}`);
  console.log(`  backchannel ${provider.urlFor('backchannel_authentication')}, token ${provider.urlFor('token')}, callback ${CALLBACK_URL}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
