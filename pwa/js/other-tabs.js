// Tabs of Haven in one browser share one session (one cookie). What one tab does to the
// session, the others must follow: blank the screen, come back, sign out. And activity
// in one tab keeps the others from timing the session out under the user's feet.

const channel = 'BroadcastChannel' in window ? new BroadcastChannel('haven-session') : null;

/** message: {type: 'activity' | 'locked' | 'unlocked' | 'signed-out', notice?} */
export function tellOtherTabs(message) {
  if (channel) channel.postMessage(message);
}

export function listenToOtherTabs(handler) {
  if (channel) channel.addEventListener('message', (event) => handler(event.data || {}));
}
