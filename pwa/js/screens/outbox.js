// The outbox: records kept on this device until they reach the server. Queued and
// sending ones, those the server refused (needs attention: the full content, to fix or
// copy, and send again), and those sent in the last day. Only the signed-in user's.
import { h } from '../dom.js';
import { signedInLayout } from '../components/layout.js';
import { statusRegion } from '../components/form.js';
import {
  WEEK_MS, queuedContent, queuedItems, replayNow, sendAgain, waitingForSignIn, watchQueue,
} from '../offline/queue.js';
import { dateAndTime } from '../time.js';

const STATUS_IN_WORDS = {
  queued: 'Waiting to be sent',
  sending: 'Sending',
  'needs-attention': 'Needs your attention',
  sent: 'Sent',
};

function kindInWords(item, content) {
  if (item.status === 'sent') return item.label ? item.label[0].toUpperCase() + item.label.slice(1) : 'Record';
  return content?.label ? content.label[0].toUpperCase() + content.label.slice(1)
    : (item.kind === 'incident' ? 'A new incident' : 'An action');
}

/** What was written, as the author wrote it: the account or the action's text. */
function writtenText(content) {
  return content.fields.account ?? content.fields.text ?? '';
}

function copyButton(text) {
  const button = h('button', { type: 'button', class: 'button button--secondary button--small', 'data-testid': 'copy-text' },
    'Copy the text');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select the text above and copy it';
    }
  });
  return button;
}

function itemCard(session, item, content) {
  const timeZone = session.school.timezone;
  const when = dateAndTime(new Date(item.createdAt), timeZone);
  const parts = [
    h('h3', { class: 'outbox-item__title' }, kindInWords(item, content)),
    h('p', { class: 'muted' }, `Written ${when}. ${STATUS_IN_WORDS[item.status]}.`),
  ];
  if (content) {
    const files = content.files.map((file) => file.name).join(', ');
    parts.push(h('p', { class: 'outbox-item__text', 'data-testid': 'outbox-text' }, writtenText(content)));
    if (files) parts.push(h('p', { class: 'muted' }, `Files: ${files}`));
  }
  if (item.status === 'needs-attention') {
    const again = h('button', { type: 'button', class: 'button button--primary button--small', 'data-testid': 'send-again' },
      'Send again');
    again.addEventListener('click', () => sendAgain(session.user.id, item.id));
    const problem = item.lastError?.code === 'UNREADABLE'
      ? 'This device could not read this record back (its browser storage may have been damaged). '
        + 'It stays here; tell your DSL what it was about.'
      : `The server refused it: ${content?.errorMessage || 'no reason given'}. It stays here until `
        + 'it is sent. If something has changed (a pupil has left, say), copy the text into a new '
        + 'record; or send it again.';
    parts.unshift(h('p', { class: 'message message--error', 'data-testid': 'outbox-problem' }, problem));
    parts.push(h('div', { class: 'button-row' }, again, content ? copyButton(writtenText(content)) : null));
  }
  return h('li', { class: `card outbox-item outbox-item--${item.status}`, 'data-testid': 'outbox-item', 'data-status': item.status },
    ...parts);
}

/** While Haven waits to sign the person out once everything is sent: say so, and undo. */
function signingOutNotice(actions) {
  if (!actions.signingOutWhenSent()) return null;
  const stay = h('button', { type: 'button', class: 'button button--secondary button--small', 'data-testid': 'stay-signed-in' },
    'Stay signed in');
  const notice = h('div', { class: 'banner banner--warning', 'data-testid': 'signing-out-when-sent' },
    h('p', {}, 'You will be signed out as soon as these records are sent. Keep Haven open and '
      + 'connected until then.'),
    stay);
  stay.addEventListener('click', () => {
    actions.staySignedIn();
    notice.remove();
  });
  return notice;
}

export function outboxScreen(session, actions) {
  const heading = h('h1', { tabindex: '-1' }, 'Outbox');
  const status = statusRegion('outbox-status');
  const warning = h('div', { class: 'banner banner--error', 'data-testid': 'outbox-old-warning', hidden: true });
  const list = h('ul', { class: 'outbox-list stack', 'data-testid': 'outbox-list' });
  const sendNow = h('button', { type: 'button', class: 'button button--secondary' }, 'Try sending now');
  sendNow.addEventListener('click', () => replayNow());
  const host = h('div', { class: 'stack outbox' },
    heading,
    h('p', { class: 'lead' }, 'Records you wrote on this device wait here until they reach Haven. '
      + 'They are sent automatically when there is a connection.'),
    signingOutNotice(actions), warning, status, list, h('div', { class: 'button-row' }, sendNow));
  const layout = signedInLayout(session, actions, { current: 'outbox', content: host });
  const userId = session.user.id;

  async function show() {
    const items = await queuedItems(userId);
    const contents = await Promise.all(items.map((item) => (item.status === 'sent'
      ? null : queuedContent(userId, item.id).catch(() => null))));
    const old = items.filter((item) => item.status !== 'sent' && Date.now() - item.createdAt > WEEK_MS);
    warning.hidden = old.length === 0;
    warning.replaceChildren(h('p', {}, h('strong', {}, 'Some records have waited more than a week. '),
      'Connect this device to the internet and open Haven now: a browser may clear what a site '
        + 'keeps if it is not used, and these records are only on this device.'));
    status.textContent = waitingForSignIn() ? 'Sign in again to send these records.' : '';
    list.replaceChildren(...(items.length ? items.map((item, i) => itemCard(session, item, contents[i]))
      : [h('li', { class: 'muted', 'data-testid': 'outbox-empty' }, 'Nothing is waiting on this device.')]));
  }

  const stop = watchQueue(() => {
    if (!host.isConnected) {
      stop();
      return;
    }
    show().catch(() => {});
  });
  show().catch((error) => { layout.alert.textContent = error.message; });
  return { title: 'Outbox', element: layout.element, focusTarget: heading };
}
