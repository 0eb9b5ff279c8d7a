// The service worker: the app shell and the courses and notes already seen
// open offline; a share from another app is kept until a course is chosen.
// The server fills in the shell's list and the version (web.go).
import { put, SHARED } from '/assets/js/idb.js';

const VERSION = '__VERSION__';
const SHELL_CACHE = `shell-${VERSION}`;
const DATA_CACHE = 'data';
const SHELL = "__SHELL__";

// Reads kept for offline use: lists and notes the signed-in user has seen.
// Never images, exports or event streams.
const KEPT = /^\/api\/(courses|documents|uploads)(\/[\w-]+)?$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll([...SHELL, '/app-config.json'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL_CACHE && name !== DATA_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Signing out forgets every response kept for the user.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'signed-out') event.waitUntil(caches.delete(DATA_CACHE));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== location.origin) return;
  if (event.request.method === 'POST' && url.pathname === '/share') {
    event.respondWith(receiveShare(event.request));
    return;
  }
  if (event.request.method !== 'GET') return;
  if (event.request.mode === 'navigate') {
    event.respondWith(networkFirst(event.request, SHELL_CACHE, '/'));
  } else if (url.pathname === '/app-config.json' || SHELL.includes(url.pathname)) {
    event.respondWith(networkFirst(event.request, SHELL_CACHE));
  } else if (KEPT.test(url.pathname) && event.request.headers.has('Authorization')) {
    event.respondWith(networkFirst(event.request, DATA_CACHE));
  }
});

// networkFirst answers from the network, keeping a copy, and from the copy
// (or fallback's) when the network is out of reach.
async function networkFirst(request, cacheName, fallback) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(fallback || request, res.clone());
    return res;
  } catch (err) {
    const kept = await cache.match(fallback || request, { ignoreVary: true });
    if (kept) return kept;
    throw err;
  }
}

async function receiveShare(request) {
  const form = await request.formData();
  const files = form.getAll('file').filter((f) => f instanceof File);
  if (files.length) await put(SHARED, { key: crypto.randomUUID(), files, at: Date.now() });
  return Response.redirect('/#/share', 303);
}
