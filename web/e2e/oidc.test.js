// Production sign-in: Authorization Code + PKCE against an OIDC issuer. A
// small issuer runs here (discovery, authorize, token, JWKS, RS256 tokens);
// `snapnote dev` trusts it through AUTH_ISSUER_URL as it would Auth0.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { start, withPage } from './harness.js';

const audience = 'https://api.snapnote.test';
const clientId = 'snapnote-web-test';
let env;
let issuer;

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// fakeIssuer is the least an OIDC provider does for a public client with PKCE.
function fakeIssuer() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'e2e-key';
  const codes = new Map(); // code → {challenge, redirect}
  const seen = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, base);
    seen.push(`${req.method} ${url.pathname}`);
    const json = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer: base, authorization_endpoint: `${base}authorize`, token_endpoint: `${base}oauth/token`,
        jwks_uri: `${base}.well-known/jwks.json`, code_challenge_methods_supported: ['S256'] });
    }
    if (url.pathname === '/.well-known/jwks.json') {
      return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      assert.equal(q.get('client_id'), clientId);
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.equal(q.get('audience'), audience);
      const code = b64url(randomBytes(16));
      codes.set(code, { challenge: q.get('code_challenge'), redirect: q.get('redirect_uri') });
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (url.pathname === '/oauth/token' && req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'content-type' });
      return res.end();
    }
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code'));
        codes.delete(form.get('code'));
        const verified = grant && form.get('client_id') === clientId && form.get('redirect_uri') === grant.redirect &&
          b64url(createHash('sha256').update(form.get('code_verifier') || '').digest()) === grant.challenge;
        if (!verified) return json(400, { error: 'invalid_grant' });
        const now = Math.floor(Date.now() / 1000);
        const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
        const claims = b64url(JSON.stringify({ iss: base, aud: audience, sub: 'oidc|student', iat: now, exp: now + 600,
          name: 'OIDC Student' }));
        const sig = b64url(sign('sha256', Buffer.from(`${head}.${claims}`), privateKey));
        return json(200, { access_token: `${head}.${claims}.${sig}`, token_type: 'Bearer', expires_in: 600 });
      });
      return undefined;
    }
    res.writeHead(404);
    return res.end();
  });
  let base;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${server.address().port}/`;
    resolve({ base, seen, close: () => new Promise((r) => server.close(r)) });
  }));
}

before(async () => {
  issuer = await fakeIssuer();
  env = await start({ AUTH_MODE: 'auth0', AUTH_ISSUER_URL: issuer.base, AUTH0_AUDIENCE: audience, AUTH_CLIENT_ID: clientId });
});

after(async () => {
  await env?.stop();
  await issuer?.close();
});

test('signs in with Authorization Code + PKCE and calls the API with the token', async () => {
  await withPage(env, 'oidc', { width: 375, height: 812 }, async (page, problems) => {
    await page.goto(`${env.base}/#/trash`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back from the issuer, on the page the student started from, signed in.
    await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'code and state leave the address bar');
    await page.getByRole('link', { name: 'Courses', exact: true }).click();
    await page.getByLabel('New course').fill('Signed in');
    await page.getByRole('button', { name: 'Create course' }).click();
    await page.getByRole('link', { name: /Signed in/ }).waitFor();
    assert.ok(issuer.seen.includes('POST /oauth/token'), 'the code was exchanged');
    assert.deepEqual(problems, []);

    // Signing out forgets the token: the app asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
