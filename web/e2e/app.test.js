// The web app in a real browser against a real `snapnote dev`: the student's
// whole path at phone and desktop sizes, note text that tries to run script,
// and an accessibility check of the main views.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { axeSource, call, output, photo, repo, start, withPage } from './harness.js';

const phone = { width: 375, height: 812 };
const desktop = { width: 1280, height: 800 };
let env;
const metrics = {};

before(async () => {
  // The dev user is also an operator here, so the job dashboard's link shows.
  env = await start({ ADMIN_SUBS: 'dev-user' });
});

after(async () => {
  writeFileSync(join(output, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  console.log('metrics', metrics);
  await env?.stop();
});

// walk is what a student does: sign in from the dev link, make a course,
// photograph a page, watch it become a note, find it, edit it, trash and
// restore it.
async function walk(page, problems, { course, word, screenshot }) {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const t0 = Date.now();
  await page.goto(env.link);
  await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
  const firstLoad = {
    wallMs: Date.now() - t0,
    requests: requests.length,
    // From the navigation's start to the courses on screen, and the bytes it took.
    ...(await page.evaluate(() => ({
      renderedMs: Math.round(performance.now()),
      bytes: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .reduce((n, e) => n + e.transferSize, 0),
    }))),
  };
  // The first load's budget on a cold cache: views the first screen does not
  // need (the page viewer) load when they are opened.
  assert.ok(firstLoad.requests <= 20 && firstLoad.bytes < 100_000, `cold load: ${JSON.stringify(firstLoad)}`);
  assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
  assert.ok(requests.every((u) => u.startsWith(env.base)), `nothing from another host: ${requests}`);

  await page.getByLabel('New course').fill(course);
  await page.getByRole('button', { name: 'Create course' }).click();
  await page.getByRole('link', { name: new RegExp(course) }).click();
  await page.getByRole('heading', { level: 1, name: course }).waitFor();

  const png = await photo(env.browser, [`${word} Lecture`, '', `The ${word} is studied in week three.`,
    'Energy flows through every living cell.']);
  await page.locator('#photos').setInputFiles([{ name: 'page.png', mimeType: 'image/png', buffer: png }]);
  const upload = page.locator('.upload').first();
  await upload.getByRole('link', { name: 'Open note' }).waitFor({ timeout: 60_000 });
  await page.locator('.notes .note-item').first().waitFor();
  if (screenshot) await page.screenshot({ path: screenshot });
  await upload.getByRole('link', { name: 'Open note' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(word) }).waitFor();
  assert.match(await page.locator('article').innerText(), /week three/);

  // Edit the title.
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Title').fill(`${word} revised`);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { level: 1, name: `${word} revised` }).waitFor();

  // Search finds it, highlighted.
  await page.getByRole('searchbox', { name: 'Search notes' }).fill(word);
  await page.getByRole('searchbox', { name: 'Search notes' }).press('Enter');
  await page.getByRole('heading', { level: 1, name: `Search: ${word}` }).waitFor();
  const hit = page.locator('.note-item', { hasText: `${word} revised` });
  await hit.waitFor();
  assert.ok(await hit.locator('mark').count() > 0, 'the matched word is highlighted');

  // Trash it, then restore it from the trash.
  await hit.getByRole('link').click();
  await page.getByRole('button', { name: 'Move to trash' }).click();
  await page.getByRole('heading', { level: 1, name: course }).waitFor();
  await page.getByRole('link', { name: 'Trash' }).click();
  await page.getByRole('button', { name: `Restore ${word} revised` }).click();
  await page.getByRole('button', { name: `Restore ${word} revised` }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'Courses', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(course) }).click();
  await page.locator('.note-item', { hasText: `${word} revised` }).waitFor();
  assert.deepEqual(problems, []);
  return firstLoad;
}

test('phone: a photo becomes a note that is found, trashed and restored', async () => {
  await withPage(env, 'phone', phone, async (page, problems) => {
    metrics.phoneColdLoad = await walk(page, problems, {
      course: 'Biology', word: 'Mitochondria',
      screenshot: process.env.UPDATE_SCREENSHOT ? join(repo, 'docs', 'app-phone.png') : undefined,
    });
  });
});

test('desktop: the same path', async () => {
  await withPage(env, 'desktop', desktop, async (page, problems) => {
    metrics.desktopColdLoad = await walk(page, problems, { course: 'Chemistry', word: 'Photosynthesis' });
  });
});

test('photos picked as the pages of one note become one note, in order', async () => {
  await withPage(env, 'pages', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const course = await call(env, 'POST', '/api/courses', { name: 'Pages' });
    await page.goto(`${env.base}/#/courses/${course.id}`);
    await page.getByLabel('Photos are the pages of one note').check();
    const first = await photo(env.browser, ['Optics Lecture', '', 'Light bends when it enters water.']);
    const second = await photo(env.browser, ['Second page', '', 'Lenses focus light onto the retina.']);
    await page.locator('#photos').setInputFiles([
      { name: 'p1.png', mimeType: 'image/png', buffer: first },
      { name: 'p2.png', mimeType: 'image/png', buffer: second },
    ]);
    const upload = page.locator('.upload', { hasText: '2 pages' });
    await upload.getByRole('link', { name: 'Open note' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.upload').count(), 1, 'one upload for both photos');
    await upload.getByRole('link', { name: 'Open note' }).click();
    await page.getByRole('heading', { level: 1, name: /Optics/ }).waitFor();
    const text = await page.locator('article').innerText();
    assert.ok(text.indexOf('enters water') >= 0 && text.indexOf('enters water') < text.indexOf('retina'),
      `both pages, in order: ${text}`);
    assert.deepEqual(problems, []);
  });
});

test('a failed upload says why, offers no retry that would fail again, and is still there later', async () => {
  await withPage(env, 'failed-upload', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const course = await call(env, 'POST', '/api/courses', { name: 'Failures' });
    await page.goto(`${env.base}/#/courses/${course.id}`);
    // Refused on arrival (not an image), and failed in the pipeline (a blank page).
    const blank = await photo(env.browser, []);
    await page.locator('#photos').setInputFiles([
      { name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('not an image') },
      { name: 'blank.png', mimeType: 'image/png', buffer: blank },
    ]);
    const refused = page.locator('.upload', { hasText: 'notes.txt' });
    await page.locator('.upload[data-status=failed]', { hasText: 'notes.txt' }).waitFor();
    assert.match(await refused.locator('.upload-status').innerText(), /\w/);
    const failed = page.locator('.upload[data-status=failed]', { hasText: 'blank.png' });
    await failed.waitFor({ timeout: 60_000 });
    const message = await failed.locator('.upload-status').innerText();
    assert.match(message, /text/i, 'the reason is said');
    assert.equal(await page.getByRole('button', { name: 'Retry' }).count(), 0,
      'neither a file that is not an image nor a blank page is offered a retry');
    metrics.failedUploadMessages = [await refused.locator('.upload-status').innerText(), message];

    // Leave the course and come back: the failure is still there, said the same way.
    await page.getByRole('link', { name: 'Courses', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.goBack();
    const again = page.locator('.upload[data-status=failed]', { hasText: 'blank.png' });
    await again.waitFor();
    assert.equal(await again.locator('.upload-status').innerText(), message);
    assert.deepEqual(problems.filter((p) => !/status of 4\d\d/.test(p)), []);
  });
});

test('two ways in: the camera for one shot, the library and Files for several photos or PDFs', async () => {
  await withPage(env, 'ways-in', phone, async (page) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const course = await call(env, 'POST', '/api/courses', { name: 'Ways in' });
    await page.goto(`${env.base}/#/courses/${course.id}`);
    const library = page.getByLabel('Choose photos or PDFs');
    const camera = page.getByLabel('Take photo');
    assert.equal(await library.getAttribute('capture'), null, 'the library is not the camera');
    assert.equal(await library.evaluate((el) => el.multiple), true);
    assert.match(await library.getAttribute('accept'), /application\/pdf/);
    assert.equal(await camera.getAttribute('capture'), 'environment');
    // The checkbox is inside its label: a tap on the words ticks it.
    await page.getByText('Photos are the pages of one note').click();
    assert.equal(await page.getByLabel('Photos are the pages of one note').isChecked(), true);
  });
});

// ready waits until the service worker controls the page.
async function ready(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
  });
}

