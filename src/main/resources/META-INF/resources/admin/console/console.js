// The operator console. Every figure and every action goes through the admin API (/admin/v1/...), the same
// endpoints, checks and audit as the CLI; the browser holds only an HttpOnly session cookie (which the server
// maps to the admin credential) and the session's CSRF token, sent back in a header on every call.
'use strict';

const PAGES = ['overview', 'charts', 'breaker', 'flags', 'migration', 'activity', 'settings'];
const BREAKER_LEVEL = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2, FORCED_OPEN: 3 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const state = { csrf: null, operator: '', page: 'overview', seq: 0, points: [], charts: {}, migration: null, settingsLoaded: false };

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.substring(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c === null || c === undefined ? '' : c);
  return node;
}

function rows(tbody, list, cells) {
  tbody.replaceChildren(...list.map((item) => el('tr', {}, ...cells(item).map((c) => el('td', {}, c)))));
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + (s % 60) + 's';
}

function badge(node, text, good) {
  node.textContent = text;
  node.className = 'badge ' + (good === true ? 'good' : good === false ? 'bad' : 'warn');
}

let leaving = false;

/**
 * Goes to the log-in page, once: a logout and a refresh that meets the ended session (401) may both get
 * there, and a second navigation would abort the first.
 */
function toLogin() {
  if (leaving) return;
  leaving = true;
  window.location.replace('login.html');
}

/** One admin API call: JSON in and out; a problem's detail becomes the error's message; 401 goes back to log-in. */
async function api(method, path, body) {
  const headers = { 'X-Sluice-Csrf': state.csrf };
  if (state.operator) headers['X-Sluice-Operator'] = state.operator;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch('/admin/v1' + path, {
    method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    toLogin();
    throw new Error('logged out');
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (!response.ok) throw new Error((data && (data.detail || data.title)) || ('HTTP ' + response.status));
  return data;
}

/** Runs an action, shows its error next to it, and refreshes the page's figures. */
async function act(errorId, action) {
  const error = $(errorId);
  error.textContent = '';
  try {
    await action();
  } catch (e) {
    error.textContent = e.message;
  }
  await refresh();
}

// ------------------------------------------------------------------------------------------------ overview

async function loadOverview() {
  const o = await api('GET', '/console/overview');
  $('score').textContent = o.score.score;
  $('score-threshold').textContent = o.score.threshold;
  badge($('score-verdict'), o.score.healthy ? 'healthy' : 'unhealthy', o.score.healthy);
  $('score-critical').textContent = o.score.criticalFailures.join('; ');
  rows($('score-checks'), o.score.checks, (c) => [c.name, c.score + ' / ' + c.weight, c.detail]);
  badge($('probe-live'), o.liveness.status, o.liveness.status === 'UP');
  badge($('probe-ready'), o.readiness.status, o.readiness.status === 'UP');
  const checks = [...(o.readiness.checks || [])].map((c) => c.name + ': ' + c.status);
  $('probe-checks').replaceChildren(...checks.map((c) => el('li', {}, c)));
  $('version').textContent = o.version;
  $('track').textContent = o.track;
  $('profiles').textContent = o.profiles;
  $('uptime').textContent = duration(o.uptimeMs);
}

// ------------------------------------------------------------------------------------------------ charts

async function loadLive() {
  const view = await api('GET', '/console/live?after=' + state.seq);
  if (view.points.length) {
    state.points.push(...view.points);
    state.points.splice(0, Math.max(0, state.points.length - 180));
    state.seq = view.points[view.points.length - 1].seq;
  }
  if (state.page === 'charts') drawCharts();
}

function kinds() {
  const seen = new Set(['all']);
  for (const p of state.points) Object.keys(p.statements).forEach((k) => seen.add(k));
  return [...seen];
}

/** Creates (or, when its series changed, re-creates) a uPlot chart and gives it the data. */
function chart(id, labels, data, options) {
  const key = labels.join('|');
  let c = state.charts[id];
  if (!c || c.key !== key) {
    if (c) c.plot.destroy();
    const host = $(id);
    const opts = Object.assign({
      width: Math.max(300, host.clientWidth || 500),
      height: 200,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }))],
      axes: [{}, { size: 55 }],
      legend: { live: false },
    }, options || {});
    c = { key, plot: new uPlot(opts, data, host) };
    state.charts[id] = c;
  } else {
    c.plot.setData(data);
  }
}

