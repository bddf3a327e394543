// The offline copy of what the record forms need (pupils' names, year and form;
// categories; agencies; staff names): GET /api/offline/reference, kept encrypted for the
// signed-in user (service-worker/queue.js), refreshed while online, wiped at "Sign out"
// (offline/sign-in.js says what else wipes it).
// The forms ask the server first; only when it cannot be reached do they use this copy,
// and they say how old it is.
import { api } from '../api.js';
import { cannotReachServer } from './queue.js';

const { HavenQueue } = self;
let held = null; // {userId, savedAt, reference}, decrypted once per page

/** Fetches a fresh copy for the signed-in user; quietly keeps the old one on failure. */
export async function refreshReference(userId) {
  try {
    const reference = await api.get('/api/offline/reference', { background: true });
    await HavenQueue.saveReference(userId, reference);
    held = { userId, savedAt: Date.now(), reference };
  } catch {
    // Offline, or an older server without the route: the forms keep working online.
  }
}

async function stored(userId) {
  if (held && held.userId === userId) return held;
  const found = await HavenQueue.loadReference(userId).catch(() => null);
  if (!found) return null;
  held = { userId, ...found };
  return held;
}


/** "from 5 minutes ago", "from 29/11/2026": how old the copy is, in words. */
export function ageInWords(savedAt) {
  const minutes = Math.round((Date.now() - savedAt) / 60000);
  if (minutes < 1) return 'from just now';
  if (minutes < 60) return `from ${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `from ${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `from ${new Date(savedAt).toLocaleDateString('en-GB')}`;
}

/**
 * The server's answer to ask(), or, when the server cannot be reached, pick(reference)
 * from the copy on this device (and the watchers are told how old it is). Throws the
 * server's error when there is no copy to fall back on.
 */
export async function fromServerOrCopy(userId, ask, pick) {
  try {
    return await ask();
  } catch (error) {
    if (!(error.status === 0 || await cannotReachServer(error))) throw error;
    const copy = await stored(userId);
    if (!copy) throw error;
    copyWatchers.forEach((watcher) => watcher(copy.savedAt));
    return pick(copy.reference);
  }
}

/**
 * Everything the forms name (pupils on roll, categories, agencies, staff): the server's
 * lists now, or the copy on this device when the server cannot be reached.
 */
export function currentReference(userId) {
  return fromServerOrCopy(userId, () => api.get('/api/offline/reference'), (reference) => reference);
}

// The server's matching: every typed word in one of the names or the form, pupils with
// every word starting a name or the form first, then by surname.
export function matchingPupils(pupils, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  // The names the server searches (a copy from before they were sent: the shown name).
  const names = (pupil) => (pupil.last_name === undefined ? pupil.name.split(/\s+/)
    : [pupil.first_name, pupil.preferred_name, pupil.last_name]);
  const text = (pupil) => `\n${[...names(pupil), pupil.form].join('\n').toLowerCase()}`;
  const found = pupils.map((pupil) => ({ pupil, text: text(pupil) }))
    .filter(({ text: t }) => words.every((word) => t.includes(word)));
  const starts = ({ text: t }) => words.every((word) => t.includes(`\n${word}`));
  const surname = (pupil) => (pupil.last_name ?? pupil.name.split(/\s+/).pop()).toLowerCase();
  found.sort((a, b) => Number(starts(b)) - Number(starts(a))
    || surname(a.pupil).localeCompare(surname(b.pupil))
    || a.pupil.name.localeCompare(b.pupil.name));
  return found.map(({ pupil }) => pupil);
}

/** Staff whose name holds every typed word, as GET /api/staff?q= finds them. */
export function matchingStaff(staff, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return staff.filter((person) => words.every((word) => person.name.toLowerCase().includes(word)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const REFRESH_EVERY_MS = 10 * 60 * 1000;
const copyWatchers = new Set();
let signedIn = null;

/** watcher(savedAt) is called when a form falls back on the copy. Returns a stop function. */
export function watchOfflineCopy(watcher) {
  copyWatchers.add(watcher);
  return () => copyWatchers.delete(watcher);
}

/** Signed in: keep this user's copy fresh (now unless it is recent, and on `online`). */
export function startReference(session) {
  signedIn = session.user.id;
  if (held && held.userId === signedIn && Date.now() - held.savedAt < REFRESH_EVERY_MS) return;
  refreshReference(signedIn);
}

/**
 * The session ended: the copy is no longer refreshed or held in this page's memory. It
 * stays on the device, encrypted, for signing in without signal (offline/sign-in.js),
 * until "Sign out" wipes it.
 */
export function stopReference() {
  signedIn = null;
  held = null;
}

window.addEventListener('online', () => {
  if (signedIn !== null) refreshReference(signedIn);
});
