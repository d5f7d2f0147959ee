// On the pages of nobody signed in (the sign-in page after signing out): finish the clean-up
// of a sign-out and say plainly what stays on this phone, and who must sign in to send it.
import * as store from './offline-store.js';
import { forgetPersonal, leftBehind, markSignedOut, signedOut } from './offline-signout.js';

const boot = document.getElementById('signed-out-boot');
const fmt = (text, vals) => text.replace(/%\((\w+)\)s/g, (_m, k) => (vals[k] ?? '') + '');

async function main() {
  const mark = signedOut();
  if (!mark && !(await store.exists())) return; // never used for working offline
  if (mark) await forgetPersonal();
  const lines = [];
  if (mark && !mark.told) {
    lines.push(boot.dataset.cleared);
    markSignedOut({ ...mark, told: true });
  }
  for (const left of await leftBehind()) lines.push(fmt(boot.dataset.left, left));
  if (!lines.length) return;
  const note = document.createElement('div');
  note.id = 'signed-out-note';
  note.className = 'alert alert-warning py-2 small';
  note.setAttribute('role', 'status');
  for (const line of lines) {
    const p = document.createElement('p');
    p.className = 'mb-1';
    p.textContent = line;
    note.append(p);
  }
  document.getElementById('main').prepend(note);
}

main().catch(() => {
  /* no IndexedDB or no storage: nothing was kept */
});
