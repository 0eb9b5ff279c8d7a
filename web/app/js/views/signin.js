// Signed out: the issuer's sign-in (OIDC), or a dev token.
import * as auth from '../auth.js';
import { h, toast } from '../dom.js';

export function signInView() {
  const section = h('section', { class: 'signin' }, h('h1', {}, 'SnapNote'),
    h('p', {}, 'Photos of your lecture notes, turned into searchable notes.'));
  if (auth.mode() === 'oidc') {
    section.append(h('button', {
      type: 'button', class: 'primary',
      onclick: () => auth.signIn().catch((err) => toast(err.message)),
    }, 'Sign in'));
    return section;
  }
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  section.append(
    h('p', {}, 'Development sign-in: open the link that ', h('code', {}, 'snapnote dev'),
      ' prints, or paste a token from ', h('code', {}, 'snapnote token --sub NAME'), '.'),
    h('form', {
      onsubmit: (e) => {
        e.preventDefault();
        auth.useToken(input.value);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      },
    }, h('label', { for: 'token' }, 'Token'), input, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
  );
  return section;
}
