// Reads the service's JSON API relative to the page, so the page works under any context path.
// Every answer is remembered with its ETag and asked for again with If-None-Match: while nothing
// changed the service answers 304 without a body, and the caller is told nothing changed.

const TOKEN_KEY = 'gitops-status.token';

/** Thrown for answers the page cannot show; `kind` says which note to show. */
export class ApiError extends Error {
  constructor(kind, status, message) {
    super(message);
    this.kind = kind; // 'unreachable' | 'unavailable' | 'unauthorized' | 'forbidden' | 'failed'
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** url → {etag, body}: the last good answer of each URL asked for. */
const cache = new Map();

/**
 * GETs `url` (relative, e.g. "status/summary"). Resolves to {body, changed}: `changed` is false
 * when the service answered 304 and `body` is the one remembered from before.
 */
export async function getJson(url) {
  const headers = { Accept: 'application/json' };
  const known = cache.get(url);
  if (known) {
    headers['If-None-Match'] = known.etag;
  }
  if (token()) {
    headers.Authorization = 'Bearer ' + token();
  }
  let response;
  try {
    // no-store: the page does its own revalidation; the browser's cache must not answer for it.
    response = await fetch(url, { headers, cache: 'no-store', credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError('unreachable', 0, 'The service cannot be reached.');
  }
  if (response.status === 304 && known) {
    return { body: known.body, changed: false };
  }
  if (!response.ok) {
    throw await refusal(response);
  }
  const body = await response.json();
  const etag = response.headers.get('ETag');
  if (etag) {
    cache.set(url, { etag, body });
  }
  return { body, changed: true };
}

/** Forgets the remembered answers: after a new token the same URLs may answer otherwise. */
export function forgetAnswers() {
  cache.clear();
}

async function refusal(response) {
  let detail = '';
  try {
    const body = await response.json();
    detail = [body.error, body.message].filter(Boolean).join(': ');
  } catch (e) {
    // a container's own error page, not our JSON: the status code says enough
  }
  const kinds = { 401: 'unauthorized', 403: 'forbidden', 502: 'unreachable', 503: 'unavailable', 504: 'unreachable' };
  const kind = kinds[response.status] || 'failed';
  return new ApiError(kind, response.status, `HTTP ${response.status}${detail ? ' — ' + detail : ''}`);
}
