// On every page of an inspector: install the service worker, keep the data pack of the
// team's areas fresh while online, show the "saved on this phone, not yet sent" badge, and
// send the queue when the connection returns.
import { clearMark, forgetPersonal, markSignedOut } from './offline-signout.js';
import * as store from './offline-store.js';
import { syncAll } from './offline-sync.js';

const boot = document.getElementById('offline-boot');
const USER = Number(boot.dataset.user);
const PACK_URL = boot.dataset.pack;
const PACK_MAX_AGE_MS = 10 * 60 * 1000;
const SIGN_OUT_WAIT_MS = 3000;

export const ready = { pack: null };

// ------------------------------------------------------------------ service worker

function registerWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register(boot.dataset.sw, { scope: '/' }).catch(() => null);
}

let wanted = [];
let cacheRetries = 0;

async function cacheShells(urls, refresh = false) {
  if (!('serviceWorker' in navigator) || !urls.length) return;
  wanted = urls;
  const reg = await navigator.serviceWorker.ready;
  if (reg.active) reg.active.postMessage({ type: 'cache', urls, refresh });
}

// The worker says what it keeps: once the home page and every form of the pack are there,
// the phone is ready to work without a connection.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    const msg = event.data || {};
    if (msg.type !== 'cached' || !wanted.length) return;
    if (!msg.home || !wanted.every((u) => msg.urls.includes(u))) {
      // a page could not be fetched (a weak signal, a busy server): ask again a little later;
      // what is already kept is not fetched twice
      if (cacheRetries < 5) {
        cacheRetries += 1;
        setTimeout(() => cacheShells(wanted), 2000 * cacheRetries);
      }
      return;
    }
    cacheRetries = 0;
    document.documentElement.dataset.offlineReady = msg.version;
    window.dispatchEvent(new CustomEvent('offline-ready'));
  });
}

// ------------------------------------------------------------------ pack

function formUrls(pack) {
  return pack && pack.data ? pack.data.sectors.map((s) => s.form) : [];
}

// Fetch the pack when online (304 when unchanged); the phone's copy is used otherwise.
export async function refreshPack({ force = false } = {}) {
  let pack = null;
  try {
    pack = await store.getPack();
  } catch (_e) {
    return null;
  }
  const mine = pack && pack.data && pack.data.user.id === USER;
  if (navigator.onLine === false) return mine ? pack : null;
  if (!force && mine && Date.now() - pack.fetched_at < PACK_MAX_AGE_MS) {
    cacheShells(formUrls(pack));
    return pack;
  }
  const headers = { Accept: 'application/json' };
  if (mine && pack.etag) headers['If-None-Match'] = pack.etag;
  let resp;
  try {
    resp = await fetch(PACK_URL, { headers, credentials: 'same-origin', cache: 'no-cache' });
  } catch (_e) {
    return mine ? pack : null;
  }
  if (resp.status === 304 && mine) {
    pack.fetched_at = Date.now();
  } else if (resp.ok) {
    const changed = !mine || resp.headers.get('ETag') !== pack.etag;
    pack = { etag: resp.headers.get('ETag'), fetched_at: Date.now(), size: 0, data: await resp.json() };
    cacheShells(formUrls(pack), changed);
  } else {
    return mine ? pack : null;
  }
  try {
    await store.putPack(pack);
  } catch (err) {
    window.dispatchEvent(new CustomEvent('storage-full', { detail: String(err) }));
  }
  cacheShells(formUrls(pack));
  return pack;
}

// ------------------------------------------------------------------ badge

async function paintBadge() {
  const badge = document.getElementById('sync-badge');
  if (!badge) return;
  let n = 0;
  try {
    n = await store.pendingCount(USER);
  } catch (_e) {
    return;
  }
  badge.hidden = n === 0;
  badge.querySelector('.sync-count').textContent = String(n);
  const label = badge.dataset.label.replace('%(n)s', String(n));
  badge.querySelector('.sync-label').textContent = label;
  badge.title = label;
  badge.classList.toggle('offline', navigator.onLine === false);
}

function paintNetwork() {
  let bar = document.getElementById('offline-bar');
  if (navigator.onLine === false) {
    if (!bar) {
      bar = document.createElement('div');
      bar.id = 'offline-bar';
      bar.className = 'offline-bar';
      bar.setAttribute('role', 'status');
      bar.textContent = boot.dataset.offlineText;
      document.body.prepend(bar);
    }
  } else if (bar) {
    bar.remove();
  }
  paintBadge();
}

// ------------------------------------------------------------------ sign-out

// Signing out clears the phone first (the pack, the kept pages; the unsent queue stays), then
// sends the form; a slow clean-up never holds the sign-out back (the next page finishes it).
const signOut = document.querySelector('form[data-signout]');
if (signOut) {
  signOut.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (signOut.dataset.leaving) return; // a second tap while the phone is being cleared
    signOut.dataset.leaving = '1';
    markSignedOut({ id: USER, username: boot.dataset.username, name: boot.dataset.name, told: false });
    const enough = new Promise((resolve) => setTimeout(resolve, SIGN_OUT_WAIT_MS));
    Promise.race([forgetPersonal(), enough]).finally(() => signOut.submit());
  });
}

// ------------------------------------------------------------------ start

clearMark(); // someone is signed in: the notice of the last sign-out is over
window.addEventListener('queue-changed', paintBadge);
window.addEventListener('sync-status', paintBadge);
window.addEventListener('online', () => {
  paintNetwork();
  refreshPack();
  syncAll();
});
window.addEventListener('offline', paintNetwork);
paintNetwork();

ready.worker = registerWorker();
ready.pack = refreshPack();
ready.sync = (async () => {
  try {
    if (navigator.onLine !== false && (await store.pendingCount(USER)) > 0) return syncAll();
  } catch (_e) {
    /* no IndexedDB: nothing queued */
  }
  return null;
})();
window.inspectionsOffline = ready;
