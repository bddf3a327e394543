// The page's side of the service worker: registers /sw.js and, when a new version has
// installed and is waiting, lets the user choose when to switch to it.
import { showUpdateBanner } from './update-banner.js';

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  // The first install also fires controllerchange (the new worker claims this page); only
  // a page that already had a controller is switching versions.
  let controlled = Boolean(container.controller);
  let updateAccepted = false;

  container.addEventListener('controllerchange', () => {
    if (updateAccepted) {
      window.location.reload();
    } else if (controlled) {
      // Another tab applied the update. Reloading here could lose what is being typed,
      // so offer it instead.
      showUpdateBanner(() => window.location.reload());
    }
    controlled = true;
  });

  let registration;
  try {
    // updateViaCache 'none': update checks for sw.js and its imported modules skip the
    // HTTP cache, so a new version is noticed on the next check.
    registration = await container.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  } catch (error) {
    console.warn('Haven could not register its service worker; it will not work offline.', error);
    return;
  }

  const offerUpdate = () => showUpdateBanner(() => {
    updateAccepted = true;
    if (registration.waiting) {
      registration.waiting.postMessage({ type: 'SKIP_WAITING' });
    } else {
      window.location.reload();
    }
  });

  if (registration.waiting && container.controller) offerUpdate();
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) offerUpdate();
    });
  });

  // An installed app on an iPad can stay open for days; look for a new version whenever
  // it comes back to the foreground, not only on navigation.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => {});
  });
}
