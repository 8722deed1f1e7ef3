// Small builders of DOM nodes. Every value from the API is set as text (textContent), never as
// HTML: host names, file names and validation messages come from the clients of the service.

import { SEVERITY } from './filters.js';

export const LABELS = { synced: 'Synced', out_of_sync: 'Out of sync', failed: 'Failed', unknown: 'Unknown' };

// A shape per status, so that a status never depends on colour alone:
// synced a circle with a tick, out of sync a triangle, failed an octagon with a cross, unknown a
// rounded square with a question mark (not a diamond: that reads as the "invalid character" sign).
const SHAPES = {
  synced: ['M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1z', 'M4.8 8.2l2.2 2.2 4.2-4.6'],
  out_of_sync: ['M8 1.2l7 12.6H1z', 'M8 6v3.6M8 11.4v.6'],
  failed: ['M5.1 1h5.8L15 5.1v5.8L10.9 15H5.1L1 10.9V5.1z', 'M5.6 5.6l4.8 4.8M10.4 5.6l-4.8 4.8'],
  unknown: ['M3.5 1h9A2.5 2.5 0 0 1 15 3.5v9a2.5 2.5 0 0 1-2.5 2.5h-9A2.5 2.5 0 0 1 1 12.5v-9A2.5 2.5 0 0 1 3.5 1z',
    'M6.3 6.1a1.7 1.7 0 1 1 2.4 1.6c-.5.2-.7.6-.7 1.1v.4M8 11.4v.4'],
};
const SVG = 'http://www.w3.org/2000/svg';

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  children.flat().forEach((child) => {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  });
  return node;
}

export function icon(status) {
  const [outline, mark] = SHAPES[status] || SHAPES.unknown;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const [d, cls] of [[outline, 'shape'], [mark, 'mark']]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    path.setAttribute('class', cls);
    svg.append(path);
  }
  return svg;
}

/** The status as an icon and its name, in the status's colours. */
export function badge(status) {
  const known = LABELS[status] ? status : 'unknown';
  return el('span', { class: 'badge s-' + known }, icon(known), LABELS[status] || String(status));
}

export function staleBadge() {
  return el('span', { class: 'badge stale' }, el('span', { 'aria-hidden': 'true', class: 'clock' }, '◷'), 'Stale');
}

/** The worst status of a summary row: what colours its tile. */
export function worst(summary) {
  return Object.keys(SEVERITY).reduce((a, b) => (summary[b] > 0 && SEVERITY[b] > SEVERITY[a] ? b : a), 'synced');
}

const PROBLEM_COUNTS = [['failed', 'failed'], ['out_of_sync', 'out of sync'], ['unknown', 'unknown']];

/** One tile per group, then the fleet (the summary's "*" row). Each is a button that filters by its group. */
export function tile(summary, selected) {
  const fleet = summary.server_group === '*';
  const status = summary.total ? worst(summary) : 'unknown';
  const problems = PROBLEM_COUNTS.filter(([key]) => summary[key] > 0)
    .map(([key, label]) => el('li', {}, `${summary[key]} ${label}`));
  const button = el('button', { type: 'button', class: 'tile s-' + status + (fleet ? ' fleet' : ''),
    'data-group': fleet ? '' : summary.server_group, 'aria-pressed': fleet ? null : String(selected) },
  el('span', { class: 'tile-name' }, fleet ? 'All groups' : summary.server_group),
  el('span', { class: 'tile-status' }, icon(status), fleet || summary.total ? LABELS[status] : 'No hosts'),
  el('span', { class: 'tile-count' }, el('strong', {}, summary.synced), ` / ${summary.total} healthy`),
  el('span', { class: 'tile-stale' + (summary.stale ? ' has-stale' : '') }, `${summary.stale} stale`),
  problems.length ? el('ul', { class: 'tile-problems' }, problems) : null);
  return el('li', {}, button);
}

/** A row of the hosts table; focusable, opened with a click or Enter. */
export function hostRow(row) {
  const key = row.server_group + '/' + row.host;
  return el('tr', { tabindex: '0', 'data-key': key, 'aria-label': `${row.host} in ${row.server_group}: ${LABELS[row.status] || row.status}` },
    el('td', {}, row.server_group),
    el('th', { scope: 'row' }, row.host),
    el('td', {}, badge(row.status)),
    el('td', {}, row.environment ?? '—'),
    el('td', {}, row.server_type ?? '—'),
    el('td', {}, time(row.last_seen)),
    el('td', {}, row.stale ? staleBadge() : el('span', { class: 'muted' }, 'No')),
    el('td', { class: 'num' }, row.changed_files_count),
    el('td', {}, row.commit_sha ? el('code', {}, row.commit_sha.slice(0, 10)) : '—'));
}

/** A timestamp as "5 min ago", the exact UTC time in its tooltip and datetime attribute. */
export function time(iso) {
  if (!iso) return el('span', { class: 'muted' }, 'never');
  return el('time', { datetime: iso, title: iso }, ago(iso));
}

export function ago(iso, now = Date.now()) {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 0) return 'in the future';
  return duration(seconds) + ' ago';
}

/** 42 s, 5 min, 3 h 10 min, 2 d 4 h: two units at most. */
export function duration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}
