// Uploading photos and following each upload through the pipeline, live
// through GET /api/uploads/{id}/events. Each file is its own note, or all of
// them the pages of one note, in the order picked (one POST /api/uploads
// with a file part per page).
import { api, events } from './api.js';
import { h, toast } from './dom.js';

// The pipeline's stages in order, as the API describes an upload (the enum
// of its stage in /openapi.json), so the steps shown follow the server's
// stage table rather than a copy of it. Until the description arrives, or
// without it, every stage shows as the first step.
let stages = [];
const stagesRead = fetch('/openapi.json')
  .then((r) => (r.ok ? r.json() : null))
  .then((doc) => { stages = doc?.components?.schemas?.Upload?.properties?.stage?.enum || []; })
  .catch(() => {});

// Steps of the progress bar: sending and each stage, then done.
const steps = () => Math.max(stages.length, 1) + 1;

// What the row says while a stage runs; a stage without words here says 'Working'.
const stageText = { format: 'Formatting the note', extract: 'Finishing' };

function describe(u) {
  if (u.status === 'done') return { step: steps(), text: 'Done' };
  if (u.status === 'failed') return { step: 0, text: u.error?.message || 'This photo could not be read.' };
  if (u.status === 'queued') return { step: 1, text: 'Waiting its turn' };
  const step = Math.max(stages.indexOf(u.stage), 0) + 1;
  if (u.stage === stages[0]) {
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
    const name = batch.length > 1 ? `${batch.length} pages` : batch[0].name || 'photo';
    new UploadRow(name, list, onDone).send(batch, courseId);
  }
}

class UploadRow {
  constructor(name, list, onDone) {
    this.onDone = onDone;
    this.progress = h('progress', { max: steps(), value: 0, 'aria-label': `Progress of ${name}` });
    this.status = h('span', { class: 'upload-status' }, 'Sending…');
    this.actions = h('span', { class: 'upload-actions' });
    this.el = h('li', { class: 'upload' },
      h('span', { class: 'upload-name' }, name), this.progress, this.status, this.actions);
    list.prepend(this.el);
  }

  async send(files, courseId) {
    const form = new FormData();
    form.append('courseId', courseId);
    for (const file of files) form.append('file', file, file.name || 'photo.jpg');
    this.key ??= crypto.randomUUID();
    try {
      const upload = await api('POST', '/api/uploads', form, { headers: { 'Idempotency-Key': this.key } });
      await stagesRead;
      this.follow(upload);
    } catch (err) {
      this.fail(err.message, () => this.send(files, courseId));
    }
  }

  show(u) {
    const { step, text } = describe(u);
    this.progress.max = steps();
    this.el.dataset.status = u.status;
    this.progress.value = step;
    this.status.textContent = text;
    this.actions.replaceChildren();
  }

  fail(message, retry) {
    this.el.dataset.status = 'failed';
    this.status.textContent = message;
    this.actions.replaceChildren(h('button', { type: 'button', onclick: retry }, 'Retry'));
    toast(`Upload failed: ${message}`);
  }

  // follow streams the upload's status until it is done or failed; a
  // dropped stream is reopened (the server sends the current status first).
  async follow(u) {
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
      this.fail(u.error?.message || 'This photo could not be read.', () => this.retry(u));
      return;
    }
    this.actions.replaceChildren(h('a', { href: `#/notes/${u.documentId}` }, 'Open note'));
    toast('A note is ready.');
    this.onDone?.(u.documentId);
  }

  async retry(u) {
    this.actions.replaceChildren();
    this.status.textContent = 'Trying again…';
    try {
      this.follow(await api('POST', `/api/uploads/${u.id}/retry`));
    } catch (err) {
      this.fail(err.message, () => this.retry(u));
    }
  }
}