function drawCharts() {
  const pts = state.points;
  const xs = pts.map((p) => Date.parse(p.at) / 1000);
  const ks = kinds();
  chart('chart-rate', ks, [xs, ...ks.map((k) => pts.map((p) => (p.statements[k] ? round(p.statements[k].perSecond) : 0)))]);
  const select = $('latency-kind');
  if ([...select.options].map((o) => o.value).join() !== ks.join()) {
    const chosen = select.value;
    select.replaceChildren(...ks.map((k) => el('option', { value: k }, k)));
    select.value = ks.includes(chosen) ? chosen : 'all';
  }
  const kind = select.value;
  const pct = (name) => pts.map((p) => (p.statements[kind] && p.statements[kind][name] !== null ? p.statements[kind][name] : null));
  chart('chart-latency', ['p50', 'p95', 'p99'], [xs, pct('p50Ms'), pct('p95Ms'), pct('p99Ms')]);
  chart('chart-pool', ['in use', 'idle', 'waiting', 'max'],
    [xs, pts.map((p) => p.poolActive), pts.map((p) => p.poolIdle), pts.map((p) => p.poolAwaiting), pts.map((p) => p.poolMax)]);
  chart('chart-breaker', ['breaker'], [xs, pts.map((p) => BREAKER_LEVEL[p.breaker])],
    { scales: { y: { range: [0, 3] } } });
  chart('chart-streams', ['open streams'], [xs, pts.map((p) => p.openStreams)]);
}

function round(x) {
  return Math.round(x * 100) / 100;
}

// ------------------------------------------------------------------------------------------------ breaker

async function loadBreaker() {
  const [b, audit] = await Promise.all([api('GET', '/breaker'), api('GET', '/flags/audit')]);
  badge($('breaker-state'), b.state, b.state === 'CLOSED');
  const details = [['failures in a row', b.recentFailures + ' of ' + b.failureThreshold], ['opened at', b.openedAt || '–'],
    ['next probe', b.nextProbeAt || '–'], ['last change', (b.lastTransitionCause || '–') + ' ' + (b.lastTransitionAt || '')],
    ['calls refused', b.rejectedCalls]];
  rows($('breaker-details'), details, (d) => d);
  const actions = audit.filter((a) => a.target === 'circuit-breaker').reverse();
  rows($('breaker-audit'), actions, (a) => [time(a.at), a.who, a.action, a.before + ' → ' + a.after, a.why]);
}

// ------------------------------------------------------------------------------------------------ flags

async function loadFlags() {
  const [view, audit] = await Promise.all([api('GET', '/flags'), api('GET', '/flags/audit')]);
  const k = view.killswitch;
  badge($('killswitch-state'), k.active ? 'PULLED' : 'off', !k.active);
  $('killswitch-detail').textContent = k.active ? 'by ' + k.by + ' at ' + time(k.at) + ': ' + k.reason : '';
  $('flags-store').textContent = view.store ? 'store: ' + JSON.stringify(view.store) : '';
  const table = $('flags-table');
  for (const f of view.flags) {
    let row = table.querySelector('tr[data-flag="' + f.name + '"]');
    if (!row) {
      row = flagRow(f.name);
      table.append(row);
    }
    const busy = row.contains(document.activeElement);
    row.querySelector('.flag-state').textContent = f.enabled ? 'enabled' : 'disabled';
    row.querySelector('.flag-toggle').textContent = f.enabled ? 'Disable' : 'Enable';
    row.querySelector('.flag-toggle').dataset.enabled = f.enabled;
    if (!busy) {
      row.querySelector('.rollout-slider').value = f.rollout;
      row.querySelector('.rollout-input').value = f.rollout;
    }
  }
  const list = [...audit].reverse();
  rows($('audit'), list, (a) => [time(a.at), a.who, a.action, a.target, (a.before || '') + ' → ' + (a.after || ''), a.why]);
}

