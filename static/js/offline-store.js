// What the phone keeps in IndexedDB: the data pack (venues, checklists of the team's areas),
// the queue of inspections not yet confirmed by the server, and their photos (as Blobs).
// Nothing leaves the queue before the server has confirmed it (offline-sync.js).

const NAME = 'inspections-offline';
const VERSION = 1;
let opening = null;

export class StorageFull extends Error {}

export function isQuota(err) {
  if (!err) return false;
  if (err instanceof StorageFull) return true;
  const name = err.name || (err.target && err.target.error && err.target.error.name) || '';
  return name === 'QuotaExceededError' || /quota/i.test(String(err.message || err));
}

function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    if (!window.indexedDB) {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('photos')) {
        const photos = db.createObjectStore('photos', { keyPath: 'key' });
        photos.createIndex('owner', 'owner');
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB blocked'));
  });
  opening.catch(() => {
    opening = null;
  });
  return opening;
}

// Whether this phone ever kept anything (without creating the database to find out).
export async function exists() {
  if (!window.indexedDB || !indexedDB.databases) return false;
  return (await indexedDB.databases()).some((d) => d.name === NAME);
}

// Run fn(stores...) in one transaction; resolves with fn's result once it is committed.
async function run(names, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    let result;
    let tx;
    try {
      tx = db.transaction(names, mode);
      const stores = names.map((n) => tx.objectStore(n));
      result = fn(...stores);
    } catch (err) {
      if (tx) {
        try {
          tx.abort();
        } catch (_e) {
          /* already finished */
        }
      }
      reject(isQuota(err) ? new StorageFull(String(err.message || err)) : err);
      return;
    }
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(isQuota(tx.error) ? new StorageFull(String(tx.error)) : tx.error);
    tx.onabort = () => reject(isQuota(tx.error) ? new StorageFull(String(tx.error)) : tx.error || new Error('aborted'));
  });
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// ------------------------------------------------------------------ pack

export async function getPack() {
  const db = await open();
  return request(db.transaction('meta').objectStore('meta').get('pack'));
}

export function putPack(pack) {
  return run(['meta'], 'readwrite', (meta) => {
    meta.put(pack, 'pack');
  });
}

export async function venue(id) {
  const pack = await getPack();
  if (!pack || !pack.data) return null;
  return pack.data.venues.find((v) => v.id === id) || null;
}

// ------------------------------------------------------------------ queue

export async function items() {
  const db = await open();
  const all = await request(db.transaction('queue').objectStore('queue').getAll());
  return all.sort((a, b) => a.seq - b.seq);
}

export async function item(key) {
  const db = await open();
  return request(db.transaction('queue').objectStore('queue').get(key));
}

// Add an inspection to the queue (after the ones already there), or update one.
export async function putItem(entry) {
  if (entry.seq == null) {
    const all = await items();
    entry.seq = all.reduce((m, x) => Math.max(m, x.seq), 0) + 1;
  }
  await run(['queue'], 'readwrite', (queue) => {
    queue.put(entry);
  });
  changed();
  return entry;
}

// Remove an inspection and its photos from the phone (only when confirmed or discarded).
export async function deleteItem(key) {
  await run(['queue', 'photos'], 'readwrite', (queue, photos) => {
    queue.delete(key);
    const cursor = photos.index('owner').openKeyCursor(IDBKeyRange.only(key));
    cursor.onsuccess = () => {
      if (cursor.result) {
        photos.delete(cursor.result.primaryKey);
        cursor.result.continue();
      }
    };
  });
  changed();
}

// On sign-out the pack (every venue of the areas) and the receipts of sent inspections leave
// the phone; what is not yet sent stays, with its photos, for the same account to send.
export async function forgetAllButQueue() {
  await run(['meta', 'queue'], 'readwrite', (meta, queue) => {
    meta.clear();
    const cursor = queue.openCursor();
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at) return;
      if (at.value.state === 'sent') at.delete();
      at.continue();
    };
  });
  changed();
}

// ------------------------------------------------------------------ photos

export function putPhoto(photo) {
  return run(['photos'], 'readwrite', (photos) => {
    photos.put(photo);
  });
}

export async function photosOf(owner) {
  const db = await open();
  const found = await request(db.transaction('photos').objectStore('photos').index('owner').getAll(IDBKeyRange.only(owner)));
  return found.sort((a, b) => a.added - b.added);
}

export function deletePhoto(key) {
  return run(['photos'], 'readwrite', (photos) => {
    photos.delete(key);
  });
}

// ------------------------------------------------------------------ notices

const channel = 'BroadcastChannel' in window ? new BroadcastChannel('inspections-queue') : null;

function changed() {
  window.dispatchEvent(new CustomEvent('queue-changed'));
  if (channel) channel.postMessage('changed');
}

if (channel) channel.onmessage = () => window.dispatchEvent(new CustomEvent('queue-changed'));

// Items still to send (waiting, failed or in conflict), for the badge.
export async function pendingCount(userId) {
  const all = await items();
  return all.filter((x) => x.state !== 'sent' && (userId == null || x.user_id === userId)).length;
}
