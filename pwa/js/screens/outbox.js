// The outbox: records kept on this device until they reach the server. Queued and
// sending ones, those the server refused (needs attention: the full content, to correct
// and send, send again as it is, or copy), and those sent in the last day. Only the
// signed-in user's. A refused incident is corrected in the record form
// (#/outbox/<item>/edit); a refused action's text, here in its card.
import { h } from '../dom.js';
import { signedInLayout } from '../components/layout.js';
import {
  errorRegion, statusRegion, submitting, written,
} from '../components/form.js';
import { longText } from '../components/long-text.js';
import { recordSender } from '../components/record-submission.js';
import {
  SAVED_ON_DEVICE, WEEK_MS, atMostEvery, queuedContent, queuedFiles, queuedItems, replayNow,
  sendAgain, waitingForSignIn, watchQueue,
} from '../offline/queue.js';
import { dateAndTime } from '../time.js';

// An action refused with these: its author can no longer see the incident, and no
// correction of the text changes that.
const NO_ACCESS = new Set([403, 404]);

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

/**
 * A refused action's text, in a field in its card, to correct and send with a key of its
 * own. onDone(news) once it is sent or kept (news says which), onDone(null) on Cancel.
 * Returns {element, focusTarget}.
 */
function actionCorrection(session, item, content, onDone) {
  const text = longText({ label: 'What was done', rows: 6, testid: 'corrected-action-text' });
  text.set(content.fields.text);
  const alert = errorRegion('corrected-action-error');
  const send = h('button', { type: 'submit', class: 'button button--primary button--small', 'data-testid': 'send-corrected' },
    'Send the action');
  const cancel = h('button', { type: 'button', class: 'button button--secondary button--small' }, 'Cancel');
  cancel.addEventListener('click', () => onDone(null));
  const element = h('form', { class: 'stack', 'data-testid': 'action-correction', novalidate: true },
    text.element, alert, h('div', { class: 'button-row' }, send, cancel));
  // The refused copy stays in the outbox until this one is sent or kept in its place.
  const sender = recordSender(content.path, {
    offline: {
      userId: session.user.id, kind: 'action', incidentId: item.incidentId, label: content.label,
    },
    replacing: item.id,
    alreadyRecorded: () => ['Your first attempt was already added before the connection dropped. '
      + 'If you really mean to add a second action, send it again.'],
  });
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!written(text.textarea, alert, 'Write what was done.')) return;
    let answer;
    const done = await submitting(element, alert, async () => {
      answer = await sender.send({ ...content.fields, text: text.textarea.value }, queuedFiles(content));
    });
    if (done) onDone(answer.queued ? SAVED_ON_DEVICE : `Sent: ${content.label}.`);
  });
  return { element, focusTarget: text.textarea };
}

function refusalInWords(item, content) {
  if (item.lastError?.code === 'UNREADABLE') {
    return 'This device could not read this record back (its browser storage may have been '
      + 'damaged). It stays here; tell your DSL what it was about.';
  }
  const refused = `The server refused it: ${content?.errorMessage || 'no reason given'}.`;
  if (item.kind === 'action' && NO_ACCESS.has(item.lastError?.status)) {
    return `${refused} You can no longer see that incident, so this action cannot be added to `
      + 'it. It stays here: copy the text and give it to your DSL.';
  }
  return `${refused} It stays here until it is sent. If something has changed (a pupil has `
    + 'left, say), edit it and send it; or send it again as it is, or copy the text.';
}

/** "Edit and send": the record form for an incident, the text in the card for an action. */
function editButton(item, content, corrections) {
  const attributes = { class: 'button button--primary button--small', 'data-testid': 'edit-and-send' };
  if (item.kind === 'incident') {
    return h('a', { href: `#/outbox/${item.id}/edit`, ...attributes }, 'Edit and send');
  }
  const button = h('button', { type: 'button', ...attributes }, 'Edit and send');
  button.addEventListener('click', () => corrections.open(item, content));
  return button;
}

/** What the author can do with a refused record: correct it, send it again, copy it. */
function refusedChoices(session, item, content, corrections) {
  const correction = corrections.get(item.id);
  if (correction) return correction.element;
  const copy = content ? copyButton(writtenText(content)) : null;
  if (item.kind === 'action' && NO_ACCESS.has(item.lastError?.status)) {
    return h('div', { class: 'button-row' }, copy);
  }
  const again = h('button', { type: 'button', class: 'button button--secondary button--small', 'data-testid': 'send-again' },
    'Send again');
  again.addEventListener('click', () => sendAgain(session.user.id, item.id));
  return h('div', { class: 'button-row' },
    content ? editButton(item, content, corrections) : null, again, copy);
}

/** corrections: the refused actions being corrected in their cards ({get(id), open()}). */
function itemCard(session, item, content, corrections) {
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
    parts.unshift(h('p', { class: 'message message--error', 'data-testid': 'outbox-problem' },
      refusalInWords(item, content)));
    parts.push(refusedChoices(session, item, content, corrections));
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
  const news = statusRegion('outbox-news');
  const warning = h('div', { class: 'banner banner--error', 'data-testid': 'outbox-old-warning', hidden: true });
  const list = h('ul', { class: 'outbox-list stack', 'data-testid': 'outbox-list' });
  const sendNow = h('button', { type: 'button', class: 'button button--secondary' }, 'Try sending now');
  sendNow.addEventListener('click', () => replayNow());
  const host = h('div', { class: 'stack outbox' },
    heading,
    h('p', { class: 'lead' }, 'Records you wrote on this device wait here until they reach Haven. '
      + 'They are sent automatically when there is a connection.'),
    signingOutNotice(actions), warning, status, news, list, h('div', { class: 'button-row' }, sendNow));
  const layout = signedInLayout(session, actions, { current: 'outbox', content: host });
  const userId = session.user.id;
  // Refused actions being corrected, by item id: kept across redraws of the list (any
  // record's news redraws it), so nothing the author is typing is lost.
  const open = new Map();
  const corrections = {
    get: (id) => open.get(id),
    open(item, content) {
      const correction = actionCorrection(session, item, content, (said) => {
        open.delete(item.id);
        if (said) news.textContent = said;
        show().catch(() => {});
      });
      open.set(item.id, correction);
      show().then(() => correction.focusTarget.focus(), () => {});
    },
  };

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
    const focused = document.activeElement;
    list.replaceChildren(...(items.length ? items.map((item, i) => itemCard(session, item, contents[i], corrections))
      : [h('li', { class: 'muted', 'data-testid': 'outbox-empty' }, 'Nothing is waiting on this device.')]));
    // A correction being typed has moved into its new card: the focus goes with it.
    if (focused !== document.activeElement && list.contains(focused)) focused.focus();
  }

  const showSoon = atMostEvery(250, () => show().catch(() => {}));
  const stop = watchQueue(() => {
    if (!host.isConnected) {
      stop();
      return;
    }
    showSoon();
  });
  show().catch((error) => { layout.alert.textContent = error.message; });
  return { title: 'Outbox', element: layout.element, focusTarget: heading };
}