test('installable, and what was seen opens offline, even after a reload', async () => {
  const { course, docs } = await notesIn('Chemistry');
  await withPage(env, 'offline', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await ready(page);
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel=manifest]');
      return (await fetch(link.href)).json();
    });
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512' && i.purpose === 'maskable'));
    // One visit online: the courses, a course and a note.
    await page.goto(`${env.base}/#/`);
    await page.getByRole('link', { name: /Chemistry/ }).waitFor();
    await page.goto(`${env.base}/#/courses/${course.id}`);
    await page.locator('.note-item').first().waitFor();
    // The note view also asks for the course's running uploads (to follow a reread): the
    // copy kept for offline is only there once that answer has come.
    const uploadsSeen = page.waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/uploads' && url.searchParams.get('status') === 'active' && !url.searchParams.has('limit');
    });
    await page.goto(`${env.base}/#/notes/${docs[0].id}`);
    await page.locator('article').waitFor();
    await uploadsSeen;

    await page.context().setOffline(true);
    await page.reload();
    await page.locator('article').waitFor();
    assert.match(await page.locator('h1').innerText(), new RegExp(docs[0].title.slice(0, 10)));
    await page.goto(`${env.base}/#/`);
    await page.getByRole('link', { name: /Chemistry/ }).waitFor();
    await page.context().setOffline(false);
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|status of 4\d\d/.test(p)), []);
  });
});

