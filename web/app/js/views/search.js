// Search across notes, with the matched words highlighted.
import { api, query } from '../api.js';
import { h, colorDot, pager } from '../dom.js';
import { highlighted } from '../markdown.js';

export function searchView({ params, signal }) {
  const q = params.get('q') || '';
  const list = h('ul', { class: 'notes', 'aria-label': 'Search results' });
  const note = h('p', { class: 'muted', role: 'status' });
  const more = pager(list, async (cursor) => {
    const page = await api('GET', query('/api/search', { q, cursor }), undefined, { signal });
    if (!cursor) {
      note.textContent = page.items.length === 0 ? ''
        : page.match === 'fuzzy' ? 'No exact matches; these notes are close.' : '';
    }
    return page;
  }, hit, h('p', { class: 'muted empty' }, `No notes match “${q}”.`));
  return h('section', {}, h('h1', {}, `Search: ${q}`), note, list, more);
}

function hit(item) {
  return h('li', { class: 'note-item' },
    h('a', { href: `#/notes/${item.id}` }, h('span', { class: 'card-title' }, item.title)),
    h('p', { class: 'snippet' }, highlighted(item.snippet)),
    h('p', { class: 'muted small' }, colorDot(item.course.color), item.course.name));
}
