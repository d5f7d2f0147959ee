// The two pages of the offline app: the venues kept on this phone (search, start an
// inspection with no connection) and the queue of inspections not yet sent.
import { leftBehind } from './offline-signout.js';
import * as store from './offline-store.js';
import { refreshPack, ready } from './offline.js';
import { retry, status, syncAll } from './offline-sync.js';

const D = JSON.parse(document.getElementById('off-data').textContent);
const T = D.t;
const USER = Number(document.getElementById('offline-boot').dataset.user);
const $ = (sel, root = document) => root.querySelector(sel);
const fmt = (text, vals) => text.replace(/%\((\w+)\)s/g, (_m, k) => (vals[k] ?? '') + '');
const fold = (s) =>
  (s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');
// dd/mm/yyyy HH:MM in both languages, as the server prints dates (inspections/i18n.py).
const p2 = (n) => String(n).padStart(2, '0');
const when = (t) => {
  const d = new Date(t);
  return `${p2(d.getDate())}/${p2(d.getMonth() + 1)}/${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
};
const LIMIT = 60;

// ------------------------------------------------------------------ venues on this phone

async function homePage() {
  const state = $('#off-pack');
  let pack = await store.getPack().catch(() => null);
  const paint = () => {
    const list = $('#off-venues');
    list.textContent = '';
    if (!pack || !pack.data || pack.data.user.id !== USER) {
      state.textContent = T.no_pack;
      return;
    }
    const ready = document.documentElement.dataset.offlineReady ? ` · ✓ ${T.ready}` : '';
    state.textContent = fmt(T.pack, { n: pack.data.venues.length, time: when(pack.fetched_at) }) + ready;
    const sectors = Object.fromEntries(pack.data.sectors.map((s) => [s.code, s.name]));
    const q = fold($('#off-q').value.trim());
    const found = pack.data.venues.filter((v) => !q || fold(`${v.name} ${v.address || ''} ${v.commune || ''}`).includes(q));
    for (const v of found.slice(0, LIMIT)) {
      const a = document.createElement('a');
      a.className = 'card-link off-venue';
      a.href = `/inspections/new?venue=${v.id}`;
      a.dataset.venue = String(v.id);
      const name = document.createElement('div');
      name.className = 'fw-semibold';
      name.textContent = v.name;
      const sub = document.createElement('div');
      sub.className = 'small text-muted';
      sub.textContent = [sectors[v.sector] || v.sector, v.address, v.commune].filter(Boolean).join(' · ');
      a.append(name, sub);
      list.append(a);
    }
    if (!found.length) {
      const p = document.createElement('p');
      p.className = 'text-muted';
      p.textContent = T.no_match;
      list.append(p);
    } else if (found.length > LIMIT) {
      const p = document.createElement('p');
      p.className = 'small text-muted';
      p.textContent = fmt(T.more, { n: found.length - LIMIT });
      list.append(p);
    }
  };
  // The worker answers with this page when the one asked for is not kept on the phone.
  if (location.pathname !== D.url) {
    const note = $('#off-missing');
    note.textContent = T.not_kept;
    note.hidden = false;
  }
  window.addEventListener('offline-ready', paint);
  $('#off-q').addEventListener('input', paint);
  $('#off-search').addEventListener('submit', (ev) => ev.preventDefault());
  paint();
  if (navigator.onLine !== false) {
    state.textContent = T.updating;
    pack = (await ready.pack) || (await refreshPack());
    paint();
  }
  const link = $('#off-queue-link');
  const count = async () => {
    const n = await store.pendingCount(USER).catch(() => 0);
    link.hidden = n === 0;
    link.textContent = fmt(T.queued, { n });
  };
  window.addEventListener('queue-changed', count);
  window.addEventListener('storage-full', () => (state.textContent = T.storage_full));
  count();
}

// ------------------------------------------------------------------ the queue

function stateText(entry) {
  if (entry.state === 'sent') return T.sent;
  if (entry.state === 'sending') return T.sending;
  if (entry.state === 'failed') return fmt(T.failed, { message: entry.message || '' });
  if (entry.state === 'conflict') return fmt(T.conflict, { message: entry.message || '' });
  if (entry.next_at && entry.next_at > Date.now()) {
    const t = new Date(entry.next_at);
    const at = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`;
    return `${T.waiting} · ${fmt(T.retry_at, { time: at })}${entry.message ? ` (${entry.message})` : ''}`;
  }
  return T.waiting;
}

