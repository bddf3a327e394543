// Alerts on this device (web push): whether this browser can have them, turning them on
// and off, the user's other devices, and hearing from the service worker that a push has
// arrived. The account screen shows it; the worker's side is service-worker/push.js.
//
// "On" means the server knows this browser's push subscription for this user: a
// subscription left by someone else on a shared iPad, or by an earlier session, is "off"
// until turned on again (the server then gives it to this user and session).
//
// Tests replace the browser's push service. pushManager.subscribe() asks the browser's
// own push service (Google's, Mozilla's, Apple's) for an endpoint, which a machine
// without the internet cannot reach. A test sets window.havenPushManager before Haven's
// scripts run (Playwright's page.add_init_script) to an object with the two methods of
// PushManager that Haven uses, and this module uses it instead of registration.pushManager:
//   subscribe({userVisibleOnly, applicationServerKey}) → a promise of a subscription
//   getSubscription() → a promise of that subscription, or null
// a subscription being {endpoint, options: {applicationServerKey}, toJSON(), unsubscribe()},
// with an endpoint on 127.0.0.1. Everything else is real: the notification permission,
// the service worker and the server's routes.
import { api } from './api.js';

const WORKER_WAIT_MS = 10000;

/** iPhones and iPads, including an iPad that says it is a Mac (iPadOS's desktop mode). */
function isAppleMobile() {
  return /iPhone|iPad|iPod/.test(navigator.userAgent)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
}

/** Opened from the home screen (an installed app), not in a browser tab. */
function inInstalledApp() {
  return navigator.standalone === true || window.matchMedia('(display-mode: standalone)').matches;
}

/**
 * What this browser allows, before asking anything:
 *   'home-screen': an iPhone or iPad in Safari, where push exists only for apps added to
 *                  the home screen;
 *   'unsupported': no service worker, push or notifications (e.g. private browsing);
 *   'supported'.
 */
export function pushSupport() {
  if (isAppleMobile() && !inInstalledApp()) return 'home-screen';
  const hasPush = 'PushManager' in window || Boolean(window.havenPushManager);
  if (!('serviceWorker' in navigator) || !('Notification' in window) || !hasPush) {
    return 'unsupported';
  }
  return 'supported';
}

/** How to let Haven notify again once the browser blocks it, in this browser's terms. */
export function howToUnblock() {
  const agent = navigator.userAgent;
  if (isAppleMobile()) {
    return 'Open the Settings app, choose Notifications, then Haven, and turn on Allow Notifications.';
  }
  if (/Android/.test(agent)) {
    return 'Tap the icon to the left of the address (in the installed app: hold Haven’s icon '
      + 'and choose App info) and allow Notifications.';
  }
  if (/Firefox\//.test(agent)) {
    return 'Click the icon to the left of the address and remove “Blocked” beside Send notifications.';
  }
  if (/Safari\//.test(agent) && !/Chrome\/|Edg\//.test(agent)) {
    return 'In Safari, open Settings, choose Websites, then Notifications, and choose Allow '
      + 'for this site.';
  }
  return 'Click the icon to the left of the address and set Notifications to Allow.';
}

/** What to do about a browser that cannot have alerts (pushSupport() 'unsupported'). */
export function whereAlertsWork() {
  if (isAppleMobile()) {
    // Installed, yet no push: iOS before 16.4.
    return 'On an iPhone or iPad, alerts need iOS 16.4 or later: update it in Settings, '
      + 'General, Software Update.';
  }
  return 'Private windows never can: open Haven in an ordinary window, or on your phone.';
}

function timeLimit(promise, milliseconds, message) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(message)), milliseconds);
  });
  return Promise.race([promise, late]).finally(() => window.clearTimeout(timer));
}

/** The active service worker's registration: push needs a worker that is running. */
async function workerRegistration() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  if (registration && registration.active) return registration;
  // The first visit: the worker is still installing.
  return timeLimit(navigator.serviceWorker.ready, WORKER_WAIT_MS,
    'Haven’s background worker has not started in this browser. Reload the page, then try again.');
}

