// One note: read it rendered beside its pages, edit its title and Markdown with
// the page in view, add pages, move it, trash it.
import { api } from '../api.js';
import { token } from '../auth.js';
import { h, toast, when } from '../dom.js';
import { renderMarkdown } from '../markdown.js';

export function noteView({ id, signal }) {
  const section = h('section', { class: 'note' }, h('h1', {}, 'Note'));
  let doc;
  // The pages are beside the note on a desktop; on a phone a toggle shows
  // one or the other. Both outlive a switch between reading and editing.
  const viewer = import('./pages.js');
  let pages = null;
  let addPages = null;
  const side = h('div', { class: 'side', 'data-show': 'note', 'data-pages': '0' });
  const toggles = ['page', 'note'].map((which) => h('button', {
    type: 'button', 'aria-pressed': String(which === 'note'), 'data-which': which,
    onclick: () => show(which),
  }, which === 'page' ? 'Page' : 'Note'));
  const toggle = h('div', { class: 'view-toggle', role: 'group', 'aria-label': 'Show the page or the note' }, toggles);
  function show(which) {
    side.dataset.show = which;
    for (const b of toggles) b.setAttribute('aria-pressed', String(b.dataset.which === which));
  }
  // beside lays out content next to the pages.
  function beside(content) {
    side.replaceChildren(...[pages, content].filter(Boolean));
    return side;
  }

  function read() {
    const note = h('article', { class: 'markdown', 'aria-label': 'Note' }, renderMarkdown(doc.formattedNote));
    loadFigures(note);
    section.replaceChildren(
      h('p', {}, h('a', { href: `#/courses/${doc.courseId}` }, '← Course')),
      h('h1', {}, doc.title),
      h('p', { class: 'muted small' }, 'Updated ', when(doc.updatedAt)),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', onclick: edit }, 'Edit'),
        addPages,
        h('button', { type: 'button', onclick: move }, 'Move to course…'),
        h('button', { type: 'button', onclick: trash }, 'Move to trash')),
      addPages?.rows,
      toggle,
      beside(note));
    const toolbar = section.querySelector('.toolbar');
    import('./versions.js').then((m) => toolbar.append(...m.noteActions(doc, signal, (d) => {
      doc = d;
      if (toolbar.isConnected) read(); // not over an edit under way
    })));
    const heading = section.querySelector('h1');
    heading.tabIndex = -1;
    document.title = `${doc.title} · SnapNote`;
    return heading;
  }

  // Pages added to the note change its text too: it is shown again when
  // the student is reading it, never under an edit.
  async function added() {
    pages?.reload();
    try {
      const fresh = await api('GET', `/api/documents/${id}`, undefined, { signal });
      if (!section.isConnected || !section.querySelector('article')) return;
      doc = fresh;
      read();
    } catch (err) {
      if (err.name !== 'AbortError') toast(err.message);
    }
  }

  let dirty = false;
  section.isDirty = () => dirty;
  section.beforeLeave = () => !dirty || confirm('Leave without saving your changes to this note?');
  const unload = (e) => {
    if (!dirty || !section.isConnected) return;
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', unload, { signal });

  function edit() {
    const title = h('input', { id: 'note-title', value: doc.title, required: true, maxlength: '500' });
    const body = h('textarea', { id: 'note-body', rows: '18', spellcheck: 'true' });
    body.value = doc.formattedNote;
    const changed = () => { dirty = title.value !== doc.title || body.value !== doc.formattedNote; };
    title.addEventListener('input', changed);
    body.addEventListener('input', changed);
    const done = () => {
      dirty = false;
      read().focus();
    };
    section.replaceChildren(h('h1', {}, 'Edit note'), toggle, beside(h('form', {
      class: 'edit',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const [newTitle, newNote] = consistent(doc.title, doc.formattedNote, title.value.trim(), body.value);
          doc = await api('PATCH', `/api/documents/${id}`, { title: newTitle, formattedNote: newNote });
          done();
          toast('Note saved.');
        } catch (err) {
          toast(err.message);
        }
      },
    }, h('label', { for: 'note-title' }, 'Title'), title,
    h('label', { for: 'note-body' }, 'Note (Markdown)'), body,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Save'),
      h('button', { type: 'button', onclick: () => (section.beforeLeave() ? done() : null) }, 'Cancel')))));
    title.focus();
  }

  // move offers the student's other courses, and files the note in the one
  // picked.
  async function move() {
    let courses;
    try {
      courses = (await api('GET', '/api/courses', undefined, { signal })).items.filter((c) => c.id !== doc.courseId);
    } catch (err) {
      toast(err.message);
      return;
    }
    if (!courses.length) {
      toast('Make another course first: this note is in your only one.');
      return;
    }
    const to = h('select', { id: 'move-to' }, ...courses.map((c) => h('option', { value: c.id }, c.name)));
    section.replaceChildren(h('h1', {}, 'Move note'), h('form', {
      class: 'edit',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          doc = await api('PATCH', `/api/documents/${id}`, { courseId: to.value });
          read().focus();
          toast(`Moved to “${to.selectedOptions[0].textContent}”.`);
        } catch (err) {
          toast(err.message);
        }
      },
    }, h('label', { for: 'move-to' }, `Move “${doc.title}” to`), to,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary' }, 'Move'),
      h('button', { type: 'button', onclick: () => read().focus() }, 'Cancel'))));
    to.focus();
  }

  async function trash() {
    try {
      await api('DELETE', `/api/documents/${id}`);
      toast(`“${doc.title}” moved to trash.`);
      location.hash = `#/courses/${doc.courseId}`;
    } catch (err) {
      toast(err.message);
    }
  }

  // The note's figures are served, as its photo is, only with the user's
  // token, which an img cannot send: each is fetched and shown from memory.
  function loadFigures(root) {
    for (const img of root.querySelectorAll('img[data-src]')) {
      fetch(img.dataset.src, { headers: { Authorization: `Bearer ${token()}` }, signal })
        .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(res.statusText))))
        .then((blob) => {
          const url = URL.createObjectURL(blob);
          img.onload = () => URL.revokeObjectURL(url);
          img.src = url;
        })
        .catch(() => img.replaceWith(h('span', { class: 'muted small' }, `${img.alt} could not be loaded.`)));
    }
  }

  Promise.all([api('GET', `/api/documents/${id}`, undefined, { signal }), viewer]).then(([d, { pagesView, addPageControl }]) => {
    doc = d;
    pages = pagesView({ id, signal, onCount: (n) => { side.dataset.pages = String(n); } });
    addPages = addPageControl({ id, onAdded: added });
    read().focus();
  }, (err) => err.name !== 'AbortError' && section.replaceChildren(h('h1', {}, 'Note not found'),
    h('p', {}, err.message), h('p', {}, h('a', { href: '#/' }, 'Back to your courses'))));
  return section;
}

const HEADING = /^(\s*)# +(.*)$/m;

/**
 * consistent keeps a note's title and its first heading the same: a new
 * title renames a first heading that carried the old one, and a renamed
 * first heading renames an unchanged title. It returns [title, note].
 */
export function consistent(oldTitle, oldNote, title, note) {
  const first = note.match(/^\s*# +(.*)$/m);
  if (!first || note.slice(0, first.index).trim() !== '') return [title, note];
  const heading = first[1].trim();
  if (title !== oldTitle && heading === oldTitle) return [title, note.replace(HEADING, (_, lead) => `${lead}# ${title}`)];
  const oldHeading = oldNote.match(/^\s*# +(.*)$/m)?.[1].trim();
  if (title === oldTitle && heading !== oldHeading && heading) return [heading, note];
  return [title, note];
}
