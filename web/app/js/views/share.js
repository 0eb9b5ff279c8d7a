// Files shared from another app (the manifest's share target): the service
// worker kept them; the student picks the course they go to.
import { api } from '../api.js';
import { h, colorDot, toast } from '../dom.js';
import { all, remove, SHARED } from '../idb.js';
import { uploadFiles } from '../uploads.js';

export function shareView({ signal }) {
  const section = h('section', {}, h('h1', {}, 'Add shared files'));
  (async () => {
    const shares = await all(SHARED).catch(() => []);
    const files = shares.flatMap((s) => s.files);
    if (!files.length) {
      section.append(h('p', {}, 'Nothing was received. Share a photo or PDF to SnapNote again once the app has opened once.'),
        h('p', {}, h('a', { href: '#/' }, 'Back to your courses')));
      return;
    }
    const page = await api('GET', '/api/courses', undefined, { signal });
    const uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads', 'aria-live': 'polite' });
    const choose = async (course) => {
      for (const s of shares) await remove(SHARED, s.key);
      list.remove();
      uploadFiles(files, course.id, uploads, () => {});
      section.append(h('p', {}, h('a', { href: `#/courses/${course.id}` }, `Open ${course.name}`)));
    };
    const list = h('ul', { class: 'cards', 'aria-label': 'Courses' }, page.items.map((c) => h('li', { class: 'card' },
      h('button', { type: 'button', class: 'card-link', onclick: () => choose(c) }, colorDot(c.color), c.name))));
    section.append(h('p', {}, `${files.length === 1 ? 'One file' : `${files.length} files`}: choose the course they go to.`),
      list, uploads);
    if (!page.items.length) section.append(h('p', {}, 'Create a course first: ', h('a', { href: '#/' }, 'your courses'), '.'));
  })().catch((err) => err.name !== 'AbortError' && toast(err.message));
  return section;
}
