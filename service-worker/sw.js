// Haven's service worker. It only routes events; the work lives in the modules below.
//
// The server prepends one line to this file:
//   const HAVEN_SHELL = {"version": "<hash of the shell files>", "files": ["/", ...]};
// so a change to any shell file changes these bytes, and the browser installs the new
// version. A classic worker with importScripts, not a module worker, because WebKit
// (iPads) has not always supported module service workers.
importScripts('/sw/shell-cache.js', '/sw/push.js', '/sw/queue.js');

self.addEventListener('install', (event) => {
  // No skipWaiting here: a new version waits until the user chooses to reload (the page
  // sends SKIP_WAITING), so a page is never switched to new code in the middle of a form.
  event.waitUntil(HavenShellCache.precache(HAVEN_SHELL));
});

self.addEventListener('activate', (event) => {
  // claim() makes the first page load controlled without a second load, so it works
  // offline from the start.
  event.waitUntil(Promise.all([
    HavenShellCache.deleteOtherVersions(HAVEN_SHELL),
    self.clients.claim(),
  ]));
});

self.addEventListener('fetch', (event) => {
  const response = HavenShellCache.respond(event.request, HAVEN_SHELL);
  if (response) event.respondWith(response);
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('push', (event) => {
  event.waitUntil(HavenPush.show(event.data));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(HavenPush.open(event.notification));
});

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(HavenPush.resubscribe(event));
});

// Background Sync (Chromium): the queue is sent when the browser sees a connection, even
// with Haven closed. A failed replay rejects, so the browser tries again later with its
// own backoff; without the author's session it waits for the page's replay after sign-in.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'haven-queue') return;
  event.waitUntil(HavenQueue.replay().then((outcome) => {
    if (outcome === 'offline' || outcome === 'retry') throw new Error(`Haven's queue: ${outcome}`);
  }));
});
