// The page's side of the offline queue. The storage, encryption and replay live in
// service-worker/queue.js (self.HavenQueue, loaded by index.html before the app), which
// the service worker runs too. Here: keeping a submission that cannot reach the server,
// and the replay triggers for browsers without Background Sync (Safari, iPadOS): app
// start, the `online` event, the page becoming visible, and a timer with backoff.
const { HavenQueue } = self;

export const MAX_QUEUED_BYTES = 50 * 1024 * 1024;
export const SAVED_ON_DEVICE = 'Saved on this device. It will be sent automatically when there is a connection.';
const SYNC_TAG = 'haven-queue';
const FIRST_DELAY_MS = 2000;
const LONGEST_DELAY_MS = 60 * 1000;
// A proxy in front of a stopped Haven answers these: the server was not reached.
const UNREACHABLE = new Set([502, 503, 504]);

async function serverAnswers() {
  try {
    return (await fetch('/healthz', { cache: 'no-store', credentials: 'omit' })).ok;
  } catch {
    return false;
  }
}

/**
 * True when the server cannot be reached now: no connection, a gateway's "Haven is not
 * there" (502/503/504), or no answer while Haven's health check gets none either. One lost
 * answer from a server that is there is not kept: the form explains it and a resend with
 * the same key is safe, which the person can do at once.
 */
export async function cannotReachServer(error) {
  if (UNREACHABLE.has(error.status)) return true;
  if (error.status !== 0) return false;
  return !navigator.onLine || !await serverAnswers();
}

const state = {
  userId: null,
  timer: null,
  delay: FIRST_DELAY_MS,
  waitingForSignIn: false,
};
const watchers = new Set();

function tellWatchers(news) {
  watchers.forEach((watcher) => watcher(news));
}
HavenQueue.listen(tellWatchers);

/**
 * watcher(news): news is {type: 'changed'}, {type: 'sent', userId, label} or
 * {type: 'paused'} (waiting for the author to sign in). Returns a function to stop.
 */
export function watchQueue(watcher) {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/**
 * run() at most once every `ms`, however often it is asked for: a replay sends news of
 * every step, and a badge or list that read the queue at each would slow the replay.
 */
export function atMostEvery(ms, run) {
  let timer = null;
  return () => {
    if (timer === null) {
      timer = window.setTimeout(() => {
        timer = null;
        run();
      }, ms);
    }
  };
}

export const queuedItems = (userId) => HavenQueue.list(userId);

let lastCount = { userId: null, unsent: 0 };

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * userId's records waiting on this device (queued, sending, needing attention): {unsent,
 * overAWeek}, overAWeek true when one has waited more than 7 days (the browser may clear
 * a site's storage after that, e.g. Safari for a site not added to the home screen).
 */
export async function unsentSummary(userId) {
  const waiting = (await HavenQueue.list(userId)).filter((item) => item.status !== 'sent');
  lastCount = { userId, unsent: waiting.length };
  const overAWeek = waiting.some((item) => Date.now() - item.createdAt > WEEK_MS);
  return { unsent: waiting.length, overAWeek };
}

/** How many of userId's records wait on this device (queued, sending, needing attention). */
export async function unsentCount(userId) {
  return (await unsentSummary(userId)).unsent;
}

/**
 * The last count seen for userId, at once: signing out must not wait on IndexedDB when
 * nothing is queued. The header's badge keeps it fresh, from this tab and the others.
 */
export function lastKnownUnsent(userId) {
  return lastCount.userId === userId ? lastCount.unsent : null;
}
export const queuedContent = (userId, id) => HavenQueue.read(userId, id);
export const waitingForSignIn = () => state.waitingForSignIn;

async function askForBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync (Safari): the page's own triggers send it.
  }
}

function schedule(ms) {
  window.clearTimeout(state.timer);
  state.timer = window.setTimeout(replayNow, ms);
}

/** Sends what is queued for the signed-in user, now, unless a replay is running. */
export async function replayNow() {
  window.clearTimeout(state.timer);
  state.timer = null;
  const { userId } = state;
  if (userId === null) return;
  const pending = (await HavenQueue.list(userId))
    .some((item) => item.status === 'queued' || item.status === 'sending');
  if (!pending) return;
  let outcome;
  try {
    outcome = await HavenQueue.replay();
  } catch (error) {
    console.warn('Haven could not send what is queued; it will try again.', error);
    outcome = 'retry';
  }
  if (state.userId !== userId) return;
  state.waitingForSignIn = outcome === 'signed-out';
  if (outcome === 'signed-out') {
    tellWatchers({ type: 'paused' });
  } else if (outcome === 'done') {
    state.delay = FIRST_DELAY_MS;
  } else {
    // offline, retry, or busy (the service worker is sending): look again later.
    schedule(state.delay);
    state.delay = Math.min(state.delay * 2, LONGEST_DELAY_MS);
  }
}

/**
 * Keeps a submission on this device: {kind, incidentId, path, fields, files, label,
 * idempotencyKey}. Throws an Error with a message for the user when it is too large.
 */
export async function keepForLater(userId, submission) {
  const bytes = submission.files.reduce((sum, file) => sum + file.size, 0);
  if (bytes > MAX_QUEUED_BYTES) {
    throw new Error('Haven cannot reach the server, and the files are too large to keep on this '
      + 'device until it can (more than 50 MB together). Remove some files and submit again, '
      + 'or submit when you have a connection.');
  }
  await HavenQueue.add(userId, submission);
  lastCount = { userId: null, unsent: 0 }; // unknown until counted again
  await askForBackgroundSync();
  state.delay = FIRST_DELAY_MS;
  schedule(state.delay);
}

/** A needs-attention item goes back in the queue (its author asked to send it again). */
export async function sendAgain(userId, id) {
  await HavenQueue.retry(userId, id);
  state.delay = FIRST_DELAY_MS;
  await replayNow();
}

/** userId's needs-attention item and its content: {item, content}, or null when there is none. */
export async function refusedItem(userId, id) {
  const item = (await HavenQueue.list(userId)).find((found) => found.id === id);
  if (item?.status !== 'needs-attention') return null;
  const content = await HavenQueue.read(userId, id);
  return content && { item, content };
}

/** A queued submission's files as File objects again, to be chosen or sent once more. */
export function queuedFiles(content) {
  return content.files.map(({ blob, name, type }) => new File([blob], name, { type }));
}

/** The author's refused item goes: a corrected copy has been sent or kept in its place. */
export async function forgetQueued(userId, id) {
  await HavenQueue.remove(userId, id);
  lastCount = { userId: null, unsent: 0 }; // unknown until counted again
}

/** Signed in (and past any setup step): this user's queue may be sent. */
export function startReplays(session) {
  state.userId = session.user.id;
  state.delay = FIRST_DELAY_MS;
  replayNow();
}

/** Signed out: nothing is sent until the author signs in again. */
export function stopReplays() {
  state.userId = null;
  state.waitingForSignIn = false;
  window.clearTimeout(state.timer);
  state.timer = null;
}

window.addEventListener('online', () => {
  state.delay = FIRST_DELAY_MS;
  replayNow();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') replayNow();
});
