// "Đợt kiểm tra" on the phone: the current rounds of the inspector's teams, drawn from the
// offline pack (so it works with no connection), nearest venues first when the phone knows
// where it is. A could-not-inspect outcome goes into the same queue as inspections and is sent
// through the same API with its Idempotency-Key at the next sync (offline-sync.js).
import * as store from './offline-store.js';
import { ready, refreshPack } from './offline.js';
import { syncAll } from './offline-sync.js';
import { newKey } from './visits-api.js';

const T = JSON.parse(document.getElementById('rd-data').textContent).t;
const USER = Number(document.getElementById('offline-boot').dataset.user);
const $ = (sel, root = document) => root.querySelector(sel);
const fmt = (text, vals) => text.replace(/%\((\w+)\)s/g, (_m, k) => (vals[k] ?? '') + '');
// dd/mm/yyyy (and HH:MM) in both languages, as the server prints dates (inspections/i18n.py).
const p2 = (n) => String(n).padStart(2, '0');
const dmy = (d) => `${p2(d.getDate())}/${p2(d.getMonth() + 1)}/${d.getFullYear()}`;
const day = (iso) => dmy(new Date(`${iso}T00:00:00`));
const when = (t) => {
  const d = new Date(t);
  return `${dmy(d)} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
};
const STATES = { d: 'done', c: 'could_not', t: 'todo' };

let pack = null;
let here = null;
let byDistance = false;
let queued = new Map(); // "round:venue" -> outcome kind, recorded on this phone

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

function metres(a, b) {
  const r = 6371000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

function distanceText(m) {
  return m >= 1000 ? fmt(T.km, { n: (m / 1000).toFixed(1) }) : fmt(T.m, { n: Math.round(m) });
}

async function readQueue() {
  queued = new Map();
  const all = await store.items().catch(() => []);
  for (const item of all) {
    if (item.kind === 'outcome' && item.user_id === USER) queued.set(`${item.round}:${item.fields.venue_id}`, item);
  }
}

function outcomeForm(round, venue, li) {
  if ($('form', li)) return;
  const form = el('form', 'rd-form mt-2');
  const kinds = el('fieldset', 'mb-2');
  Object.entries(T.kinds).forEach(([code, text], i) => {
    const id = `rd-k-${round.id}-${venue.id}-${code}`;
    const wrap = el('div', 'form-check');
    const input = el('input', 'form-check-input');
    Object.assign(input, { type: 'radio', name: 'kind', value: code, id, checked: i === 0 });
    const lab = el('label', 'form-check-label', text);
    lab.htmlFor = id;
    wrap.append(input, lab);
    kinds.append(wrap);
  });
  const reasonLabel = el('label', 'form-label small', T.reason);
  const reason = el('textarea', 'form-control');
  Object.assign(reason, { name: 'reason', rows: 2, maxLength: 2000, id: `rd-r-${round.id}-${venue.id}` });
  reasonLabel.htmlFor = reason.id;
  const photoLabel = el('label', 'form-label small mt-2', T.photo);
  const photo = el('input', 'form-control form-control-sm');
  Object.assign(photo, { type: 'file', name: 'photo', accept: 'image/*', id: `rd-p-${round.id}-${venue.id}` });
  photo.setAttribute('capture', 'environment');
  photoLabel.htmlFor = photo.id;
  const error = el('div', 'invalid-feedback d-block');
  const buttons = el('div', 'd-flex gap-2 mt-2');
  const save = el('button', 'btn btn-primary btn-sm', T.save);
  save.type = 'submit';
  const cancel = el('button', 'btn btn-link btn-sm', T.cancel);
  cancel.type = 'button';
  cancel.addEventListener('click', () => {
    form.remove();
    paint();
  });
  buttons.append(save, cancel);
  form.append(kinds, reasonLabel, reason, photoLabel, photo, error, buttons);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = reason.value.trim();
    if (!text) {
      error.textContent = T.need_reason;
      reason.focus();
      return;
    }
    save.disabled = true;
    const key = newKey();
    const file = photo.files && photo.files[0];
    if (file) await store.putPhoto({ key: `${key}:photo`, owner: key, blob: file, added: Date.now() });
    await store.putItem({
      key,
      kind: 'outcome',
      user_id: USER,
      round: round.id,
      url: round.outcomes,
      fields: { venue_id: venue.id, kind: form.elements.kind.value, reason: text },
      venue: { id: venue.id, name: venue.name },
      recorded_at: Date.now(),
      state: 'waiting',
    });
    form.remove();
    await readQueue();
    paint();
    $('#rd-note').textContent = T.saved;
    syncAll({ force: true }).catch(() => {});
  });
  li.append(form);
  reason.focus();
}

function venueItem(round, entry, venues) {
  const [id, code, outcome] = entry;
  const venue = venues.get(id) || { id, name: `#${id}` };
  let state = STATES[code] || 'todo';
  const local = queued.get(`${round.id}:${id}`);
  const li = el('li', 'rd-venue');
  li.dataset.venue = String(id);
  const head = el('div', 'd-flex justify-content-between gap-2');
  head.append(el('strong', null, venue.name));
  let chipText = T[state];
  if (state !== 'done' && local && local.state !== 'sent') {
    state = 'could_not';
    chipText = T.queued;
  } else if (state !== 'done' && local) {
    state = 'could_not';
  }
  const chip = el('span', `badge rd-chip rd-${state} ${state === 'done' ? 'text-bg-success' : state === 'could_not' ? 'text-bg-danger' : 'text-bg-light'}`, chipText);
  head.append(chip);
  li.append(head);
  const kind = outcome || (local && local.fields.kind);
  const sub = [venue.address, venue.commune, state === 'could_not' && kind ? T.kinds[kind] : null];
  if (venue.dist != null) sub.unshift(distanceText(venue.dist));
  li.append(el('div', 'small text-muted', sub.filter(Boolean).join(' · ')));
  if (state !== 'done') {
    const actions = el('div', 'd-flex gap-2 mt-1');
    const go = el('a', 'btn btn-outline-primary btn-sm', T.inspect);
    go.href = `/inspections/new?venue=${id}`;
    const cannot = el('button', 'btn btn-outline-danger btn-sm rd-cannot', T.cannot);
    cannot.type = 'button';
    cannot.addEventListener('click', () => outcomeForm(round, venue, li));
    actions.append(go, cannot);
    li.append(actions);
  }
  return li;
}