test('a photo picked offline waits, and is sent once when the connection returns', async () => {
  await withPage(env, 'outbox', phone, async (page) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const course = await call(env, 'POST', '/api/courses', { name: 'Offline' });
    await page.goto(`${env.base}/#/courses/${course.id}`);
    await page.getByRole('heading', { level: 1, name: 'Offline' }).waitFor();
    const posts = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/uploads') && posts.push(r.headers()['idempotency-key']));

    await page.context().setOffline(true);
    const png = await photo(env.browser, ['Offline Lecture', '', 'Written on the train without a signal.']);
    await page.locator('#photos').setInputFiles([{ name: 'train.png', mimeType: 'image/png', buffer: png }]);
    const row = page.locator('.upload[data-status=waiting]', { hasText: 'train.png' });
    await row.waitFor();
    assert.match(await row.innerText(), /connection/);

    await page.context().setOffline(false);
    await page.locator('.upload', { hasText: 'train.png' }).getByRole('link', { name: 'Open note' }).waitFor({ timeout: 60_000 });
    const uploads = await call(env, 'GET', `/api/uploads?courseId=${course.id}`);
    assert.equal(uploads.items.length, 1, 'exactly one upload');
    assert.ok(posts.length >= 1 && new Set(posts).size === 1, `one idempotency key: ${posts}`);
  });
});

test('a file shared from another app lands in the course the student picks', async () => {
  await withPage(env, 'share', phone, async (page) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await ready(page);
    await call(env, 'POST', '/api/courses', { name: 'Shared' });
    const png = await photo(env.browser, ['Shared Lecture', '', 'Sent from the gallery to the app.']);
    // What the system's share sheet does: a POST of the files to the share target.
    const landed = await page.evaluate(async (bytes) => {
      const form = new FormData();
      form.append('file', new File([new Uint8Array(bytes)], 'gallery.png', { type: 'image/png' }));
      const res = await fetch('/share', { method: 'POST', body: form });
      return res.url;
    }, [...png]);
    assert.match(landed, /\/$|#\/share$/);
    await page.goto(`${env.base}/#/share`);
    await page.getByText('One file: choose the course they go to.').waitFor();
    await page.getByRole('button', { name: 'Shared' }).click();
    await page.locator('.upload', { hasText: 'gallery.png' }).getByRole('link', { name: 'Open note' }).waitFor({ timeout: 60_000 });
  });
});