async function pushManager() {
  return window.havenPushManager || (await workerRegistration()).pushManager;
}

/** The VAPID key arrives as base64url text; subscribe() wants its bytes. */
function bytesOf(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, '=');
  return Uint8Array.from(window.atob(padded), (character) => character.charCodeAt(0));
}

function sameBytes(buffer, bytes) {
  if (!buffer) return false;
  const other = new Uint8Array(buffer);
  return other.length === bytes.length && other.every((byte, index) => byte === bytes[index]);
}

async function thisEndpoint() {
  const subscription = await (await pushManager()).getSubscription();
  return subscription ? subscription.endpoint : null;
}

/** Fetched when the panel opens, so a tap goes straight to the browser's question. */
export async function serverKey({ signal } = {}) {
  const { public_key: publicKey } = await api.get('/api/push/key', { signal });
  return publicKey;
}

/**
 * Where alerts stand: {state, devices}.
 * state: 'home-screen' | 'unsupported' | 'blocked' | 'on' | 'off' (see pushSupport).
 * devices: the user's devices with alerts, from the server, each marked `thisDevice`.
 */
export async function alertsState({ signal } = {}) {
  const support = pushSupport();
  const [{ subscriptions }, endpoint] = await Promise.all([
    api.get('/api/push/subscriptions', { signal }),
    support === 'supported' && Notification.permission === 'granted' ? thisEndpoint() : null,
  ]);
  const devices = subscriptions.map((device) => ({ ...device, thisDevice: device.endpoint === endpoint }));
  let state = support;
  if (support === 'supported') {
    if (Notification.permission === 'denied') state = 'blocked';
    else state = devices.some((device) => device.thisDevice) ? 'on' : 'off';
  }
  return { state, devices };
}

/**
 * Asks the browser for permission (this must run from a tap or click: Safari refuses
 * otherwise), subscribes with the server's key and tells the server.
 * Returns the permission when it was not granted ('denied' or 'default': the question was
 * dismissed), else 'granted'. Throws ApiError from the server, or an Error whose message
 * says what went wrong in the browser.
 */
export async function turnOnAlerts(publicKey) {
  if (Notification.permission !== 'granted') {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') return permission;
  }
  const key = bytesOf(await publicKey);
  const manager = await pushManager();
  let subscription = await manager.getSubscription();
  // Made with a key the server no longer uses (it was changed): its pushes would fail.
  if (subscription && !sameBytes(subscription.options && subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    } catch (error) {
      throw new Error('Your browser could not reach its push service, so alerts are not on. '
        + `Check the connection, then try again. (${error.message})`);
    }
  }
  await api.post('/api/push/subscriptions', subscription.toJSON());
  return 'granted';
}

/** Stops alerts to this device: the server forgets it first, then the browser. */
export async function turnOffAlerts() {
  const subscription = await (await pushManager()).getSubscription();
  if (!subscription) return;
  await api.delete('/api/push/subscriptions', { body: { endpoint: subscription.endpoint } });
  await subscription.unsubscribe();
}

/**
 * At sign-out: the server stops this device's alerts (it also drops the subscription made
 * in this very session, but this one may date from an earlier session of the person's on
 * this device). The browser's subscription stays, ready for whoever turns alerts on next.
 * Never throws: signing out must not fail for it.
 */
export async function forgetThisDevice() {
  try {
    if (pushSupport() !== 'supported' || Notification.permission !== 'granted') return;
    const endpoint = await timeLimit(thisEndpoint(), 2000, 'no answer from the browser');
    if (endpoint) await api.delete('/api/push/subscriptions', { body: { endpoint } });
  } catch (error) {
    // Signed out anyway; the server still drops this session's own subscription.
  }
}

/** Stops alerts to another of the user's devices (one lost, or no longer used). */
export async function removeDevice(endpoint) {
  await api.delete('/api/push/subscriptions', { body: { endpoint } });
}

/**
 * Calls onPush(kind) whenever the service worker says a push has arrived, until `signal`
 * is aborted (the screen has gone).
 */
export function whenPushArrives(onPush, signal) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'haven-push') onPush(event.data.kind);
  }, { signal });
}
