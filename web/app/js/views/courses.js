// Your courses: create, open, rename, colour, trash.
import { api, download } from '../api.js';
import { h, colorDot, toast } from '../dom.js';

const COLORS = ['#2563eb', '#059669', '#d97706', '#dc2626', '#7c3aed', '#db2777', '#0891b2', '#4b5563'];

export function coursesView({ signal }) {
  const list = h('ul', { class: 'cards', 'aria-label': 'Courses' });
  const name = h('input', { id: 'new-course-name', name: 'name', required: true, maxlength: '255', autocomplete: 'off' });
  const color = h('input', { id: 'new-course-color', name: 'color', type: 'color', value: COLORS[0] });
  const form = h('form', { class: 'inline-form', onsubmit: create },
    h('label', { for: 'new-course-name' }, 'New course'), name,
    h('label', { for: 'new-course-color' }, 'Colour'), color,
    h('button', { type: 'submit', class: 'primary' }, 'Create course'));

  async function create(e) {
    e.preventDefault();
    try {
      const course = await api('POST', '/api/courses', { name: name.value.trim(), color: color.value });
      list.querySelector('.empty')?.remove();
      list.prepend(courseCard(course));
      name.value = '';
      color.value = COLORS[(COLORS.indexOf(color.value) + 1) % COLORS.length];
      toast(`Course “${course.name}” created.`);
    } catch (err) {
      toast(err.message);
    }
  }

  api('GET', '/api/courses', undefined, { signal }).then((page) => {
    list.replaceChildren(...page.items.map(courseCard));
    if (!page.items.length) list.append(h('li', { class: 'empty muted' }, 'No courses yet: create one to file your notes in.'));
  }, (err) => err.name !== 'AbortError' && toast(err.message));

  return h('section', {}, h('h1', {}, 'Your courses'), form, list, accountSection());
}

// accountSection keeps the student's notes theirs: all of them as Markdown
// files, and leaving with everything deleted.
function accountSection() {
  const exportAll = async () => {
    try {
      await download('/api/export', 'snapnote-export.zip');
    } catch (err) {
      toast(err.message);
    }
  };
  const leave = async () => {
    if (!confirm('Delete your account? Every course, note and photo is deleted for good. Export them first to keep them.')) return;
    try {
      await api('DELETE', '/api/user');
      window.dispatchEvent(new Event('snapnote:sign-out'));
      toast('Your account is being deleted.');
    } catch (err) {
      toast(err.message);
    }
  };
  return h('section', { class: 'account', 'aria-labelledby': 'account-heading' },
    h('h2', { id: 'account-heading' }, 'Your account'),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', onclick: exportAll }, 'Export all notes (Markdown, zip)'),
      h('button', { type: 'button', class: 'danger', onclick: leave }, 'Delete account')));
}

function courseCard(course) {
  const li = h('li', { class: 'card' });
  const render = () => {
    li.replaceChildren(
      h('a', { class: 'card-link', href: `#/courses/${course.id}` }, colorDot(course.color),
        h('span', { class: 'card-title' }, course.name),
        h('span', { class: 'muted' }, `${course.documentCount} ${course.documentCount === 1 ? 'note' : 'notes'}`)),
      h('div', { class: 'card-actions' },
        h('button', { type: 'button', onclick: edit, 'aria-label': `Edit ${course.name}` }, 'Edit'),
        h('button', { type: 'button', onclick: trash, 'aria-label': `Move ${course.name} to trash` }, 'Trash')));
  };
  function edit() {
    const id = `edit-${course.id}`;
    const name = h('input', { id: `${id}-name`, value: course.name, required: true, maxlength: '255' });
    const color = h('input', { id: `${id}-color`, type: 'color', value: course.color || COLORS[0] });
    li.replaceChildren(h('form', {
      class: 'inline-form',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          Object.assign(course, await api('PATCH', `/api/courses/${course.id}`, { name: name.value.trim(), color: color.value }));
          render();
          li.querySelector('a').focus();
        } catch (err) {
          toast(err.message);
        }
      },
    }, h('label', { for: `${id}-name` }, 'Name'), name, h('label', { for: `${id}-color` }, 'Colour'), color,
    h('button', { type: 'submit', class: 'primary' }, 'Save'),
    h('button', { type: 'button', onclick: render }, 'Cancel')));
    name.focus();
  }
  async function trash() {
    try {
      await api('DELETE', `/api/courses/${course.id}`);
      li.remove();
      toast(`“${course.name}” moved to trash.`);
    } catch (err) {
      toast(err.message);
    }
  }
  render();
  return li;
}
