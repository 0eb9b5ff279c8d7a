// Uploading photos and following each upload through the pipeline, live
// through GET /api/uploads/{id}/events. Each file is its own note, or all of
// them the pages of one note, in the order picked (one POST /api/uploads
// with a file part per page). Photos picked offline wait in an outbox
// (IndexedDB) and are sent when the connection returns, with the key they
// were given when picked, so the server makes one upload however often they
// are sent.
import { api, events, query } from './api.js';
import { settings } from './auth.js';
import { h, toast } from './dom.js';
import { all, OUTBOX, put, remove } from './idb.js';

// The pipeline's stages in order come with the app's settings
// (/app-config.json, from the server's stage table), so the steps shown
// follow the server rather than a copy of it.
const stages = () => settings().stages || [];
// Steps of the progress bar: sending and each stage, then done.
const steps = () => stages().length + 1;

// What the row says while a stage runs; a stage without words here says 'Working'.
const stageText = { format: 'Formatting the note', extract: 'Finishing' };

function describe(u) {
  if (u.status === 'done') return { step: steps(), text: 'Done' };
  if (u.status === 'failed') return { step: 0, text: u.error?.message || 'This photo could not be read.' };
  if (u.status === 'queued') return { step: 1, text: 'Waiting its turn' };
  const step = Math.max(stages().indexOf(u.stage), 0) + 1;
  if (u.stage === stages()[0]) {
    const reading = u.pagesTotal > 1 ? `Reading the text: ${u.pagesDone} of ${u.pagesTotal} pages` : 'Reading the text';
    return { step, text: reading };
  }
  return { step, text: stageText[u.stage] || 'Working' };
}

/**
 * uploadFiles sends files to course, each as its own upload or, with
 * asPages, all as the pages of one, adding a row per upload to list.
 * onDone(documentId) runs when a note is ready.
 */
export function uploadFiles(files, courseId, list, onDone, asPages = false) {
  const batches = asPages && files.length > 1 ? [files] : files.map((f) => [f]);
  for (const batch of batches) {
    new UploadRow(batchName(batch), list, onDone).send(batch, courseId);
  }
}

/**
 * addPages sends files as the next pages of note documentId, followed in a
 * row of list; onDone runs when the note holds them.
 */
export function addPages(files, documentId, list, onDone) {
  new UploadRow(batchName(files), list, onDone).add(files, documentId);
}

function batchName(files) {
  return files.length > 1 ? `${files.length} pages` : files[0].name || 'photo';
}

/**
 * showUploads lists what a course has on the way: photos waiting for a
 * connection, uploads still being read (followed live) and the latest that
 * failed, so leaving the course and coming back loses none of them.
 */
export async function showUploads(courseId, list, onDone, signal) {
  try {
    for (const item of await all(OUTBOX)) {
      if (item.courseId === courseId) new UploadRow(batchName(item.files), list, onDone, item.key).waiting();
    }
    const [active, failed] = await Promise.all(['active', 'failed'].map((status) =>
      api('GET', query('/api/uploads', { courseId, status, limit: status === 'failed' ? 5 : 20 }), undefined, { signal })));
    for (const u of [...failed.items, ...active.items].reverse()) {
      // Failures from before are shown, not announced again.
      new UploadRow(uploadName(u), list, onDone).follow(u, u.status === 'failed');
    }
  } catch (err) {
    if (err.name !== 'AbortError') toast(err.message);
  }
}

/** followUpload shows an upload made elsewhere (a note read again) in list, live, as a row named name. */
export function followUpload(u, name, list, onDone) {
  new UploadRow(name, list, onDone).follow(u);
}

function uploadName(u) {
  if (u.rereads) return 'A note read again';
  if (u.title) return u.title;
  return u.pagesTotal > 1 ? `${u.pagesTotal} pages` : u.filename || 'photo';
}

// rows are the outbox's rows on screen, by idempotency key.
const rows = new Map();
let sending = null;

/** sendOutbox sends the photos that waited for a connection, oldest first. */
export function sendOutbox() {
  sending ??= (async () => {
    try {
      const items = (await all(OUTBOX)).sort((a, b) => a.at - b.at);
      for (const item of items) {
        const row = rows.get(item.key);
        try {
          const upload = await post(item.files, item.courseId, item.key);
          await remove(OUTBOX, item.key);
          rows.delete(item.key);
          if (row?.el.isConnected) row.follow(upload);
          else toast('A photo picked offline was sent.');
        } catch (err) {
          if (err.status === 0) break; // still offline: the next 'online' tries again
          await remove(OUTBOX, item.key);
          rows.delete(item.key);
          row?.fail(err.message, null);
        }
      }
    } finally {
      sending = null;
    }
  })();
  return sending;
}

