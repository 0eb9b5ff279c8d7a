// A note's pages in a real browser: every page of a two-page note and of a
// PDF note, upright as read and zoomable; beside the note on a desktop, a
// toggle on a phone, in reading and in editing; pages added from the note;
// and an accessibility check of the viewer and the editor. With
// UPDATE_SCREENSHOT=1 it also refreshes docs/screenshots/ (each view at
// phone size).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { axeSource, call, photo, repo, start, withPage } from './harness.js';

const phone = { width: 375, height: 812 };
const desktop = { width: 1280, height: 800 };
const screenshots = process.env.UPDATE_SCREENSHOT ? join(repo, 'docs', 'screenshots') : '';
let env;
let course;
let twoPages; // a note of two photos, the second taken upside down
let pdfNote; // a note from a PDF of two pages

before(async () => {
  env = await start();
  course = await call(env, 'POST', '/api/courses', { name: 'Optics' });
  const first = await photo(env.browser, ['Optics Lecture', '', 'Light bends when it enters water.',
    'A lens focuses parallel rays onto one point.']);
  const second = await upsideDown(env.browser, ['Second page of the lecture notes', '',
    'The retina turns the light it receives into signals.', 'Each eye sees the world from its own angle.']);
  const pdf = await pdfOf(env.browser, ['Thermodynamics Lecture', 'The first law states that energy is conserved.'],
    ['Second PDF page', 'Entropy of an isolated system never decreases.']);
  [twoPages, pdfNote] = await Promise.all([
    noteOf([['p1.png', 'image/png', first], ['p2.png', 'image/png', second]]),
    noteOf([['scan.pdf', 'application/pdf', pdf]]),
  ]);
});

after(async () => {
  await env?.stop();
});

// noteOf uploads files as the pages of one note and returns its id once
// the pipeline has made it.
async function noteOf(files) {
  const form = new FormData();
  form.append('courseId', course.id);
  for (const [name, type, data] of files) form.append('file', new Blob([data], { type }), name);
  const res = await fetch(`${env.base}/api/uploads`, { method: 'POST', body: form,
    headers: { Authorization: `Bearer ${env.token}` } });
  assert.equal(res.status, 202, await res.clone().text());
  let upload = await res.json();
  for (let i = 0; i < 300 && upload.status !== 'done' && upload.status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    upload = await call(env, 'GET', `/api/uploads/${upload.id}`);
  }
  assert.equal(upload.status, 'done', JSON.stringify(upload.error));
  return upload.documentId;
}

/** upsideDown renders lines as photo does, turned half round. */
async function upsideDown(browser, lines) {
  const page = await browser.newPage();
  try {
    await page.setContent('<img>');
    const png = await photo(browser, lines);
    const dataURL = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.translate(c.width, c.height);
      g.rotate(Math.PI);
      g.drawImage(img, 0, 0);
      return c.toDataURL('image/png');
    }, `data:image/png;base64,${png.toString('base64')}`);
    return Buffer.from(dataURL.split(',')[1], 'base64');
  } finally {
    await page.close();
  }
}

/** pdfOf prints one A4 page per list of lines to a PDF with a text layer, as a scanner app exports one. */
async function pdfOf(browser, ...pages) {
  const page = await browser.newPage();
  try {
    await page.setContent('<body></body>');
    await page.evaluate((texts) => {
      for (const [i, lines] of texts.entries()) {
        const sheet = document.createElement('section');
        if (i > 0) sheet.style.breakBefore = 'page';
        for (const [j, line] of lines.entries()) {
          const el = document.createElement(j === 0 ? 'h1' : 'p');
          el.textContent = line;
          sheet.append(el);
        }
        document.body.append(sheet);
      }
    }, pages);
    return await page.pdf({ format: 'A4' });
  } finally {
    await page.close();
  }
}

async function open(page, id) {
  await page.goto(env.link);
  await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
  await page.goto(`${env.base}/#/notes/${id}`);
  await page.locator('article').waitFor();
}

// shown waits until every page image has loaded and returns them: their
// count, and the turn each is shown at.
async function shown(page, count) {
  const sheets = page.locator('.pages .sheet');
  await sheets.nth(count - 1).waitFor();
  assert.equal(await sheets.count(), count, 'every page, none twice');
  await page.waitForFunction((n) => [...document.querySelectorAll('.pages .sheet img')]
    .filter((img) => img.complete && img.naturalWidth > 0).length === n, count);
  return page.locator('.pages .frame').evaluateAll((frames) => frames.map((f) => f.style.getPropertyValue('--turn') || '0deg'));
}

async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'on screen');
  return b;
}

const zoomLevel = (page) => page.locator('.zoom-level').innerText();

async function axe(page, where, found) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of result.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      found.push(`${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`);
    }
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) found.push(`${where}: ${wide}px wider than the screen`);
}

// otherViews takes the screenshots of the views before a note: the courses,
// a course, a search.
async function otherViews(page) {
  mkdirSync(screenshots, { recursive: true });
  await page.goto(env.link);
  await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'courses-phone.png') });
  await page.goto(`${env.base}/#/courses/${course.id}`);
  await page.locator('.notes .note-item').nth(1).waitFor();
  await page.screenshot({ path: join(screenshots, 'course-phone.png') });
  await page.goto(`${env.base}/#/search?q=light`);
  await page.locator('.snippet mark').first().waitFor();
  await page.screenshot({ path: join(screenshots, 'search-phone.png') });
}

