// What is in trash: restore a course or note, or empty it for good.
import { api, query } from '../api.js';
import { h, pager, toast, when } from '../dom.js';

export function trashView({ signal }) {
  const courses = h('ul', { class: 'notes', 'aria-label': 'Courses in trash' });
  const docs = h('ul', { class: 'notes', 'aria-label': 'Notes in trash' });
  const empty = h('button', { type: 'button', class: 'danger', onclick: emptyTrash }, 'Empty trash');
  let first = true;

  async function emptyTrash() {
    if (!confirm('Delete everything in trash for good? This cannot be undone.')) return;
    try {
      const done = await api('DELETE', '/api/trash');
      courses.replaceChildren();
      docs.replaceChildren();
      toast(`Deleted ${done.courses} courses and ${done.documents} notes for good.`);
    } catch (err) {
      toast(err.message);
    }
  }

  const more = pager(docs, async (cursor) => {
    const page = await api('GET', query('/api/trash', { cursor }), undefined, { signal });
    if (first) {
      first = false;
      courses.replaceChildren(...page.courses.map((c) => row(c.name, c.deletedAt, `/api/courses/${c.id}/restore`,
        `${c.documentCount} notes come back with it`)));
    }
    return { items: page.documents, nextCursor: page.nextCursor };
  }, (d) => row(d.title, d.deletedAt, `/api/documents/${d.id}/restore`, d.excerpt));

  return h('section', {}, h('h1', {}, 'Trash'),
    h('p', { class: 'muted' }, 'Things in trash are deleted for good after a while (30 days unless your server is set otherwise).'), empty,
    h('h2', {}, 'Courses'), courses, h('h2', {}, 'Notes'), docs, more);
}

function row(name, deletedAt, restorePath, detail) {
  const li = h('li', { class: 'note-item' },
    h('span', { class: 'card-title' }, name),
    detail ? h('p', { class: 'excerpt' }, detail) : null,
    h('p', { class: 'muted small' }, 'Trashed ', when(deletedAt)),
    h('button', {
      type: 'button', 'aria-label': `Restore ${name}`,
      onclick: async () => {
        try {
          await api('POST', restorePath);
          li.remove();
          toast(`“${name}” restored.`);
        } catch (err) {
          toast(err.message);
        }
      },
    }, 'Restore'));
  return li;
}