test('leaving an edit with unsaved changes asks first; the title and first heading stay one', async () => {
  const { docs } = await notesIn('Chemistry');
  const id = docs[0].id;
  await call(env, 'PATCH', `/api/documents/${id}`, { title: 'Cell energy', formattedNote: '# Cell energy\n\nATP carries energy.' });
  await withPage(env, 'edit-guard', desktop, async (page) => {
    const asked = [];
    page.on('dialog', (d) => asked.push(d.message()));
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.goto(`${env.base}/#/notes/${id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Note (Markdown)').fill('# Cell energy\n\nATP carries energy. Edited on the bus.');
    await page.getByRole('link', { name: 'Courses', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    assert.equal(asked.length, 1, 'asked before leaving');
    assert.match(asked[0], /without saving/);

    // Renaming the title renames the heading that carried it.
    await page.goto(`${env.base}/#/notes/${id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Title').fill('Respiration');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Respiration' }).waitFor();
    const doc = await call(env, 'GET', `/api/documents/${id}`);
    assert.equal(doc.formattedNote, '# Respiration\n\nATP carries energy.');
    assert.equal(asked.length, 1, 'a saved edit leaves without asking');
  });
});

test('a note is read again from its photo, and an earlier version restored', async () => {
  const { docs } = await notesIn('Chemistry');
  const id = docs[0].id;
  await call(env, 'PATCH', `/api/documents/${id}`, { title: 'Cell energy', formattedNote: '# Cell energy\n\nATP carries energy.' });
  await withPage(env, 'versions', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.goto(`${env.base}/#/notes/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Cell energy' }).waitFor();
    await page.getByRole('button', { name: 'Read again' }).click(); // the confirm is accepted
    await page.locator('.reread .upload').waitFor();
    await page.locator('article', { hasText: 'week three' }).waitFor({ timeout: 60_000 });
    assert.doesNotMatch(await page.locator('article').innerText(), /ATP carries energy/, 'the text read replaced the edit');
    await page.getByRole('heading', { level: 1, name: 'Cell energy' }).waitFor(); // a title the student gave is kept
    assert.equal(await page.getByRole('button', { name: 'Read again' }).isEnabled(), true);

    await page.getByRole('link', { name: 'Versions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Versions of “Cell energy”' }).waitFor();
    const newest = page.locator('.version-item').first();
    assert.match(await newest.innerText(), /Before the note was read again/);
    await newest.getByRole('button').click();
    await page.locator('.version-shown article', { hasText: 'ATP carries energy' }).waitFor();
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`), []);
    await page.getByRole('button', { name: /^Restore version \d+$/ }).click(); // the confirm is accepted
    await page.waitForURL((u) => u.hash === `#/notes/${id}`);
    await page.locator('article', { hasText: 'ATP carries energy' }).waitFor();
    assert.doesNotMatch(await page.locator('article').innerText(), /week three/);
    const versions = await call(env, 'GET', `/api/documents/${id}/versions`);
    assert.equal(versions[0].replacedBy, 'restore', 'the text read again is kept as a version too');
    assert.deepEqual(problems, []);
  });
});

test('a dev link pasted into an open tab signs in, and the token leaves the address bar', async () => {
  await withPage(env, 'hash-token', phone, async (page) => {
    await page.goto(`${env.base}/`);
    await page.getByLabel('Token').waitFor();
    await page.evaluate((t) => { location.hash = `token=${t}`; }, env.token);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    assert.ok(!page.url().includes('token='), page.url());
  });
});

