// Record a concern: the pupil, anyone else involved, the categories, what happened and
// when, a body map, files, and who to alert. An incident cannot be edited or deleted
// once submitted, so the pupil is confirmed before it goes. Nothing typed is lost when
// the server refuses it: the form stays as it was, with the reason beside the button.
// A record the server refused after it was kept on the device opens here again from the
// outbox (#/outbox/<item>/edit), filled in, for its author to correct and submit.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { agencyChoice } from '../components/agency-choice.js';
import { bodyMap } from '../components/body-map.js';
import { categoryPicker } from '../components/category-picker.js';
import { dialogActions, openDialog } from '../components/dialog.js';
import { filePicker } from '../components/file-picker.js';
import {
  clearFieldProblems, errorRegion, field, showFieldProblem, submitting, uniqueId,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { longText } from '../components/long-text.js';
import { pupilSearch } from '../components/pupil-search.js';
import { recordSender } from '../components/record-submission.js';
import { staffPicker } from '../components/staff-picker.js';
import { SAVED_ON_DEVICE } from '../offline/queue.js';
import { refusedIncident } from '../offline/refused.js';
import { ageInWords, fromServerOrCopy, watchOfflineCopy } from '../offline/reference.js';
import { fromLocalInput, isoWithOffset, localInputValue } from '../local-time.js';
import {
  LINK_ROLES, linkRoleInWords, pupilInWords, yearAndForm,
} from '../records.js';

// The school's policy asks staff to write these three things, in this order.
const PROMPTS = ['What you saw', 'What you were told, in the child’s own words', 'What you did'];
const NOT_EDITABLE = 'This record cannot be edited after you submit it. Corrections are added as actions.';
const CLOCK_SLACK_MS = 60 * 1000; // a device clock a little ahead of the server's

function section(title, ...children) {
  const id = uniqueId('section');
  return h('section', { class: 'form-section', 'aria-labelledby': id },
    h('h2', { id, class: 'form-section__heading' }, title), ...children);
}

function pupilCard(pupil, ...actions) {
  return h('div', { class: 'pupil-card', 'data-testid': 'chosen-pupil' },
    pupil.photo_url ? h('img', {
      src: pupil.photo_url, alt: '', class: 'pupil-card__photo', width: 64, height: 64,
    }) : null,
    h('div', { class: 'pupil-card__text' },
      h('p', { class: 'pupil-card__name' }, pupil.name),
      h('p', { class: 'pupil-card__meta' }, yearAndForm(pupil))),
    actions.length ? h('div', { class: 'pupil-card__actions' }, actions) : null);
}

/**
 * The pupil the concern is about: a search, then the chosen child with "Change".
 * isLinked(pupil): true for a pupil already among the others involved, who is not offered.
 * choose(pupil): as if chosen in the search (a refused record's pupil).
 */
function mainPupil(userId, isLinked) {
  let chosen = null;
  const host = h('div', {});
  const search = pupilSearch({
    label: 'Which pupil is this about?',
    hint: 'Type part of their name or their form. Check the year and form: a record cannot be deleted.',
    testid: 'pupil-search',
    userId,
    // After "Change pupil", a child already added below must not be named twice.
    exclude: isLinked,
    onChoose: choose,
  });

  function choose(pupil) {
    chosen = pupil;
    show();
  }

  function show() {
    if (!chosen) {
      host.replaceChildren(search.element);
      return;
    }
    const change = h('button', { type: 'button', class: 'button button--secondary button--small' },
      'Change pupil');
    change.addEventListener('click', () => {
      chosen = null;
      show();
      search.input.focus();
    });
    const heading = h('p', { class: 'pupil-card__label', tabindex: '-1' }, 'This concern is about');
    host.replaceChildren(heading, pupilCard(chosen, change));
    heading.focus(); // the search field is gone: focus stays where the choice is shown
  }
  show();
  return {
    element: host, chosen: () => chosen, choose, focusTarget: () => (chosen ? host : search.input),
  };
}

/** Other pupils involved, each with their role: a victim, a witness... add(pupil, role) adds one. */
function linkedPupils(userId, isChosen) {
  const links = [];
  // Read out only: a sighted user sees the row appear or go.
  const status = h('p', { role: 'status', class: 'visually-hidden', 'data-testid': 'linked-pupils-status' });
  const list = h('ul', { class: 'linked-pupils', 'data-testid': 'linked-pupils' });
  const search = pupilSearch({
    label: 'Add another pupil',
    hint: 'Anyone else involved: a victim, an alleged perpetrator, a witness.',
    testid: 'linked-pupil-search',
    userId,
    exclude: (pupil) => isChosen(pupil) || links.some((link) => link.pupil.id === pupil.id),
    onChoose: (pupil) => {
      add(pupil, 'involved');
      announce(status, `${pupil.name} added. Choose their role.`);
      list.querySelectorAll('select')[links.length - 1].focus();
    },
  });

  function row(link) {
    const select = h('select', { id: uniqueId('role'), 'data-testid': 'linked-pupil-role' },
      LINK_ROLES.map(({ role, name }) => h('option', { value: role, selected: role === link.role }, name)));
    select.addEventListener('change', () => {
      link.role = select.value;
    });
    const remove = h('button', { type: 'button', class: 'button button--secondary button--small' },
      'Remove', h('span', { class: 'visually-hidden' }, ` ${link.pupil.name}`));
    remove.addEventListener('click', () => {
      links.splice(links.indexOf(link), 1);
      show();
      announce(status, `${link.pupil.name} removed.`);
      search.input.focus();
    });
    return h('li', { class: 'linked-pupil', 'data-testid': 'linked-pupil' },
      h('div', { class: 'linked-pupil__who' },
        h('p', { class: 'pupil-card__name' }, link.pupil.name),
        h('p', { class: 'pupil-card__meta' }, yearAndForm(link.pupil))),
      h('div', { class: 'field linked-pupil__role' },
        h('label', { for: select.id }, 'Role', h('span', { class: 'visually-hidden' }, ` of ${link.pupil.name}`)),
        select),
      remove);
  }

  function show() {
    list.replaceChildren(...links.map(row));
  }

  function add(pupil, role) {
    links.push({ pupil, role });
    show();
  }
  return {
    element: h('div', {}, list, search.element, status),
    links: () => links.map(({ pupil, role }) => ({ pupil, role })),
    add,
    has: (pupil) => links.some((link) => link.pupil.id === pupil.id),
    search: search.input,
  };
}

function whenItHappened() {
  const input = h('input', { type: 'datetime-local', required: true, step: 60, 'data-testid': 'occurred-at' });
  const now = () => localInputValue(new Date());
  input.value = now();
  input.max = now();
  // The form may stay open a while: "now" moves on.
  input.addEventListener('focus', () => { input.max = now(); });
  return {
    element: field('When did it happen?', input, 'Today, now, unless you are recording it later.'),
    input,
  };
}

function accountField() {
  const prompts = h('div', { class: 'prompts' },
    h('p', { class: 'prompts__heading' }, 'Write down'),
    h('ol', { class: 'prompts__list' }, PROMPTS.map((prompt) => h('li', {}, prompt))));
  return longText({
    label: 'What happened',
    hint: 'In your own words, as soon as you can. Facts, not opinions.',
    aside: prompts,
    testid: 'account',
  });
}

/** "Submit this record?" Resolves true when the author confirms. */
async function confirmSubmission(host, { pupil, links, files }) {
  const submit = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'confirm' },
    'Submit the record');
  // Focus starts on "Go back": Enter by habit must not submit a record about the wrong child.
  const back = h('button', { type: 'button', class: 'button button--secondary', autofocus: true },
    'Go back and check');
  const others = links.map((link) => `${pupilInWords(link.pupil)}, ${linkRoleInWords(link.role)}`);
  const { close, closed } = openDialog(host, {
    heading: 'Submit this record?',
    testid: 'confirm-dialog',
    content: [
      h('p', {}, 'This concern is about:'),
      pupilCard(pupil),
      others.length ? h('p', {}, `Also involved: ${others.join('; ')}.`) : null,
      files.length ? h('p', {}, files.length === 1 ? '1 file goes with it.' : `${files.length} files go with it.`) : null,
      h('p', { class: 'notice-strong' }, NOT_EDITABLE),
      dialogActions(submit, back),
    ],
  });
  submit.addEventListener('click', () => close(true));
  back.addEventListener('click', () => close(false));
  return Boolean(await closed);
}