function flagRow(name) {
  const slider = el('input', { type: 'range', min: 0, max: 100, step: 1, class: 'rollout-slider', 'data-flag': name, 'aria-label': name + ' rollout' });
  const input = el('input', { type: 'number', min: 0, max: 100, class: 'rollout-input', 'data-flag': name, 'aria-label': name + ' rollout %' });
  slider.addEventListener('input', () => { input.value = slider.value; });
  const apply = (value) => act('flags-error', () => api('PUT', '/flags/' + encodeURIComponent(name) + '/rollout',
    { percentage: Number(value), reason: $('flags-reason').value }));
  slider.addEventListener('change', () => apply(slider.value));
  input.addEventListener('change', () => { slider.value = input.value; apply(input.value); });
  const toggle = el('button', { type: 'button', class: 'flag-toggle secondary', 'data-flag': name });
  toggle.addEventListener('click', () => act('flags-error', () => api('POST', '/flags/' + encodeURIComponent(name)
    + (toggle.dataset.enabled === 'true' ? '/disable' : '/enable'), { reason: $('flags-reason').value })));
  return el('tr', { 'data-flag': name }, el('td', {}, name), el('td', { class: 'flag-state' }),
    el('td', {}, slider, ' ', input, ' %'), el('td', {}, toggle));
}

// ------------------------------------------------------------------------------------------------ migration

function planSteps(plan) {
  if (!plan) return ['monitoring 1/1', 'canary 1/1', 'gradual', 'full 1/1 (100 %)'];
  const n = plan.gradualSteps.length;
  return ['monitoring 1/1', 'canary 1/1 (' + plan.canaryPercent + ' %)',
    ...plan.gradualSteps.map((p, i) => 'gradual ' + (i + 1) + '/' + n + ' (' + p + ' %)'), 'full 1/1 (100 %)'];
}

async function loadMigration() {
  const m = await api('GET', '/migration');
  state.migration = m;
  badge($('migration-status'), m.status, m.status === 'COMPLETED' || m.status === 'NONE' ? true : m.status === 'ROLLED_BACK' ? false : undefined);
  $('migration-step').textContent = m.step || '–';
  $('migration-step-number').textContent = m.stepNumber ? '(step ' + m.stepNumber + ' of ' + m.stepsToTarget + ' towards ' + m.target + ')' : '';
  const history = m.history || [];
  const passed = new Set(history.filter((e) => e.detail === 'health check passed').map((e) => e.step));
  $('migration-timeline').replaceChildren(...planSteps(m.plan).map((label) => {
    const status = passed.has(label) ? 'done' : label === m.step && (m.status === 'RUNNING' || m.status === 'PAUSED') ? 'current'
      : label === m.step && m.status === 'ROLLED_BACK' ? 'failed' : 'pending';
    return el('li', { class: status, 'data-step': label }, label);
  }));
  const checks = history.filter((e) => e.score !== null && e.score !== undefined).reverse();
  rows($('migration-checks'), checks, (e) => [time(e.at), e.step, e.status, e.score, e.detail]);
  $('migration-hold').disabled = m.status !== 'RUNNING';
  $('migration-resume').disabled = m.status !== 'PAUSED';
  tickSoak();
}

function tickSoak() {
  const m = state.migration;
  if (!m || !m.soakUntil) {
    $('migration-soak').textContent = m && m.status === 'RUNNING' ? 'checking now' : m && m.status === 'PAUSED' ? 'held (resume to soak again)' : '–';
    return;
  }
  $('migration-soak').textContent = duration(Date.parse(m.soakUntil) - Date.now());
}

// ------------------------------------------------------------------------------------------------ statements and logs

async function loadActivity() {
  const level = $('logs-level').value;
  const [statements, logs] = await Promise.all([api('GET', '/connections/statements'),
    api('GET', '/logs?level=' + encodeURIComponent(level) + '&limit=100')]);
  rows($('statements'), statements, (s) => [s.id, s.principal, s.age, s.state, s.sql]);
  rows($('logs'), [...logs].reverse(), (l) => [time(l.time), l.level, l.logger, l.message]);
  $('logs').querySelectorAll('tr').forEach((tr) => tr.classList.add('level-' + tr.children[1].textContent));
}

// ------------------------------------------------------------------------------------------------ settings

