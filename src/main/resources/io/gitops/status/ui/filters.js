// The view's state (filters, sort order, the open host) lives in the URL's fragment, so that a
// view can be bookmarked and shared: #status=failed&env=prod&problems=1&sort=host&dir=desc.
// Filters the API knows are sent to it (GET /status takes server_group, status, environment,
// stale), so a fleet of 100,000 hosts is narrowed by the service; the text search is the page's.

/** Worst first: the order of severity used for tiles and for sorting by status. */
export const SEVERITY = { failed: 3, out_of_sync: 2, unknown: 1, synced: 0 };
export const PROBLEM_STATUSES = ['failed', 'out_of_sync', 'unknown'];

const DEFAULTS = { q: '', group: '', status: '', env: '', stale: '', problems: false, sort: 'status', dir: 'desc', host: '' };
const SORT_KEYS = ['server_group', 'host', 'status', 'environment', 'server_type', 'last_seen', 'stale',
  'changed_files_count', 'commit_sha'];

/** The state named by a fragment; anything unknown or malformed falls back to the default. */
export function readState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = { ...DEFAULTS };
  for (const name of ['q', 'group', 'env', 'host']) {
    state[name] = params.get(name) || '';
  }
  state.status = SEVERITY[params.get('status')] !== undefined ? params.get('status') : '';
  state.stale = ['true', 'false'].includes(params.get('stale')) ? params.get('stale') : '';
  state.problems = params.get('problems') === '1';
  state.sort = SORT_KEYS.includes(params.get('sort')) ? params.get('sort') : DEFAULTS.sort;
  state.dir = ['asc', 'desc'].includes(params.get('dir')) ? params.get('dir') : DEFAULTS.dir;
  return state;
}

/** The fragment for a state: only what differs from the default, so URLs stay short. */
export function writeState(state) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (name !== 'sort' && name !== 'dir' && value !== DEFAULTS[name]) {
      params.set(name, value === true ? '1' : value);
    }
  }
  // Both or neither: a shared link keeps its order even should the default change.
  if (state.sort !== DEFAULTS.sort || state.dir !== DEFAULTS.dir) {
    params.set('sort', state.sort);
    params.set('dir', state.dir);
  }
  const text = params.toString();
  return text ? '#' + text : '';
}

/**
 * The GET /status queries whose rows, merged, are the hosts the filters select (before the text
 * search). "Problems only" means a status other than synced, or stale: two queries, because the
 * API combines different filters with AND.
 */
export function hostQueries(state) {
  const base = new URLSearchParams();
  if (state.group) base.append('server_group', state.group);
  if (state.env) base.append('environment', state.env);
  const query = (statuses, stale) => {
    const params = new URLSearchParams(base);
    statuses.forEach((status) => params.append('status', status));
    if (stale) params.append('stale', stale);
    const text = params.toString();
    return 'status' + (text ? '?' + text : '');
  };
  const statuses = state.status ? [state.status] : [];
  if (!state.problems) {
    return [query(statuses, state.stale)];
  }
  const queries = [];
  const troubled = statuses.length ? statuses.filter((s) => s !== 'synced') : PROBLEM_STATUSES;
  if (troubled.length) queries.push(query(troubled, state.stale));
  const healthyButStale = !state.status || state.status === 'synced';
  if (healthyButStale && state.stale !== 'false') queries.push(query(['synced'], 'true'));
  return queries;
}

/** The rows of several answers, each host once, in the API's order (group, then host). */
export function merge(lists) {
  if (lists.length === 1) return lists[0];
  const byKey = new Map();
  lists.flat().forEach((row) => byKey.set(row.server_group + '/' + row.host, row));
  return [...byKey.values()].sort((a, b) => compareText(a.server_group, b.server_group) || compareText(a.host, b.host));
}

/** The rows that contain every word of the search (any field shown, or a changed file). */
export function search(rows, q) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  return rows.filter((row) => {
    const text = [row.server_group, row.host, row.status, row.environment, row.server_type, row.commit_sha,
      row.project_name, row.repo_name, row.branch, ...(row.changed_files || [])].join(' ').toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** A sorted copy; ties keep the API's order (group, then host), since Array.sort is stable. */
export function sorted(rows, key, dir) {
  const sign = dir === 'asc' ? 1 : -1;
  const value = sortValue(key);
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null) return 1; // unknown values last, whichever the direction
    if (y === null) return -1;
    return sign * (x < y ? -1 : 1);
  });
}

function sortValue(key) {
  switch (key) {
    case 'status': return (row) => SEVERITY[row.status] ?? -1;
    case 'last_seen': return (row) => (row.last_seen ? Date.parse(row.last_seen) : null);
    case 'stale': return (row) => (row.stale ? 1 : 0);
    case 'changed_files_count': return (row) => row.changed_files_count;
    default: return (row) => (row[key] == null ? null : String(row[key]).toLowerCase());
  }
}

/** Plain string order, the API's (not the locale's). */
function compareText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