test('phone: every page of a two-page note and of a PDF note, upright, zoomable, a toggle away from the note', async () => {
  await withPage(env, 'pages-phone', phone, async (page, problems) => {
    const found = [];
    if (screenshots) await otherViews(page);
    await open(page, twoPages);
    const pages = page.locator('.pages');
    const note = page.locator('article');
    assert.ok(await note.isVisible() && !(await pages.isVisible()), 'the note first, the page a toggle away');
    if (screenshots) await page.screenshot({ path: join(screenshots, 'note-phone.png') });
    await page.getByRole('button', { name: 'Page', exact: true }).click();
    assert.ok(await pages.isVisible() && !(await note.isVisible()), 'the page instead of the note');
    assert.equal(await page.getByRole('button', { name: 'Page', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await shown(page, 2), ['0deg', '180deg'], 'the page taken upside down is shown upright');
    const turned = await box(page.locator('.pages .frame img').nth(1));
    const frame = await box(page.locator('.pages .frame').nth(1));
    assert.ok(Math.abs(turned.width - frame.width) < 2, 'the turned page fills its frame');
    await axe(page, 'phone page viewer', found);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'pages-phone.png') });

    // Zoom by the buttons, then by keyboard on the focused pages.
    const viewport = page.getByRole('region', { name: /Pages of the note/ });
    const before = await viewport.evaluate((el) => el.scrollWidth);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.equal(await zoomLevel(page), '150%');
    assert.ok(await viewport.evaluate((el) => el.scrollWidth) > before * 1.4, 'the pages are larger, and scroll');
    await viewport.focus();
    await page.keyboard.press('+');
    assert.equal(await zoomLevel(page), '225%');
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    assert.equal(await zoomLevel(page), '100%');
    assert.ok(await page.getByRole('button', { name: 'Zoom out' }).isDisabled(), 'no smaller than the width');
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    assert.equal(await zoomLevel(page), '100%', '0 fits the width again');
    // Two fingers spread to twice their distance zoom to twice the size.
    await viewport.evaluate((el) => {
      const touch = (type, pointerId, clientX) => el.dispatchEvent(new PointerEvent(type,
        { pointerId, pointerType: 'touch', clientX, clientY: 200, bubbles: true }));
      touch('pointerdown', 1, 150);
      touch('pointerdown', 2, 200);
      touch('pointermove', 2, 250);
      touch('pointerup', 1, 150);
      touch('pointerup', 2, 250);
    });
    assert.equal(await zoomLevel(page), '200%', 'a pinch zooms');
    await page.keyboard.press('0');
    if (screenshots) {
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.screenshot({ path: join(screenshots, 'pages-zoomed-phone.png') });
    }

    // Editing keeps the page a toggle away.
    await page.getByRole('button', { name: 'Note', exact: true }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit note' }).waitFor();
    await axe(page, 'phone editor', found);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'edit-phone.png') });
    await page.getByRole('button', { name: 'Page', exact: true }).click();
    assert.ok(await pages.isVisible() && !(await page.getByLabel('Note (Markdown)').isVisible()));
    await page.getByRole('button', { name: 'Note', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();

    // A PDF's pages are images.
    await open(page, pdfNote);
    await page.getByRole('button', { name: 'Page', exact: true }).click();
    assert.deepEqual(await shown(page, 2), ['0deg', '0deg']);
    const sizes = await page.locator('.pages .sheet img').evaluateAll((imgs) => imgs.map((i) => i.naturalHeight));
    assert.ok(sizes.every((s) => s > 1000), `the PDF pages are rendered images: ${sizes}`);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'pdf-phone.png') });
    assert.deepEqual(found, []);
    assert.deepEqual(problems, []);
  });
});

test('desktop: the page beside the note, also while editing; pages are added from the note', async () => {
  await withPage(env, 'pages-desktop', desktop, async (page, problems) => {
    const found = [];
    await open(page, twoPages);
    assert.deepEqual(await shown(page, 2), ['0deg', '180deg']);
    assert.ok(await page.locator('.view-toggle').isHidden(), 'no toggle where both fit');
    const pages = await box(page.locator('.pages'));
    const note = await box(page.locator('article'));
    assert.ok(pages.x + pages.width <= note.x && note.width > 400 && pages.width > 400, 'side by side');
    await axe(page, 'desktop note and pages', found);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.equal(await zoomLevel(page), '150%');

    await page.getByRole('button', { name: 'Edit' }).click();
    const body = page.getByLabel('Note (Markdown)');
    await body.waitFor();
    const editor = await box(body);
    const beside = await box(page.locator('.pages'));
    assert.ok(beside.x + beside.width <= editor.x, 'the editor beside the page');
    await axe(page, 'desktop editor', found);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // A page added from the note becomes its third page, and its text the note's.
    const third = await photo(env.browser, ['Third page', '', 'Glasses correct the focus of the eye.']);
    await page.locator('#add-pages').setInputFiles([{ name: 'p3.png', mimeType: 'image/png', buffer: third }]);
    await page.locator('.pages .sheet').nth(2).waitFor({ timeout: 60_000 });
    await shown(page, 3);
    await page.getByText('Glasses correct').waitFor();
    assert.deepEqual(found, []);
    assert.deepEqual(problems, []);
  });
});
