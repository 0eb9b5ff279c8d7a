// Reading a note's pages again, and the note's earlier texts: the note view
// shows noteActions in its toolbar; #/notes/ID/versions lists the versions,
// shows one, and restores it.
import { api, query } from '../api.js';
import { h, toast, when } from '../dom.js';
import { renderMarkdown } from '../markdown.js';
import { followUpload } from '../uploads.js';

// What replaced each version's text, as the list says it.
const replacedBy = {
  edit: 'Before an edit',
  reread: 'Before the note was read again',
  pages: 'Before pages were added',
  restore: 'Before an older version was restored',
};

/**
 * noteActions are the note view's "Read again" and "Versions": reading
 * again is confirmed, then followed as an upload in a list after the
 * toolbar, and onNote(doc) gets the note as it is once read. A reread
 * already under way when the note opens is followed too. It returns the
 * toolbar's items.
 */
export function noteActions(doc, signal, onNote) {
  const progress = h('ul', { class: 'uploads reread', 'aria-label': 'Reading the note again' });
  const readAgain = h('button', { type: 'button', onclick: start }, 'Read again');

  function follow(upload) {
    readAgain.disabled = true;
    if (!progress.isConnected) readAgain.closest('.toolbar')?.after(progress);
    progress.replaceChildren();
    followUpload(upload, 'Reading the pages again', progress, async () => {
      onNote(await api('GET', `/api/documents/${doc.id}`, undefined, { signal }));
      toast('The note was read again; its previous text is in Versions.');
    });
  }

  async function start() {
    if (!confirm('Read this note’s pages again? The text read replaces the note’s text; the current text is kept in Versions.')) return;
    try {
      follow(await api('POST', `/api/documents/${doc.id}/reread`, undefined,
        { headers: { 'Idempotency-Key': crypto.randomUUID() } }));
    } catch (err) {
      toast(err.message);
    }
  }

  api('GET', query('/api/uploads', { courseId: doc.courseId, status: 'active' }), undefined, { signal })
    .then((active) => {
      const running = active.items.find((u) => u.rereads === doc.id);
      if (running) follow(running);
    }, () => {}); // offline, or the view was left: nothing to follow

  // A note made without a photo has no pages to read.
  const versions = h('a', { class: 'button', href: `#/notes/${doc.id}/versions` }, 'Versions');
  return doc.uploadId ? [readAgain, versions] : [versions];
}

/** versionsView lists a note's earlier texts and restores one. */
export function versionsView({ id, signal }) {
  const section = h('section', { class: 'versions' }, h('h1', {}, 'Versions'));
  const back = h('p', {}, h('a', { href: `#/notes/${id}` }, '← Note'));
  const shown = h('div', { class: 'version-shown' });

  async function show(v, button) {
    try {
      const full = await api('GET', v.url, undefined, { signal });
      for (const b of section.querySelectorAll('.version-item button[aria-pressed]')) b.setAttribute('aria-pressed', 'false');
      button.setAttribute('aria-pressed', 'true');
      const heading = h('h2', { tabindex: '-1' }, `Version ${full.n}: ${full.title}`);
      shown.replaceChildren(heading,
        h('p', { class: 'muted small' }, replacedBy[full.replacedBy] || 'Earlier text', ', ', when(full.createdAt)),
        h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'primary', onclick: () => restore(full) },
          `Restore version ${full.n}`)),
        h('article', { class: 'markdown', 'aria-label': `Version ${full.n}` }, renderMarkdown(full.formattedNote)));
      heading.focus();
    } catch (err) {
      if (err.name !== 'AbortError') toast(err.message);
    }
  }

  async function restore(v) {
    if (!confirm(`Restore version ${v.n}? The note’s current text is kept as a version too.`)) return;
    try {
      await api('POST', `/api/documents/${id}/versions/${v.n}/restore`);
      toast(`Version ${v.n} restored.`);
      location.hash = `#/notes/${id}`;
    } catch (err) {
      toast(err.message);
    }
  }

  Promise.all([api('GET', `/api/documents/${id}`, undefined, { signal }),
    api('GET', `/api/documents/${id}/versions`, undefined, { signal })]).then(([doc, versions]) => {
    const heading = h('h1', { tabindex: '-1' }, `Versions of “${doc.title}”`);
    const list = h('ol', { class: 'notes version-list', reversed: true },
      ...versions.map((v) => {
        const button = h('button', { type: 'button', 'aria-pressed': 'false' }, `Version ${v.n}: ${v.title}`);
        button.addEventListener('click', () => show(v, button));
        return h('li', { class: 'note-item version-item' }, button,
          h('p', { class: 'muted small' }, replacedBy[v.replacedBy] || 'Earlier text', ', ', when(v.createdAt)));
      }));
    section.replaceChildren(back, heading,
      h('p', { class: 'muted' }, 'Whenever the note’s text is replaced, the text before is kept here: the newest 50.'),
      versions.length ? list : h('p', {}, 'No earlier versions yet: editing the note or reading it again keeps one.'),
      shown);
    document.title = `${heading.textContent} · SnapNote`;
    heading.focus();
  }, (err) => err.name !== 'AbortError' && section.replaceChildren(back, h('h1', {}, 'Versions not available'),
    h('p', {}, err.message)));
  return section;
}
