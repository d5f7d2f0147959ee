// The service worker (served from /sw.js, which puts VERSION, SHELL and OFFLINE_PAGE above
// this line). It keeps the app shell of this deploy, the per-sector inspection forms of the
// inspector's pack, and answers navigations from them when there is no connection.
// The JSON API is never cached here: the queue (offline-sync.js) talks to it directly.
/* global VERSION, SHELL, OFFLINE_PAGE */
'use strict';

const CACHE = `inspections-${VERSION}`;
const PAGE_TIMEOUT_MS = 4000;
const FORM_PREFIX = '/offline/form/';
const SHELL_PATHS = new Set(SHELL.map((u) => new URL(u, self.location.origin).pathname));

async function store(cache, url, response) {
  if (response && response.ok && !response.redirected && response.type === 'basic') {
    await cache.put(url, response.clone());
    return true;
  }
  return false;
}

async function fetchInto(cache, url) {
  try {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    return await store(cache, url, response);
  } catch (_e) {
    return false;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(SHELL.map((url) => fetchInto(cache, url)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('inspections-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page sends the form shells of its pack: {type: 'cache', urls, refresh}.
self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type !== 'cache' || !Array.isArray(msg.urls)) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const done = [];
      for (const url of msg.urls) {
        if (!msg.refresh && (await cache.match(url))) done.push(url);
        else if (await fetchInto(cache, url)) done.push(url);
      }
      const home = Boolean(await cache.match(OFFLINE_PAGE));
      if (event.source) event.source.postMessage({ type: 'cached', urls: done, home, version: VERSION });
    })(),
  );
});

function network(request, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    fetch(request).then(
      (r) => {
        clearTimeout(t);
        resolve(r);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

// The sector of a venue kept in the pack (IndexedDB, written by offline-store.js).
function sectorOf(venueId) {
  return new Promise((resolve) => {
    let req;
    try {
      req = indexedDB.open('inspections-offline');
    } catch (_e) {
      resolve(null);
      return;
    }
    req.onerror = () => resolve(null);
    req.onupgradeneeded = () => {
      req.transaction.abort();
      resolve(null);
    };
    req.onsuccess = () => {
      const db = req.result;
      try {
        const get = db.transaction('meta').objectStore('meta').get('pack');
        get.onsuccess = () => {
          const pack = get.result;
          const venue = pack && pack.data ? pack.data.venues.find((v) => v.id === venueId) : null;
          db.close();
          resolve(venue ? venue.sector : null);
        };
        get.onerror = () => resolve(null);
      } catch (_e) {
        resolve(null);
      }
    };
  });
}

async function offlineAnswer(url) {
  const cache = await caches.open(CACHE);
  if (url.pathname === '/inspections/new' && url.searchParams.get('venue')) {
    const sector = await sectorOf(Number(url.searchParams.get('venue')));
    const form = sector ? await cache.match(FORM_PREFIX + encodeURIComponent(sector)) : null;
    if (form) return form;
  }
  const same = await cache.match(url.pathname);
  if (same && (SHELL_PATHS.has(url.pathname) || url.pathname.startsWith(FORM_PREFIX))) return same;
  const home = await cache.match(OFFLINE_PAGE);
  if (home) return home;
  return new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

async function navigate(request, url) {
  const keep = SHELL_PATHS.has(url.pathname) || url.pathname.startsWith(FORM_PREFIX);
  try {
    // A page kept here answers from the cache when the network is too slow; any other page
    // waits for the server as it always did (the online path does not change).
    const cached = keep ? await caches.match(url.pathname) : null;
    const response = await (cached ? network(request, PAGE_TIMEOUT_MS) : fetch(request));
    if (keep) {
      const cache = await caches.open(CACHE);
      await store(cache, url.pathname, response);
    }
    return response;
  } catch (_e) {
    return offlineAnswer(url);
  }
}

async function asset(request, url) {
  const cache = await caches.open(CACHE);
  if (SHELL_PATHS.has(url.pathname)) {
    const hit = await cache.match(url.pathname);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (SHELL_PATHS.has(url.pathname)) await store(cache, url.pathname, response);
    return response;
  } catch (err) {
    const hit = await cache.match(url.pathname);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request, url));
  } else if (url.pathname.startsWith('/static/')) {
    event.respondWith(asset(request, url));
  }
});