test('an operator opens the job dashboard from the app, signed in by a cookie scoped to it', async () => {
  await withPage(env, 'jobs', desktop, async (page) => {
    await page.goto(env.link);
    const jobs = page.getByRole('button', { name: 'Jobs' });
    await jobs.waitFor();
    const [dashboard] = await Promise.all([page.context().waitForEvent('page'), jobs.click()]);
    await dashboard.waitForLoadState();
    assert.match(dashboard.url(), /\/riverui\/$/);
    const cookies = await page.context().cookies(`${env.base}/riverui/`);
    const cookie = cookies.find((c) => c.name === 'snapnote_riverui');
    assert.ok(cookie?.httpOnly && cookie.path === '/riverui' && cookie.sameSite === 'Strict', JSON.stringify(cookies));
    const api = await dashboard.evaluate(async () => (await fetch('/riverui/api/jobs?state=completed')).status);
    assert.equal(api, 200, 'River UI\'s own calls go through on the cookie');
  });
});

test('the API keeps its own answers under /api', async () => {
  // An unknown API path is a problem+json 404 before any sign-in is asked for.
  const anon = await fetch(`${env.base}/api/nope`);
  assert.equal(anon.status, 404);
  assert.match(anon.headers.get('content-type'), /application\/problem\+json/);
  const authed = await fetch(`${env.base}/api/nope`, { headers: { Authorization: `Bearer ${env.token}` } });
  assert.equal(authed.status, 404);
  assert.doesNotMatch(await authed.text(), /<html/i);
  const page = await fetch(`${env.base}/`);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
});

// notesIn returns a course the walks made, by name, and its notes: only the
// pipeline makes documents, so the tests below reuse theirs.
async function notesIn(name) {
  const course = (await call(env, 'GET', '/api/courses')).items.find((c) => c.name === name);
  assert.ok(course, `course ${name} exists (made by the walk above)`);
  const docs = await call(env, 'GET', `/api/documents?courseId=${course.id}`);
  assert.ok(docs.items.length > 0, `course ${name} has notes`);
  return { course, docs: docs.items };
}

test('note text cannot inject markup or script', async () => {
  const { docs } = await notesIn('Biology');
  const id = docs[0].id;
  const evil = ['# <script>window.__pwned = 1</script>', '', '<img src=x onerror="window.__pwned = 2">',
    '', '[click](javascript:window.__pwned=3) and **<b>bold</b>** and [ok](https://example.org/)',
    '', '- <svg onload="window.__pwned=4">', '', 'xssprobe <img src=x onerror="window.__pwned=6"> xssprobe'].join('\n');
  await call(env, 'PATCH', `/api/documents/${id}`, { formattedNote: evil, title: '<img src=x onerror="window.__pwned=5">' });
  await withPage(env, 'xss', desktop, async (page) => {
    const violations = [];
    page.on('console', (m) => violations.push(m.text()));
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.goto(`${env.base}/#/notes/${id}`);
    const article = page.locator('article');
    await article.waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no note text ran');
    // The page viewer's images are the app's own, not the note text's.
    assert.equal(await page.locator('main img:not(.pages img), main script, main svg, main b').count(), 0, 'no element from note text');
    assert.match(await article.innerText(), /<script>window.__pwned = 1<\/script>/);
    assert.match(await page.locator('h1').innerText(), /<img src=x/);
    const links = await article.locator('a').evaluateAll((as) => as.map((a) => a.href));
    assert.deepEqual(links, ['https://example.org/'], 'only the http(s) link is a link');
    // The search snippet is escaped by the API and read without parsing HTML.
    await page.goto(`${env.base}/#/search?q=xssprobe`);
    await page.locator('.snippet mark').first().waitFor();
    assert.equal(await page.locator('main img, main script, main svg').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });
});

test('the main views have no serious or critical accessibility violation', async () => {
  const { course, docs } = await notesIn('Chemistry');
  const biology = await notesIn('Biology');
  await call(env, 'DELETE', `/api/documents/${biology.docs[0].id}`); // something in trash
  const views = ['#/', `#/courses/${course.id}`, `#/notes/${docs[0].id}`, `#/notes/${docs[0].id}/versions`,
    '#/search?q=energy', '#/trash'];
  const found = [];
  for (const viewport of [phone, desktop]) {
    await withPage(env, `axe-${viewport.width}`, viewport, async (page) => {
      await page.goto(env.link);
      await page.getByRole('heading', { level: 1 }).waitFor();
      for (const view of views) {
        await page.goto(`${env.base}/${view}`);
        await page.waitForLoadState('networkidle');
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            found.push(`${viewport.width}px ${view}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`);
          }
        }
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 0) found.push(`${viewport.width}px ${view}: ${wide}px wider than the screen`);
      }
      // The signed-out page too.
      await page.evaluate(() => sessionStorage.clear());
      await page.goto(`${env.base}/`);
      await page.reload();
      await page.getByLabel('Token').waitFor();
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') found.push(`${viewport.width}px sign-in: ${v.id}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

test('usable by keyboard alone: make a course, open it, reach the photo picker', async () => {
  await withPage(env, 'keyboard', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const tabTo = async (matches, what) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(matches)) return;
      }
      assert.fail(`Tab never reached ${what}`);
    };
    await tabTo(() => document.activeElement.id === 'new-course-name', 'the new course field');
    await page.keyboard.type('Keyboard course');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /Keyboard course/ }).waitFor();
    await tabTo(() => document.activeElement.textContent.includes('Keyboard course'), 'the course');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keyboard course' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new view');
    await tabTo(() => document.activeElement.id === 'photos', 'the photo picker');
    const ring = await page.evaluate(() => getComputedStyle(document.querySelector('label[for=photos]')).outlineStyle);
    assert.equal(ring, 'solid', 'the focused picker shows a focus ring');
    assert.deepEqual(problems, []);
  });
});