function paint() {
  // never under the inspector's fingers: a form being filled waits for its save or cancel
  if (document.querySelector('.rd-form')) return;
  const box = $('#rd-rounds');
  box.textContent = '';
  const state = $('#rd-state');
  if (!pack || !pack.data || pack.data.user.id !== USER) {
    state.textContent = T.no_pack;
    return;
  }
  state.textContent = fmt(T.updated, { time: when(pack.fetched_at) });
  const rounds = pack.data.rounds || [];
  if (!rounds.length) {
    box.append(el('p', 'text-muted', T.none));
    return;
  }
  const venues = new Map(pack.data.venues.map((v) => [v.id, { ...v }]));
  if (here) {
    for (const v of venues.values()) v.dist = v.lat != null ? metres(here, v) : null;
  }
  for (const round of rounds) {
    const section = el('section', 'rd-round mb-3');
    section.dataset.round = String(round.id);
    const h = el('h2', 'h6 mb-1', round.title);
    if (round.unannounced) h.append(' ', el('span', 'badge text-bg-warning', T.unannounced));
    section.append(h);
    section.append(el('div', 'small text-muted', `${round.team} · ${fmt(T.period, { start: day(round.starts_on), end: day(round.ends_on) })}`));
    const n = { done: 0, todo: 0, could_not: 0 };
    for (const [id, code] of round.venues) {
      let s = STATES[code] || 'todo';
      if (s === 'todo' && queued.has(`${round.id}:${id}`)) s = 'could_not';
      n[s] += 1;
    }
    section.append(el('div', 'small mb-2 rd-progress', fmt(T.progress, n)));
    const entries = round.venues.slice();
    if (byDistance && here) {
      const d = (e) => (venues.get(e[0]) && venues.get(e[0]).dist != null ? venues.get(e[0]).dist : Infinity);
      entries.sort((a, b) => d(a) - d(b));
    }
    const list = el('ol', 'rd-venues list-unstyled cards');
    for (const entry of entries) list.append(venueItem(round, entry, venues));
    section.append(list);
    box.append(section);
  }
}

function locate() {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      here = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      paint();
    },
    () => {},
    { enableHighAccuracy: false, timeout: 8000, maximumAge: 60000 }
  );
}

function setOrder(distance) {
  byDistance = distance;
  $('#rd-by-distance').classList.toggle('active', distance);
  $('#rd-by-order').classList.toggle('active', !distance);
  $('#rd-by-distance').setAttribute('aria-pressed', String(distance));
  $('#rd-by-order').setAttribute('aria-pressed', String(!distance));
  if (distance && !here) locate();
  paint();
}

async function start() {
  $('#rd-by-distance').addEventListener('click', () => setOrder(true));
  $('#rd-by-order').addEventListener('click', () => setOrder(false));
  pack = await store.getPack().catch(() => null);
  await readQueue();
  paint();
  const fresh = await (ready.pack || refreshPack()).catch(() => null);
  if (fresh) pack = fresh;
  await readQueue();
  paint();
  window.addEventListener('queue-changed', async () => {
    await readQueue();
    paint();
  });
  let refreshing = null;
  window.addEventListener('sync-status', (ev) => {
    if ((ev.detail && ev.detail.offline) || refreshing) return;
    // the server's states (done, could not) after what was just sent
    refreshing = refreshPack({ force: true })
      .catch(() => null)
      .then(async (latest) => {
        if (latest) pack = latest;
        await readQueue();
        paint();
      })
      .finally(() => {
        refreshing = null;
      });
  });
}

start();
