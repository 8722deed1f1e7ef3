// The status page: tiles from GET /status/summary, the hosts table from GET /status, the details
// of one host; refreshed every few seconds with If-None-Match, re-drawn only when an answer changed.

import { ApiError, forgetAnswers, getJson, setToken, token } from './api.js';
import { loadHost, renderHost } from './drilldown.js';
import { hostQueries, merge, readState, search, sorted, writeState } from './filters.js';
import { ago, hostRow, tile } from './render.js';

const REFRESH_MS = 5000;
/** Rows drawn at once: a browser stays quick with a few hundred, not with 100,000. */
const PAGE_ROWS = 500;
const $ = (id) => document.getElementById(id);

let state = readState(location.hash);
let limit = PAGE_ROWS;
let summary = [];
let hosts = [];
const environments = new Set();
let timer = null;
let lastKey = ''; // which host row to focus again when the details close
let generation = 0; // the newest refresh; an older one still in flight must not draw over it
let drawn = []; // the answers on screen: a 304 gives back the very same objects

// Counters for the browser tests and the curious: how often the page asked, and how often it drew.
const stats = document.documentElement.dataset;
stats.polls = '0';
stats.renders = '0';

// ---- the refresh loop ------------------------------------------------------------------------

/** Asks for everything shown; re-draws what changed. Never throws: problems become the note. */
async function refresh() {
  clearTimeout(timer);
  const mine = ++generation;
  const started = performance.now();
  try {
    const queries = hostQueries(state);
    const [sum, ...lists] = await Promise.all([getJson('status/summary'), ...queries.map(getJson)]);
    if (mine !== generation) return; // a filter changed meanwhile: the newer refresh draws and polls on
    const bodies = [sum.body, ...lists.map((l) => l.body)];
    if (bodies.length !== drawn.length || bodies.some((body, i) => body !== drawn[i])) {
      drawn = bodies;
      summary = sum.body;
      hosts = merge(bodies.slice(1));
      hosts.forEach((row) => row.environment && environments.add(row.environment));
      drawAll();
    }
    if ($('detail').open) await refreshDetail(false);
    showProblem(null);
  } catch (e) {
    if (mine === generation) showProblem(e);
  }
  if (mine !== generation) return; // only the newest refresh schedules the next poll
  stats.polls = String(Number(stats.polls) + 1);
  // A slow answer (a very large fleet) spaces the polls out rather than piling them up.
  const elapsed = performance.now() - started;
  timer = setTimeout(poll, Math.max(REFRESH_MS, 3 * elapsed));
}

function poll() {
  if (document.hidden) { // a tab in the background asks nothing; it catches up when shown
    timer = setTimeout(poll, REFRESH_MS);
    return;
  }
  refresh();
}

function drawAll() {
  drawTiles();
  drawOptions();
  drawHosts();
  stats.renders = String(Number(stats.renders) + 1);
  $('live-text').textContent = 'Live · data of ' + new Date().toLocaleTimeString();
}

// ---- drawing ---------------------------------------------------------------------------------

function drawTiles() {
  const fleet = summary.find((s) => s.server_group === '*')
    || { server_group: '*', total: 0, synced: 0, out_of_sync: 0, failed: 0, unknown: 0, stale: 0 };
  const groups = summary.filter((s) => s.server_group !== '*');
  $('tiles').replaceChildren(tile(fleet, !state.group), ...groups.map((g) => tile(g, g.server_group === state.group)));
}

function drawOptions() {
  const groups = summary.filter((s) => s.server_group !== '*').map((s) => s.server_group);
  fillSelect($('f-group'), groups, state.group);
  fillSelect($('f-env'), [...environments].sort(), state.env);
}

/** Keeps the first option ("All ..."), then one per value; the selected value stays even if unseen. */
function fillSelect(select, values, selected) {
  const all = [...new Set(selected ? [...values, selected] : values)];
  select.replaceChildren(select.options[0], ...all.map((v) => new Option(v, v, false, v === selected)));
  select.value = selected;
}