function savedOnDevice(actions) {
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'incident-saved-on-device' }, 'Saved on this device');
  const again = h('button', { type: 'button', class: 'button button--secondary' }, 'Record another concern');
  again.addEventListener('click', () => actions.navigate('incidents/new'));
  const element = h('div', { class: 'card stack recorded' },
    heading,
    h('p', { 'data-testid': 'saved-on-device' }, SAVED_ON_DEVICE),
    h('p', {}, 'Keep Haven on this device until it has gone: you can follow it in ',
      h('a', { href: '#/outbox' }, 'the outbox'), '.'),
    h('div', { class: 'button-row' }, again));
  return { element, heading };
}

function recorded(incident, actions) {
  const heading = h('h1', { tabindex: '-1', 'data-testid': 'incident-recorded' },
    `Incident ${incident.number} recorded`);
  const alerted = incident.alerts.map((alert) => alert.user.name);
  const again = h('button', { type: 'button', class: 'button button--secondary' }, 'Record another concern');
  again.addEventListener('click', () => actions.navigate('incidents/new'));
  const element = h('div', { class: 'card stack recorded' },
    heading,
    h('p', {}, `The concern about ${pupilInWords(incident.pupil)} is recorded as incident `,
      h('strong', {}, String(incident.number)), '.'),
    alerted.length ? h('p', {}, `Alerted: ${alerted.join(', ')}.`) : null,
    h('div', { class: 'button-row' },
      h('a', { href: `#/incidents/${incident.id}`, class: 'button button--primary', 'data-testid': 'view-incident' },
        `View incident ${incident.number}`),
      again));
  return { element, heading };
}

