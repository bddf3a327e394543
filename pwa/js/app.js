// Starts Haven and decides which screen shows: it asks the server who is signed in, sends
// a new session through the steps the server insists on (a new password, the
// authenticator), and keeps the session safe on a shared device: the idle timeout, the
// blank screen, the elevation prompt.
import { api, ApiError, setSessionHandlers } from './api.js';
import { closeAllDialogs } from './components/dialog.js';
import { elevationPrompt } from './components/elevation-prompt.js';
import { idleWarning } from './components/idle-warning.js';
import { startIdleClock } from './idle-clock.js';
import { listenToOtherTabs, tellOtherTabs } from './other-tabs.js';
import { chooseAction } from './components/confirm.js';
import {
  cannotReachServer, lastKnownUnsent, queuedItems, replayNow, startReplays, stopReplays,
  unsentCount, watchQueue,
} from './offline/queue.js';
import { startReference, stopReference } from './offline/reference.js';
import {
  NO_CONNECTION, forgetEverythingOf, forgetOldPasses, passwordOpensPass, rememberSignIn,
} from './offline/sign-in.js';
import { forgetThisDevice } from './push.js';
import { accountScreen } from './screens/account.js';
import { addIncidentScreen, refusedIncidentScreen } from './screens/add-incident.js';
import { adminAgenciesScreen } from './screens/admin-agencies.js';
import { adminCategoriesScreen } from './screens/admin-categories.js';
import { adminPupilsScreen } from './screens/admin-pupils.js';
import { adminSettingsScreen } from './screens/admin-settings.js';
import { authenticatorScreen } from './screens/authenticator.js';
import { firstPasswordScreen } from './screens/first-password.js';
import { forgottenPasswordScreen } from './screens/forgotten-password.js';
import { homeScreen } from './screens/home.js';
import { incidentScreen } from './screens/incident.js';
import { lockScreen } from './screens/lock.js';
import { loginScreen } from './screens/login.js';
import { offlineHomeScreen } from './screens/offline-home.js';
import { outboxScreen } from './screens/outbox.js';
import { pupilScreen } from './screens/pupil.js';
import { reportsScreen } from './screens/reports.js';
import { resetPasswordScreen } from './screens/reset-password.js';
import { staffScreen } from './screens/staff.js';
import { registerServiceWorker } from './service-worker-client.js';

const root = document.getElementById('app');
const DEFAULT_IDLE_MINUTES = 10;
const BACK_ONLINE_CHECK_MS = 30 * 1000;

// Only the session is kept. Screens fetch what they show, so after the blank screen or a
// timeout nothing of it is left anywhere but the server.
const state = {
  session: null, // from GET or POST /api/session, while signed in; offline: true when
  // signed in on this device alone, without signal (offline/sign-in.js)
  backOnlineTimer: null,
  stopWaitingToSignOut: null, // set while "sign out once they are sent" waits
  locked: false,
  lockRequest: Promise.resolve(),
  idleClock: null,
  idleWarning: null,
  elevating: null, // the open elevation prompt, shared by every request waiting on it
  afterEnrolment: null, // where to go once the authenticator is set up
  // Aborts what the page on screen is still fetching: a late answer must not put a pupil's
  // name in the title after the blank screen, nor fill a page that has been left.
  pageRequests: null,
};

/** Aborts the current page's requests: its answers have no page to go to any more. */
function forgetPageRequests(next = null) {
  if (state.pageRequests) state.pageRequests.abort();
  state.pageRequests = next;
}

/**
 * A screen is {title, element, focusTarget}; one is on the page at a time.
 * pageRequests: the AbortController whose signal the screen's reads carry, if any.
 */
function show(screen, pageRequests = null) {
  closeAllDialogs();
  forgetPageRequests(pageRequests);
  root.replaceChildren(screen.element);
  document.title = screen.title ? `${screen.title} – Haven` : 'Haven';
  window.scrollTo(0, 0);
  // Moving focus tells keyboard and screen reader users that the screen has changed.
  screen.focusTarget.focus();
}