async function loadSettings() {
  const sections = await api('GET', '/config/export?format=json');
  const host = $('settings');
  host.replaceChildren();
  for (const [component, keys] of Object.entries(sections)) {
    if (component === 'static') continue;
    const table = el('table', { class: 'settings' });
    for (const [key, value] of Object.entries(keys)) {
      const input = el('input', { type: 'text', value: String(value), 'data-component': component, 'data-key': key, 'aria-label': component + '.' + key });
      const error = el('span', { class: 'field-error', 'data-field': component + '.' + key });
      const save = el('button', { type: 'button', class: 'secondary' }, 'Save');
      save.addEventListener('click', async () => {
        error.textContent = '';
        try {
          await api('PUT', '/config/' + component + '/' + key, { value: input.value, reason: $('settings-reason').value });
          input.classList.add('saved');
        } catch (e) {
          error.textContent = e.message;
        }
      });
      table.append(el('tr', {}, el('td', {}, key), el('td', {}, input, ' ', save, ' ', error)));
    }
    host.append(el('h3', {}, component), table);
  }
  state.settingsLoaded = true;
}

// ------------------------------------------------------------------------------------------------ wiring

const LOADERS = { overview: loadOverview, charts: async () => {}, breaker: loadBreaker, flags: loadFlags, migration: loadMigration,
  activity: loadActivity, settings: async () => { if (!state.settingsLoaded) await loadSettings(); } };

async function refresh() {
  try {
    await Promise.all([LOADERS[state.page](), loadLive()]);
    $('banner').hidden = true;
  } catch (e) {
    if (e.message !== 'logged out') {
      $('banner').textContent = 'Cannot refresh: ' + e.message;
      $('banner').hidden = false;
    }
  }
}

function show(page) {
  state.page = PAGES.includes(page) ? page : 'overview';
  document.querySelectorAll('main > section').forEach((s) => { s.hidden = s.dataset.page !== state.page; });
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === state.page));
  if (state.page === 'settings') state.settingsLoaded = false;
  refresh();
}

async function start() {
  const response = await fetch('session', { cache: 'no-store' });
  if (!response.ok) {
    toLogin();
    return;
  }
  const session = await response.json();
  state.csrf = session.csrf;
  state.operator = session.operator;
  $('who').textContent = session.principal + (session.operator ? ' (' + session.operator + ')' : '');

  $('logout').addEventListener('click', async () => {
    await fetch('session', { method: 'DELETE', headers: { 'X-Sluice-Csrf': state.csrf } });
    toLogin();
  });
  $('breaker-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = $('breaker-reason').value.trim();
    if (!reason) {
      $('breaker-error').textContent = 'A reason is required to force the breaker open.';
      return;
    }
    act('breaker-error', () => api('POST', '/breaker/force-open', { reason }));
  });
  $('breaker-reset').addEventListener('click', () => act('breaker-error',
    () => api('POST', '/breaker/reset', { reason: $('breaker-reason').value.trim() })));
  $('killswitch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = $('killswitch-reason').value.trim();
    if (!reason) {
      $('killswitch-error').textContent = 'A reason is required to pull the killswitch.';
      return;
    }
    act('killswitch-error', () => api('POST', '/flags/killswitch', { reason }));
  });
  $('killswitch-restore').addEventListener('click', () => act('killswitch-error',
    () => api('POST', '/flags/killswitch/restore', { reason: $('killswitch-reason').value.trim() })));
  $('migration-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act('migration-error', () => api('POST', '/migration', { target: $('migration-target').value, reason: $('migration-reason').value }));
  });
  $('migration-hold').addEventListener('click', () => act('migration-error',
    () => api('POST', '/migration/hold', { reason: $('migration-reason').value })));
  $('migration-resume').addEventListener('click', () => act('migration-error',
    () => api('POST', '/migration/resume', { reason: $('migration-reason').value })));
  $('migration-rollback').addEventListener('click', () => act('migration-error',
    () => api('POST', '/migration/rollback', { reason: $('migration-reason').value })));
  $('logs-level').addEventListener('change', refresh);
  $('latency-kind').addEventListener('change', drawCharts);
  window.addEventListener('hashchange', () => show(location.hash.substring(1)));

  show(location.hash.substring(1));
  setInterval(refresh, 2000);
  setInterval(tickSoak, 500);
}

start();
