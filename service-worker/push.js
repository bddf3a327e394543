// Push alerts in the service worker: shows what the server pushes as a notification,
// tells open Haven windows so their alert lists refresh, opens Haven at the incident when
// a notification is tapped, and subscribes again when the browser replaces a subscription.
//
// A push holds no pupil data ({kind, title, body, url, tag}: who raised a concern and its
// category), and nothing here adds any: a notification shows on a locked phone's screen.
//
// Loaded into the service worker with importScripts, so it defines one global.

const HavenPush = (() => {
  const ICON = '/icons/icon-192.png';
  const HOME = '/#';
  // The record form: a window showing it may hold a half-written concern.
  const FORM = /^#\/?incidents\/new$/;

  /** A same-origin address from the push, or Haven's home: a push never opens another site. */
  function havenUrl(address) {
    try {
      const url = new URL(address, self.location.origin);
      if (url.origin === self.location.origin) return url.href;
    } catch {
      // not an address at all
    }
    return new URL(HOME, self.location.origin).href;
  }

  /** The push's JSON; a push that cannot be read still shows an alert (see show()). */
  function readPush(data) {
    let push = {};
    try {
      push = (data && data.json()) || {};
    } catch {
      push = {};
    }
    return {
      kind: typeof push.kind === 'string' ? push.kind : 'alert',
      title: typeof push.title === 'string' && push.title ? push.title : 'Haven',
      body: typeof push.body === 'string' && push.body ? push.body : 'You have a new alert in Haven.',
      url: havenUrl(typeof push.url === 'string' ? push.url : HOME),
      tag: typeof push.tag === 'string' && push.tag ? push.tag : 'haven',
    };
  }

  async function windows() {
    return self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  }

  /**
   * Every push shows a notification, even one that cannot be read: the subscription
   * promised the browser that pushes are visible (userVisibleOnly), and browsers stop
   * the pushes of sites that break that promise.
   */
  async function show(data) {
    const push = readPush(data);
    await Promise.all([
      self.registration.showNotification(push.title, {
        body: push.body,
        icon: ICON,
        badge: ICON,
        // One notification per incident: a second push about it replaces the first,
        // and still alerts (renotify) rather than changing silently.
        tag: push.tag,
        renotify: true,
        data: { url: push.url, kind: push.kind },
      }),
      tellWindows(push.kind),
    ]);
  }

  /** Open Haven windows refresh their alert lists (home.js), notification or not. */
  async function tellWindows(kind) {
    for (const client of await windows()) client.postMessage({ type: 'haven-push', kind });
  }

  /** "/#incidents/12" and "/#/incidents/12" are the same page of the app. */
  function page(address) {
    const url = new URL(address);
    return url.pathname + url.hash.replace(/^#\/?/, '#');
  }

  function windowFor(clients, url) {
    const showing = clients.find((client) => page(client.url) === page(url));
    if (showing) return showing;
    const free = clients.filter((client) => !FORM.test(new URL(client.url).hash));
    return free.find((client) => client.focused)
      || free.find((client) => client.visibilityState === 'visible')
      || free[0]
      || null;
  }

  /**
   * Opens Haven at the notification's address: in a Haven window already open (but never
   * one holding the record form, which a jump would empty), else in a new window.
   * The address is only the hash of a page (/#incidents/123), so an open window changes
   * page without reloading; the app then asks the server, which checks who may see it.
   */
  async function open(notification) {
    const url = havenUrl(notification.data && notification.data.url);
    const client = windowFor(await windows(), url);
    if (!client) return self.clients.openWindow(url);
    let shown = client;
    if (page(client.url) !== page(url)) {
      try {
        shown = (await client.navigate(url)) || client;
      } catch {
        // navigate() works only in windows this worker controls.
        return self.clients.openWindow(url);
      }
    }
    try {
      return await shown.focus();
    } catch {
      // The browser decides when a window may come to the front (only soon after the
      // tap); the page has changed all the same.
      return shown;
    }
  }

  async function serverKey() {
    const response = await fetch('/api/push/key', { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`GET /api/push/key answered ${response.status}`);
    return (await response.json()).public_key;
  }

  /**
   * The browser ended a subscription (it expired, or the push service replaced it):
   * subscribe again with the same key and give the new one to the server. The session
   * cookie says whose device it is; without a session (signed out) the server refuses,
   * and alerts stay off until someone turns them on.
   */
  async function resubscribe(event) {
    let subscription = event.newSubscription;
    if (!subscription) {
      const old = event.oldSubscription;
      const applicationServerKey = (old && old.options && old.options.applicationServerKey)
        || await serverKey();
      subscription = await self.registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey,
      });
    }
    const response = await fetch('/api/push/subscriptions', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        'Content-Type': 'application/json',
        'X-Requested-With': 'haven',
        'X-Haven-Background': '1', // not the user's activity: the idle timeout runs on
      },
      body: JSON.stringify(subscription.toJSON()),
    });
    // Only a 2xx means the server has it; anything else is an error the browser reports.
    if (!response.ok) throw new Error(`POST /api/push/subscriptions answered ${response.status}`);
  }

  return Object.freeze({ show, open, resubscribe });
})();
