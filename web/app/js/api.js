// Calls to the SnapNote API with the caller's token. Failures throw ApiError
// with the problem's detail, which is written for people.
import { token, forget } from './auth.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** onSignedOut is called when the API refuses the token (401). */
export const session = { onSignedOut: () => {} };

async function send(method, path, body, { signal, headers = {} } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json', ...headers } };
  const t = token();
  if (t) init.headers.Authorization = `Bearer ${t}`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'No connection to SnapNote. Check your network and try again.');
  }
  if (res.ok) return res;
  let message = `Something went wrong (${res.status}).`;
  try {
    const p = await res.json();
    const detail = p.errors?.map(plainWords).filter(Boolean).join('; ');
    message = [p.detail || p.title, detail].filter(Boolean).join(': ') || message;
  } catch {
    // Not problem+json: keep the generic message.
  }
  if (res.status === 401) {
    forget();
    session.onSignedOut();
    message = 'Your session has ended. Please sign in again.';
  } else if (res.status === 429) {
    message = 'Too many requests at once. Wait a moment and try again.';
  }
  throw new ApiError(res.status, message);
}

// plainWords says a validation error as a person would: "Name: must not be
// empty", not "expected length >= 1" at "body.name".
function plainWords({ location = '', message = '' }) {
  const field = location.split('.').pop() || '';
  const name = field.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
  let m;
  let says = message;
  if ((m = /^expected length >= (\d+)$/.exec(message))) says = m[1] === '1' ? 'must not be empty' : `needs at least ${m[1]} characters`;
  else if ((m = /^expected length <= (\d+)$/.exec(message))) says = `must be at most ${m[1]} characters`;
  else if (/^expected string to match pattern/.test(message) || /^expected string to be /.test(message)) says = 'is not in the expected form';
  else if (/^expected required property/.test(message)) says = 'is needed';
  else if (/^expected value to be one of/.test(message)) says = 'is not one of the allowed values';
  return name ? `${name}: ${says}` : says;
}

/** api calls method path with a JSON (or FormData) body, returning the JSON answer. */
export async function api(method, path, body, opts) {
  const res = await send(method, path, body, opts);
  if (res.status === 204) return null;
  return res.json();
}

/**
 * download saves what path answers (an export) as a file, named as the
 * server's Content-Disposition says: a link cannot send the token.
 */
export async function download(path, fallbackName) {
  const res = await send('GET', path, undefined, { headers: { Accept: '*/*' } });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename(res.headers.get('Content-Disposition')) || fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// filename reads a Content-Disposition's name, filename* (RFC 5987) first.
function filename(disposition) {
  if (!disposition) return '';
  const ext = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (ext) {
    try {
      return decodeURIComponent(ext[1]);
    } catch {
      // A malformed encoding: fall back to the ASCII name.
    }
  }
  return /filename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1].replace(/\\(.)/g, '$1') || '';
}

export function query(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * events reads a Server-Sent Events stream. EventSource cannot send an
 * Authorization header, so this is fetch with a streaming reader; it yields
 * {event, data} for each complete event until the server ends the stream.
 */
export async function* events(path, { signal } = {}) {
  const res = await send('GET', path, undefined, { signal, headers: { Accept: 'text/event-stream' } });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let event = 'message';
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let end;
      while ((end = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, end);
        buf = buf.slice(end + (buf.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (data.length) yield { event, data: data.join('\n') };
          event = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue; // keep-alive comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') event = val;
        else if (field === 'data') data.push(val);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
