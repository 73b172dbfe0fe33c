// Drives the operator console in a real headless Chromium (Debian's package) against a running Sluice.
// Environment: SLUICE_URL (no trailing slash), SLUICE_ADMIN_TOKEN, CHROMIUM (default /usr/bin/chromium),
// SCREENSHOTS (a directory for one PNG per page). The data API must run without authentication.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL = process.env.SLUICE_URL;
const TOKEN = process.env.SLUICE_ADMIN_TOKEN;
const SHOTS = process.env.SCREENSHOTS || 'screenshots';
const CONSOLE = URL + '/admin/console/';
const WAIT = { timeout: 20000 };

let browser;
let page;

before(async () => {
  assert.ok(URL && TOKEN, 'SLUICE_URL and SLUICE_ADMIN_TOKEN are required');
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => console.log('page error:', e.message));
});

after(async () => {
  await browser?.close();
});

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
}

/** The admin API as the CLI calls it (bearer token), to check what the console did. */
async function admin(path) {
  const r = await fetch(URL + '/admin/v1' + path, { headers: { Authorization: 'Bearer ' + TOKEN } });
  const text = await r.text();
  assert.equal(r.status, 200, path + ': ' + text);
  return JSON.parse(text);
}

async function pipeline() {
  const r = await fetch(URL + '/v3/pipeline', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ baton: null, requests: [{ type: 'execute', stmt: { sql: 'SELECT 1' } }, { type: 'close' }] }),
  });
  return { status: r.status, body: await r.json() };
}

async function open(name) {
  await page.click('#nav a[data-page="' + name + '"]');
  await page.waitForSelector('#page-' + name + ':not([hidden])', WAIT);
}

test('without a token there is no page and no data', async () => {
  const ctx = await browser.newContext();
  const anon = await ctx.newPage();
  await anon.goto(CONSOLE);
  assert.match(anon.url(), /\/admin\/console\/login\.html$/);
  assert.equal(await anon.locator('#score').count(), 0, 'the console itself is not shown');
  for (const path of ['/admin/console/index.html', '/admin/console/console.js']) {
    const r = await fetch(URL + path, { redirect: 'manual' });
    assert.ok(r.status === 302 || r.status === 401, path + ' answered ' + r.status);
    assert.equal(await r.text(), '', path + ' carries no content');
  }
  const data = await fetch(URL + '/admin/v1/flags');
  assert.equal(data.status, 401);
  const forged = await fetch(URL + '/admin/v1/flags', { headers: { Cookie: 'sluice_console=forged', 'X-Sluice-Csrf': 'x' } });
  assert.equal(forged.status, 401, 'a made-up session cookie admits nothing');

  await anon.fill('#token', 'not-the-admin-token');
  await anon.click('#login-submit');
  await anon.waitForFunction(() => document.getElementById('login-error').textContent.length > 0, null, WAIT);
  assert.match(anon.url(), /login\.html$/);
  assert.deepEqual(await ctx.cookies(), [], 'a wrong token gets no session');
  await anon.goto(CONSOLE);
  assert.match(anon.url(), /login\.html$/);
  await anon.screenshot({ path: join(SHOTS, 'login.png') });
  await ctx.close();
});

test('logs in with the admin token and shows the health score', async () => {
  await page.goto(CONSOLE);
  await page.fill('#token', TOKEN);
  await page.fill('#operator', 'alice');
  await page.click('#login-submit');
  await page.waitForURL(/\/admin\/console\/(#.*)?$/, WAIT);
  await page.waitForFunction(() => /^\d+$/.test(document.getElementById('score').textContent), null, WAIT);
  const score = Number(await page.textContent('#score'));
  assert.ok(score >= 0 && score <= 100);
  assert.equal(await page.textContent('#probe-live'), 'UP');
  assert.ok((await page.locator('#score-checks tr').count()) >= 5, 'the score\'s checks are listed');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'sluice_console');
  assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(cookie.sameSite, 'Strict');
  assert.ok(!cookie.value.includes(TOKEN) && !page.url().includes(TOKEN), 'the token is in neither the cookie nor the URL');
  assert.equal(await page.evaluate(() => document.cookie), '', 'no script can read the session');
  await shot('overview');
});

test('draws the live charts without reloading the page', async () => {
  for (let i = 0; i < 20; i++) await pipeline();
  await open('charts');
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length === 5, null, WAIT);
  const navigations = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));
  await page.waitForTimeout(4500);
  assert.deepEqual(navigations, [], 'polling, not reloading');
  await shot('charts');
});

