// The inspection form on the phone: checklist, violations, members, GPS proof, photos,
// signatures; autosaves a draft and submits through the JSON API (visits-api.js) only.
// Everything typed is also kept in localStorage until the server has confirmed it, photos in
// IndexedDB. Without a connection (or on the sector's shell page served by the service
// worker) a submitted inspection goes to the phone's queue (offline-sync.js sends it).
import * as phone from './offline-store.js';
import { hashText, messageOf, newKey, send } from './visits-api.js';

const D = JSON.parse(document.getElementById('insp-data').textContent);
const T = D.t;
const MODE = D.mode; // new | edit | amend
const API = D.api;
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const fmt = (text, vals) => text.replace(/%\((\w+)\)s/g, (_m, k) => (vals[k] ?? '') + '');
const LOCALE = document.documentElement.lang === 'en' ? 'en-US' : 'vi-VN';
const money = (n) => (n == null ? '' : `${new Intl.NumberFormat(LOCALE).format(n)} ₫`);
const fold = (s) =>
  (s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');
const CATALOGUE = Object.fromEntries(D.catalogue.map((c) => [c.code, c]));
const AGENCY = Object.fromEntries(D.agencies.map((a) => [a.code, a.name]));
const form = $('#insp');
const ITEMS = $$('.item', form).map((el) => el.dataset.item);
// The shell of a sector's form (offline): the venue comes from the phone's data pack.
const OFFLINE = Boolean(D.offline);
if (OFFLINE) await adoptCachedVenue();

async function adoptCachedVenue() {
  const id = Number(new URLSearchParams(location.search).get('venue'));
  let v = null;
  try {
    v = id ? await phone.venue(id) : null;
  } catch (_e) {
    v = null;
  }
  if (!v || v.sector !== D.venue.sector) {
    D.missingVenue = true;
    return;
  }
  D.venue = { id: v.id, name: v.name, sector: v.sector, address: v.address, lat: v.lat, lon: v.lon };
  D.start.venue_id = v.id;
  $('.insp-title').textContent = v.name;
  $('.insp-sub').textContent = [$('.insp-sub').textContent.trim(), v.address].filter(Boolean).join(' · ');
  document.title = `${v.name} ${document.title.trim()}`;
}

// ------------------------------------------------------------------ state

function isoWithOffset(date) {
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

function fromServer(doc) {
  return {
    venue_id: doc.venue.id,
    inspected_at: doc.inspected_at,
    team_id: doc.team ? doc.team.id : null,
    members: doc.members.map((m) => ({ ...m })),
    agencies: doc.agencies.slice(),
    location: doc.location
      ? {
          latitude: doc.location.latitude,
          longitude: doc.location.longitude,
          accuracy_m: doc.location.accuracy_m,
          captured_at: doc.location.captured_at,
        }
      : null,
    checklist: doc.checklist.map((a) => ({ item: a.item, answer: a.answer, note: a.note || '' })),
    violations: doc.violations.map((v) => ({
      id: v.id,
      code: v.code,
      offender: v.offender,
      offender_name: v.offender_name || '',
      fine_vnd: v.fine_vnd,
      measures: v.measures.slice(),
      remedy: v.remedy || '',
      remedy_deadline: v.remedy_deadline || '',
      item: v.item,
    })),
    representative: { name: doc.representative.name || '', role: doc.representative.role || '' },
    notes: doc.notes || '',
    presence_reason: doc.presence_reason || '',
  };
}

const server = { doc: D.inspection, problems: D.inspection ? D.inspection.problems : {} };
const state = {
  id: D.inspection ? D.inspection.id : null,
  key: D.inspection ? D.inspection.client_key : null,
  rev: 0,
  dirty: new Set(),
  saving: false,
  again: false,
  createBody: null,
  savedAt: null,
  error: null,
  submitTried: false,
};
let doc;
if (D.inspection) {
  doc = fromServer(D.inspection);
} else {
  doc = {
    ...D.start,
    inspected_at: isoWithOffset(new Date()),
    location: null,
    checklist: [],
    violations: [],
    representative: { name: '', role: '' },
    notes: '',
    presence_reason: '',
  };
}
const sigs = { lead: blankSig(), representative: blankSig() };
function blankSig() {
  return { image: null, refused: false, reason: '', onServer: false, changed: false };
}
if (D.inspection) {
  for (const s of D.inspection.signatures) {
    sigs[s.role] = { image: null, refused: s.refused, reason: s.refusal_reason || '', onServer: Boolean(s.image_url), changed: false };
  }
}

// localStorage: what is not yet confirmed by the server survives a reload or a crash.
const pendingKey = `insp:pending:${D.venue.id}`;
function storeKey() {
  return state.key ? `insp:${state.key}` : `insp:id:${state.id}`;
}
function persist() {
  try {
    const sections = Array.from(state.dirty);
    const sigCopy = {};
    for (const role of Object.keys(sigs)) if (sigs[role].changed) sigCopy[role] = sigs[role];
    const value = JSON.stringify({ id: state.id, key: state.key, doc, dirty: sections, sigs: sigCopy, createBody: state.createBody, at: Date.now() });
    localStorage.setItem(state.id ? storeKey() : pendingKey, value);
  } catch (_e) {
    /* storage full: the server copy is still there */
  }
}
function forget() {
  try {
    localStorage.removeItem(storeKey());
    localStorage.removeItem(pendingKey);
  } catch (_e) {
    /* ignore */
  }
}
function restore() {
  let raw = null;
  try {
    raw = localStorage.getItem(state.id ? storeKey() : pendingKey);
  } catch (_e) {
    return;
  }
  if (!raw) return;
  let saved;
  try {
    saved = JSON.parse(raw);
  } catch (_e) {
    return;
  }
  if (!state.id) {
    // A start that never reached the server: same key, same body, so nothing is doubled.
    state.key = saved.key || state.key;
    state.createBody = saved.createBody || null;
    if (saved.doc) doc = saved.doc;
    for (const s of saved.dirty || []) state.dirty.add(s);
  } else if (saved.dirty && saved.dirty.length && saved.doc) {
    for (const section of saved.dirty) {
      if (section in saved.doc) doc[section] = saved.doc[section];
      state.dirty.add(section);
    }
  }
  for (const [role, sig] of Object.entries(saved.sigs || {})) {
    sigs[role] = sig;
    state.dirty.add('signatures');
  }
}
if (MODE !== 'amend') {
  if (!state.key) state.key = state.id ? `p${state.id}-${newKey()}` : newKey();
  restore();
}

function touch(section) {
  if (MODE !== 'amend') state.dirty.add(section);
  persist();
  scheduleSave();
}

// ------------------------------------------------------------------ saving

let timer = null;
function scheduleSave(delay = 1200) {
  if (MODE === 'amend') return;
  clearTimeout(timer);
  timer = setTimeout(save, delay);
}

function sectionsBody(sections) {
  const body = {};
  for (const s of sections) {
    if (s === 'signatures') body.signatures = sigPayload();
    else if (s === 'violations') body.violations = violationsPayload();
    else if (s === 'checklist') body.checklist = doc.checklist.filter((a) => a.answer || a.note);
    else body[s] = doc[s];
  }
  return body;
}
function violationsPayload() {
  return doc.violations.map((v) => ({
    ...(MODE === 'amend' && v.id ? { id: v.id } : {}),
    code: v.code,
    offender: v.offender,
    offender_name: v.offender_name || null,
    fine_vnd: v.fine_vnd,
    measures: v.measures,
    remedy: v.remedy || null,
    remedy_deadline: v.remedy_deadline || null,
    item: v.item || null,
  }));
}
function sigPayload() {
  const out = [];
  for (const [role, s] of Object.entries(sigs)) {
    if (!s.changed) continue;
    out.push({
      role,
      name: role === 'lead' ? leadName() : doc.representative.name || null,
      image: s.refused ? null : s.image,
      refused: role === 'representative' && s.refused,
      refusal_reason: s.refused ? s.reason || null : null,
    });
  }
  return out;
}
const ALL_SECTIONS = ['inspected_at', 'team_id', 'members', 'agencies', 'location', 'checklist', 'violations', 'representative', 'notes', 'presence_reason', 'signatures'];

async function save() {
  if (MODE === 'amend') return true;
  if (OFFLINE) {
    persist();
    showState('kept');
    return false;
  }
  if (state.saving) {
    state.again = true;
    return false;
  }
  if (state.id && !state.dirty.size) return true;
  state.saving = true;
  showState('saving');
  const sending = new Set(state.dirty);
  state.dirty.clear();
  let res;
  if (!state.id) {
    if (!state.createBody) {
      state.createBody = { ...sectionsBody(ALL_SECTIONS), venue_id: doc.venue_id, status: 'draft' };
      if (!state.createBody.signatures.length) delete state.createBody.signatures;
      persist();
    }
    res = await send('POST', API, { json: state.createBody, key: state.key });
    if (res.status === 409) res = await adoptExisting(res);
  } else {
    state.rev += 1;
    const body = sectionsBody(sending);
    res = await send('PATCH', `${API}/${state.id}`, { json: body, key: `${state.key}:save:${hashText(JSON.stringify(body))}` });
  }
  state.saving = false;
  state.network = !res.ok && res.network;
  if (res.ok) {
    const created = !state.id;
    if (created) {
      state.id = res.data.id;
      state.createBody = null;
      try {
        localStorage.removeItem(pendingKey);
      } catch (_e) {
        /* ignore */
      }
      history.replaceState(null, '', `/inspections/${state.id}/edit`);
    }
    if (sending.has('signatures') || created) {
      for (const s of Object.values(sigs)) {
        if (s.changed) {
          s.onServer = Boolean(s.image) || s.refused;
          s.changed = false;
        }
      }
    }
    state.savedAt = new Date();
    state.error = null;
    applyServer(res.data);
    persist();
    showState('saved');
    uploadPhotos();
  } else {
    for (const s of sending) state.dirty.add(s);
    persist();
    handleFailure(res);
  }
  if (state.again) {
    state.again = false;
    scheduleSave(300);
  } else if (!res.ok && res.network) {
    scheduleSave(15000);
  }
  return res.ok;
}

async function adoptExisting(conflict) {
  // The start reached the server before (answer lost): find it by its key and go on.
  const found = await send('GET', `${API}?client_key=${encodeURIComponent(state.key)}`);
  if (found.ok && found.data && found.data.length) {
    const id = found.data[0].id;
    const full = await send('GET', `${API}/${id}`);
    if (full.ok) {
      ALL_SECTIONS.forEach((s) => state.dirty.add(s));
      return full;
    }
  }
  return conflict;
}

function handleFailure(res) {
  if (res.network) {
    state.error = T.offline;
    showState('offline');
    return;
  }
  if (res.status === 401) {
    state.error = messageOf(res, '');
    showAlert(messageOf(res, ''), `/login?next=${encodeURIComponent(location.pathname)}`);
  } else if (res.status === 409 && MODE !== 'new') {
    goDetail();
    return;
  } else {
    state.error = fmt(T.failed, { message: messageOf(res, res.status) });
    showAlert(state.error);
    if (res.data && res.data.errors) showErrors(res.data.errors);
  }
  showState('failed');
}

function applyServer(data) {
  if (!data) return;
  server.doc = data;
  server.problems = data.problems || {};
  if (state.submitTried) showErrors(server.problems);
  renderGps();
  renderMembers();
}

function showState(kind) {
  const el = $('#save-state');
  el.classList.toggle('bad', kind === 'offline' || kind === 'failed');
  if (kind === 'saving') el.textContent = T.saving;
  else if (kind === 'kept') el.textContent = T.kept_offline;
  else if (kind === 'saved') {
    const t = state.savedAt || new Date();
    el.textContent = fmt(T.saved, { time: `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}` });
  } else el.textContent = state.error || '';
}

// The message is text (a server's answer is never read as markup), with a link after it.
function showAlert(message, href = null) {
  const box = $('#insp-alert');
  if (!message) {
    box.hidden = true;
    return;
  }
  box.textContent = message;
  if (href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = '↗';
    box.append(' ', a);
  }
  box.hidden = false;
}

// ------------------------------------------------------------------ field errors

function errorTarget(key) {
  const parts = key.split('.');
  if (parts[0] === 'checklist' && parts[1]) return $(`#item-${CSS.escape(parts[1])}`);
  if (parts[0] === 'checklist') return $('.item.missing') || $('.item');
  if (parts[0] === 'violations') return $$('#violations .viol')[Number(parts[1])] || $('#sec-violations');
  if (parts[0] === 'signatures') return $(`.sign-block[data-role="${parts[1]}"]`) || $('#sec-sign');
  if (parts[0] === 'presence_reason') return $('#sec-gps');
  if (['members', 'inspected_at', 'team_id', 'agencies'].includes(parts[0])) return $('#sec-team');
  if (parts[0] === 'reason') return $('#f-amend-reason');
  return null;
}

// marshmallow nests field errors ({violations: {0: {fine_vnd: [...]}}}); the page uses
// dotted keys ("violations.0.fine_vnd"), like the service's own messages.
function flatErrors(errors, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(errors || {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out[name] = value;
    else if (value && typeof value === 'object') flatErrors(value, name, out);
    else out[name] = [String(value)];
  }
  return out;
}

function showErrors(errors) {
  errors = flatErrors(errors);
  $$('.field-error').forEach((el) => (el.textContent = ''));
  $$('.item.missing').forEach((el) => el.classList.remove('missing'));
  for (const [key, messages] of Object.entries(errors || {})) {
    const text = Array.isArray(messages) ? messages.join(' ') : JSON.stringify(messages);
    const parts = key.split('.');
    let slot = null;
    if (parts[0] === 'violations' && parts.length === 3) {
      const card = $$('#violations .viol')[Number(parts[1])];
      slot = card && $(`.field-error[data-field="${parts[2]}"]`, card);
    } else {
      slot = $(`.field-error[data-error="${CSS.escape(key)}"]`);
    }
    if (parts[0] === 'checklist' && parts[1]) {
      const item = $(`#item-${CSS.escape(parts[1])}`);
      if (item) item.classList.add('missing');
    }
    if (slot) slot.textContent = text;
  }
  renderTeamSummary();
}

function openAndFocus(el) {
  if (!el) return;
  let p = el.closest('details');
  while (p) {
    p.open = true;
    p = p.parentElement && p.parentElement.closest('details');
  }
  if (el.tagName === 'DETAILS') el.open = true;
  el.scrollIntoView({ behavior: 'smooth', block: 'center' });
}

function showProblems(errors) {
  errors = flatErrors(errors);
  const list = $('#problem-list');
  list.textContent = '';
  for (const [key, messages] of Object.entries(errors)) {
    if (/^checklist\./.test(key)) continue; // summarised by "checklist"
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = Array.isArray(messages) ? messages.join(' ') : String(messages);
    li.append(text);
    const target = errorTarget(key);
    if (target) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'btn btn-outline-primary btn-sm';
      go.textContent = T.go;
      go.addEventListener('click', () => {
        closeSheets();
        openAndFocus(target);
      });
      li.append(go);
    }
    list.append(li);
  }
  $('#problems').hidden = false;
}

function closeSheets() {
  $$('.sheet').forEach((s) => (s.hidden = true));
}
$$('.sheet').forEach((sheet) => {
  sheet.addEventListener('click', (ev) => {
    if (ev.target === sheet || ev.target.closest('[data-close]')) closeSheets();
  });
});

// ------------------------------------------------------------------ checklist

function answerOf(code) {
  return doc.checklist.find((a) => a.item === code);
}
function setAnswer(code, patch) {
  let a = answerOf(code);
  if (!a) {
    a = { item: code, answer: null, note: '' };
    doc.checklist.push(a);
  }
  Object.assign(a, patch);
}

function inForce(entry) {
  const day = (doc.inspected_at || '').slice(0, 10);
  return entry.from <= day && (!entry.to || day <= entry.to);
}

function renderItem(el) {
  const code = el.dataset.item;
  const a = answerOf(code) || {};
  $$('.seg-btn', el).forEach((b) => b.setAttribute('aria-checked', String(b.dataset.answer === a.answer)));
  const note = $('.item-note', el);
  if (a.note && note.hidden) {
    note.hidden = false;
    $('.note-toggle', el).classList.add('has');
  }
  if (document.activeElement !== note) note.value = a.note || '';
  const box = $('.proposals', el);
  const proposed = (D.proposes[code] || []).map((c) => CATALOGUE[c]).filter((c) => c && inForce(c));
  box.hidden = !(a.answer === 'not_compliant' && proposed.length);
  $$('.proposal', box).forEach((p) => p.remove());
  if (!box.hidden) {
    for (const entry of proposed) {
      const added = doc.violations.some((v) => v.code === entry.code);
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = `proposal${added ? ' added' : ''}`;
      btn.textContent = `${added ? '✓' : '+'} ${entry.title}`;
      const small = document.createElement('small');
      small.textContent = entry.basis + (added ? ` · ${T.added}` : '');
      btn.append(small);
      btn.addEventListener('click', () => {
        if (!added) addViolation(entry.code, code);
        else openAndFocus($$('#violations .viol')[doc.violations.findIndex((v) => v.code === entry.code)]);
      });
      box.append(btn);
    }
  }
}

function renderProgress() {
  const answered = new Set(doc.checklist.filter((a) => a.answer).map((a) => a.item));
  const n = ITEMS.filter((c) => answered.has(c)).length;
  $('#progress-text').textContent = fmt(T.answered, { n, total: ITEMS.length });
  $('#progress-meter').style.width = `${ITEMS.length ? (100 * n) / ITEMS.length : 0}%`;
  $$('details.group').forEach((group) => {
    const codes = $$('.item', group).map((el) => el.dataset.item);
    const done = codes.filter((c) => answered.has(c)).length;
    const meta = $('.group-count', group);
    meta.textContent = `${done}/${codes.length}`;
    meta.classList.toggle('done', done === codes.length);
  });
}

for (const el of $$('.item', form)) {
  const code = el.dataset.item;
  for (const btn of $$('.seg-btn', el)) {
    btn.addEventListener('click', () => {
      setAnswer(code, { answer: btn.dataset.answer });
      el.classList.remove('missing');
      const err = $('.field-error', el);
      if (err) err.textContent = '';
      renderItem(el);
      renderProgress();
      touch('checklist');
    });
  }
  const note = $('.item-note', el);
  $('.note-toggle', el).addEventListener('click', (ev) => {
    note.hidden = !note.hidden;
    ev.currentTarget.setAttribute('aria-expanded', String(!note.hidden));
    if (!note.hidden) note.focus();
  });
  note.addEventListener('input', () => {
    setAnswer(code, { note: note.value });
    $('.note-toggle', el).classList.toggle('has', Boolean(note.value));
    touch('checklist');
  });
  renderItem(el);
}

// ------------------------------------------------------------------ violations

function addViolation(code, itemCode) {
  const entry = CATALOGUE[code];
  const offender = entry.offenders[0] || 'individual';
  doc.violations.push({ code, offender, offender_name: '', fine_vnd: null, measures: [], remedy: '', remedy_deadline: '', item: itemCode || null });
  renderViolations();
  if (itemCode) renderItem($(`#item-${CSS.escape(itemCode)}`));
  touch('violations');
  const cards = $$('#violations .viol');
  const card = cards[cards.length - 1];
  openAndFocus(card);
}

function fineProblem(v) {
  const entry = CATALOGUE[v.code];
  const [low, high] = entry.ranges[v.offender] || [null, null];
  if (!entry.offenders.includes(v.offender)) return fmt(T.only_for, { who: entry.offenders.map((o) => T[o]).join(', ') });
  if (low == null) return null;
  if (v.fine_vnd == null) return null;
  if (v.fine_vnd === 0 && v.measures.includes('warning') && entry.measures.includes('warning')) return null;
  return v.fine_vnd < low || v.fine_vnd > high ? T.out_of_range : null;
}

function renderViolations() {
  const box = $('#violations');
  box.textContent = '';
  const tpl = $('#tpl-violation');
  doc.violations.forEach((v, index) => {
    const entry = CATALOGUE[v.code];
    const card = tpl.content.firstElementChild.cloneNode(true);
    $('.viol-title', card).textContent = entry ? entry.title : v.code;
    $('.viol-basis', card).textContent = entry ? `${entry.basis} · ${v.code}` : v.code;
    const update = (section = 'violations') => touch(section);
    for (const btn of $$('.viol-offender .seg-btn', card)) {
      const kind = btn.dataset.offender;
      btn.disabled = entry && !entry.offenders.includes(kind);
      btn.setAttribute('aria-checked', String(v.offender === kind));
      btn.addEventListener('click', () => {
        v.offender = kind;
        renderViolations();
        update();
      });
    }
    const fine = $('.viol-fine', card);
    fine.value = v.fine_vnd == null ? '' : new Intl.NumberFormat(LOCALE).format(v.fine_vnd);
    const range = $('.viol-range', card);
    const [low, high] = entry ? entry.ranges[v.offender] || [null, null] : [null, null];
    $('.fine-min', range).textContent = money(low);
    $('.fine-max', range).textContent = money(high);
    if (low == null) $('.range-label', range).textContent = T.no_range;
    range.classList.toggle('none', low == null);
    const paintRange = () => {
      const problem = entry ? fineProblem(v) : null;
      $('.range-warn', range).textContent = problem || '';
      range.classList.toggle('bad', Boolean(problem));
    };
    paintRange();
    fine.addEventListener('input', () => {
      const digits = fine.value.replace(/\D/g, '');
      v.fine_vnd = digits ? Number(digits) : null;
      paintRange();
      update();
    });
    fine.addEventListener('blur', () => {
      fine.value = v.fine_vnd == null ? '' : new Intl.NumberFormat(LOCALE).format(v.fine_vnd);
    });
    const setFine = (value) => {
      v.fine_vnd = value;
      fine.value = value == null ? '' : new Intl.NumberFormat(LOCALE).format(value);
      paintRange();
      update();
    };
    $('.fine-min', card).addEventListener('click', () => setFine(low));
    $('.fine-max', card).addEventListener('click', () => setFine(high));
    const chips = $('.viol-measures', card);
    const more = $('.viol-more', card);
    const paintMore = () => {
      const picked = v.measures.map((m) => D.measures[m]).filter(Boolean);
      if (v.offender_name) picked.push(v.offender_name);
      $('.viol-more-meta', card).textContent = picked.length ? `(${picked.join(', ')})` : '';
    };
    if (v.measures.length || v.offender_name) more.open = true;
    for (const [code, label] of Object.entries(D.measures)) {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = 'chip';
      chip.textContent = label;
      chip.setAttribute('aria-pressed', String(v.measures.includes(code)));
      chip.addEventListener('click', () => {
        v.measures = v.measures.includes(code) ? v.measures.filter((m) => m !== code) : v.measures.concat([code]);
        chip.setAttribute('aria-pressed', String(v.measures.includes(code)));
        paintRange();
        paintMore();
        update();
      });
      chips.append(chip);
    }
    const bind = (sel, key) => {
      const input = $(sel, card);
      input.value = v[key] || '';
      input.addEventListener('input', () => {
        v[key] = input.value;
        update();
      });
    };
    bind('.viol-remedy', 'remedy');
    bind('.viol-deadline', 'remedy_deadline');
    bind('.viol-name', 'offender_name');
    $('.viol-name', card).addEventListener('change', paintMore);
    paintMore();
    $('.viol-remove', card).addEventListener('click', () => {
      if (!window.confirm(T.remove_violation)) return;
      doc.violations.splice(index, 1);
      renderViolations();
      $$('.item', form).forEach(renderItem);
      update();
    });
    box.append(card);
  });
  const count = $('#viol-count');
  count.hidden = !doc.violations.length;
  count.textContent = doc.violations.length;
}

function renderPicker() {
  const q = fold($('#picker-q').value);
  const list = $('#picker-list');
  list.textContent = '';
  const entries = D.catalogue.filter((c) => inForce(c) && (!q || fold(`${c.code} ${c.title} ${c.basis}`).includes(q)));
  $('#picker-note').textContent = fmt(T.in_force_on, { day: (doc.inspected_at || '').slice(0, 10).split('-').reverse().join('/') });
  if (!entries.length) {
    const li = document.createElement('li');
    li.className = 'text-muted py-3';
    li.textContent = T.no_results;
    list.append(li);
  }
  for (const c of entries) {
    const li = document.createElement('li');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = c.title;
    const small = document.createElement('small');
    const [low, high] = c.ranges.individual[0] != null ? c.ranges.individual : c.ranges.organisation;
    small.textContent = `${c.basis}${low != null ? ` · ${money(low)} – ${money(high)}` : ''}`;
    btn.append(small);
    btn.addEventListener('click', () => {
      closeSheets();
      addViolation(c.code, null);
    });
    li.append(btn);
    list.append(li);
  }
}
$('#add-violation').addEventListener('click', () => {
  $('#picker-q').value = '';
  renderPicker();
  $('#picker').hidden = false;
  $('#picker-q').focus();
});
$('#picker-q').addEventListener('input', renderPicker);

// ------------------------------------------------------------------ team, time, members

function leadName() {
  const lead = doc.members.find((m) => m.lead);
  return lead ? lead.name : null;
}

function renderTeamSummary() {
  const meta = $('#team-summary');
  const warn = $('#members-warning');
  if (!meta) return;
  const n = doc.members.length;
  const agencies = new Set(doc.members.map((m) => m.agency).concat(doc.agencies || []));
  const short = n < D.limits.min_members;
  const noLead = n && !doc.members.some((m) => m.lead);
  meta.textContent = short ? `⚠ ${n}/${D.limits.min_members}` : `${fmt(T.members, { n })} · ${fmt(T.agencies, { n: agencies.size })}`;
  meta.classList.toggle('bad', short || noLead);
  warn.hidden = !(short || noLead);
  warn.textContent = short ? fmt(T.members_short, { min: D.limits.min_members, n }) : noLead ? T.no_lead : '';
}

function renderMembers() {
  const list = $('#members');
  if (!list) return;
  list.textContent = '';
  doc.members.forEach((m, i) => {
    const li = document.createElement('li');
    const who = document.createElement('div');
    const name = document.createElement('div');
    name.className = 'member-name';
    name.textContent = m.name;
    const agency = document.createElement('div');
    agency.className = 'member-agency';
    agency.textContent = AGENCY[m.agency] || m.agency;
    who.append(name, agency);
    const actions = document.createElement('div');
    actions.className = 'member-actions';
    const lead = document.createElement('button');
    lead.type = 'button';
    lead.className = 'btn btn-sm btn-outline-primary member-lead';
    lead.textContent = T.lead;
    lead.setAttribute('aria-pressed', String(Boolean(m.lead)));
    lead.addEventListener('click', () => {
      doc.members.forEach((x, j) => (x.lead = j === i ? !x.lead : false));
      renderMembers();
      renderSignNames();
      touch('members');
    });
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'btn btn-sm btn-outline-secondary';
    remove.setAttribute('aria-label', `${T.remove} ${m.name}`);
    remove.textContent = '✕';
    remove.addEventListener('click', () => {
      doc.members.splice(i, 1);
      renderMembers();
      touch('members');
    });
    actions.append(lead, remove);
    li.append(who, actions);
    list.append(li);
  });
  const memberAgencies = new Set(doc.members.map((m) => m.agency));
  $$('#agencies .chip').forEach((chip) => {
    const code = chip.dataset.agency;
    const on = memberAgencies.has(code) || (doc.agencies || []).includes(code);
    chip.setAttribute('aria-pressed', String(on));
    chip.disabled = memberAgencies.has(code);
  });
  renderTeamSummary();
}

if ($('#sec-team')) {
  const at = $('#f-at');
  const local = new Date(doc.inspected_at);
  const pad = (n) => String(n).padStart(2, '0');
  at.value = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}T${pad(local.getHours())}:${pad(local.getMinutes())}`;
  at.max = at.value.slice(0, 10) + 'T23:59';
  at.addEventListener('change', () => {
    if (!at.value) return;
    doc.inspected_at = isoWithOffset(new Date(at.value));
    $$('.item', form).forEach(renderItem);
    touch('inspected_at');
  });
  const team = $('#f-team');
  if (team) {
    team.value = doc.team_id == null ? '' : String(doc.team_id);
    team.addEventListener('change', () => {
      const chosen = D.teams.find((t) => String(t.id) === team.value);
      doc.team_id = chosen ? chosen.id : null;
      if (chosen) doc.members = chosen.members.map((m) => ({ ...m }));
      renderMembers();
      touch('team_id');
      touch('members');
    });
  }
  $('#add-member').addEventListener('click', () => {
    const name = $('#new-member-name').value.trim();
    if (name.length < 2) {
      $('#new-member-name').focus();
      return;
    }
    doc.members.push({ user_id: null, name, agency: $('#new-member-agency').value, lead: false });
    $('#new-member-name').value = '';
    renderMembers();
    touch('members');
  });
  $$('#agencies .chip').forEach((chip) =>
    chip.addEventListener('click', () => {
      const code = chip.dataset.agency;
      doc.agencies = (doc.agencies || []).includes(code) ? doc.agencies.filter((a) => a !== code) : (doc.agencies || []).concat([code]);
      renderMembers();
      touch('agencies');
    }),
  );
  renderMembers();
  if (doc.members.length < D.limits.min_members) $('#sec-team').open = true;
}

// ------------------------------------------------------------------ representative, notes

const bindText = (sel, get, set, section) => {
  const el = $(sel);
  if (!el) return;
  el.value = get() || '';
  el.addEventListener('input', () => {
    set(el.value);
    touch(section);
  });
};
bindText('#f-rep-name', () => doc.representative.name, (v) => { doc.representative.name = v; renderSignNames(); }, 'representative');
bindText('#f-rep-role', () => doc.representative.role, (v) => (doc.representative.role = v), 'representative');
bindText('#f-notes', () => doc.notes, (v) => (doc.notes = v), 'notes');
bindText('#f-reason', () => doc.presence_reason, (v) => (doc.presence_reason = v), 'presence_reason');

// ------------------------------------------------------------------ GPS proof

const gps = { watch: null, best: null, error: null, until: 0, told: false };

function startWatch(seconds = 30) {
  if (!navigator.geolocation || MODE === 'amend') {
    gps.error = 2;
    renderGps();
    return;
  }
  if (gps.watch != null) navigator.geolocation.clearWatch(gps.watch);
  gps.error = null;
  gps.until = Date.now() + seconds * 1000;
  renderGps();
  gps.watch = navigator.geolocation.watchPosition(
    (pos) => {
      const fix = { latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracy_m: Math.round(pos.coords.accuracy * 10) / 10, captured_at: isoWithOffset(new Date(pos.timestamp || Date.now())) };
      gps.error = null;
      const current = doc.location;
      if (!current || fix.accuracy_m < current.accuracy_m * 0.7 || !gps.best) {
        gps.best = fix;
        doc.location = fix;
        touch('location');
        scheduleSave(200);
      }
      if (fix.accuracy_m <= 20 || Date.now() > gps.until) stopWatch();
      renderGps();
    },
    (err) => {
      gps.error = err.code;
      stopWatch();
      renderGps();
    },
    { enableHighAccuracy: true, maximumAge: 0, timeout: 20000 },
  );
  setTimeout(stopWatch, seconds * 1000 + 500);
}
function stopWatch() {
  if (gps.watch != null) navigator.geolocation.clearWatch(gps.watch);
  gps.watch = null;
}

function locateOnce(timeout = 12000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracy_m: Math.round(pos.coords.accuracy * 10) / 10, captured_at: isoWithOffset(new Date(pos.timestamp || Date.now())) }),
      (err) => {
        gps.error = err.code;
        resolve(null);
      },
      { enableHighAccuracy: true, maximumAge: 30000, timeout },
    );
  });
}

function distanceText(m) {
  if (m == null) return '?';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

// Metres between a fix and the venue's registered point (haversine): what the chip says
// before the server has compared them (no connection, or nothing saved yet).
function metresToVenue(fix) {
  const v = D.venue || {};
  if (!fix || v.lat == null || v.lon == null) return null;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(v.lat - fix.latitude);
  const dLon = rad(v.lon - fix.longitude);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(fix.latitude)) * Math.cos(rad(v.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

function renderGps() {
  const chip = $('#gps-chip');
  if (!chip) return;
  const label = $('span', chip);
  chip.classList.remove('ok', 'warn', 'bad');
  const sdoc = server.doc;
  const presence = sdoc ? sdoc.presence : null;
  const fix = doc.location;
  const reasonNeeded = Boolean(server.problems.presence_reason) || (presence && presence !== 'on_site');
  $('#reason-box').hidden = !reasonNeeded;
  if (reasonNeeded && !gps.told) {
    gps.told = true; // say it once, where the reason is written
    $('#sec-gps').open = true;
  }
  if (reasonNeeded && server.problems.presence_reason) $('#gps-detail').textContent = server.problems.presence_reason.join(' ');
  if (gps.error === 1 && !fix) {
    chip.classList.add('bad');
    label.textContent = T.gps_denied;
  } else if (gps.error && !fix) {
    chip.classList.add('bad');
    label.textContent = T.gps_unavailable;
  } else if (!fix) {
    label.textContent = T.locating;
  } else {
    const acc = fmt(T.gps_fix, { acc: distanceText(fix.accuracy_m) });
    const known = sdoc && sdoc.location ? sdoc.location.distance_m : null;
    const dist = known != null ? known : metresToVenue(fix);
    const where = dist != null ? fmt(T.gps_at_venue, { d: distanceText(dist) }) : T.gps_no_distance;
    label.textContent = `${presence === 'on_site' ? '✓ ' : presence && presence !== 'on_site' ? '⚠ ' : ''}${where} · ${acc}${gps.watch != null ? ' …' : ''}`;
    chip.classList.add(presence === 'on_site' ? 'ok' : presence === 'off_site' ? 'bad' : presence ? 'warn' : 'ok');
  }
  const meta = $('#gps-summary');
  if (meta) {
    meta.textContent = label.textContent.length > 28 ? label.textContent.slice(0, 27) + '…' : label.textContent;
    meta.classList.toggle('bad', reasonNeeded);
  }
}
if ($('#gps-chip')) {
  $('#gps-chip').addEventListener('click', () => startWatch(30));
  if (!doc.location || MODE === 'new') startWatch(30);
  else renderGps();
}

// ------------------------------------------------------------------ photos

const photos = [];
if (D.inspection) {
  for (const p of D.inspection.photos) photos.push({ id: p.id, item: p.item || '', url: p.thumbnail_url, state: 'done', key: null });
}

async function resize(file) {
  let source;
  try {
    source = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (_e) {
    source = await new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }
  const w = source.width;
  const h = source.height;
  if (!w || !h) throw new Error('empty image');
  const scale = Math.min(1, 1600 / Math.max(w, h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(h * scale);
  canvas.getContext('2d').drawImage(source, 0, 0, canvas.width, canvas.height);
  if (source.close) source.close();
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.82));
}

function renderThumbs() {
  $$('.thumbs').forEach((box) => {
    box.textContent = '';
    for (const p of photos.filter((x) => x.item === box.dataset.item)) {
      const div = document.createElement('div');
      div.className = `thumb${p.state === 'failed' ? ' failed' : ''}`;
      if (p.url) {
        const img = document.createElement('img');
        img.src = p.url;
        img.alt = '';
        div.append(img);
      }
      if (p.state !== 'done') {
        const s = document.createElement('span');
        s.className = 'thumb-state';
        s.textContent = p.state === 'uploading' ? T.uploading : p.state === 'failed' ? p.message || '!' : T.upload_wait;
        div.append(s);
      }
      if (MODE !== 'amend' && (p.state === 'failed' || (p.state === 'done' && (!server.doc || server.doc.status === 'draft')))) {
        const del = document.createElement('button');
        del.type = 'button';
        del.className = 'thumb-del';
        del.textContent = '✕';
        del.setAttribute('aria-label', T.remove);
        del.addEventListener('click', () => removePhoto(p));
        div.append(del);
      }
      box.append(div);
    }
  });
  $$('.item').forEach((el) => {
    const has = photos.some((p) => p.item === el.dataset.item);
    $('.photo-btn', el).classList.toggle('has', has);
  });
}

async function removePhoto(p) {
  if (!window.confirm(T.remove_photo)) return;
  if (p.id && state.id) {
    const res = await send('DELETE', `${API}/${state.id}/photos/${p.id}`);
    if (!res.ok && res.status !== 404) {
      showAlert(fmt(T.failed, { message: messageOf(res, res.status) }));
      return;
    }
  }
  if (p.key) phone.deletePhoto(p.key).catch(() => {});
  photos.splice(photos.indexOf(p), 1);
  renderThumbs();
}

// A photo stays in IndexedDB until the server has it (a reload or the queue finds it there).
async function keepPhoto(p) {
  if (p.stored) return true;
  try {
    await phone.putPhoto({ key: p.key, owner: state.key, item: p.item, blob: p.blob, added: Date.now() });
    p.stored = true;
    return true;
  } catch (err) {
    // Online, the photo is uploaded from memory anyway; without a connection it must be kept.
    if (OFFLINE || state.network || phone.isQuota(err)) {
      showAlert(phone.isQuota(err) ? T.storage_full : fmt(T.queue_failed, { message: String(err.message || err) }));
    }
    return false;
  }
}

async function restorePhotos() {
  if (MODE === 'amend' || !state.key) return;
  let kept = [];
  try {
    kept = await phone.photosOf(state.key);
  } catch (_e) {
    return;
  }
  for (const k of kept) {
    if (k.failed || photos.some((p) => p.key === k.key)) continue;
    photos.push({ key: k.key, item: k.item || '', state: 'waiting', blob: k.blob, url: URL.createObjectURL(k.blob), stored: true });
  }
}

let uploading = false;
async function uploadPhotos() {
  if (uploading || !state.id) return;
  uploading = true;
  for (const p of photos) {
    if (p.state !== 'waiting') continue;
    p.state = 'uploading';
    renderThumbs();
    const body = new FormData();
    body.append('file', p.blob, 'photo.jpg');
    if (p.item) body.append('item', p.item);
    const res = await send('POST', `${API}/${state.id}/photos`, { form: body, key: p.key });
    if (res.ok) {
      phone.deletePhoto(p.key).catch(() => {});
      p.id = res.data.id;
      p.state = 'done';
      if (p.url && p.url.startsWith('blob:')) URL.revokeObjectURL(p.url);
      p.url = res.data.thumbnail_url;
      p.blob = null;
    } else if (res.network) {
      p.state = 'waiting';
      setTimeout(uploadPhotos, 15000);
    } else {
      p.state = 'failed';
      p.message = messageOf(res, String(res.status));
      showAlert(fmt(T.upload_failed, { message: p.message }));
    }
    renderThumbs();
  }
  uploading = false;
  if (photos.some((p) => p.state === 'waiting')) setTimeout(uploadPhotos, 15000);
}

$$('.photo-input').forEach((input) =>
  input.addEventListener('change', async () => {
    const files = Array.from(input.files || []);
    input.value = '';
    for (const file of files) {
      const p = { key: newKey(), item: input.dataset.item || '', state: 'waiting', url: null, blob: null };
      try {
        p.blob = await resize(file);
      } catch (_e) {
        showAlert(T.photo_unreadable);
        continue;
      }
      if (!(await keepPhoto(p)) && (OFFLINE || state.network)) continue;
      p.url = URL.createObjectURL(p.blob);
      photos.push(p);
    }
    renderThumbs();
    if (OFFLINE) return;
    if (!state.id) await save();
    uploadPhotos();
  }),
);

// ------------------------------------------------------------------ signatures

const pads = {};
function renderSignNames() {
  $$('.sign-block').forEach((block) => {
    const role = block.dataset.role;
    $('.sign-name', block).textContent = role === 'lead' ? leadName() || '—' : doc.representative.name || '—';
  });
}
function renderSignState() {
  let done = 0;
  $$('.sign-block').forEach((block) => {
    const s = sigs[block.dataset.role];
    const signed = Boolean(s.image) || s.onServer;
    block.classList.toggle('signed', signed && !s.refused);
    block.classList.toggle('refused', s.refused);
    $('.sign-state', block).textContent = signed && !s.refused ? `✓ ${T.signed}` : '';
    if (signed || s.refused) done++;
  });
  const meta = $('#sign-summary');
  if (meta) {
    meta.textContent = `${done}/2`;
    meta.classList.toggle('done', done === 2);
  }
}
function setupPads() {
  if (!window.SignaturePad) return;
  $$('.sign-block').forEach((block) => {
    const role = block.dataset.role;
    if (pads[role]) return;
    const canvas = $('.sign-pad', block);
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext('2d').scale(ratio, ratio);
    const pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: '#0b2545' });
    pads[role] = pad;
    if (sigs[role].image) pad.fromDataURL(sigs[role].image, { ratio });
    pad.addEventListener('endStroke', () => {
      sigs[role].image = pad.toDataURL('image/png');
      sigs[role].changed = true;
      renderSignState();
      touch('signatures');
    });
    const refused = $('.sign-refused', block);
    const reason = $('.sign-reason', block);
    if (refused) {
      refused.checked = sigs[role].refused;
      reason.hidden = !refused.checked;
      reason.value = sigs[role].reason || '';
      refused.addEventListener('change', () => {
        sigs[role].refused = refused.checked;
        reason.hidden = !refused.checked;
        sigs[role].changed = true;
        renderSignState();
        touch('signatures');
      });
      reason.addEventListener('input', () => {
        sigs[role].reason = reason.value;
        sigs[role].changed = true;
        touch('signatures');
      });
    }
    $('.sign-clear', block).addEventListener('click', () => {
      pad.clear();
      sigs[role].image = null;
      sigs[role].onServer = false;
      sigs[role].changed = true;
      renderSignState();
      touch('signatures');
    });
  });
}
const signSection = $('#sec-sign');
if (signSection) {
  signSection.addEventListener('toggle', () => signSection.open && setupPads());
  renderSignNames();
  renderSignState();
}

// ------------------------------------------------------------------ submit / amend

async function flush() {
  clearTimeout(timer);
  for (let i = 0; i < 5; i++) {
    if (state.saving) {
      await new Promise((r) => setTimeout(r, 300));
      continue;
    }
    if (!state.id || state.dirty.size) {
      const ok = await save();
      if (!ok && !state.saving) return false;
      continue;
    }
    return true;
  }
  return !state.dirty.size && Boolean(state.id);
}

function goDetail() {
  forget();
  window.location.href = D.detail_url || `/inspections/${state.id}`;
}

async function submit() {
  const btn = $('#submit');
  btn.disabled = true;
  state.submitTried = true;
  try {
    if (MODE === 'amend') return await saveAmendment();
    if (OFFLINE) return await keepOnPhone();
    showState('saving');
    $('#save-state').textContent = T.submitting;
    if (!(await flush())) {
      if (state.network) return await keepOnPhone();
      handleFailure({ network: true });
      return;
    }
    if (photos.some((p) => p.state === 'waiting' || p.state === 'uploading')) await uploadPhotos();
    const local = server.problems || {};
    const blocking = Object.keys(local).filter((k) => k !== 'presence_reason');
    if (blocking.length) {
      showErrors(local);
      showProblems(local);
      showState('saved');
      return;
    }
    const fix = await locateOnce();
    const body = { location: fix, presence_reason: doc.presence_reason || null };
    const key = `${state.key}:submit:${hashText(JSON.stringify(body))}`;
    const res = await send('POST', `${API}/${state.id}/submit`, { json: body, key });
    if (res.ok) {
      goDetail();
      return;
    }
    if (res.network) return await keepOnPhone(fix);
    if (res.status === 409) {
      showAlert(T.already_submitted);
      setTimeout(goDetail, 1200);
      return;
    }
    if (res.status === 422 && res.data && res.data.errors) {
      if (res.data.errors.presence_reason) {
        server.problems = res.data.errors;
        renderGps();
      }
      showErrors(res.data.errors);
      showProblems(res.data.errors);
      showState('saved');
      return;
    }
    handleFailure(res);
  } finally {
    btn.disabled = false;
  }
}

// What surely blocks submitting, seen on the phone when the server cannot say (no
// connection); the server checks everything again when the queue is sent.
function localProblems() {
  const out = {};
  const answered = new Set(doc.checklist.filter((a) => a.answer).map((a) => a.item));
  const missing = ITEMS.filter((c) => !answered.has(c));
  if (missing.length) {
    out.checklist = [fmt(T.local_missing_items, { n: missing.length })];
    for (const c of missing) out[`checklist.${c}`] = [T.local_not_answered];
  }
  if (doc.members.length < D.limits.min_members) out.members = [fmt(T.members_short, { min: D.limits.min_members, n: doc.members.length })];
  else if (!doc.members.some((m) => m.lead)) out.members = [T.no_lead];
  if (!(sigs.lead.image || sigs.lead.onServer)) out['signatures.lead'] = [T.local_lead_sign];
  const rep = sigs.representative;
  if (!(rep.image || rep.onServer || rep.refused)) out['signatures.representative'] = [T.local_rep_sign];
  return out;
}

// Put the inspection in the phone's queue: "saved on this phone, not yet sent".
async function keepOnPhone(knownFix) {
  const local = localProblems();
  if (Object.keys(local).length) {
    showErrors(local);
    showProblems(local);
    showState(OFFLINE ? 'kept' : 'offline');
    return;
  }
  const fix = knownFix !== undefined ? knownFix : await locateOnce(8000);
  const body = { ...sectionsBody(ALL_SECTIONS), venue_id: doc.venue_id, status: 'draft' };
  if (!body.signatures.length) delete body.signatures;
  for (const p of photos) {
    if (p.state === 'waiting' && p.blob && !(await keepPhoto(p))) return;
  }
  const entry = {
    key: state.key,
    id: state.id,
    user_id: D.user.id,
    user_name: D.user.name,
    // the sign-in name, for "sign in again as …" when the queue outlives a sign-out
    username: (document.getElementById('offline-boot') || { dataset: {} }).dataset.username || null,
    venue: { id: D.venue.id, name: D.venue.name, address: D.venue.address || null },
    body,
    submit: { location: fix || null, presence_reason: doc.presence_reason || null },
    recorded_at: isoWithOffset(new Date()),
    state: 'waiting',
    tries: 0,
    next_at: 0,
  };
  try {
    const before = await phone.item(state.key);
    if (before) entry.seq = before.seq;
    await phone.putItem(entry);
  } catch (err) {
    showAlert(phone.isQuota(err) ? T.storage_full : fmt(T.queue_failed, { message: String(err.message || err) }));
    return;
  }
  forget();
  window.location.href = `/offline/queue?saved=${encodeURIComponent(state.key)}`;
}

async function saveAmendment() {
  const reason = $('#f-amend-reason').value.trim();
  if (reason.length < 5) {
    $('.field-error[data-error="reason"]').textContent = T.amend_reason;
    openAndFocus($('#f-amend-reason'));
    return;
  }
  const body = { reason, ...sectionsBody(['checklist', 'violations', 'representative', 'notes']) };
  const key = `amend:${state.id}:${hashText(JSON.stringify(body))}`;
  showState('saving');
  const res = await send('POST', `${API}/${state.id}/amendments`, { json: body, key });
  if (res.ok) {
    goDetail();
    return;
  }
  if (res.data && res.data.errors) {
    showErrors(res.data.errors);
    showProblems(res.data.errors);
  }
  handleFailure(res);
}

$('#submit').addEventListener('click', submit);
form.addEventListener('submit', (ev) => ev.preventDefault());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden' && state.dirty.size && MODE !== 'amend') save();
});

// ------------------------------------------------------------------ start

await restorePhotos();
renderViolations();
renderProgress();
renderThumbs();
renderGps();
if (D.missingVenue) {
  showAlert(T.not_on_phone);
  $('#submit').disabled = true;
}
if (server.doc && MODE !== 'amend') {
  state.savedAt = new Date(server.doc.updated_at);
  showState('saved');
}
if (!window.crypto || !window.crypto.getRandomValues) showAlert(T.key_missing);
else if (MODE === 'new' || state.dirty.size) save();
if (!OFFLINE && state.id && photos.some((p) => p.state === 'waiting')) uploadPhotos();
