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
      showEmpty();
      toast(`Deleted ${deleted(done)} for good.`);
    } catch (err) {
      toast(err.message);
    }
  }

  const coursesPart = h('div', { hidden: true }, h('h2', {}, 'Courses'), courses);
  const docsPart = h('div', { hidden: true }, h('h2', {}, 'Notes'), docs);
  const nothing = h('p', { class: 'muted', hidden: true }, 'Trash is empty.');
  // Headings show only over what is there; restoring the last one empties it.
  function showEmpty() {
    coursesPart.hidden = !courses.children.length;
    docsPart.hidden = !docs.children.length;
    nothing.hidden = !coursesPart.hidden || !docsPart.hidden;
    empty.hidden = !nothing.hidden;
  }
  const observer = new MutationObserver(showEmpty);
  observer.observe(courses, { childList: true });
  observer.observe(docs, { childList: true });
  signal?.addEventListener('abort', () => observer.disconnect());

  const more = pager(docs, async (cursor) => {
    const page = await api('GET', query('/api/trash', { cursor }), undefined, { signal });
    if (first) {
      first = false;
      courses.replaceChildren(...page.courses.map((c) => row(c.name, c.deletedAt, `/api/courses/${c.id}/restore`,
        c.documentCount ? `${count(c.documentCount, 'note', 'notes')} come back with it` : '')));
    }
    if (!page.courses.length && !page.documents.length) showEmpty();
    return { items: page.documents, nextCursor: page.nextCursor };
  }, (d) => row(d.title, d.deletedAt, `/api/documents/${d.id}/restore`, d.excerpt));

  return h('section', {}, h('h1', {}, 'Trash'),
    h('p', { class: 'muted' }, 'Things in trash are deleted for good after a while (30 days unless your server is set otherwise).'),
    empty, nothing, coursesPart, docsPart, more);
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// deleted says what emptying the trash removed, leaving out what it did not.
function deleted({ courses, documents }) {
  const parts = [];
  if (courses) parts.push(count(courses, 'course', 'courses'));
  if (documents) parts.push(count(documents, 'note', 'notes'));
  return parts.join(' and ') || 'nothing';
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
