// One course: add photos, watch them become notes, and its notes newest first.
import { api, download, query } from '../api.js';
import { h, colorDot, pager, toast, when } from '../dom.js';
import { showUploads, uploadFiles } from '../uploads.js';

export function courseView({ id, signal }) {
  const title = h('h1', {}, 'Course');
  const uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads', 'aria-live': 'polite' });
  const notes = h('ul', { class: 'notes', 'aria-label': 'Notes' });
  const asPages = h('input', { id: 'as-pages', type: 'checkbox' });
  const picked = (input) => () => {
    uploadFiles([...input.files], id, uploads, prependNote, asPages.checked);
    input.value = '';
  };
  // Two ways in: the camera, one shot; or the library and Files, several
  // photos or PDFs at once (capture would send phones to the camera only).
  const camera = h('input', { id: 'camera', type: 'file', class: 'file-input', accept: 'image/*', capture: 'environment' });
  const library = h('input', {
    id: 'photos', type: 'file', class: 'file-input', multiple: true,
    accept: 'image/*,application/pdf,.heic,.heif',
  });
  camera.addEventListener('change', picked(camera));
  library.addEventListener('change', picked(library));
  const picker = h('div', { class: 'picker' },
    h('div', { class: 'ways-in' },
      h('span', { class: 'way-in' }, camera, h('label', { for: 'camera', class: 'button primary' }, 'Take photo')),
      h('span', { class: 'way-in' }, library, h('label', { for: 'photos', class: 'button' }, 'Choose photos or PDFs'))),
    h('p', { class: 'hint' }, h('label', { class: 'check' }, asPages, 'Photos are the pages of one note')),
    h('p', { class: 'muted hint' }, 'Otherwise each photo becomes a note. You can choose several at once.'));

  async function prependNote(docId) {
    try {
      const doc = await api('GET', `/api/documents/${docId}`);
      if (!notes.isConnected) empty.replaceWith(notes);
      notes.prepend(noteItem(doc));
    } catch (err) {
      toast(err.message);
    }
  }

  api('GET', `/api/courses/${id}`, undefined, { signal }).then((course) => {
    title.replaceChildren(colorDot(course.color), course.name);
    document.title = `${course.name} · SnapNote`;
  }, (err) => err.name !== 'AbortError' && toast(err.message));

  showUploads(id, uploads, prependNote, signal);
  const empty = h('p', { class: 'muted empty' }, 'No notes yet: take a photo of your notes to add one.');
  const more = pager(notes,
    (cursor) => api('GET', query('/api/documents', { courseId: id, cursor, limit: 20 }), undefined, { signal }),
    noteItem, empty);
  const exportCourse = async () => {
    try {
      await download(`/api/courses/${id}/export`, 'snapnote-course.zip');
    } catch (err) {
      toast(err.message);
    }
  };
  return h('section', {}, h('p', {}, h('a', { href: '#/' }, '← Courses')), title, picker, uploads,
    h('h2', {}, 'Notes'), notes, more,
    h('p', {}, h('button', { type: 'button', onclick: exportCourse }, 'Export this course (Markdown, zip)')));
}

export function noteItem(doc) {
  return h('li', { class: 'note-item' },
    h('a', { href: `#/notes/${doc.id}` }, h('span', { class: 'card-title' }, doc.title)),
    h('p', { class: 'excerpt' }, doc.excerpt),
    h('p', { class: 'muted small' }, when(doc.createdAt)));
}
