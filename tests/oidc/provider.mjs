// A real OpenID Connect provider (the npm package oidc-provider) for the tests, on 127.0.0.1.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 0 (any free one), "clients": [...], "accounts": "ACCOUNTS.json", "idTokenTtl": 3600}.
// The accounts file is read again at every sign-in, so a test changes a user's roles, groups or
// e-mail between two sign-ins by rewriting it: {"<login>": {"email": ..., "roles": [...], ...}}.
// The login form is the provider's own development form (any password is accepted); the claims
// come from the accounts file. When the server listens, one line "LISTENING <port>" goes to stdout.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function accounts() {
  return JSON.parse(readFileSync(config.accounts, 'utf8'));
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const server = createServer();
await new Promise((resolve) => server.listen(config.port || 0, '127.0.0.1', resolve));
const port = server.address().port;

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-cookie-key-not-secret'] },
  // Claims in the ID token, as Entra ID puts them there (the product reads the ID token only).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'roles', 'groups', 'hasgroups', 'tid'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  pkce: { required: () => true },
  ttl: { IdToken: config.idTokenTtl || 3600, AccessToken: 3600, AuthorizationCode: 60, Session: 3600, Interaction: 3600, Grant: 3600 },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(_ctx, id) {
    const known = accounts()[id];
    if (!known) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, ...accounts()[id] };
        delete claims.sub_override;
        return claims;
      },
    };
  },
  // Every grant is allowed without a consent screen of its own beyond the development one.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

server.on('request', provider.callback());
process.stdout.write(`LISTENING ${port}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