// before the breaker scenario, although the refusals of a breaker an operator forced open are not counted as
// server-side failures by the migration's health check (an open breaker still is, for as long as it stays open)
test('starts a migration to canary and watches the step advance to a hold', async () => {
  await open('migration');
  await page.selectOption('#migration-target', 'canary');
  await page.fill('#migration-reason', 'enterprise layer');
  await page.click('#migration-start');
  await page.waitForFunction(() => document.getElementById('migration-step').textContent === 'monitoring 1/1', null, WAIT);
  await page.waitForFunction(() => /\d+s$/.test(document.getElementById('migration-soak').textContent), null, WAIT);
  await shot('migration-soaking');
  // held mid-step: nothing soaks or advances until resumed, and the step soaks again from its start
  await page.click('#migration-hold');
  await page.waitForFunction(() => document.getElementById('migration-status').textContent === 'PAUSED', null, WAIT);
  assert.match(await page.textContent('#migration-soak'), /held/);
  assert.equal((await admin('/migration')).status, 'PAUSED');
  await shot('migration-held');
  await page.click('#migration-resume');
  await page.waitForFunction(() => document.getElementById('migration-status').textContent !== 'PAUSED', null, WAIT);
  await page.waitForFunction(() => document.getElementById('migration-step').textContent.startsWith('canary 1/1'), null, { timeout: 60000 });
  await page.waitForFunction(() => document.getElementById('migration-status').textContent === 'HELD', null, { timeout: 60000 });
  assert.ok((await page.locator('#migration-checks tr').count()) >= 2, 'both steps\' checks are listed');
  assert.equal(await page.locator('#migration-timeline li.done').count(), 2);
  const m = await admin('/migration');
  assert.equal(m.status, 'HELD');
  assert.match(m.step, /^canary 1\/1/);
  await shot('migration');

  await page.click('#migration-rollback');
  await page.waitForFunction(() => document.getElementById('migration-status').textContent === 'ROLLED_BACK', null, WAIT);
});

test('forces the breaker open with a reason, the data API answers CIRCUIT_OPEN, and a reset closes it', async () => {
  await open('breaker');
  await page.click('#breaker-force-open');
  assert.match(await page.textContent('#breaker-error'), /reason is required/);
  assert.equal((await admin('/breaker')).state, 'CLOSED', 'no reason, no change');

  await page.fill('#breaker-reason', 'database maintenance');
  await page.click('#breaker-force-open');
  await page.waitForFunction(() => document.getElementById('breaker-state').textContent === 'FORCED_OPEN', null, WAIT);
  const refused = await pipeline();
  assert.equal(refused.status, 503);
  assert.equal(refused.body.code, 'CIRCUIT_OPEN');
  await shot('breaker');

  await page.click('#breaker-reset');
  await page.waitForFunction(() => document.getElementById('breaker-state').textContent === 'CLOSED', null, WAIT);
  assert.equal((await pipeline()).status, 200);
  // both actions are in the audit trail, the force-open with its reason
  await page.waitForFunction(() => document.getElementById('breaker-audit').textContent.includes('reset'), null, WAIT);
  assert.match(await page.textContent('#breaker-audit'), /force-open.*database maintenance/s);
});

