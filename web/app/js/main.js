// The app's entry: sign-in, the header, and a hash router (#/courses/ID …),
// so the server serves one page and never needs to know the app's routes.
import * as auth from './auth.js';
import { session } from './api.js';
import { h, toast } from './dom.js';
import { coursesView } from './views/courses.js';
import { courseView } from './views/course.js';
import { noteView } from './views/note.js';
import { searchView } from './views/search.js';
import { trashView } from './views/trash.js';
import { signInView } from './views/signin.js';

const routes = [
  [/^$|^\/$/, coursesView],
  [/^\/courses\/([\w-]+)$/, courseView],
  [/^\/notes\/([\w-]+)$/, noteView],
  [/^\/search$/, searchView],
  [/^\/trash$/, trashView],
];

const main = document.getElementById('main');
const header = document.querySelector('header.top');
let current = null; // AbortController of the view on screen

function route() {
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

document.getElementById('sign-out').addEventListener('click', async () => {
  await auth.signOut();
  location.hash = '#/';
  route();
});

session.onSignedOut = () => {
  toast('Your session has ended. Please sign in again.');
  route();
};

window.addEventListener('hashchange', route);

try {
  await auth.start();
} catch (err) {
  toast(err.message);
}
route();
