// One incident, as it was recorded, with the actions added under it since: who it is
// about, what happened, the body map, the files, who was alerted and who has read it.
// Someone alerted marks it as read here; anyone who can see it can add an action, and a
// key holder can add a correction or mark it entered in error.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { agencyChoice } from '../components/agency-choice.js';
import { bodyMap } from '../components/body-map.js';
import { detail } from '../components/details.js';
import { filePicker } from '../components/file-picker.js';
import {
  errorRegion, statusRegion, submitting, uniqueId, written,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { longText } from '../components/long-text.js';
import { SAVED_ON_DEVICE } from '../offline/queue.js';
import { recordSender } from '../components/record-submission.js';
import { staffPicker } from '../components/staff-picker.js';
import {
  ACTION_KINDS, actionKindInWords, linkRoleInWords, sizeInWords, yearAndForm,
} from '../records.js';
import { dateAndTime, timeOfDay } from '../time.js';

function pupilLink(session, pupil) {
  const words = `${pupil.name} (${yearAndForm(pupil)})`;
  // Only key holders have a pupil page; for anyone else the name is enough.
  return session.key_holder
    ? h('a', { href: `#/pupils/${pupil.id}`, 'data-testid': 'pupil-link' }, words)
    : words;
}

function fileLinks(files) {
  return h('ul', { class: 'file-links', 'data-testid': 'incident-files' },
    files.map((file) => h('li', {},
      // The server sends it as an attachment: it downloads, never opens inside Haven.
      h('a', { href: `/api/files/${file.id}`, download: file.name, 'data-testid': 'file-link' }, file.name),
      h('span', { class: 'muted' }, ` ${sizeInWords(file.size)}`))));
}

function record(session, incident, timeZone) {
  const when = (moment) => dateAndTime(new Date(moment), timeZone);
  const linked = incident.linked_pupils.map((link) => h('li', {},
    pupilLink(session, link.pupil), `, ${linkRoleInWords(link.role)}`));
  return h('section', { class: 'card card--wide', 'aria-labelledby': 'record-heading' },
    h('h2', { id: 'record-heading' }, 'The record'),
    h('dl', { class: 'details' },
      detail('Pupil', pupilLink(session, incident.pupil), 'incident-pupil'),
      linked.length ? detail('Also involved', h('ul', { class: 'plain-list' }, linked), 'incident-linked') : [],
      detail(incident.categories.length === 1 ? 'Category' : 'Categories',
        incident.categories.map((category) => category.name).join(', '), 'incident-categories'),
      detail('Happened', when(incident.occurred_at), 'incident-occurred'),
      detail('Recorded', `${when(incident.recorded_at)} by ${incident.author.name}`, 'incident-recorded-by'),
      incident.agencies.length
        ? detail('Agencies', incident.agencies.map((agency) => agency.name).join(', '), 'incident-agencies')
        : []),
    h('h3', { class: 'subheading' }, 'What happened'),
    h('p', { class: 'account-text', 'data-testid': 'incident-account' }, incident.account));
}

/**
 * "Escalated at 10:15: not acknowledged in time": no key holder acknowledged the incident
 * in time, so the school's escalation group was alerted again. The day is said too when
 * it was not today.
 */
function escalationInWords(escalatedAt, timeZone) {
  const moment = new Date(escalatedAt);
  const day = (when) => dateAndTime(when, timeZone).slice(0, 10); // "29/11/2026"
  const at = `at ${timeOfDay(moment, timeZone)}`;
  const when = day(moment) === day(new Date()) ? at : `on ${day(moment)} ${at}`;
  return `Escalated ${when}: not acknowledged in time.`;
}

function alertsSection(alerts, timeZone) {
  if (alerts.length === 0) return null;
  const REASONS = { chosen: 'chosen by the author', slt: 'SLT', category: 'by the category' };
  return h('section', { class: 'card card--wide', 'aria-labelledby': 'alerts-heading' },
    h('h2', { id: 'alerts-heading' }, 'Who was alerted'),
    h('ul', { class: 'item-list', 'data-testid': 'incident-alerts' },
      alerts.map((alert) => h('li', { class: 'item' },
        h('div', { class: 'item__main' },
          h('p', { class: 'item__title' }, alert.user.name),
          h('p', { class: 'item__meta' }, REASONS[alert.reason] || alert.reason)),
        alert.read_at
          ? h('span', { class: 'badge badge--good' }, `Read ${dateAndTime(new Date(alert.read_at), timeZone)}`)
          : h('span', { class: 'badge' }, 'Not read yet')))));
}

function actionsSection(incident, agencyNames, timeZone) {
  const filesOf = (action) => action.files
    || (incident.files || []).filter((file) => file.action_id === action.id);
  const items = incident.actions.map((action) => h('li', {
    class: `action action--${action.kind}`, 'data-testid': 'incident-action',
  },
  h('p', { class: 'action__head' },
    h('span', { class: `badge${action.kind === 'note' ? '' : ' badge--warning'}` },
      actionKindInWords(action.kind)),
    ` ${dateAndTime(new Date(action.recorded_at), timeZone)}, ${action.author.name}`),
  h('p', { class: 'account-text' }, action.text),
  action.agency_ids.length
    ? h('p', { class: 'item__meta' }, 'Agencies: ',
      action.agency_ids.map((id) => agencyNames.get(id) || `agency ${id}`).join(', '))
    : null,
  filesOf(action).length ? fileLinks(filesOf(action)) : null));
  return h('section', { class: 'card card--wide', 'aria-labelledby': 'actions-heading' },
    h('h2', { id: 'actions-heading' }, 'Actions'),
    items.length
      ? h('ol', { class: 'actions', 'data-testid': 'incident-actions' }, items)
      : h('p', { class: 'muted' }, 'No actions yet.'));
}

/** The kind of action, for key holders only: a note, an amendment, entered in error. */
function kindChoice() {
  const name = uniqueId('kind');
  const radios = ACTION_KINDS.map(({ kind, name: label, does }) => {
    const radio = h('input', {
      type: 'radio', name, value: kind, id: uniqueId('kind'), checked: kind === 'note',
    });
    return {
      radio,
      element: h('div', { class: 'checkbox' }, radio,
        h('label', { for: radio.id }, h('span', { class: 'checkbox__name' }, label),
          h('span', { class: 'checkbox__hint' }, does))),
    };
  });
  return {
    element: h('fieldset', { class: 'fieldset' }, h('legend', {}, 'Kind of action'),
      radios.map(({ element }) => element)),
    kind: () => radios.find(({ radio }) => radio.checked)?.radio.value || 'note',
    reset() {
      radios.forEach(({ radio }) => { radio.checked = radio.value === 'note'; });
    },
  };
}

function addActionForm(session, incident, agencies, { onAdded, onAlreadyAdded, onSavedOnDevice }) {
  const alert = errorRegion('action-error');
  const text = longText({
    label: 'What was done', hint: 'A call, a meeting, a referral, advice given: who, what and when.',
    rows: 6, testid: 'action-text',
  });
  const kinds = session.key_holder ? kindChoice() : null;
  // An action alerts only the people chosen for it: nobody is included automatically.
  const staff = staffPicker(session, {
    label: 'Staff to alert about this action', showAlwaysAlerted: false,
  });
  const agencyList = agencyChoice(agencies, { testid: 'action-agencies' });
  const files = filePicker();
  // One key per action, kept across retries: a repeat after a lost answer is the same action.
  const sender = recordSender(`/api/incidents/${incident.id}/actions`, {
    offline: {
      userId: session.user.id, kind: 'action', incidentId: incident.id, label: `an action on incident ${incident.number}`,
    },
    alreadyRecorded: () => {
      onAlreadyAdded(); // shows it in the list of actions
      return ['Your first attempt was already added before the connection dropped: it is in '
        + 'the list of actions. If you really mean to add a second action, submit again.'];
    },
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'add-action' },
    'Add the action');
  const form = h('form', { class: 'record-form', 'data-testid': 'action-form', novalidate: true },
    text.element,
    kinds?.element,
    staff.element,
    agencyList.element,
    files.element,
    h('p', { class: 'notice-strong' }, 'An action cannot be edited after you add it.'),
    alert,
    submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!written(text.textarea, alert, 'Write what was done.')) return;
    let answer;
    const done = await submitting(form, alert, async () => {
      answer = await sender.send({
        text: text.textarea.value,
        kind: kinds ? kinds.kind() : 'note',
        alert_user_ids: staff.chosenIds(),
        agency_ids: agencyList.chosen(),
      }, files.files());
    });
    if (!done) return;
    // A fresh form (the sender has a fresh key): the next action is a new one.
    text.clear();
    kinds?.reset();
    staff.clear();
    agencyList.clear();
    files.clear();
    if (answer.queued) onSavedOnDevice();
    else await onAdded();
  });

  return h('section', { class: 'card card--wide', 'aria-labelledby': 'add-action-heading' },
    h('h2', { id: 'add-action-heading' }, 'Add an action'),
    form);
}

