// Sends the queue of inspections kept on the phone, in order, through the same JSON API and
// Idempotency-Keys as the online form (visits-api.js): replaying a queue, or a send cut off
// half-way, creates nothing twice. An item leaves the phone only once the server confirmed
// it; a refusal is kept with the server's message (failed, or a conflict to keep/discard).
import { hashText, messageOf, send, setCsrfToken } from './visits-api.js';
import * as store from './offline-store.js';

const API = '/api/v1/inspections';
const SESSION = '/api/v1/offline/session';
const MAX_WAIT = 10 * 60 * 1000;
const SENT_KEPT_MS = 3 * 24 * 3600 * 1000; // "sent" receipts stay visible for three days

let running = null;
let again = null; // a call that came during a run: {force}
let timer = null;
export const status = { signin: false, offline: false, user: null, lastRun: null };

function notify() {
  window.dispatchEvent(new CustomEvent('sync-status', { detail: { ...status } }));
}

// 'retry' (the network or the server failed: try later), 'signin', 'conflict', 'failed'.
function classify(res) {
  if (res.network || res.status === 0 || res.status >= 500 || res.status === 429) return 'retry';
  if (res.status === 401) return 'signin';
  if (res.status === 403 || res.status === 404 || res.status === 409) return 'conflict';
  return 'failed';
}

class Stop extends Error {
  constructor(kind, res) {
    super(kind);
    this.kind = kind;
    this.res = res;
  }
}

function check(res) {
  if (!res.ok) throw new Stop(classify(res), res);
  return res;
}

function sectionsOnly(body) {
  const copy = { ...body };
  delete copy.venue_id;
  delete copy.status;
  return copy;
}

async function sendItem(entry) {
  entry.state = 'sending';
  entry.message = null;
  await store.putItem(entry);
  // 1. The inspection on the server: found by its key (a replay, or an answer lost), or made.
  let id = entry.id || null;
  let current = null;
  if (!id) {
    const found = check(await send('GET', `${API}?client_key=${encodeURIComponent(entry.key)}`));
    if (found.data && found.data.length) {
      id = found.data[0].id;
      current = found.data[0].status;
    }
  } else {
    current = check(await send('GET', `${API}/${id}`)).data.status;
  }
  if (!id) {
    const made = check(await send('POST', API, { json: entry.body, key: entry.key, tries: 2 }));
    id = made.data.id;
    current = made.data.status;
    entry.body_sent = true;
  } else if (current === 'draft' && !entry.body_sent) {
    const body = sectionsOnly(entry.body);
    check(await send('PATCH', `${API}/${id}`, { json: body, key: `${entry.key}:save:${hashText(JSON.stringify(body))}`, tries: 2 }));
    entry.body_sent = true;
  }
  // (A draft cancelled meanwhile: the server refuses its photos and its submit with a 409 and
  // says why; the item becomes a conflict with that reason.)
  entry.id = id;
  await store.putItem(entry);
  // 2. Photos, one by one; each confirmed one leaves the phone (a cut-off send resumes here).
  for (const photo of await store.photosOf(entry.key)) {
    if (photo.failed) continue;
    const form = new FormData();
    form.append('file', photo.blob, 'photo.jpg');
    if (photo.item) form.append('item', photo.item);
    const res = await send('POST', `${API}/${id}/photos`, { form, key: photo.key, tries: 2 });
    if (res.ok) {
      await store.deletePhoto(photo.key);
      entry.photos_sent = (entry.photos_sent || 0) + 1;
      await store.putItem(entry);
    } else if (classify(res) === 'failed') {
      photo.failed = messageOf(res, String(res.status));
      await store.putPhoto(photo);
    } else {
      check(res);
    }
  }
  // 3. Submit (its key is derived from its body, so a replay answers the first result).
  if (current !== 'submitted') {
    const body = entry.submit || {};
    const res = await send('POST', `${API}/${id}/submit`, { json: body, key: `${entry.key}:submit:${hashText(JSON.stringify(body))}`, tries: 2 });
    if (!res.ok && res.status === 409) {
      const now = check(await send('GET', `${API}/${id}`));
      if (now.data.status !== 'submitted') check(res);
    } else {
      check(res);
    }
  }
  const refused = (await store.photosOf(entry.key)).filter((p) => p.failed);
  if (refused.length) throw new Stop('failed', { data: { message: refused[0].failed } });
  return id;
}

