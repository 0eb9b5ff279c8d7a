// Small DOM helpers. Text always goes in through text nodes, never as markup.

/**
 * h("a", {href: "#/", class: "x", onclick: fn}, "text", child) makes an element.
 * Attributes named on* take a function; `style` is refused (the CSP forbids it:
 * use classes or el.style.setProperty).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'style') throw new Error('h: inline style is not allowed');
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

/** append adds children: nodes, strings (as text) or arrays of them. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let toastTimer;
/** toast says something briefly in a polite live region. */
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function when(iso) {
  return h('time', { datetime: iso }, dateFormat.format(new Date(iso)));
}

/** colorDot is a course's colour swatch, hidden from screen readers. */
export function colorDot(color) {
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
  if (color) dot.style.setProperty('--dot', color);
  return dot;
}

/**
 * pager shows items page by page: load(cursor) returns {items, nextCursor};
 * render(item) makes one <li>. More load when the end scrolls into view, or
 * with the "Show more" button (keyboard, and browsers without observers).
 */
export function pager(list, load, render, empty) {
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Show more');
  let cursor = '';
  let busy = false;
  let seen = 0;
  async function next() {
    if (busy) return;
    busy = true;
    more.disabled = true;
    try {
      const page = await load(cursor);
      for (const item of page.items) list.append(render(item));
      seen += page.items.length;
      cursor = page.nextCursor || '';
      more.hidden = !cursor;
      if (!seen && empty) list.replaceWith(empty);
    } catch (err) {
      toast(err.message);
    } finally {
      busy = false;
      more.disabled = false;
    }
  }
  more.addEventListener('click', next);
  const observer = new IntersectionObserver((entries) => {
    if (!more.isConnected) observer.disconnect(); // the view was left
    else if (entries.some((e) => e.isIntersecting) && cursor) next();
  }, { rootMargin: '400px' });
  observer.observe(more);
  next();
  return more;
}