/** Takes everything off the page: removed from the document, not hidden under a layer. */
function wipe() {
  closeAllDialogs();
  forgetPageRequests();
  state.idleWarning = null;
  root.replaceChildren();
  document.title = 'Haven';
}

// --- signed out ---------------------------------------------------------------------------

function showLogin({ notice, problem, email } = {}) {
  show(loginScreen({
    notice, problem, email, onSignedIn: enter, onForgotten: showForgotten,
  }));
}

function showForgotten(email = '') {
  show(forgottenPasswordScreen({ email, onBack: () => showLogin() }));
}

function showReset(token) {
  show(resetPasswordScreen({
    token,
    onDone: () => showLogin({ notice: 'Your new password is saved. Sign in with it.' }),
    onAskAgain: () => showForgotten(),
  }));
}

/** The token of a reset or invitation link (/#reset=<token>), taken out of the address. */
function takeResetToken() {
  const match = /^#reset=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  // The token opens the account: it must not stay in the address bar or the history.
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

// --- pages of a signed-in user ------------------------------------------------------------

// Each page: a hash pattern, who may see it, and the screen. A screen is called as
// screen(session, actions, params), params being the pattern's named parts (e.g. {id})
// and `signal`, aborted when the page is replaced, for the screen's requests to carry.
// Adding a page: one line here and, if it belongs in the header, one in layout.js.
// `offline: true`: the page works for someone signed in without signal.
const PAGES = [
  { name: 'home', pattern: /^$/, screen: homeScreen },
  { name: 'account', pattern: /^account$/, screen: accountScreen },
  {
    name: 'authenticator',
    pattern: /^authenticator$/,
    screen: (session, actions) => authenticatorScreen(session, actions, { onDone: finishEnrolment }),
  },
  { name: 'staff', pattern: /^staff$/, screen: staffScreen, role: 'admin' },
  {
    name: 'add-incident', pattern: /^incidents\/new$/, screen: addIncidentScreen, offline: true,
  },
  { name: 'outbox', pattern: /^outbox$/, screen: outboxScreen, offline: true },
  {
    name: 'refused-incident', pattern: /^outbox\/(?<item>[0-9a-f]+)\/edit$/, screen: refusedIncidentScreen, offline: true,
  },
  { name: 'incident', pattern: /^incidents\/(?<id>\d+)$/, screen: incidentScreen },
  { name: 'pupil', pattern: /^pupils\/(?<id>\d+)$/, screen: pupilScreen, role: 'key_holder' },
  { name: 'reports', pattern: /^reports$/, screen: reportsScreen, role: 'key_holder' },
  { name: 'admin-categories', pattern: /^admin\/categories$/, screen: adminCategoriesScreen, role: 'admin' },
  { name: 'admin-agencies', pattern: /^admin\/agencies$/, screen: adminAgenciesScreen, role: 'admin' },
  { name: 'admin-pupils', pattern: /^admin\/pupils$/, screen: adminPupilsScreen, role: 'admin' },
  { name: 'admin-settings', pattern: /^admin\/settings$/, screen: adminSettingsScreen, role: 'admin' },
];

const OFFLINE_HOME = { name: 'home', screen: offlineHomeScreen };

function mayOpen(page, session) {
  if (session.offline && !page.offline) return false;
  if (page.role === 'admin') return session.roles.includes('admin');
  if (page.role === 'key_holder') return session.key_holder;
  return true;
}

/** The page the address asks for, with its params; home when none matches or it is not for this user. */
function currentPage() {
  const path = window.location.hash.replace(/^#\/?/, '');
  for (const page of PAGES) {
    const match = page.pattern.exec(path);
    if (match && mayOpen(page, state.session)) return { page, params: match.groups || {} };
  }
  return { page: state.session.offline ? OFFLINE_HOME : PAGES[0], params: {} };
}

function showPage() {
  const { page, params } = currentPage();
  if (page.name !== 'authenticator') state.afterEnrolment = null;
  const pageRequests = new AbortController();
  show(page.screen(state.session, actions, { ...params, signal: pageRequests.signal }), pageRequests);
}

/** Opens a page by its address without the '#/': 'home', 'account', 'incidents/12'. */
function navigate(page) {
  const hash = page === 'home' ? '#/' : `#/${page}`;
  if (window.location.hash === hash) showPage();
  else window.location.hash = hash; // hashchange shows it
}

function setUpDone(session) {
  return !session.password_change_required && !session.authenticator_required;
}

/** Shows what a session may see now: the blank screen, a setup step, or the page asked for. */
function enter(session) {
  state.session = session;
  if (!state.idleClock) startIdle(session);
  state.locked = session.locked;
  if (session.locked) {
    showLock();
  } else if (session.password_change_required) {
    show(firstPasswordScreen(session, actions, { onChanged: refresh }));
  } else if (session.authenticator_required) {
    show(authenticatorScreen(session, actions, { required: true, onDone: refresh }));
  } else if (session.offline) {
    showPage();
    startReplays(session); // sent if the server still knows this device's session
    watchForConnection();
  } else {
    stopWatchingForConnection();
    showPage();
    startReplays(session); // what this user left queued on this device goes now
    startReference(session); // the copy the forms use offline
  }
}

// --- signed in without signal ---------------------------------------------------------------

/**
 * Signed in on this device alone: when the server answers again, carry on with the
 * session it still has for this device, or ask for the password, so that what was
 * recorded can be sent.
 */
async function checkConnection() {
  const { session } = state;
  if (!session || !session.offline) return;
  let fresh;
  try {
    fresh = await api.get('/api/session', { background: true });
  } catch (error) {
    if (state.session !== session || await cannotReachServer(error)) return;
    const unsent = await unsentCount(session.user.id).catch(() => 0);
    endSession({
      email: session.user.email,
      notice: unsent ? `Haven is connected again. Sign in to send the ${unsent === 1 ? 'record'
        : `${unsent} records`} waiting on this device.` : 'Haven is connected again. Sign in to carry on.',
    });
    return;
  }
  if (state.session !== session) return;
  if (fresh.user.id !== session.user.id) {
    endSession({ email: session.user.email, notice: 'Haven is connected again. Sign in to carry on.' });
    return;
  }
  enter(fresh); // the blank screen first, if the server's session was blanked
}

function watchForConnection() {
  stopWatchingForConnection();
  state.backOnlineTimer = window.setInterval(checkConnection, BACK_ONLINE_CHECK_MS);
}

function stopWatchingForConnection() {
  window.clearInterval(state.backOnlineTimer);
  state.backOnlineTimer = null;
}

window.addEventListener('online', () => checkConnection());

/** Asks the server again and shows what it says. A 401 is the session handler's. */
async function refresh() {
  enter(await api.get('/api/session'));
}

async function finishEnrolment() {
  const next = state.afterEnrolment || 'account';
  state.afterEnrolment = null;
  state.session = await api.get('/api/session');
  navigate(next);
}

/** Forgets the session on this page and shows the login screen. */
function endSession(message) {
  stopWaitingToSignOut();
  stopReplays();
  stopReference();
  stopWatchingForConnection();
  if (state.idleClock) state.idleClock.stop();
  state.idleClock = null;
  state.session = null;
  state.locked = false;
  wipe();
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  showLogin(message);
}

/**
 * Records not yet sent stay on this device for their author, sent when they next sign in
 * here. Resolves 'now' (sign out all the same), 'when-sent' (stay signed in until they
 * have gone, then sign out) or 'stay'.
 */
async function askBeforeSigningOut(unsent) {
  const records = unsent === 1 ? '1 record has' : `${unsent} records have`;
  const answer = await chooseAction(root, {
    heading: 'Records not sent yet',
    message: `${records} not reached Haven yet. Haven can sign you out as soon as they are `
      + 'sent (stay connected until then), or you can sign out now: they stay on this device, '
      + 'for you alone, and are sent when you next sign in here.',
    choices: [
      { value: 'when-sent', label: 'Sign out once they are sent', kind: 'primary', testid: 'sign-out-when-sent' },
      { value: 'now', label: 'Sign out anyway', kind: 'danger', testid: 'confirm' },
    ],
  });
  return answer || 'stay';
}

/** Signs out without asking once nothing is queued or sending; what needs attention stays. */
async function signOutIfAllSent(session) {
  if (state.session !== session || state.locked) return;
  const items = await queuedItems(session.user.id);
  if (items.some((item) => item.status === 'queued' || item.status === 'sending')) return;
  stopWaitingToSignOut();
  if (items.some((item) => item.status === 'needs-attention')) {
    navigate('outbox'); // the outbox says what needs attention; signing out is up to them
    return;
  }
  await signOutNow(session, 0);
}

function signOutWhenSent() {
  const { session } = state;
  stopWaitingToSignOut();
  state.stopWaitingToSignOut = watchQueue(() => { signOutIfAllSent(session).catch(() => {}); });
  navigate('outbox');
  replayNow();
}

function stopWaitingToSignOut() {
  if (state.stopWaitingToSignOut) state.stopWaitingToSignOut();
  state.stopWaitingToSignOut = null;
}

/** Ends the server's session; false when the server could not be reached. */
async function endServerSession() {
  await forgetThisDevice();
  try {
    await api.delete('/api/session');
  } catch (error) {
    if (await cannotReachServer(error)) return false;
    // 401: the session had already ended, which is what signing out wanted.
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  return true;
}

async function signOut() {
  const { session } = state;
  const userId = session.user.id;
  // Known at once from the header's count, so signing out is not held up by IndexedDB.
  const unsent = lastKnownUnsent(userId) ?? await unsentCount(userId).catch(() => 0);
  if (unsent > 0) {
    const answer = await askBeforeSigningOut(unsent);
    if (answer === 'when-sent') signOutWhenSent();
    if (answer !== 'now') return;
  }
  await signOutNow(session, unsent);
}

async function signOutNow(session, unsent) {
  const userId = session.user.id;
  const told = session.offline ? false : await endServerSession();
  // Nothing of this person's stays on the device but the records not sent yet.
  await forgetEverythingOf(userId);
  const notices = ['You have signed out.'];
  if (unsent) {
    notices.push('Your unsent records stay on this device and are sent when you next sign in '
      + 'here.');
  }
  if (!told && !session.offline) {
    notices.push('Haven could not reach the server to end your session there: it ends by itself '
      + `after ${session.school.idle_timeout_minutes || DEFAULT_IDLE_MINUTES} minutes.`);
  }
  endSession({ notice: notices.join(' ') });
  tellOtherTabs({ type: 'signed-out', notice: 'You signed out in another tab.' });
}

// --- the blank screen -----------------------------------------------------------------------

function showLock() {
  show(lockScreen({ name: state.session.user.name, onUnlock: unlock, onSignOut: signOut }));
}

function blankNow() {
  state.locked = true;
  wipe();
  showLock();
}

function blankScreen() {
  if (!state.session || state.locked) return;
  // The page is wiped before anything is sent: the request may be slow, the eyes are not.
  blankNow();
  state.lockRequest = api.post('/api/session/lock').catch(() => {
    // Offline, the server cannot lock the session, but this page is blank all the same
    // and asks for the password; a 401 has gone to the session handler.
  });
  tellOtherTabs({ type: 'locked' });
}

/** Carries on without signal when the device's pass opens with this password. */
async function unlockWithoutSignal(password) {
  if (!await passwordOpensPass(state.session, password)) {
    throw new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong password.');
  }
  state.session = { ...state.session, offline: true };
  state.locked = false;
  enter(state.session);
}

async function unlock(password) {
  await state.lockRequest; // an unlock must never overtake the lock
  if (state.session.offline) {
    await unlockWithoutSignal(password);
    return;
  }
  try {
    await api.post('/api/session/unlock', { password });
  } catch (error) {
    if (!await cannotReachServer(error)) throw error;
    await unlockWithoutSignal(password);
    return;
  }
  tellOtherTabs({ type: 'unlocked' });
  await refresh();
  // The password was right: the pass for signing in without signal is made fresh.
  if (state.session && setUpDone(state.session)) {
    rememberSignIn(state.session.user.email, password, state.session);
  }
}

function isBlankScreenShortcut(event) {
  return (event.ctrlKey || event.metaKey) && event.shiftKey && !event.altKey
    && event.key.toLowerCase() === 'l';
}

document.addEventListener('keydown', (event) => {
  if (!isBlankScreenShortcut(event) || !state.session || state.locked) return;
  event.preventDefault();
  blankScreen();
});

// --- the idle timeout -----------------------------------------------------------------------

function signedOutForIdleness(minutes) {
  const notice = `You were signed out after ${minutes} minutes without activity.`;
  endSession({ notice });
  tellOtherTabs({ type: 'signed-out', notice });
  api.delete('/api/session').catch(() => {}); // the server may have ended it already
}

function startIdle(session) {
  const minutes = session.school.idle_timeout_minutes || DEFAULT_IDLE_MINUTES;
  const closeWarning = () => {
    if (state.idleWarning) state.idleWarning.close();
    state.idleWarning = null;
  };
  state.idleClock = startIdleClock({
    minutes,
    onWarning: (deadline) => {
      state.idleWarning = idleWarning(root, {
        deadline, onStay: () => state.idleClock && state.idleClock.activity(),
      });
    },
    onActive: closeWarning,
    onTimeout: () => signedOutForIdleness(minutes),
    // A plain GET (no background header) moves the server's idle deadline on too.
    tellServer: () => (state.session?.offline ? checkConnection() : api.get('/api/session').then((fresh) => {
      if (!state.session) return;
      state.session = fresh;
      if (fresh.locked && !state.locked) blankNow();
    }, () => {})),
    tellOtherTabs: () => tellOtherTabs({ type: 'activity' }),
  });
}

// --- what the server and the other tabs say ----------------------------------------------------

function askForElevation() {
  if (!state.session) return Promise.resolve(false);
  if (!state.elevating) {
    state.elevating = elevationPrompt(root, state.session, {
      onSetUp: () => {
        // Back to the same address (e.g. incidents/12) once the authenticator is set up.
        state.afterEnrolment = window.location.hash.replace(/^#\/?/, '') || 'home';
        navigate('authenticator');
      },
    }).then((elevated) => {
      state.elevating = null;
      if (elevated && state.session) state.session = elevated;
      return Boolean(elevated);
    });
  }
  return state.elevating;
}

function sessionProblem(error) {
  if (!state.session) return; // the screen that asked shows the error itself
  if (state.session.offline) return; // checkConnection() decides
  if (error.code === 'UNAUTHENTICATED') {
    endSession({ problem: 'Your session has ended. Sign in again.' });
  } else if (error.code === 'SESSION_LOCKED') {
    if (!state.locked) blankNow();
  } else {
    // PASSWORD_CHANGE_REQUIRED or AUTHENTICATOR_REQUIRED: a step the server now insists on.
    refresh().catch(() => {});
  }
}

setSessionHandlers({ elevate: askForElevation, sessionProblem });

listenToOtherTabs((message) => {
  if (!state.session) return;
  if (message.type === 'activity' && state.idleClock) state.idleClock.heardFromOtherTab();
  if (message.type === 'locked' && !state.locked) blankNow();
  if (message.type === 'unlocked' && state.locked) refresh().catch(() => {});
  if (message.type === 'signed-out') endSession({ notice: message.notice });
});

window.addEventListener('hashchange', () => {
  const token = takeResetToken();
  if (token) {
    if (state.session) endSession();
    showReset(token);
  } else if (state.session && !state.locked && setUpDone(state.session)) {
    showPage();
  }
});

const actions = {
  blank: blankScreen,
  signOut,
  refresh,
  navigate,
  // The outbox says so, and offers to stay signed in after all.
  signingOutWhenSent: () => Boolean(state.stopWaitingToSignOut),
  staySignedIn: stopWaitingToSignOut,
};

async function start() {
  const token = takeResetToken();
  if (token) {
    showReset(token);
    return;
  }
  forgetOldPasses();
  try {
    enter(await api.get('/api/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showLogin();
    } else if (await cannotReachServer(error)) {
      showLogin({ notice: NO_CONNECTION });
    } else {
      showLogin({ problem: error.message });
    }
  }
}

start();
registerServiceWorker();
