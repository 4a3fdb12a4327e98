// Local OpenID Connect provider for the CommunityApp test suite.
//
// Started by the .NET tests as a child process (`node server.js`), configured
// only through environment variables. It is a real `oidc-provider` instance
// with one confidential client, the library's built-in development login page
// (any login name, any password) and no consent screen.
//
// Stdout carries exactly one line, printed once the port is bound:
//   OIDC provider listening on http://127.0.0.1:<PORT>
// Everything else (library notices, request errors) goes to stderr.
//
// Environment:
//   PORT                      required; port to bind on 127.0.0.1 (issuer = http://127.0.0.1:PORT)
//   CLIENT_ID                 default "communityapp"
//   CLIENT_SECRET             default "communityapp-test-secret"
//   REDIRECT_URI              required; the app's /signin-oidc URL (comma-separate several if needed)
//   POST_LOGOUT_REDIRECT_URI  optional; the app's /signout-callback-oidc URL (comma-separated allowed)
//   PARENT_PID                optional; exit when this process is gone (guards against orphans)

import { generateKeyPairSync } from 'node:crypto';
import process from 'node:process';

import Provider from 'oidc-provider';

// oidc-provider writes its development notices with console.info/console.log,
// which land on stdout. Keep stdout for the single readiness line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

function fail(message) {
  process.stderr.write(`oidc test provider: ${message}\n`);
  process.exit(2);
}

function list(value) {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const port = Number.parseInt(process.env.PORT ?? '', 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  fail('env PORT is required (1-65535)');
}

const clientId = process.env.CLIENT_ID || 'communityapp';
const clientSecret = process.env.CLIENT_SECRET || 'communityapp-test-secret';
const redirectUris = list(process.env.REDIRECT_URI);
const postLogoutRedirectUris = list(process.env.POST_LOGOUT_REDIRECT_URI);
if (redirectUris.length === 0) {
  fail('env REDIRECT_URI is required');
}

const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;

// "oidc-alice" -> "Oidc Alice"
function displayName(login) {
  const words = login.split(/[-_.\s]+/).filter(Boolean);
  if (words.length === 0) return login;
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

// A login starting with "unverified-" gets email_verified: false (the provider has not checked that address).
function accountFor(login) {
  return {
    accountId: login,
    async claims() {
      return {
        sub: login,
        name: displayName(login),
        preferred_username: login,
        email: `${login}@example.test`,
        email_verified: !login.startsWith('unverified-'),
      };
    },
  };
}

// A fresh signing key per run instead of the library's shared development keys.
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const htmlEscape = (s) => String(s).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
    },
  ],

  jwks: { keys: [{ ...signingKey, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },

  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  // Put the scope's claims into the id_token too, so a relying party that
  // never calls userinfo still gets name / email / preferred_username.
  conformIdTokenClaims: false,

  async findAccount(ctx, id) {
    return accountFor(id);
  },

  // No consent screen: give this (first-party) client its scopes right away.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      accountId: ctx.oidc.session.accountId,
      clientId: ctx.oidc.client.clientId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },

  // Cookies are never marked Secure over plain http (oidc-provider only does
  // that when the request itself is https). Names are prefixed so they cannot
  // collide with the app's cookies (cookies are shared across ports on 127.0.0.1).
  cookies: {
    keys: ['communityapp-test-cookie-key-1', 'communityapp-test-cookie-key-2'],
    names: {
      session: 'op_session',
      interaction: 'op_interaction',
      resume: 'op_interaction_resume',
    },
  },

  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 120,
    Grant: 3600,
    IdToken: 3600,
    Interaction: 900,
    Session: 3600,
  },

  features: {
    devInteractions: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Auto-confirm "sign out of the provider too" so the app's sign-out
      // returns to post_logout_redirect_uri without a click.
      async logoutSource(ctx, form) {
        const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Signing out</title>
</head>
<body>
  <h1>Signing out</h1>
  ${autoForm}
  <button id="logout-confirm" type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
  <script>document.getElementById('op.logoutForm').submit();</script>
</body>
</html>`;
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Signed out</title></head>
<body><h1>Signed out</h1><p>You have been signed out of the test provider.</p></body></html>`;
      },
    },
  },

  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>OIDC error</title></head>
<body><h1>OIDC error</h1><pre id="oidc-error">${htmlEscape(JSON.stringify(out, null, 2))}</pre></body></html>`;
  },
};

const provider = new Provider(issuer, configuration);

// The built-in development pages @import a web font from a public CDN. This
// machine has no route there (and must not try): a CSP stops the browser from
// even attempting it. Set after the response is built so oidc-provider's own
// inline-script hashing does not switch off 'unsafe-inline'.
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') {
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.response.is('html')) {
    ctx.set('Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:");
  }
});

provider.on('server_error', (ctx, err) => {
  process.stderr.write(`oidc test provider: server_error ${err?.stack ?? err}\n`);
});

const server = provider.listen(port, host, () => {
  process.stdout.write(`OIDC provider listening on ${issuer}\n`);
});

server.on('error', (err) => fail(`cannot listen on ${host}:${port}: ${err.message}`));

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const parentPid = Number.parseInt(process.env.PARENT_PID ?? '', 10);
if (Number.isInteger(parentPid) && parentPid > 0) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      shutdown();
    }
  }, 1000).unref();
}
