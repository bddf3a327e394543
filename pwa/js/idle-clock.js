// The client's half of the idle timeout. The server ends a session after the school's
// idle_timeout_minutes without user activity; this clock runs on the same minutes, warns
// a minute before, and calls onTimeout at the end, so the screen is wiped no later than
// the server forgets the session.
//
// Only setTimeout and Date.now() measure time here, so a test can drive the clock.

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'touchstart', 'wheel'];
// Once the warning is up, drifting past with the mouse does not answer it: a tap, a click
// or a key does (the warning's own button among them).
const DELIBERATE_EVENTS = new Set(['keydown', 'pointerdown', 'touchstart']);
const WARNING_MS = 60 * 1000;
// The server counts a request the user made as activity. While the user is busy, one
// request a minute is plenty; it is sent at the end of the minute, so that the server's
// deadline always runs at least as long as this clock's.
const TELL_SERVER_EVERY_MS = 60 * 1000;
const TELL_OTHER_TABS_EVERY_MS = 5 * 1000;

/**
 * minutes: the school's idle timeout.
 * onWarning(deadline): time is nearly up (deadline: a Date.now() value).
 * onActive(): activity after a warning; take it away.
 * onTimeout(): the time is up. The clock has stopped itself.
 * tellServer(): send one request that counts as activity.
 * tellOtherTabs(): this tab saw activity (other tabs share the session, and its clock).
 * Returns {activity(), heardFromOtherTab(), stop()}.
 */
export function startIdleClock({
  minutes, onWarning, onActive, onTimeout, tellServer, tellOtherTabs,
}) {
  const timeoutMs = minutes * 60 * 1000;
  const warnAfterMs = timeoutMs - Math.min(WARNING_MS, timeoutMs / 2);
  let lastActivity = Date.now();
  // Signing in or loading the page has just told the server.
  let lastToldServer = Date.now();
  let lastToldTabs = 0;
  let checkTimer = null;
  let serverTimer = null;
  let warning = false;
  let stopped = false;

  function check() {
    window.clearTimeout(checkTimer);
    if (stopped) return;
    const idleFor = Date.now() - lastActivity;
    if (idleFor >= timeoutMs) {
      stop();
      onTimeout();
      return;
    }
    if (idleFor >= warnAfterMs) {
      if (!warning) {
        warning = true;
        onWarning(lastActivity + timeoutMs);
      }
      checkTimer = window.setTimeout(check, lastActivity + timeoutMs - Date.now());
    } else {
      if (warning) {
        warning = false;
        onActive();
      }
      checkTimer = window.setTimeout(check, lastActivity + warnAfterMs - Date.now());
    }
  }

  function tellServerSoon() {
    if (serverTimer !== null) return;
    const wait = Math.max(0, lastToldServer + TELL_SERVER_EVERY_MS - Date.now());
    serverTimer = window.setTimeout(() => {
      serverTimer = null;
      if (stopped) return;
      lastToldServer = Date.now();
      tellServer();
    }, wait);
  }

  function noteActivity() {
    lastActivity = Date.now();
    if (warning) check();
  }

  function activity(event) {
    if (stopped) return;
    if (warning && event && !DELIBERATE_EVENTS.has(event.type)) return;
    noteActivity();
    tellServerSoon();
    if (Date.now() - lastToldTabs >= TELL_OTHER_TABS_EVERY_MS) {
      lastToldTabs = Date.now();
      tellOtherTabs();
    }
  }

  // A tab in the background may run its timers late: look again when it comes back.
  function onVisibility() {
    if (document.visibilityState === 'visible') check();
  }

  function stop() {
    stopped = true;
    window.clearTimeout(checkTimer);
    window.clearTimeout(serverTimer);
    ACTIVITY_EVENTS.forEach((name) => window.removeEventListener(name, activity, true));
    document.removeEventListener('visibilitychange', onVisibility);
  }

  ACTIVITY_EVENTS.forEach((name) => window.addEventListener(name, activity,
    { capture: true, passive: true }));
  document.addEventListener('visibilitychange', onVisibility);
  check();

  return {
    activity: () => activity(),
    heardFromOtherTab: () => {
      if (!stopped) noteActivity();
    },
    stop,
  };
}
