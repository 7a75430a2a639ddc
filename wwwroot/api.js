// The bridge's JSON envelope, shared by the chat and admin pages.

/** A failed call: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }

  get isNetwork() {
    return this.status === 0;
  }
}

// The widget's panel signs in without a cookie (its frame on another site gets none): its token goes in this header.
let sanctumSession = null;

/** Sets (or with null, drops) the Sanctum sign-in token sent as `X-Sanctum-Session` on every call. */
export function setSanctumSession(token) {
  sanctumSession = token;
}

/** Whether calls carry a sign-in token (the widget's panel) rather than relying on the cookie. */
export function hasSanctumSession() {
  return sanctumSession !== null;
}

// Each conversation the page or the widget creates is bound to a secret of its own: the session id alone (which shows
// in admin pages and logs) no longer reads it. A session from an older page has none and is sent without one.
const sessionTokens = new Map();

/** 256 random bits as 64 hex characters: the secret a new session is bound to by its first request. */
export function newSessionToken() {
  return randomHex(32);
}

/** Remembers (or with null, forgets) the token of a session: every call for that session carries it from now on. */
export function setSessionToken(sessionId, token) {
  if (typeof token === 'string' && /^[0-9a-f]{64}$/.test(token)) {
    sessionTokens.set(sessionId, token);
  } else {
    sessionTokens.delete(sessionId);
  }
}

/** The token of a session, or null for one created without (an older page's). */
export function sessionTokenFor(sessionId) {
  return sessionTokens.get(sessionId) ?? null;
}

/**
 * Calls `/api/v1/?action=NAME` and returns the envelope's `data`, or throws an ApiError carrying the
 * server's `error` text (and `retry_after` for a 429).
 */
export async function callApi(action, { method = 'GET', query = {}, body, key, signal } = {}) {
  const params = new URLSearchParams({ action });
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) {
      params.set(name, String(value));
    }
  }
  // X-Requested-With: the server takes a sign-in cookie on a POST only with it, which a form on another site cannot send.
  const headers = { Accept: 'application/json', 'X-Requested-With': 'ChatBridge' };
  if (sanctumSession !== null) {
    headers['X-Sanctum-Session'] = sanctumSession;
  }
  const token = sessionTokenFor(query.session_id ?? body?.session_id);
  if (token !== null) {
    headers['X-Session-Token'] = token;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (key !== undefined) {
    headers.Authorization = `Bearer ${key}`;
  }

  let response;
  try {
    response = await fetch(`/api/v1/?${params}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, "Can't reach the server.");
  }

  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // A proxy's HTML error page or an empty body: reported below by status alone.
  }
  if (response.ok && envelope?.success === true) {
    return envelope.data;
  }
  const retryAfter = Number(envelope?.retry_after ?? response.headers.get('Retry-After')) || null;
  const message = typeof envelope?.error === 'string' ? envelope.error : `The server answered ${response.status}.`;
  throw new ApiError(response.status, message, retryAfter);
}

/**
 * Uploads one file for a session with `upload`, through XMLHttpRequest because fetch cannot report upload progress:
 * `onProgress` gets the fraction sent (0 to 1). Resolves with the envelope's `data`, or rejects with an ApiError.
 * `signal` aborts the upload (a file removed while it is still sending).
 */
export function uploadFile(sessionId, file, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/?action=upload');
    request.responseType = 'json';
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('X-Requested-With', 'ChatBridge');
    if (sanctumSession !== null) {
      request.setRequestHeader('X-Sanctum-Session', sanctumSession);
    }
    const token = sessionTokenFor(sessionId);
    if (token !== null) {
      request.setRequestHeader('X-Session-Token', token);
    }
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        onProgress?.(event.loaded / event.total);
      }
    });
    request.addEventListener('load', () => {
      const envelope = request.response;
      if (request.status >= 200 && request.status < 300 && envelope?.success === true) {
        resolve(envelope.data);
        return;
      }
      const retryAfter = Number(envelope?.retry_after ?? request.getResponseHeader('Retry-After')) || null;
      const message = typeof envelope?.error === 'string' ? envelope.error : `The server answered ${request.status}.`;
      reject(new ApiError(request.status, message, retryAfter));
    });
    request.addEventListener('error', () => reject(new ApiError(0, "Can't reach the server.")));
    request.addEventListener('abort', () => reject(new DOMException('Upload aborted', 'AbortError')));
    signal?.addEventListener('abort', () => request.abort());
    const form = new FormData();
    form.append('session_id', sessionId);
    form.append('file', file, file.name || 'pasted');
    request.send(form);
  });
}

/** Random bytes as lowercase hex, from the browser's cryptographic generator. */
export function randomHex(byteCount) {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Creates an element with classes, text and attributes; text always goes through textContent. */
export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  for (const [name, value] of Object.entries(attrs ?? {})) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** Copies text to the clipboard; falls back to a selection copy where the Clipboard API is missing (plain http). */
export async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the selection route below.
    }
  }
  const area = el('textarea', { className: 'visually-hidden', attrs: { readonly: '' } });
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  return copied;
}
