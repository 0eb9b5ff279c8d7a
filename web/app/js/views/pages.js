// A note's pages as the student photographed them: every page in order (a
// PDF's pages as the images rendered when it was read), upright as the
// pipeline read them, zoomable by buttons, keys, pinch and ctrl+wheel; and a
// way to add pages to the note. The note view loads this module when a note
// opens, so the app's first load does not carry it.
import { api } from '../api.js';
import { token } from '../auth.js';
import { h, toast } from '../dom.js';
import { addPages } from '../uploads.js';

const MIN_ZOOM = 1;
const MAX_ZOOM = 4;
const STEP = 1.5;

/**
 * pagesView shows note id's pages. onCount(n) runs once they are listed;
 * the returned element's reload() lists them again (after pages were added).
 */
export function pagesView({ id, signal, onCount }) {
  let zoom = 1;
  const sheets = h('div', { class: 'sheets' });
  const viewport = h('div', {
    class: 'viewport', tabindex: '0', role: 'region',
    'aria-label': 'Pages of the note. Plus and minus zoom, 0 fits the width, arrows scroll.',
  }, sheets);
  const level = h('output', { class: 'zoom-level', 'aria-live': 'polite' }, '100%');
  const out = h('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => setZoom(zoom / STEP) }, '−');
  const into = h('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => setZoom(zoom * STEP) }, '+');
  const fit = h('button', { type: 'button', onclick: () => setZoom(1) }, 'Fit width');
  const pane = h('section', { class: 'pages', 'aria-labelledby': 'pages-heading' },
    h('div', { class: 'pages-tools' }, h('h2', { id: 'pages-heading' }, 'Pages'),
      h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' }, out, level, into, fit)),
    viewport);

  // setZoom scales the pages about the middle of what is in view, so the
  // part being read stays under the eye.
  function setZoom(z, about = { x: viewport.clientWidth / 2, y: viewport.clientHeight / 2 }) {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    const f = next / zoom;
    const x = (viewport.scrollLeft + about.x) * f - about.x;
    const y = (viewport.scrollTop + about.y) * f - about.y;
    zoom = next;
    sheets.style.setProperty('--zoom', String(zoom));
    viewport.scrollTo(x, y);
    level.textContent = `${Math.round(zoom * 100)}%`;
    out.disabled = zoom <= MIN_ZOOM;
    into.disabled = zoom >= MAX_ZOOM;
  }
  setZoom(1);

  viewport.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const to = { '+': zoom * STEP, '=': zoom * STEP, '-': zoom / STEP, 0: 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    setZoom(to);
  });
  // A trackpad's pinch arrives as ctrl+wheel.
  viewport.addEventListener('wheel', (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    const box = viewport.getBoundingClientRect();
    setZoom(zoom * Math.exp(-e.deltaY / 200), { x: e.clientX - box.left, y: e.clientY - box.top });
  }, { passive: false });
  pinch(viewport, () => zoom, setZoom);

  async function load() {
    let pages;
    try {
      pages = await api('GET', `/api/documents/${id}/pages`, undefined, { signal });
    } catch (err) {
      // Offline the note is read without its pages, which are not kept.
      if (err.name !== 'AbortError' && err.status !== 0) toast(err.message);
      return;
    }
    const views = pages.flatMap((p) => p.views);
    sheets.replaceChildren(...views.map((v, i) => sheet(v, i + 1, views.length, signal)));
    onCount?.(views.length);
  }
  pane.reload = load;
  load();
  return pane;
}

// pinch zooms el with two fingers: the browser's own pinch is left to the
// rest of the page (touch-action in app.css).
function pinch(el, current, setZoom) {
  const touches = new Map();
  let start = null;
  const spread = () => {
    const [a, b] = [...touches.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  el.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'touch') return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (touches.size === 2) start = { spread: spread(), zoom: current() };
  });
  el.addEventListener('pointermove', (e) => {
    if (!touches.has(e.pointerId)) return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (touches.size !== 2 || !start) return;
    const box = el.getBoundingClientRect();
    const [a, b] = [...touches.values()];
    setZoom(start.zoom * (spread() / start.spread), { x: (a.x + b.x) / 2 - box.left, y: (a.y + b.y) / 2 - box.top });
  });
  const lift = (e) => {
    touches.delete(e.pointerId);
    if (touches.size < 2) start = null;
  };
  el.addEventListener('pointerup', lift);
  el.addEventListener('pointercancel', lift);
}

// sheet is one image of a page, turned upright. The image is served only
// with the user's token, which an img cannot send: it is fetched and shown
// from memory.
function sheet(view, n, total, signal) {
  const label = `Page ${n} of ${total}`;
  const caption = h('figcaption', { class: 'muted small' }, label);
  if (!view.image) return h('figure', { class: 'sheet' }, h('p', { class: 'sheet-problem' }, view.problem), caption);
  const img = h('img', { alt: label });
  const frame = h('div', { class: 'frame' }, img);
  const size = (w, hgt) => {
    const across = view.turn % 180 !== 0;
    frame.style.setProperty('--aspect', across ? `${hgt} / ${w}` : `${w} / ${hgt}`);
    img.style.setProperty('--across', String(across ? w / hgt : 1));
  };
  if (view.turn) {
    frame.classList.add('turned');
    frame.style.setProperty('--turn', `${view.turn}deg`);
  }
  if (view.width && view.height) size(view.width, view.height);
  fetch(view.image, { headers: { Authorization: `Bearer ${token()}` }, signal })
    .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(res.statusText))))
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      img.onload = () => {
        size(img.naturalWidth, img.naturalHeight);
        URL.revokeObjectURL(url);
      };
      img.src = url;
    })
    .catch((err) => err.name !== 'AbortError' &&
      frame.replaceWith(h('p', { class: 'sheet-problem' }, `${label} could not be loaded.`)));
  return h('figure', { class: 'sheet' }, frame, caption);
}

/**
 * addPageControl is the "Add pages" button of note id: photos or PDFs
 * picked there become the note's next pages, followed in a row of their
 * own; onAdded runs once the note holds them.
 */
export function addPageControl({ id, onAdded }) {
  const rows = h('ul', { class: 'uploads', 'aria-label': 'Pages being added', 'aria-live': 'polite' });
  const input = h('input', {
    id: 'add-pages', type: 'file', class: 'file-input', multiple: true,
    accept: 'image/*,application/pdf,.heic,.heif',
  });
  input.addEventListener('change', () => {
    addPages([...input.files], id, rows, onAdded);
    input.value = '';
  });
  const control = h('span', { class: 'way-in' }, input, h('label', { for: 'add-pages', class: 'button' }, 'Add pages'));
  control.rows = rows;
  return control;
}
