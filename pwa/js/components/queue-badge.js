// The header's link to the outbox, with how many records wait on this device, and a
// calm line when one of them has been sent ("Sent: incident 12").
import { announce, h } from '../dom.js';
import {
  atMostEvery, unsentSummary, waitingForSignIn, watchQueue,
} from '../offline/queue.js';

/** session: the signed-in user, whose queue alone is counted. Returns {badge, news}. */
export function queueBadge(session) {
  const userId = session.user.id;
  const count = h('span', { class: 'queue-badge__count', 'data-testid': 'queue-count' });
  const badge = h('a', {
    href: '#/outbox', class: 'button button--on-dark queue-badge', 'data-testid': 'queue-badge', hidden: true,
  }, 'Outbox', count);
  const news = h('p', { class: 'message message--notice', role: 'status', 'data-testid': 'queue-news' });

  async function refresh() {
    const { unsent, overAWeek } = await unsentSummary(userId);
    count.textContent = String(unsent);
    badge.hidden = unsent === 0;
    // Before the browser could clear it: the badge itself turns to a warning.
    badge.classList.toggle('queue-badge--old', overAWeek);
    badge.title = overAWeek ? 'A record has waited more than a week: open the outbox' : '';
    badge.setAttribute('aria-label', `Outbox: ${unsent} not sent yet`
      + (overAWeek ? ', one has waited more than a week' : '')
      + (waitingForSignIn() ? ', waiting for you to sign in again' : ''));
  }

  const refreshSoon = atMostEvery(250, () => refresh().catch(() => {}));
  const stop = watchQueue((message) => {
    if (badge.dataset.shown && !badge.isConnected) {
      stop(); // the page this header was on has gone
      return;
    }
    if (message.type === 'sent' && message.userId === userId) announce(news, `Sent: ${message.label}.`);
    refreshSoon();
  });
  // Marks the badge as shown once on the page, so a later removal stops the watcher.
  window.setTimeout(() => { badge.dataset.shown = 'yes'; });
  refresh().catch(() => {});
  return { badge, news };
}
