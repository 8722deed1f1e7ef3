// The details of one host in a modal <dialog> (focus stays inside, Escape closes it): its
// fields, changed files, validation message, and status transitions, newest first.

import { getJson } from './api.js';
import { LABELS, badge, duration, el, staleBadge, time } from './render.js';

/** The most files listed: a host may report 10,000. */
const MAX_FILES = 500;

function hostUrls(key) {
  const [group, ...rest] = key.split('/');
  const path = 'status/' + encodeURIComponent(group) + '/' + encodeURIComponent(rest.join('/'));
  return { record: path, history: path + '/history' };
}

/** Resolves to {record, history, changed}, or throws an ApiError (404 when the host is gone). */
export async function loadHost(key) {
  const urls = hostUrls(key);
  const [record, history] = await Promise.all([getJson(urls.record), getJson(urls.history)]);
  return { record: record.body, history: history.body, changed: record.changed || history.changed };
}

/** Fills the dialog's body. */
export function renderHost(body, title, { record, history }) {
  title.textContent = `${record.host} · ${record.server_group}`;
  const since = currentSince(record, history);
  body.replaceChildren(
    el('div', { class: 'detail-status' }, badge(record.status), record.stale ? staleBadge() : null,
      el('span', { class: 'since', id: 'detail-since' }, since
        ? [`${LABELS[record.status] || record.status} for ${duration(since.seconds)}, since `,
          el('time', { datetime: since.at }, since.at.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC'))]
        : 'No transition recorded yet')),
    fields(record),
    section('Changed files', files(record.changed_files)),
    section('Validation', validation(record)),
    section('Status history', historyTable(history)));
}

/** "Out of sync since": the newest transition into the current status, if it is still kept. */
function currentSince(record, history) {
  const last = history[0];
  if (!last || last.to !== record.status) return null;
  return { at: last.at, seconds: Math.max(0, Math.round((Date.now() - Date.parse(last.at)) / 1000)) };
}

function fields(record) {
  const rows = [
    ['Environment', record.environment], ['Server type', record.server_type],
    ['Project', record.project_name], ['Repository', record.repo_name], ['Branch', record.branch],
    ['Commit', record.commit_sha ? el('code', {}, record.commit_sha) : null], ['Updated by', record.updated_by],
    ['Last pipeline run', time(record.last_pipeline_run)], ['Last drift check', time(record.last_cron_check)],
    ['Last seen', time(record.last_seen)],
  ];
  return el('dl', { class: 'fields' }, rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value ?? '—')]));
}

function section(heading, content) {
  return el('section', { class: 'detail-section' }, el('h3', {}, heading), content);
}

function files(list) {
  if (!list || !list.length) return el('p', { class: 'muted' }, 'No changed files.');
  const shown = list.slice(0, MAX_FILES).map((file) => el('li', {}, el('code', {}, file)));
  const note = list.length > MAX_FILES ? el('p', { class: 'muted' }, `First ${MAX_FILES} of ${list.length} files.`) : null;
  return [el('ul', { class: 'files', id: 'detail-files', tabindex: '0', 'aria-label': 'Changed files' }, shown), note];
}

function validation(record) {
  if (!record.validation_status && !record.validation_message) return el('p', { class: 'muted' }, 'No validation reported.');
  return [
    el('p', {}, 'Result: ', el('strong', {}, record.validation_status ?? 'not reported')),
    record.validation_message ? el('pre', { class: 'message', id: 'detail-validation', tabindex: '0' }, record.validation_message) : null,
  ];
}

function historyTable(history) {
  if (!history.length) return el('p', { class: 'muted' }, 'No transitions recorded.');
  return el('table', { class: 'history', id: 'detail-history' },
    el('thead', {}, el('tr', {}, ['When', 'From', 'To', 'Source', 'Commit', 'Files'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, history.map((t) => el('tr', {},
      el('td', {}, time(t.at)),
      el('td', {}, t.from ? badge(t.from) : el('span', { class: 'muted' }, 'new')),
      el('td', {}, badge(t.to)),
      el('td', {}, t.source),
      el('td', {}, t.commit_sha ? el('code', {}, t.commit_sha.slice(0, 10)) : '—'),
      el('td', { class: 'num' }, t.changed_files_count)))));
}
