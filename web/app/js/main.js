// The app's entry: sign-in, the header, and a hash router (#/courses/ID …),
// so the server serves one page and never needs to know the app's routes.
import * as auth from './auth.js';
import { api, session } from './api.js';
import { h, toast } from './dom.js';
import { coursesView } from './views/courses.js';
import { courseView } from './views/course.js';
import { noteView } from './views/note.js';
import { searchView } from './views/search.js';
import { trashView } from './views/trash.js';
import { signInView } from './views/signin.js';
import { shareView } from './views/share.js';
import { clearAll } from './idb.js';
import { sendOutbox } from './uploads.js';

const routes = [
  [/^$|^\/$/, coursesView],
  [/^\/courses\/([\w-]+)$/, courseView],
  [/^\/notes\/([\w-]+)$/, noteView],
  [/^\/notes\/([\w-]+)\/versions$/, versionsView],
  [/^\/search$/, searchView],
  [/^\/trash$/, trashView],
  [/^\/share$/, shareView],
];

// Opened seldom, so its module loads on first use and the first load stays small.
function versionsView(args) {
  const loading = h('section', {}, h('h1', {}, 'Versions'));
  import('./views/versions.js').then((m) => loading.replaceWith(m.versionsView(args)));
  return loading;
}

const main = document.getElementById('main');
const header = document.querySelector('header.top');
let current = null; // AbortController of the view on screen

let shown = location.hash; // the address of the view on screen

function route() {
  // A view with unsaved work may keep the student on it.
  const leaving = main.firstElementChild;
  if (location.hash !== shown && leaving?.beforeLeave && !leaving.beforeLeave()) {
    history.replaceState(null, '', shown || location.pathname);
    return;
  }
  shown = location.hash;
  current?.abort();
  current = new AbortController();
  const hash = location.hash.replace(/^#/, '');
  const [path, search = ''] = hash.split('?');
  if (!auth.token()) {
    header.hidden = true;
    show(signInView(), 'Sign in');
    return;
  }
  header.hidden = false;
  const params = new URLSearchParams(search);
  document.getElementById('q').value = path === '/search' ? params.get('q') || '' : '';
  for (const [pattern, view] of routes) {
    const m = pattern.exec(path);
    if (m) {
      show(view({ id: m[1], params, signal: current.signal }));
      return;
    }
  }
  show(h('section', {}, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to your courses'))));
}

// show puts a view on screen and moves focus to its heading, so screen
// readers announce the new page and keyboard users start at its top.
function show(view) {
  view.drawnOffline = !navigator.onLine;
  main.replaceChildren(view);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent} · SnapNote`;
  }
  window.scrollTo(0, 0);
}

document.getElementById('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/search?${new URLSearchParams({ q })}`;
});

// signOutHere signs out and forgets what this browser kept: on the button,
// and when a view ends the session (the account deleted).
async function signOutHere() {
  await forgetUser();
  jobs.hidden = true;
  await auth.signOut();
  location.hash = '#/';
  route();
}
document.getElementById('sign-out').addEventListener('click', signOutHere);
window.addEventListener('snapnote:sign-out', signOutHere);

// The job dashboard (River UI) is for operators: the profile says where it
// is to them alone. The browser opens it with a short-lived cookie that
// POST /riverui/session mints from the token.
const jobs = document.getElementById('jobs');
jobs.addEventListener('click', async () => {
  try {
    await api('POST', '/riverui/session');
    window.open(jobs.dataset.href, '_blank', 'noopener');
  } catch (err) {
    toast(err.message);
  }
});

async function showOperatorLinks() {
  if (!auth.token()) return;
  const user = await api('GET', '/api/user').catch(() => null);
  jobs.hidden = !user?.jobDashboard;
  if (user?.jobDashboard) jobs.dataset.href = user.jobDashboard;
}

// forgetUser removes what this browser kept of the user: the responses the
// service worker keeps for offline use, the outbox and shared files.
async function forgetUser() {
  navigator.serviceWorker?.controller?.postMessage({ type: 'signed-out' });
  await clearAll().catch(() => {});
}

// The service worker makes the app installable and open offline. The page
// runs under Trusted Types, so its URL passes through the one policy the
// server's CSP allows, which lets nothing else through.
function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.trustedTypes) return;
  const policy = trustedTypes.createPolicy('sw-url', {
    createScriptURL: (url) => {
      if (url !== '/sw.js') throw new TypeError(`not the service worker: ${url}`);
      return url;
    },
  });
  navigator.serviceWorker.register(policy.createScriptURL('/sw.js'), { type: 'module', scope: '/' })
    .catch((err) => console.warn('service worker:', err.message));
}

session.onSignedOut = () => {
  toast('Your session has ended. Please sign in again.');
  route();
};

window.addEventListener('hashchange', () => {
  // A dev link pasted into this tab: sign in with it, then show the app.
  if (auth.adoptFragmentToken()) {
    shown = location.hash;
    showOperatorLinks();
  }
  route();
});

// Back online: send what waited, and show fresh data instead of the copy.
// A view drawn offline (from what the service worker kept) is drawn again.
window.addEventListener('online', async () => {
  await sendOutbox();
  const view = main.firstElementChild;
  if (!view?.drawnOffline || view.isDirty?.()) return; // never redraw over unsaved edits
  shown = location.hash;
  route();
});

try {
  await auth.start();
} catch (err) {
  toast(err.message);
}
registerWorker();
route();
showOperatorLinks();
if (auth.token()) sendOutbox();