test('moves a rollout and the admin flags endpoint (flags:show) agrees; the audit names who and why', async () => {
  await open('flags');
  await page.waitForSelector('tr[data-flag="ENABLE_STATE_MACHINE"] .rollout-slider', WAIT);
  // a value the flag does not have yet, so the change is real on a rerun against the same data directory
  const before = (await admin('/flags')).flags.find((f) => f.name === 'ENABLE_STATE_MACHINE').rollout;
  const target = before === 37 ? 38 : 37;
  await page.fill('#flags-reason', 'canary the state machine');
  await page.fill('tr[data-flag="ENABLE_STATE_MACHINE"] .rollout-slider', String(target));
  // the change is done when the admin API (what flags:show reads) has the new value
  const deadline = Date.now() + WAIT.timeout;
  let flag;
  do {
    flag = (await admin('/flags')).flags.find((f) => f.name === 'ENABLE_STATE_MACHINE');
  } while (flag.rollout !== target && Date.now() < deadline && await new Promise((r) => setTimeout(r, 100, true)));
  assert.equal(flag.rollout, target);
  await page.waitForFunction((t) => [...document.querySelectorAll('#audit tr')].some((tr) => tr.textContent.includes('rollout=' + t)),
    target, WAIT);
  const entry = (await admin('/flags/audit')).reverse()
    .find((a) => a.target === 'ENABLE_STATE_MACHINE' && (a.after || '').includes('rollout=' + target));
  assert.equal(entry.who, 'admin-token (operator: alice)');
  assert.equal(entry.why, 'canary the state machine');
  await shot('flags');
});

test('pulls and restores the killswitch with a reason', async () => {
  await open('flags');
  await page.fill('#killswitch-reason', 'bad deploy');
  await page.click('#killswitch-pull');
  await page.waitForFunction(() => document.getElementById('killswitch-state').textContent === 'PULLED', null, WAIT);
  const pulled = (await admin('/flags')).killswitch;
  assert.equal(pulled.active, true);
  assert.equal(pulled.reason, 'bad deploy');
  await shot('killswitch');

  await page.fill('#killswitch-reason', 'fixed');
  await page.click('#killswitch-restore');
  await page.waitForFunction(() => document.getElementById('killswitch-state').textContent === 'off', null, WAIT);
  assert.equal((await admin('/flags')).killswitch.active, false);
});

test('shows running statements and logs filtered by level', async () => {
  await open('activity');
  await page.waitForFunction(() => document.querySelectorAll('#logs tr').length > 0, null, WAIT);
  await page.selectOption('#logs-level', 'ERROR');
  await page.waitForFunction(() => [...document.querySelectorAll('#logs tr')].every((tr) => tr.children[1].textContent === 'ERROR'), null, WAIT);
  await page.selectOption('#logs-level', 'INFO');
  await page.waitForFunction(() => document.querySelectorAll('#logs tr').length > 0, null, WAIT);
  await shot('activity');
});

test('shows a runtime setting\'s validation error inline and applies a valid one', async () => {
  await open('settings');
  const input = 'input[data-component="connectionPool"][data-key="minConnections"]';
  await page.waitForSelector(input, WAIT);
  await page.fill(input, '9999');
  await page.click('tr:has(' + input + ') button');
  const error = '.field-error[data-field="connectionPool.minConnections"]';
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.length > 0, error, WAIT);
  assert.match(await page.textContent(error), /minConnections/);
  await shot('settings');

  await page.fill(input, '1');
  await page.click('tr:has(' + input + ') button');
  await page.waitForSelector(input + '.saved', WAIT);
  assert.equal((await admin('/config/export?format=json')).connectionPool.minConnections, 1);
});

test('logging out ends the session, also with a refresh in flight', async () => {
  // the console's next admin API call is held, and answered 401 (what a refresh meets once the session is
  // gone) as soon as the logout's request leaves: both then lead to the log-in page, and the console must go
  // there once (a second navigation aborts the first)
  let loggingOut;
  const deleting = new Promise((resolve) => { loggingOut = resolve; });
  const onRequest = (r) => { if (r.method() === 'DELETE' && r.url().endsWith('/admin/console/session')) loggingOut(); };
  page.on('request', onRequest);
  await page.route('**/admin/v1/**', async (route) => {
    await deleting;
    await route.fulfill({ status: 401, contentType: 'application/json', body: '{"title":"Unauthorized"}' }).catch(() => {});
  });
  await page.waitForRequest('**/admin/v1/**', WAIT);
  await page.click('#logout');
  await page.waitForURL(/login\.html$/, WAIT);
  await page.unroute('**/admin/v1/**');
  page.off('request', onRequest);
  await page.goto(CONSOLE);
  assert.match(page.url(), /login\.html$/);
});