export function incidentScreen(session, actions, { id, signal }) {
  const timeZone = session.school.timezone;
  const heading = h('h1', { tabindex: '-1' }, 'Incident');
  const status = statusRegion('incident-status');
  const banner = h('div', { class: 'banner banner--error', 'data-testid': 'entered-in-error', hidden: true },
    h('p', {}, h('strong', {}, 'Entered in error. '),
      'A key holder has marked this record as made in error. It stays in Haven, as every record does.'));
  const escalated = h('div', { class: 'banner banner--warning', 'data-testid': 'escalated', hidden: true });
  const markRead = h('button', {
    type: 'button', class: 'button button--primary', 'data-testid': 'mark-read', hidden: true,
  }, 'Mark as read');
  const recordHost = h('div', { class: 'stack', 'aria-busy': 'true' },
    h('p', { class: 'muted' }, 'Loading the incident…'));
  const formHost = h('div', {});
  const host = h('div', { class: 'stack incident' },
    h('div', { class: 'page-heading' }, heading, markRead),
    banner, escalated, status, recordHost, formHost);
  const layout = signedInLayout(session, actions, { current: 'incidents', content: host });
  let agencies = [];
  // A late answer, once the page has been left or blanked, must show nothing: not even in the title.
  const gone = () => signal.aborted;
  const showProblem = (error) => {
    if (!gone()) layout.alert.textContent = error.message;
  };

  function show(incident) {
    if (gone()) return;
    heading.textContent = `Incident ${incident.number}`;
    document.title = `Incident ${incident.number} – Haven`;
    banner.hidden = !incident.entered_in_error;
    escalated.hidden = !incident.escalated_at;
    escalated.replaceChildren(...(incident.escalated_at ? [
      h('p', {}, h('strong', {}, escalationInWords(incident.escalated_at, timeZone)),
        ' The school’s escalation group was alerted again.'),
    ] : []));
    const agencyNames = new Map([...agencies, ...incident.agencies].map((agency) => [agency.id, agency.name]));
    const ownFiles = (incident.files || []).filter((file) => !file.action_id);
    // replaceChildren would show a null as the text "null": only the sections there are.
    recordHost.replaceChildren(...[
      record(session, incident, timeZone),
      incident.body_map.length ? h('section', { class: 'card card--wide', 'aria-labelledby': 'map-heading' },
        h('h2', { id: 'map-heading' }, 'Body map'),
        bodyMap({ markers: incident.body_map }).element) : null,
      ownFiles.length ? h('section', { class: 'card card--wide', 'aria-labelledby': 'files-heading' },
        h('h2', { id: 'files-heading' }, 'Files'), fileLinks(ownFiles)) : null,
      actionsSection(incident, agencyNames, timeZone),
      alertsSection(incident.alerts, timeZone),
    ].filter(Boolean));
    recordHost.removeAttribute('aria-busy');
  }

  async function load() {
    show(await api.get(`/api/incidents/${id}`, { signal }));
  }

  markRead.addEventListener('click', async () => {
    markRead.disabled = true;
    layout.alert.textContent = '';
    try {
      const { read_at: readAt } = await api.post(`/api/incidents/${id}/read`);
      markRead.hidden = true;
      heading.focus(); // the button has gone: focus must not fall to the page's end
      announce(status, `Marked as read at ${dateAndTime(new Date(readAt), timeZone)}.`);
      await load();
    } catch (error) {
      showProblem(error);
    } finally {
      markRead.disabled = false;
    }
  });

  async function start() {
    const [answer, alertList, agencyList] = await Promise.allSettled([
      api.get(`/api/incidents/${id}`, { signal }),
      api.get('/api/alerts?unread=1', { signal }),
      api.get('/api/agencies', { signal }),
    ]);
    if (gone()) return;
    agencies = agencyList.status === 'fulfilled' ? agencyList.value.agencies : [];
    if (answer.status === 'rejected') {
      const error = answer.reason;
      recordHost.removeAttribute('aria-busy');
      if (error.status === 404) {
        heading.textContent = 'Incident not found';
        recordHost.replaceChildren(h('p', { 'data-testid': 'incident-missing' },
          'This incident does not exist or you cannot see it.'));
      } else {
        recordHost.replaceChildren();
        layout.alert.textContent = error.message;
      }
      return;
    }
    const incident = answer.value;
    show(incident);
    if (alertList.status === 'fulfilled') {
      markRead.hidden = !alertList.value.alerts.some((alert) => alert.incident_id === incident.id);
    }
    formHost.replaceChildren(addActionForm(session, incident, agencies, {
      onAdded: async () => {
        try {
          await load();
        } catch (error) {
          showProblem(error);
          return;
        }
        announce(status, 'Your action has been added.');
        status.scrollIntoView({ block: 'center' });
      },
      onAlreadyAdded: () => load().catch(showProblem),
      onSavedOnDevice: () => {
        announce(status, SAVED_ON_DEVICE);
        status.scrollIntoView({ block: 'center' });
      },
    }));
  }
  // After the screen is on the page, so an elevation prompt has a page to open over.
  window.setTimeout(start);
  return { title: 'Incident', element: layout.element, focusTarget: heading };
}