function post(files, courseId, key) {
  const form = new FormData();
  form.append('courseId', courseId);
  for (const file of files) form.append('file', file, file.name || 'photo.jpg');
  return api('POST', '/api/uploads', form, { headers: { 'Idempotency-Key': key } });
}

// A request that can succeed when sent again: no connection, a timeout, too
// many at once, or the server's own trouble. Anything else is about the file.
function worthRetrying(status) {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

class UploadRow {
  constructor(name, list, onDone, key) {
    this.onDone = onDone;
    this.key = key;
    this.progress = h('progress', { max: steps(), value: 0, 'aria-label': `Progress of ${name}` });
    this.status = h('span', { class: 'upload-status' }, 'Sending…');
    this.actions = h('span', { class: 'upload-actions' });
    this.el = h('li', { class: 'upload' },
      h('span', { class: 'upload-name' }, name), this.progress, this.status, this.actions);
    list.prepend(this.el);
  }

  async send(files, courseId) {
    this.key ??= crypto.randomUUID();
    if (!navigator.onLine) {
      await this.keep(files, courseId);
      return;
    }
    try {
      this.follow(await post(files, courseId, this.key));
    } catch (err) {
      if (err.status === 0) await this.keep(files, courseId);
      else this.fail(err.message, worthRetrying(err.status) ? () => this.send(files, courseId) : null);
    }
  }

  // add sends files as the next pages of a note (this.into).
  async add(files, documentId) {
    this.key ??= crypto.randomUUID();
    this.into = documentId;
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name || 'photo.jpg');
    try {
      this.follow(await api('POST', `/api/documents/${documentId}/pages`, form, { headers: { 'Idempotency-Key': this.key } }));
    } catch (err) {
      this.fail(err.message, worthRetrying(err.status) ? () => this.add(files, documentId) : null);
    }
  }

  // keep puts the photos in the outbox until the connection returns.
  async keep(files, courseId) {
    try {
      await put(OUTBOX, { key: this.key, courseId, files, at: Date.now() });
      this.waiting();
    } catch {
      this.fail('No connection, and this browser cannot keep the photo until there is one.',
        () => this.send(files, courseId));
    }
  }

  waiting() {
    rows.set(this.key, this);
    this.el.dataset.status = 'waiting';
    this.status.textContent = 'Waiting for a connection: sent when you are back online';
  }

  show(u) {
    const { step, text } = describe(u);
    this.el.dataset.status = u.status;
    this.progress.value = step;
    this.status.textContent = text;
    this.actions.replaceChildren();
  }

  // fail says why; retry, when there is one, is offered as a button.
  fail(message, retry, quiet = false) {
    this.el.dataset.status = 'failed';
    this.status.textContent = message;
    this.actions.replaceChildren(retry ? h('button', { type: 'button', onclick: retry }, 'Retry') : '');
    if (!quiet) toast(`Upload failed: ${message}`);
  }

  // follow streams the upload's status until it is done or failed; a
  // dropped stream is reopened (the server sends the current status first).
  async follow(u, quiet = false) {
    this.show(u);
    for (let attempt = 0; u.status !== 'done' && u.status !== 'failed'; attempt++) {
      try {
        for await (const ev of events(`/api/uploads/${u.id}/events`)) {
          if (ev.event !== 'status') continue;
          u = JSON.parse(ev.data);
          this.show(u);
          attempt = 0;
        }
      } catch (err) {
        if (err.status && err.status < 500 && err.status !== 429) {
          this.fail(err.message, () => this.follow(u));
          return;
        }
      }
      if (u.status !== 'done' && u.status !== 'failed') {
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
      }
    }
    if (u.status === 'failed') {
      this.fail(u.error?.message || 'This photo could not be read.', u.error?.retryable ? () => this.retry(u) : null, quiet);
      return;
    }
    if (this.into) {
      toast('The pages were added to the note.');
    } else {
      this.actions.replaceChildren(h('a', { href: `#/notes/${u.documentId}` }, 'Open note'));
      toast('A note is ready.');
    }
    this.onDone?.(u.documentId);
  }

  async retry(u) {
    this.actions.replaceChildren();
    this.status.textContent = 'Trying again…';
    try {
      this.follow(await api('POST', `/api/uploads/${u.id}/retry`));
    } catch (err) {
      this.fail(err.message, worthRetrying(err.status) ? () => this.retry(u) : null);
    }
  }
}