// A venue of a round the team could not inspect (rounds-phone.js): one multipart POST with
// the outcome's own Idempotency-Key, its photo (if any) in the same request.
async function sendOutcome(entry) {
  entry.state = 'sending';
  entry.message = null;
  await store.putItem(entry);
  const form = new FormData();
  for (const [name, value] of Object.entries(entry.fields)) form.append(name, String(value));
  const photos = await store.photosOf(entry.key);
  if (photos.length) form.append('photo', photos[0].blob, 'photo.jpg');
  const made = check(await send('POST', entry.url, { form, key: entry.key, tries: 2 }));
  return made.data.id;
}

async function sendOne(entry) {
  try {
    const id = entry.kind === 'outcome' ? await sendOutcome(entry) : await sendItem(entry);
    await store.deleteItem(entry.key);
    // A small receipt without the data: the phone shows it was sent, then forgets it.
    const receipt = { key: entry.key, seq: entry.seq, user_id: entry.user_id, venue: entry.venue, recorded_at: entry.recorded_at, id, state: 'sent', sent_at: Date.now() };
    if (entry.kind === 'outcome') Object.assign(receipt, { kind: 'outcome', round: entry.round, fields: entry.fields });
    await store.putItem(receipt);
    return 'sent';
  } catch (err) {
    if (!(err instanceof Stop)) {
      entry.state = 'waiting';
      entry.message = String(err && err.message ? err.message : err);
      await store.putItem(entry).catch(() => {});
      throw err;
    }
    const data = (err.res && err.res.data) || {};
    if (err.kind === 'retry' || err.kind === 'signin') {
      entry.state = 'waiting';
      entry.tries = (entry.tries || 0) + 1;
      entry.next_at = Date.now() + Math.min(MAX_WAIT, 5000 * 2 ** Math.min(entry.tries - 1, 8));
      entry.message = err.kind === 'retry' ? messageOf(err.res, err.res.network ? '' : `HTTP ${err.res.status}`) : null;
    } else {
      entry.state = err.kind;
      entry.message = messageOf(err.res, `HTTP ${err.res.status}`);
      entry.errors = data.errors || null;
    }
    await store.putItem(entry);
    return err.kind;
  }
}

// Send every queued inspection of the signed-in account, in order. force: ignore backoff.
export function syncAll({ force = false } = {}) {
  if (running) {
    // a call during a run (the connection came back while an offline attempt was ending) is
    // not lost: one more run follows, instead of waiting for the 30 s retry
    again = again || { force };
    return running;
  }
  const work = async () => {
    clearTimeout(timer);
    const session = await send('GET', SESSION);
    status.lastRun = Date.now();
    if (!session.ok) {
      status.offline = classify(session) === 'retry';
      status.signin = session.status === 401;
      notify();
      if (status.offline) schedule(30000);
      return status;
    }
    status.offline = false;
    status.signin = false;
    status.user = session.data.user_id;
    setCsrfToken(session.data.csrf_token);
    for (const entry of await store.items()) {
      if (entry.state === 'sent') {
        if (Date.now() - entry.sent_at > SENT_KEPT_MS) await store.deleteItem(entry.key);
        continue;
      }
      if (entry.user_id !== status.user) continue;
      if (entry.state === 'failed' || entry.state === 'conflict') continue;
      if (!force && entry.next_at && entry.next_at > Date.now()) continue;
      const outcome = await sendOne(entry);
      notify();
      if (outcome === 'signin') {
        status.signin = true;
        break;
      }
      if (outcome === 'retry') break; // in order: the next ones wait for this one
    }
    const left = (await store.items()).filter((x) => x.state === 'waiting' && x.user_id === status.user);
    if (left.length) schedule(Math.max(1000, Math.min(...left.map((x) => (x.next_at || 0) - Date.now()))));
    notify();
    return status;
  };
  const guarded = () => (navigator.locks ? navigator.locks.request('inspections-sync', work) : work());
  running = guarded().finally(() => {
    running = null;
    const next = again;
    again = null;
    if (next) syncAll(next);
  });
  return running;
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (navigator.onLine !== false) syncAll();
  }, ms);
}

// Make a refused or conflicting item go again (the inspector fixed what was wrong).
export async function retry(key) {
  const entry = await store.item(key);
  if (!entry) return;
  entry.state = 'waiting';
  entry.next_at = 0;
  entry.tries = 0;
  for (const photo of await store.photosOf(key)) {
    if (photo.failed) {
      delete photo.failed;
      await store.putPhoto(photo);
    }
  }
  await store.putItem(entry);
}
