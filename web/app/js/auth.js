// Who the user is. Dev auth: the token arrives in the URL fragment
// (#token=…, never sent to a server) and is kept in sessionStorage, this tab
// only. OIDC: Authorization Code with PKCE against the issuer that
// /app-config.json names, its endpoints read from the issuer's discovery
// document. The access token is kept in sessionStorage too.

const TOKEN = 'snapnote.token';
const EXPIRES = 'snapnote.expires';
const PENDING = 'snapnote.pkce';

let config = { auth: 'dev' };

export function token() {
  const t = sessionStorage.getItem(TOKEN);
  const exp = Number(sessionStorage.getItem(EXPIRES) || 0);
  if (t && exp && Date.now() > exp) {
    forget();
    return '';
  }
  return t || '';
}

export function mode() {
  return config.auth;
}

/** settings are the server's /app-config.json, once start() has read it. */
export function settings() {
  return config;
}

function keep(t, expiresIn) {
  sessionStorage.setItem(TOKEN, t);
  if (expiresIn) sessionStorage.setItem(EXPIRES, String(Date.now() + expiresIn * 1000 - 30_000));
  else sessionStorage.removeItem(EXPIRES);
}

export function forget() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(EXPIRES);
}

/**
 * start reads the server's auth settings and finishes a sign-in that the
 * address shows (#token=… in dev, ?code=…&state=… back from the issuer).
 * It removes those from the address bar and history.
 */
export async function start() {
  // Off the address bar (and history) before anything else happens.
  const fragment = fragmentToken();
  const res = await fetch('/app-config.json', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error('The app could not load its settings.');
  config = await res.json();
  if (fragment && config.auth === 'dev') keep(fragment);
  const query = new URLSearchParams(location.search);
  if (config.auth === 'oidc' && query.has('state') && (query.has('code') || query.has('error'))) {
    history.replaceState(null, '', location.pathname + location.hash);
    await finishSignIn(query);
  }
}

/**
 * fragmentToken takes a dev token from the address (#token=…) off the
 * address bar and history at once, returning it (null when there is none).
 */
function fragmentToken() {
  const fragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fragment !== null) history.replaceState(null, '', location.pathname + location.search);
  return fragment;
}

/**
 * adoptFragmentToken signs in from a dev link opened in a tab that is
 * already running the app; it reports whether the address held a token.
 */
export function adoptFragmentToken() {
  const fragment = fragmentToken();
  if (fragment === null) return false;
  if (fragment && config.auth === 'dev') keep(fragment);
  return true;
}

/** useToken signs in with a pasted dev token. */
export function useToken(t) {
  keep(t.trim());
}

async function discover() {
  const base = config.issuer.endsWith('/') ? config.issuer : config.issuer + '/';
  const res = await fetch(base + '.well-known/openid-configuration');
  if (!res.ok) throw new Error(`The sign-in service did not answer (${res.status}).`);
  return res.json();
}

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** signIn sends the browser to the issuer's sign-in page. */
export async function signIn() {
  const meta = await discover();
  const verifier = random();
  const state = random();
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, back: location.hash }));
  const url = new URL(meta.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: location.origin + '/',
    scope: 'openid profile email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  };
  if (config.audience) params.audience = config.audience;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.href);
}

async function finishSignIn(query) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  if (query.has('error')) throw new Error(`Sign-in failed: ${query.get('error_description') || query.get('error')}`);
  if (!pending || pending.state !== query.get('state')) throw new Error('Sign-in failed: please try again.');
  const meta = await discover();
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: query.get('code'),
      redirect_uri: location.origin + '/',
      code_verifier: pending.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(`Sign-in failed: ${body.error_description || body.error || res.status}`);
  keep(body.access_token, body.expires_in);
  if (pending.back) history.replaceState(null, '', location.pathname + pending.back);
}

/** signOut forgets the token and, with OIDC, ends the issuer's session too. */
export async function signOut() {
  forget();
  if (config.auth !== 'oidc') return;
  try {
    const meta = await discover();
    const end = meta.end_session_endpoint || (config.issuer.includes('auth0.com') ? new URL('v2/logout', config.issuer).href : '');
    if (end) {
      const url = new URL(end);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set(meta.end_session_endpoint ? 'post_logout_redirect_uri' : 'returnTo', location.origin + '/');
      location.assign(url.href);
    }
  } catch {
    // Signed out here; the issuer's session ends on its own.
  }
}
