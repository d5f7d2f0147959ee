// The one place the inspection page talks to the server.
// Every write carries an Idempotency-Key, so a retry (double tap, timeout, or a queue replayed
// later) never creates anything twice. The offline queue (issue 8) replaces `transport` with
// setTransport() or wraps send(); the form does not change.

let freshToken = null;

function csrfToken() {
  if (freshToken) return freshToken;
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

// A queue replayed later (from a page kept by the service worker) uses the token that
// GET /api/v1/offline/session just gave, not the one the cached page was rendered with.
export function setCsrfToken(token) {
  freshToken = token || null;
}

// A random UUID v4 (crypto.randomUUID is missing on older Android WebViews).
export function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A short stable hash of a string (FNV-1a), to derive a request key from its body.
export function hashText(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

let transport = (url, init) => fetch(url, init);

export function setTransport(fn) {
  transport = fn;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// send(method, url, {json, form, key, tries}) → {ok, status, data, network}
// Only requests with a key are retried (safe by construction); 5xx and network errors are
// retried with backoff, 4xx answers are returned at once.
export async function send(method, url, opts = {}) {
  // The phone's clock as it is now: the server keeps the recorded times as the phone wrote
  // them and judges "in the future" by this same clock (it may be hours off).
  const headers = { Accept: 'application/json', 'X-CSRFToken': csrfToken(), 'X-Client-Time': new Date().toISOString() };
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = opts.form;
  }
  const tries = opts.key ? opts.tries || 3 : 1;
  let wait = 700;
  for (let attempt = 1; ; attempt++) {
    try {
      const resp = await transport(url, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        keepalive: Boolean(opts.keepalive) && typeof body === 'string' && body.length < 60000,
      });
      if (resp.status >= 500 && attempt < tries) throw new Error(`HTTP ${resp.status}`);
      const type = resp.headers.get('Content-Type') || '';
      const data = type.includes('json') ? await resp.json().catch(() => null) : null;
      return { ok: resp.ok, status: resp.status, data, network: false };
    } catch (err) {
      if (attempt >= tries) return { ok: false, status: 0, data: null, network: true, error: String(err) };
      await sleep(wait);
      wait *= 2;
    }
  }
}

// The server's message for a failed answer (or a generic one).
export function messageOf(res, fallback) {
  if (res && res.data && res.data.message) return res.data.message;
  return fallback;
}
