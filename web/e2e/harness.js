// Starts a real `snapnote dev` on a fresh database and a headless Debian
// chromium for the browser tests; stops and removes both afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
export const output = join(here, 'output');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const testDB = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable';

export const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

function psql(url, sql) {
  const res = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`psql: ${res.stderr || res.error}`);
}

/**
 * start builds the binary, runs `snapnote dev` (with extra environment
 * `env`, e.g. another AUTH_MODE) and launches the browser.
 */
export async function start(extraEnv = {}) {
  mkdirSync(output, { recursive: true });
  const bin = join(output, 'snapnote');
  const t0 = Date.now();
  const build = spawnSync('go', ['build', '-o', bin, './cmd/snapnote'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('go build failed');

  const dbName = `snapnote_e2e_${process.pid}_${Date.now()}`;
  const admin = new URL(testDB);
  const dbURL = new URL(testDB);
  dbURL.pathname = `/${dbName}`;
  psql(admin.href, `CREATE DATABASE ${dbName}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'snapnote-e2e-'));
  const server = spawn(bin, ['dev'], {
    env: { ...process.env, DATABASE_URL: dbURL.href, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn',
      AUTH_MODE: '', RATE_LIMIT: '0', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  server.stderr.on('data', (d) => log.push(String(d)));
  const link = await new Promise((resolve, reject) => {
    server.on('error', reject);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`snapnote dev printed no link:\n${out}\n${log.join('')}`)), 60_000);
    server.stdout.on('data', (d) => {
      out += d;
      // Dev auth prints a signed-in link; other modes only the URL.
      const m = /Open the app, signed in: (\S+)/.exec(out) ??
        (extraEnv.AUTH_MODE && /SnapNote dev server: (http\S+)/.exec(out));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`snapnote dev exited (${code}):\n${out}\n${log.join('')}`)));
  }).catch((err) => {
    server.kill('SIGKILL');
    psql(admin.href, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    throw err;
  });
  console.log(`snapnote built and dev ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const url = new URL(link);
  const base = url.origin;
  const token = new URLSearchParams(url.hash.slice(1)).get('token');

  let browser;
  async function stop() {
    await browser?.close().catch(() => {});
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.on('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    psql(admin.href, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  try {
    // launch() gives the browser a fresh temporary profile of its own and
    // removes it on close.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (err) {
    await stop();
    throw err;
  }
  /** sql runs statements on the test's database (seeding what the UI cannot make fast). */
  const sql = (statements) => psql(dbURL.href, statements);
  return { base, link, token, browser, stop, log, sql };
}

/**
 * withPage runs fn with a fresh page (its own context: cold cache, empty
 * sessionStorage) and keeps a screenshot in output/ when fn fails.
 */
export async function withPage(env, name, viewport, fn) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: viewport.width < 500 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  page.on('dialog', (d) => d.accept());
  try {
    await fn(page, problems);
  } catch (err) {
    await page.screenshot({ path: join(output, `${name}-failure.png`), fullPage: true }).catch(() => {});
    writeFileSync(join(output, `${name}-failure.txt`), `${err.stack}\n\n${problems.join('\n')}\n`);
    throw err;
  } finally {
    await context.close();
  }
}

/** photo renders lines of text into a PNG in the browser (a canvas), for OCR. */
export async function photo(browser, lines) {
  const page = await browser.newPage();
  try {
    const dataURL = await page.evaluate((text) => {
      const c = document.createElement('canvas');
      c.width = 1400;
      c.height = 120 + text.length * 70;
      const g = c.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, c.width, c.height);
      g.fillStyle = '#111';
      g.font = '44px "DejaVu Sans", sans-serif';
      text.forEach((line, i) => g.fillText(line, 60, 100 + i * 70));
      return c.toDataURL('image/png');
    }, lines);
    return Buffer.from(dataURL.split(',')[1], 'base64');
  } finally {
    await page.close();
  }
}

/** call is the API from the test itself, for setting up what the UI does not. */
export async function call(env, method, path, body) {
  const res = await fetch(env.base + path, {
    method,
    headers: { Authorization: `Bearer ${env.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}