async function queuePage() {
  const list = $('#q-list');
  const params = new URLSearchParams(location.search);
  if (params.get('saved')) {
    $('#q-note').textContent = T.saved;
    $('#q-note').hidden = false;
  }
  let generation = 0;
  const paint = async () => {
    const mine = ++generation;
    // Only the signed-in account's own inspections are listed; another account's are counted
    // (with whose they are), to be read and sent by that account once signed in again.
    const entries = (await store.items().catch(() => [])).filter((x) => x.user_id === USER);
    const others = await leftBehind(USER).catch(() => []);
    const out = document.createDocumentFragment();
    for (const entry of entries) {
      const li = document.createElement('li');
      li.className = `q-item q-${entry.state}`;
      li.dataset.key = entry.key;
      li.dataset.state = entry.state;
      const title = document.createElement('div');
      title.className = 'q-title';
      title.textContent = entry.venue ? entry.venue.name : entry.key;
      const when_ = document.createElement('div');
      when_.className = 'small text-muted';
      when_.textContent = fmt(T.recorded_at, { time: entry.recorded_at ? when(entry.recorded_at) : '' });
      const st = document.createElement('div');
      st.className = 'q-state';
      st.textContent = stateText(entry);
      li.append(title, when_, st);
      if (entry.state !== 'sent') {
        const photos = await store.photosOf(entry.key).catch(() => []);
        const total = (entry.photos_sent || 0) + photos.length;
        if (total) {
          const p = document.createElement('div');
          p.className = 'small q-photos';
          p.textContent = fmt(T.photos, { done: entry.photos_sent || 0, total });
          li.append(p);
        }
      }
      if (entry.errors && entry.state === 'failed') {
        const ul = document.createElement('ul');
        ul.className = 'small q-errors';
        for (const [field, messages] of Object.entries(entry.errors)) {
          for (const m of [].concat(messages)) {
            const item = document.createElement('li');
            item.textContent = typeof m === 'string' ? m : `${field}: ${JSON.stringify(m)}`;
            ul.append(item);
          }
        }
        li.append(ul);
      }
      const actions = document.createElement('div');
      actions.className = 'q-buttons';
      if (entry.id && entry.kind !== 'outcome') {
        const open = document.createElement('a');
        open.className = 'btn btn-sm btn-outline-primary';
        open.href = entry.state === 'failed' ? `/inspections/${entry.id}/edit` : `/inspections/${entry.id}`;
        open.textContent = entry.state === 'failed' ? T.open_draft : T.view;
        actions.append(open);
      }
      if (entry.state === 'failed' || entry.state === 'conflict') {
        const again = document.createElement('button');
        again.type = 'button';
        again.className = 'btn btn-sm btn-outline-primary q-retry';
        again.textContent = T.retry;
        again.addEventListener('click', async () => {
          await retry(entry.key);
          await syncAll({ force: true });
          paint();
        });
        actions.append(again);
        if (entry.state === 'conflict') {
          const keep = document.createElement('button');
          keep.type = 'button';
          keep.className = 'btn btn-sm btn-outline-secondary q-keep';
          keep.textContent = T.keep;
          keep.addEventListener('click', async () => {
            entry.kept = true;
            await store.putItem(entry);
            $('#q-note').textContent = T.kept;
            $('#q-note').hidden = false;
          });
          actions.append(keep);
        }
        const discard = document.createElement('button');
        discard.type = 'button';
        discard.className = 'btn btn-sm btn-outline-danger q-discard';
        discard.textContent = T.discard;
        discard.addEventListener('click', async () => {
          if (!window.confirm(T.discard_confirm)) return;
          await store.deleteItem(entry.key);
        });
        actions.append(discard);
      }
      if (actions.childElementCount) li.append(actions);
      out.append(li);
    }
    if (mine !== generation) return; // a newer paint is under way
    list.replaceChildren(out);
    $('#q-empty').hidden = entries.length > 0;
    const note = $('#q-others');
    note.replaceChildren(
      ...others.map((left) => {
        const p = document.createElement('p');
        p.className = 'mb-0';
        p.textContent = fmt(T.left, left);
        return p;
      }),
    );
    note.hidden = others.length === 0;
  };
  const paintStatus = () => {
    const signin = $('#q-signin');
    signin.hidden = !status.signin;
    $('span', signin).textContent = T.signin;
    $('#q-net').textContent = navigator.onLine === false || status.offline ? T.offline : '';
  };
  window.addEventListener('queue-changed', paint);
  window.addEventListener('sync-status', () => {
    paintStatus();
    paint();
  });
  window.addEventListener('online', paintStatus);
  window.addEventListener('offline', paintStatus);
  $('#q-send').addEventListener('click', async () => {
    $('#q-send').disabled = true;
    try {
      await syncAll({ force: true });
    } finally {
      $('#q-send').disabled = false;
      paintStatus();
      paint();
    }
  });
  paintStatus();
  await paint();
}

if (D.page === 'home') homePage();
else if (D.page === 'queue') queuePage();
