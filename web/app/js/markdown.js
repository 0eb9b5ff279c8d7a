// Markdown to DOM nodes. Every piece of note text becomes a text node, so a
// note cannot inject markup or script whatever it contains: there is no
// HTML pass-through. Supported: headings, paragraphs, lists (nested),
// block quotes, fenced code, rules, `code`, **strong**, *emphasis*,
// [links](https://…) with http and https URLs only, and the note's own
// figures, ![Figure 1](/api/documents/…/figures/1), as images without a
// source: their data-src is fetched with the user's token (loadFigures).
import { h } from './dom.js';

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const BLANK = /^\s*$/;

/**
 * renderMarkdown returns a fragment. Headings are shifted one level down
 * (# → h2), so the page's own title stays its only h1.
 */
export function renderMarkdown(src) {
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n');
  const frag = document.createDocumentFragment();
  blocks(lines, frag);
  return frag;
}

function blocks(lines, parent) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (BLANK.test(line)) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const close = new RegExp(`^\\s{0,3}${m[1][0]}{${m[1].length},}\\s*$`);
      const body = [];
      for (i++; i < lines.length && !close.test(lines[i]); i++) body.push(lines[i]);
      i++;
      const code = h('code', {}, body.join('\n'));
      if (m[2]) code.className = `language-${m[2]}`;
      parent.append(h('pre', {}, code));
    } else if ((m = HEADING.exec(line))) {
      parent.append(inline(h(`h${Math.min(m[1].length + 1, 6)}`), m[2]));
      i++;
    } else if (RULE.test(line)) {
      parent.append(h('hr'));
      i++;
    } else if (QUOTE.test(line)) {
      const body = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i++) body.push(lines[i].replace(QUOTE, ''));
      const quote = h('blockquote');
      blocks(body, quote);
      parent.append(quote);
    } else if (ITEM.test(line)) {
      i = list(lines, i, parent);
    } else {
      const para = [];
      for (; i < lines.length && !BLANK.test(lines[i]) && !startsBlock(lines[i]); i++) para.push(lines[i].trim());
      parent.append(inline(h('p'), para.join('\n')));
    }
  }
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

// list reads the list starting at lines[i] into parent and returns the
// index after it. Items indented deeper than the first start nested lists.
function list(lines, i, parent) {
  const first = ITEM.exec(lines[i]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const el = h(ordered ? 'ol' : 'ul');
  if (ordered && parseInt(first[2], 10) !== 1) el.start = parseInt(first[2], 10);
  let item = null;
  let text = [];
  const flush = () => {
    if (item) inline(item, text.join('\n'), true);
    text = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    const m = ITEM.exec(line);
    if (m && m[1].length === indent && /\d/.test(m[2]) === ordered) {
      flush();
      item = h('li');
      el.append(item);
      text = [m[3]];
      i++;
    } else if (m && m[1].length > indent && item) {
      flush();
      i = list(lines, i, item);
    } else if (!BLANK.test(line) && !m && !startsBlock(line.trim()) && item && /^\s/.test(line)) {
      text.push(line.trim()); // continuation of the item
      i++;
    } else if (BLANK.test(line) && i + 1 < lines.length && ITEM.test(lines[i + 1]) && ITEM.exec(lines[i + 1])[1].length >= indent) {
      i++; // a loose list: blank lines between items
    } else {
      break;
    }
  }
  flush();
  parent.append(el);
  return i;
}

const INLINE = new RegExp([
  /`([^`\n]+)`/.source, // 1 code
  /\*\*(?=\S)([\s\S]*?\S)\*\*/.source, // 2 strong
  /__(?=\S)([\s\S]*?\S)__(?!\w)/.source, // 3 strong
  /\*(?=[^\s*])([\s\S]*?[^\s*])\*/.source, // 4 em
  /(?<!\w)_(?=[^\s_])([\s\S]*?[^\s_])_(?!\w)/.source, // 5 em
  /\[([^\]\n]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)/.source, // 6 text, 7 href
  /<(https?:\/\/[^\s>]+)>/.source, // 8 autolink
  /!\[([^\]\n]*)\]\(([^\s()]+)\)/.source, // 9 alt, 10 src
].join('|'), 'g');

// FIGURE is the path at which the API serves a figure of a note.
const FIGURE = /^\/api\/documents\/[0-9a-f-]{36}\/figures\/\d{1,9}$/;

// image is a figure of the note, left for loadFigures to fetch, or for any
// other image (a tracker, a page elsewhere) its alt text only.
function image(alt, src) {
  if (!FIGURE.test(src)) return inline(h('span'), alt);
  return h('img', { class: 'figure', alt: alt || 'Figure', 'data-src': src });
}

/** safeHref returns href when it is an absolute http(s) URL, else null. */
export function safeHref(href) {
  if (!/^https?:\/\//i.test(href)) return null;
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function link(text, href) {
  const safe = safeHref(href);
  if (!safe) return inline(h('span'), text);
  return inline(h('a', { href: safe, rel: 'noopener noreferrer nofollow', target: '_blank' }), text);
}

// inline appends text with its inline marks to el, and returns el. Line
// breaks inside a paragraph are kept as spaces.
function inline(el, text, trim = false) {
  if (trim) text = text.trim();
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) el.append(text.slice(last, m.index).replace(/\n/g, ' '));
    if (m[1] !== undefined) el.append(h('code', {}, m[1]));
    else if (m[2] !== undefined || m[3] !== undefined) el.append(inline(h('strong'), m[2] ?? m[3]));
    else if (m[4] !== undefined || m[5] !== undefined) el.append(inline(h('em'), m[4] ?? m[5]));
    else if (m[6] !== undefined) el.append(link(m[6], m[7]));
    else if (m[8] !== undefined) el.append(link(m[8], m[8]));
    else if (m[9] !== undefined) el.append(image(m[9], m[10]));
    last = m.index + m[0].length;
  }
  if (last < text.length) el.append(text.slice(last).replace(/\n/g, ' '));
  return el;
}

/**
 * highlighted turns a search snippet into nodes. The API escapes the note's
 * text and marks matches with <mark>…</mark>; this reads exactly that shape
 * (text, entities, mark) and never parses the snippet as HTML.
 */
export function highlighted(snippet) {
  const frag = document.createDocumentFragment();
  const parts = String(snippet).split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) frag.append(marked ? h('mark', {}, unescape(part)) : unescape(part));
  }
  return frag;
}

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&#39;': "'", '&#34;': '"', '&quot;': '"' };
function unescape(s) {
  return s.replace(/&(?:lt|gt|amp|quot|#39|#34);/g, (e) => ENTITIES[e]);
}