test('a long course scrolls on to its older notes, newest first', async () => {
  const course = await call(env, 'POST', '/api/courses', { name: 'Long course' });
  // 45 notes, a minute apart: three pages of 20.
  env.sql(`INSERT INTO documents (id, course_id, user_id, title, original_text, formatted_note, excerpt, created_at, updated_at)
    SELECT gen_random_uuid(), c.id, c.user_id, 'Lecture ' || n, 'text', 'text', 'text',
           now() - make_interval(mins => 100 - n), now() - make_interval(mins => 100 - n)
    FROM courses c, generate_series(1, 45) n WHERE c.id = '${course.id}'`);
  await withPage(env, 'scroll', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.goto(`${env.base}/#/courses/${course.id}`);
    const items = page.locator('.notes .note-item');
    await items.nth(19).waitFor();
    assert.equal(await items.first().locator('.card-title').innerText(), 'Lecture 45', 'newest first');
    for (let i = 0; i < 10 && (await items.count()) < 45; i++) {
      await page.mouse.wheel(0, 5000);
      await page.waitForTimeout(200);
    }
    assert.equal(await items.count(), 45, 'scrolling loads every page');
    assert.equal(await items.last().locator('.card-title').innerText(), 'Lecture 1');
    assert.ok(await page.getByRole('button', { name: 'Show more' }).isHidden(), 'nothing more to show');
    assert.deepEqual(problems, []);
  });
});

test('a course is renamed, recoloured, trashed, restored; the trash is emptied', async () => {
  await withPage(env, 'course-admin', desktop, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    await page.getByLabel('New course').fill('Draft course');
    await page.getByRole('button', { name: 'Create course' }).click();
    await page.getByRole('button', { name: 'Edit Draft course' }).click();
    await page.getByLabel('Name').fill('Optics');
    await page.getByLabel('Colour', { exact: true }).last().fill('#db2777');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: /Optics/ }).waitFor();
    const saved = (await call(env, 'GET', '/api/courses')).items.find((c) => c.name === 'Optics');
    assert.equal(saved?.color?.toLowerCase(), '#db2777');

    await page.getByRole('button', { name: 'Move Optics to trash' }).click();
    await page.getByRole('link', { name: /Optics/ }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('button', { name: 'Restore Optics' }).click();
    await page.getByRole('button', { name: 'Restore Optics' }).waitFor({ state: 'detached' });
    assert.equal((await call(env, 'GET', `/api/courses/${saved.id}`)).status, 'active');

    await call(env, 'DELETE', `/api/courses/${saved.id}`);
    await page.reload();
    await page.getByRole('button', { name: 'Restore Optics' }).waitFor();
    await page.getByRole('button', { name: 'Empty trash' }).click(); // the confirm is accepted
    await page.getByRole('button', { name: 'Restore Optics' }).waitFor({ state: 'detached' });
    const trash = await call(env, 'GET', '/api/trash');
    assert.equal(trash.courses.length + trash.documents.length, 0);
    await page.getByText('Trash is empty.').waitFor();
    assert.equal(await page.getByRole('heading', { level: 2 }).count(), 0, 'no headings over nothing');
    assert.match(await page.locator('#toast').innerText(), /^Deleted 1 course( and \d+ notes?)? for good\.$/);
    assert.deepEqual(problems, []);
  });
});