function drawHosts() {
  const focused = document.activeElement?.closest?.('#hosts tbody tr')?.dataset.key;
  const rows = sorted(search(hosts, state.q), state.sort, state.dir);
  const shown = rows.slice(0, limit);
  $('hosts').tBodies[0].replaceChildren(...shown.map(hostRow));
  const total = rows.length.toLocaleString('en');
  $('count').textContent = rows.length === 0 ? 'No host matches the filters.'
    : shown.length < rows.length ? `Showing the first ${shown.length.toLocaleString('en')} of ${total} matching hosts; narrow the filters or show more.`
      : `${total} ${rows.length === 1 ? 'host' : 'hosts'}`;
  $('more-wrap').hidden = shown.length >= rows.length;
  document.querySelectorAll('#hosts th[data-key]').forEach((th) => {
    th.setAttribute('aria-sort', th.dataset.key === state.sort ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  });
  if (focused) rowFor(focused)?.focus();
}

function rowFor(key) {
  return [...$('hosts').tBodies[0].rows].find((tr) => tr.dataset.key === key);
}

// ---- problems and the token ----------------------------------------------------------------

function showProblem(error) {
  const note = $('problem');
  const form = $('token-form');
  $('live').classList.toggle('paused', Boolean(error));
  if (!error) {
    note.hidden = true;
    form.hidden = !token();
    return;
  }
  const messages = {
    unreachable: 'The service cannot be reached. The page shows the last data it had and tries again every few seconds.',
    unavailable: `The service is unavailable (${error.message}). Its data store cannot be read; the page shows the last data it had and tries again every few seconds.`,
    unauthorized: token() ? 'The token was not accepted. Enter a read token.' : 'This service needs a read token to show its data. Enter one below.',
    forbidden: 'This token may not read: it needs the read scope.',
    failed: `The service answered with an error (${error.message}).`,
  };
  note.textContent = messages[error instanceof ApiError ? error.kind : 'failed'];
  note.hidden = false;
  form.hidden = !['unauthorized', 'forbidden'].includes(error.kind) && !token();
  $('live-text').textContent = 'Paused · retrying';
}

// ---- the details of one host --------------------------------------------------------------

async function openDetail(key) {
  lastKey = key;
  state.host = key;
  saveState();
  $('detail-title').textContent = key;
  $('detail-body').replaceChildren('Loading…');
  if (!$('detail').open) $('detail').showModal();
  await refreshDetail(true);
}

async function refreshDetail(force) {
  const key = state.host;
  try {
    const host = await loadHost(key);
    if ((force || host.changed) && state.host === key) renderHost($('detail-body'), $('detail-title'), host);
  } catch (e) {
    if (e.status === 404) $('detail-body').textContent = 'This host is not reported (any more).';
    else if (force) $('detail-body').textContent = 'The details cannot be loaded now: ' + e.message;
    if (e.status !== 404) throw e;
  }
}

// ---- controls --------------------------------------------------------------------------------

function saveState() {
  const hash = writeState(state);
  history.replaceState(null, '', hash || location.pathname + location.search);
}

function readControls() {
  const form = $('filters');
  state.q = form.q.value.trim();
  state.group = form.group.value;
  state.status = form.status.value;
  state.env = form.env.value;
  state.stale = form.stale.value;
  state.problems = form.problems.checked;
}

function writeControls() {
  const form = $('filters');
  form.q.value = state.q;
  fillSelect(form.group, [...form.group.options].slice(1).map((o) => o.value), state.group);
  form.status.value = state.status;
  fillSelect(form.env, [...environments].sort(), state.env);
  form.stale.value = state.stale;
  form.problems.checked = state.problems;
}

/** A filter changed: the text search is the page's own, the others ask the service. */
function onFilter(event) {
  readControls();
  limit = PAGE_ROWS;
  saveState();
  if (event.target.name === 'q') drawHosts();
  else refresh();
}

function bind() {
  const form = $('filters');
  // The search runs as one types, but not on every key of a quick typist: 100,000 rows take a while.
  let typing = null;
  form.addEventListener('input', (e) => {
    if (e.target.name !== 'q') return;
    clearTimeout(typing);
    typing = setTimeout(() => onFilter(e), 150);
  });
  form.addEventListener('change', (e) => e.target.name !== 'q' && onFilter(e));
  form.addEventListener('submit', (e) => e.preventDefault());
  $('f-clear').addEventListener('click', () => {
    state = { ...readState(''), host: state.host };
    writeControls();
    saveState();
    refresh();
  });
  $('tiles').addEventListener('click', (e) => {
    const button = e.target.closest('button.tile');
    if (!button) return;
    state.group = button.dataset.group === state.group ? '' : button.dataset.group;
    writeControls();
    saveState();
    refresh();
  });
  document.querySelector('#hosts thead').addEventListener('click', (e) => {
    const th = e.target.closest('th[data-key]');
    if (!th) return;
    const key = th.dataset.key;
    const numeric = ['status', 'last_seen', 'stale', 'changed_files_count'].includes(key);
    state.dir = state.sort === key ? (state.dir === 'asc' ? 'desc' : 'asc') : (numeric ? 'desc' : 'asc');
    state.sort = key;
    saveState();
    drawHosts();
  });
  const body = $('hosts').tBodies[0];
  body.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-key]');
    if (tr) openDetail(tr.dataset.key);
  });
  body.addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr[data-key]');
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openDetail(tr.dataset.key);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
    }
  });
  $('more').addEventListener('click', () => {
    limit += PAGE_ROWS;
    drawHosts();
  });
  $('detail-close').addEventListener('click', () => $('detail').close());
  $('detail').addEventListener('close', () => {
    state.host = '';
    saveState();
    rowFor(lastKey)?.focus();
  });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken($('token').value.trim());
    $('token').value = '';
    forgetAnswers();
    refresh();
  });
  $('token-forget').addEventListener('click', () => {
    setToken('');
    forgetAnswers();
    refresh();
  });
  // A URL edited by hand, or Back to a shared view.
  window.addEventListener('hashchange', () => {
    state = readState(location.hash);
    writeControls();
    refresh();
    syncDetail();
  });
  document.addEventListener('visibilitychange', () => !document.hidden && refresh());
  // "5 min ago" ages while the data does not change: only the texts are updated, nothing is re-drawn.
  setInterval(() => document.querySelectorAll('time[datetime]').forEach((t) => {
    if (!t.closest('.since')) t.textContent = ago(t.dateTime);
  }), 30000);
}

/** Opens or closes the details as the URL says. */
function syncDetail() {
  if (state.host && !$('detail').open) openDetail(state.host);
  else if (!state.host && $('detail').open) $('detail').close();
}

bind();
writeControls();
refresh().then(syncDetail);
