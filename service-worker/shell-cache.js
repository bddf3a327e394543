// The app shell cache: the HTML, CSS, JavaScript and icons that Haven needs to start
// without a network. It holds nothing from /api/: those answers carry personal data, and
// a copy left on a shared iPad is a data breach.
//
// Loaded into the service worker with importScripts, so it defines one global.

const HavenShellCache = (() => {
  const PREFIX = 'haven-shell-';

  const cacheName = (shell) => PREFIX + shell.version;

  async function precache(shell) {
    const cache = await caches.open(cacheName(shell));
    // cache: 'reload' goes past the HTTP cache, so a new version never stores an old copy.
    await cache.addAll(shell.files.map((path) => new Request(path, { cache: 'reload' })));
  }

  async function deleteOtherVersions(shell) {
    const current = cacheName(shell);
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== current)
      .map((name) => caches.delete(name)));
  }

  async function fromShell(shell, path) {
    const cache = await caches.open(cacheName(shell));
    return cache.match(path, { ignoreVary: true });
  }

  // Pages come from the network when there is one, so a signed-out or moved page is
  // never served stale; without a network, the cached shell starts the app.
  // A proxy in front of a stopped Haven answers 502/503/504: that is "offline" too.
  const UNREACHABLE = new Set([502, 503, 504]);

  async function networkFirst(request, shell) {
    let response;
    try {
      response = await fetch(request);
    } catch (error) {
      const page = await fromShell(shell, '/index.html');
      if (page) return page;
      throw error;
    }
    if (!UNREACHABLE.has(response.status)) return response;
    return (await fromShell(shell, '/index.html')) || response;
  }

  // Shell files change only with a new version (and a new cache), so the cache is right.
  async function cacheFirst(request, shell, path) {
    return (await fromShell(shell, path)) || fetch(request);
  }

  /** A promise of the response for a request, or null to leave it to the browser. */
  function respond(request, shell) {
    if (request.method !== 'GET') return null;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin) return null;
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return null;
    if (request.mode === 'navigate') return networkFirst(request, shell);
    if (shell.files.includes(url.pathname)) return cacheFirst(request, shell, url.pathname);
    return null;
  }

  return Object.freeze({ precache, deleteOtherVersions, respond });
})();