/** What a refused record held that is no longer there, said where the author chooses again. */
function leftOut(count, text, testid) {
  return count ? [h('p', { class: 'message message--warning', 'data-testid': testid }, text)] : [];
}

/** Said when a refused record's pupil is not among the school's pupils any more. */
function pupilNotFound(refused) {
  const why = refused?.namesUnknown ? 'Haven could not look up the pupil this record was about.'
    : 'The pupil this record was about could not be found: they may have left the school.';
  return leftOut(refused && !refused.pupil, `${why} Choose the pupil again.`, 'pupil-not-found');
}

function refusalBanner(reason) {
  return h('div', { class: 'banner banner--warning', 'data-testid': 'refused-record' },
    h('p', {}, h('strong', {}, 'The server refused this record when this device sent it. '),
      `Its reason: ${reason || 'none was given'}`),
    h('p', {}, 'Correct it below and submit it again. The copy in the outbox goes once this one '
      + 'is sent or saved on this device; if you leave this page, nothing changes.'));
}

/**
 * The record form, in `host` (which the news of its success replaces), and the note that
 * shows when it works from the copy on the device: the elements to put in host.
 * refused: a record the server refused (offline/refused.js), to fill the form in with.
 */
function recordForm(session, actions, host, refused = null) {
  const alert = errorRegion('incident-error');
  // Each search leaves out the pupils the other has: one child is never named twice.
  const userId = session.user.id;
  const pupil = mainPupil(userId, (candidate) => linked.has(candidate));
  const linked = linkedPupils(userId, (candidate) => pupil.chosen()?.id === candidate.id);
  // Without a connection the form works from the copy on the device: say how old it is.
  const offlineCopy = h('div', { class: 'banner banner--warning', 'data-testid': 'offline-copy', hidden: true });
  const stopWatching = watchOfflineCopy((savedAt) => {
    if (!host.isConnected) { // this form has been left
      stopWatching();
      return;
    }
    offlineCopy.hidden = false;
    offlineCopy.replaceChildren(h('p', {}, h('strong', {}, 'No connection. '),
      `The pupils, categories and staff come from this device’s copy ${ageInWords(savedAt)}. `
        + 'What you submit is kept on this device and sent when there is a connection.'));
  });
  const when = whenItHappened();
  const account = accountField();
  const map = bodyMap({ editable: true, markers: refused?.fields.body_map });
  const files = filePicker({ legend: 'Files', legendHidden: true });
  const staff = staffPicker(session);
  const categoriesHost = h('div', {}, h('p', { class: 'muted' }, 'Loading the categories…'));
  const agenciesHost = h('div', {});
  let categories = null;
  let agencies = null;
  // One key for this form, kept across retries: a repeat after a lost answer is the same record.
  const sender = recordSender('/api/incidents', {
    offline: { userId: session.user.id, kind: 'incident', label: 'a new incident' },
    replacing: refused?.id ?? null,
    alreadyRecorded: () => [
      'Your first attempt was already recorded before the connection dropped. You can find it '
        + 'under “Your recent records” on ',
      h('a', { href: '#/', 'data-testid': 'recent-records-link' }, 'the home page'),
      '. Anything new should be added to it as an action. If you really mean to make a second '
        + 'record, submit again.',
    ],
  });

  const submit = h('button', { type: 'submit', class: 'button button--primary button--large', 'data-testid': 'submit-incident' },
    'Submit the record');
  const form = h('form', { class: 'record-form', 'data-testid': 'incident-form', novalidate: true },
    section('The pupil', ...pupilNotFound(refused), pupil.element),
    section('Other pupils involved (optional)', ...leftOut(refused?.missingLinks,
      'Someone else involved in this record could not be found (a pupil who has left, say): '
        + 'add them again if they should be.', 'linked-pupil-not-found'), linked.element),
    section('The concern', categoriesHost, when.element, account.element),
    section('Body map (optional)',
      h('p', { class: 'field__hint' }, 'Tap or click the outline where you saw a mark or an injury, '
        + 'then say what you saw. Do not examine or photograph a child’s body.'),
      map.element),
    section('Files (optional)', files.element),
    section('Who to tell', ...leftOut(refused?.missingStaff,
      'Someone this record was to alert could not be found (their account may have been closed): '
        + 'choose again who to alert.', 'staff-not-found'), staff.element, agenciesHost),
    h('div', { class: 'record-form__end' },
      h('p', { class: 'notice-strong', 'data-testid': 'not-editable' }, NOT_EDITABLE),
      alert,
      submit));

  /**
   * The first thing missing, as {message, target} for the focus, or null.
   * near: where the message goes beside the field, when not the target's own field.
   */
  function problem() {
    if (!pupil.chosen()) return { message: 'Choose the pupil this concern is about.', target: pupil.focusTarget() };
    if (linked.has(pupil.chosen())) {
      return {
        message: `${pupil.chosen().name} is the pupil this concern is about: remove them from the other pupils involved.`,
        target: linked.search,
      };
    }
    if (!categories) {
      return {
        message: 'The categories have not loaded yet: choose at least one once they have.',
        target: categoriesHost.querySelector('button'),
      };
    }
    if (categories.chosen().length === 0) {
      return { message: 'Choose at least one category.', target: categories.first, near: categories.element };
    }
    const occurred = fromLocalInput(when.input.value);
    if (!occurred) return { message: 'Say when it happened: the date and the time.', target: when.input };
    if (occurred.getTime() > Date.now() + CLOCK_SLACK_MS) {
      return { message: 'The time it happened cannot be in the future.', target: when.input };
    }
    if (!account.textarea.value.trim()) {
      return { message: 'Write what happened.', target: account.textarea };
    }
    return null;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldProblems(form);
    const missing = problem();
    if (missing) {
      alert.textContent = missing.message;
      if (missing.target) {
        showFieldProblem(missing.target, missing.message, missing.near);
        missing.target.focus();
      }
      return;
    }
    alert.textContent = '';
    const chosenFiles = files.files();
    const links = linked.links();
    if (!await confirmSubmission(host, { pupil: pupil.chosen(), links, files: chosenFiles })) {
      submit.focus();
      return;
    }
    let incident;
    const done = await submitting(form, alert, async () => {
      incident = await sender.send({
        pupil_id: pupil.chosen().id,
        linked_pupils: links.map((link) => ({ pupil_id: link.pupil.id, role: link.role })),
        category_ids: categories.chosen(),
        account: account.textarea.value,
        occurred_at: isoWithOffset(fromLocalInput(when.input.value)),
        agency_ids: agencies ? agencies.chosen() : [],
        body_map: map.markers(),
        alert_user_ids: staff.chosenIds(),
      }, chosenFiles);
    });
    if (!done) {
      alert.scrollIntoView({ block: 'center' });
      return;
    }
    const success = incident.queued ? savedOnDevice(actions) : recorded(incident, actions);
    host.replaceChildren(success.element);
    window.scrollTo(0, 0);
    success.heading.focus();
  });

  // What the refused record held, in the same fields: corrected, not typed again.
  if (refused) {
    if (refused.pupil) pupil.choose(refused.pupil);
    refused.links.forEach((link) => linked.add(link.pupil, link.role));
    when.input.value = localInputValue(new Date(refused.fields.occurred_at));
    account.set(refused.fields.account);
    files.add(refused.files);
    staff.choose(refused.staff);
  }

  // Loaded apart: the categories are needed to submit, the agencies are not, so a failed
  // agencies list must not hide the categories. A retry reloads only the categories,
  // leaving everything typed in the form as it is.
  function loadCategories({ focus = false } = {}) {
    categoriesHost.replaceChildren(h('p', { class: 'muted' }, 'Loading the categories…'));
    fromServerOrCopy(userId, () => api.get('/api/categories'),
      (reference) => ({ categories: reference.categories })).then(
      (answer) => {
        categories = categoryPicker(answer.categories);
        const retired = refused ? categories.choose(refused.fields.category_ids) : [];
        categoriesHost.replaceChildren(categories.element, ...leftOut(retired.length,
          'A category this record had is no longer in use, so it is not ticked: choose again.',
          'category-not-found'));
        if (focus) categories.first?.focus();
      },
      (error) => {
        const again = h('button', { type: 'button', class: 'button button--secondary', 'data-testid': 'categories-again' },
          'Try again');
        again.addEventListener('click', () => loadCategories({ focus: true }));
        categoriesHost.replaceChildren(
          h('p', { class: 'message message--error', role: 'alert', 'data-testid': 'categories-error' },
            `Haven could not load the categories. ${error.message}`),
          again);
        if (focus) again.focus(); // the button pressed is gone: its replacement has the focus
      },
    );
  }
  loadCategories();
  fromServerOrCopy(userId, () => api.get('/api/agencies'),
    (reference) => ({ agencies: reference.agencies })).then(
    (answer) => {
      agencies = agencyChoice(answer.agencies, {
        hint: 'Any already involved or told about it.', testid: 'agencies',
      });
      const retired = refused ? agencies.choose(refused.fields.agency_ids) : [];
      agenciesHost.replaceChildren(agencies.element, ...leftOut(retired.length,
        'An agency this record named is no longer listed, so it is not ticked.', 'agency-not-found'));
    },
    () => {
      agenciesHost.replaceChildren(h('p', { class: 'muted', 'data-testid': 'agencies-missing' },
        'Agencies could not be loaded; you can add them later as an action.'));
    },
  );

  return [offlineCopy, form];
}

