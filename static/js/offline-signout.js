// Signing out of a shared phone: the data pack and the pages kept for working offline leave
// it (IndexedDB, and the service worker's caches, where only the app's static files stay).
// The inspections not yet sent stay, readable only by the same account signed in again: the
// queue page lists the signed-in account's own, the others are only counted, with whose they are.
import * as store from './offline-store.js';

const MARK = 'inspections:signed-out';
const CACHE_PREFIX = 'inspections-';
const STATIC = '/static/';

// The worker's copies of pages (the offline home, the queue, the sector forms) go; the app
// shell's scripts, styles and icons stay.
async function forgetPages() {
  if (!('caches' in window)) return;
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (!new URL(request.url).pathname.startsWith(STATIC)) await cache.delete(request);
    }
  }
}

// Everything personal but the unsent queue; true when both parts were done.
export async function forgetPersonal() {
  const done = await Promise.allSettled([store.forgetAllButQueue(), forgetPages()]);
  return done.every((d) => d.status === 'fulfilled');
}

// Who signed out last ({id, username, name, told}), kept until someone signs in: the page
// shown next finishes the clean-up (a worker may have still been writing) and says whose the
// queue is.
export function markSignedOut(user) {
  try {
    localStorage.setItem(MARK, JSON.stringify(user));
  } catch (_e) {
    /* private mode: the clean-up itself was done */
  }
}

export function signedOut() {
  try {
    return JSON.parse(localStorage.getItem(MARK) || 'null');
  } catch (_e) {
    return null;
  }
}

export function clearMark() {
  try {
    localStorage.removeItem(MARK);
  } catch (_e) {
    /* nothing kept */
  }
}

function accountName(entry, mark) {
  const same = mark && mark.id === entry.user_id;
  const username = entry.username || (same ? mark.username : null);
  const name = entry.user_name || (same ? mark.name : null);
  if (name && username && name !== username) return `${name} (${username})`;
  return username || name || `#${entry.user_id}`;
}

// What is not yet sent, by account: [{user, n}] (the given account's own left out).
export async function leftBehind(except = null) {
  const mark = signedOut();
  const by = new Map();
  for (const entry of await store.items()) {
    if (entry.state === 'sent' || entry.user_id === except) continue;
    const left = by.get(entry.user_id) || { user: accountName(entry, mark), n: 0 };
    left.n += 1;
    by.set(entry.user_id, left);
  }
  return [...by.values()];
}