test('a course is read in the language the student picks, from those the server has', async () => {
  await withPage(env, 'course-language', desktop, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('heading', { level: 1, name: 'Your courses' }).waitFor();
    const language = page.getByLabel('Language');
    const offered = await language.locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.equal(offered[0], 'auto', 'Automatic comes first');
    for (const code of ['eng', 'fra']) assert.ok(offered.includes(code), `${code} is offered: ${offered}`);
    assert.ok(!offered.includes('osd'), 'orientation data is no language to read in');
    assert.equal(await language.inputValue(), 'eng', "the server's OCR_LANG is chosen at first");

    await page.getByLabel('New course').fill('Français');
    await language.selectOption({ label: 'French (fra)' });
    await page.getByRole('button', { name: 'Create course' }).click();
    await page.getByRole('link', { name: /Français/ }).waitFor();
    const course = (await call(env, 'GET', '/api/courses')).items.find((c) => c.name === 'Français');
    assert.equal(course?.language, 'fra');

    await page.getByRole('button', { name: 'Edit Français' }).click();
    const edit = page.locator(`#edit-${course.id}-language`);
    assert.equal(await edit.inputValue(), 'fra', 'the form shows the course language');
    await edit.selectOption('auto');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: /Français/ }).waitFor();
    assert.equal((await call(env, 'GET', `/api/courses/${course.id}`)).language, 'auto');
    assert.deepEqual(problems, []);
  });
});

test('a note moves to another course; a course and all notes download as Markdown', async () => {
  const { docs } = await notesIn('Chemistry');
  const biology = (await call(env, 'GET', '/api/courses')).items.find((c) => c.name === 'Biology');
  await withPage(env, 'move-export', desktop, async (page, problems) => {
    await page.goto(env.link);
    await page.goto(`${env.base}/#/notes/${docs[0].id}`);
    await page.getByRole('button', { name: 'Move to course…' }).click();
    await page.getByLabel(/^Move “.*” to$/).selectOption({ label: 'Biology' });
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByText('Moved to “Biology”.').waitFor();
    assert.equal((await call(env, 'GET', `/api/documents/${docs[0].id}`)).courseId, biology.id);

    await page.goto(`${env.base}/#/courses/${biology.id}`);
    const [course] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export this course (Markdown, zip)' }).click()]);
    assert.match(course.suggestedFilename(), /^snapnote-Biology.*\.zip$/);
    await page.goto(`${env.base}/#/`);
    const [all] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export all notes (Markdown, zip)' }).click()]);
    assert.match(all.suggestedFilename(), /\.zip$/);
    const zip = await readFile(await all.path());
    assert.equal(zip.subarray(0, 2).toString(), 'PK', 'a zip file');
    assert.deepEqual(problems, []);
  });
});

// Last: it deletes the account the other tests use.
test('deleting the account asks first, signs out and leaves nothing behind', async () => {
  await withPage(env, 'leave', phone, async (page, problems) => {
    await page.goto(env.link);
    await page.getByRole('button', { name: 'Delete account' }).click(); // the confirm is accepted
    await page.getByLabel('Token').waitFor();
    const courses = await call(env, 'GET', '/api/courses');
    assert.equal(courses.items.length, 0, 'the same sign-in meets an empty account');
    assert.deepEqual(problems, []);
  });
});