export function addIncidentScreen(session, actions) {
  const heading = h('h1', { tabindex: '-1' }, 'Record a concern');
  const host = h('div', { class: 'stack add-incident' });
  host.append(
    heading,
    h('p', { class: 'lead' }, 'Write it down as soon as you can. The people who need to know are alerted '
      + 'when you submit it.'),
    ...recordForm(session, actions, host),
  );
  const layout = signedInLayout(session, actions, { current: 'incidents/new', content: host });
  return { title: 'Record a concern', element: layout.element, focusTarget: heading };
}

/** A new incident the server refused, from the outbox, in the form to correct and submit. */
export function refusedIncidentScreen(session, actions, { item }) {
  const heading = h('h1', { tabindex: '-1' }, 'Correct a refused record');
  const opening = h('p', { class: 'muted', role: 'status' }, 'Opening the record…');
  const host = h('div', { class: 'stack add-incident' }, heading, opening);
  const layout = signedInLayout(session, actions, { current: 'outbox', content: host });
  // Opened before the form shows, so nothing the author types is overwritten by it.
  refusedIncident(session.user.id, item).then((refused) => {
    if (!refused) {
      opening.replaceWith(h('p', { 'data-testid': 'refused-record-gone' },
        'This record is no longer waiting in the outbox: it may have been sent or corrected '
          + 'already. ', h('a', { href: '#/outbox' }, 'Open the outbox'), '.'));
      return;
    }
    opening.replaceWith(refusalBanner(refused.reason), ...recordForm(session, actions, host, refused));
  }, (error) => {
    opening.replaceWith(h('p', { class: 'message message--error', role: 'alert' },
      `Haven could not open this record. ${error.message}`));
  });
  return { title: 'Correct a refused record', element: layout.element, focusTarget: heading };
}
