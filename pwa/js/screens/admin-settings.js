// School settings, for administrators: how long staff stay signed in, the password rules,
// the authenticator, who is alerted and when, and the school's time zone. Save sends only
// the settings that were changed, and the page then shows the server's values. The server
// checks every value and records each change in the audit trail.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { checkboxFieldset } from '../components/checkboxes.js';
import {
  clearFieldProblems, errorRegion, field, showFieldProblem, statusRegion, submitting, uniqueId,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';

// --- one setting each: its input, value() for the server, show(value) from it ------------
// A setting is {name, element, value(), show(value), problem, target, near, check?()}:
// problem is what is said beside it when the server refuses its value; target is the
// input that is marked invalid and focused, near the block the problem is written in.

/** A whole number in a range (the server's, which it checks too). */
function numberSetting(name, { label, unit, min, max, hint }) {
  const input = h('input', {
    type: 'number', inputmode: 'numeric', min, max, step: 1, name, 'data-testid': `setting-${name}`,
  });
  return {
    name,
    element: field(label, input, `${hint} From ${min} to ${max} ${unit}.`),
    // As typed: a value the server refuses (0, 1.5, nothing) is said beside the field.
    value: () => (input.value === '' ? '' : Number(input.value)),
    show: (value) => { input.value = value; },
    problem: `Enter a whole number of ${unit} from ${min} to ${max}.`,
    target: input,
  };
}

/** One tick box under a legend: a setting that is on or off. */
function onOffSetting(name, { legend, label, hint }) {
  const choice = checkboxFieldset({ legend, name, options: [{ value: name, name: label, hint }] });
  const box = choice.first;
  return {
    name,
    element: choice.element,
    value: () => box.checked,
    show: (value) => { box.checked = value; },
    problem: `Haven could not save “${label}”. Try again.`,
    target: box,
    near: choice.element,
  };
}

function passwordRules() {
  const group = uniqueId('password-policy');
  const hint = h('p', { class: 'field__hint', id: `${group}-hint` },
    'For passwords chosen from now on: passwords already set still work.');
  const options = [
    ['school', 'School',
      '8 or more characters, with upper and lower case letters, a digit and a symbol.'],
    ['nist', 'NIST', '15 or more characters (8 for someone with the authenticator), with no rules '
      + 'about which characters.'],
  ].map(([value, name, does]) => {
    const radio = h('input', { type: 'radio', name: group, value, id: uniqueId(group) });
    return {
      radio,
      element: h('div', { class: 'checkbox' }, radio,
        h('label', { for: radio.id }, h('span', { class: 'checkbox__name' }, name),
          h('span', { class: 'checkbox__hint' }, does))),
    };
  });
  const element = h('fieldset', { class: 'fieldset', 'aria-describedby': hint.id },
    h('legend', {}, 'Password rules'), hint,
    h('div', { class: 'checkbox-group' }, options.map((option) => option.element)));
  return {
    name: 'password_policy',
    element,
    value: () => options.find(({ radio }) => radio.checked)?.radio.value ?? null,
    show: (value) => options.forEach(({ radio }) => { radio.checked = radio.value === value; }),
    problem: 'Choose School or NIST.',
    target: options[0].radio,
    near: element,
  };
}

function escalationRoles() {
  const choice = checkboxFieldset({
    legend: 'Escalate unacknowledged concerns to',
    hint: 'When nobody has read a concern in time (each category says how long, if at all), '
      + 'Haven alerts everyone in these roles who may see it. Choose at least one.',
    name: 'escalation_roles',
    options: [
      { value: 'dsl', name: 'DSLs', hint: 'designated safeguarding leads' },
      { value: 'slt', name: 'Senior leaders', hint: 'the senior leadership team' },
    ],
  });
  const boxes = [...choice.element.querySelectorAll('input')];
  return {
    name: 'escalation_roles',
    element: choice.element,
    value: choice.chosen,
    show: (roles) => boxes.forEach((box) => { box.checked = roles.includes(box.value); }),
    problem: 'Choose at least one: DSLs, senior leaders or both.',
    target: choice.first,
    near: choice.element,
  };
}

/** Off, or a time of day ("15:30"); null is off, as the server says it. */
function endOfDayReminder() {
  const choice = checkboxFieldset({
    legend: 'End-of-day reminder',
    hint: 'On weekdays at this time, everyone with unread alerts is reminded once, by email '
      + 'and on the devices where they have turned alerts on.',
    name: 'end_of_day_reminder',
    options: [{ value: 'on', name: 'Send the reminder' }],
  });
  const on = choice.first;
  const needsATime = 'Enter a time, such as 15:30, or untick the reminder.';
  const time = h('input', {
    type: 'time', name: 'end_of_day_reminder_time', 'data-testid': 'setting-end_of_day_reminder',
  });
  const timeField = field('Time of the reminder', time);
  choice.element.append(timeField);
  const follow = () => { timeField.hidden = !on.checked; };
  on.addEventListener('change', () => {
    follow();
    if (on.checked) time.focus();
  });
  return {
    name: 'end_of_day_reminder',
    element: choice.element,
    value: () => (on.checked ? time.value : null),
    show: (value) => {
      on.checked = value !== null;
      // Turned off, the field hides with the last time in it, for the box to be ticked again.
      if (value !== null) time.value = value;
      follow();
    },
    // The server reads "" as "turn it off" (null would mean "no change").
    request: (value) => value ?? '',
    // An empty time would be sent as "off", when the tick box says on.
    check: () => (on.checked && !time.value ? needsATime : null),
    problem: needsATime,
    target: time,
  };
}

/** Every zone the browser knows, and the school's own even if the browser does not. */
function timeZone() {
  const known = typeof Intl.supportedValuesOf === 'function'
    ? Intl.supportedValuesOf('timeZone') : [];
  const option = (zone) => h('option', { value: zone }, zone.replaceAll('_', ' '));
  const select = h('select', { name: 'timezone', 'data-testid': 'setting-timezone' },
    known.map(option));
  return {
    name: 'timezone',
    element: field('Time zone', select, 'Haven shows times in it, and the end-of-day reminder '
      + 'and quiet hours follow it.'),
    value: () => select.value,
    show: (zone) => {
      if (![...select.options].some((entry) => entry.value === zone)) {
        const later = [...select.options].find((entry) => entry.value > zone);
        select.insertBefore(option(zone), later || null);
      }
      select.value = zone;
    },
    problem: 'Haven does not know this time zone. Choose another.',
    target: select,
  };
}

// --- the screen -----------------------------------------------------------------------------

function section(heading, settings) {
  const id = uniqueId('settings-section');
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, heading), settings.map((setting) => setting.element));
}

/** Equal as the server means it: roles are a set, so their order does not count. */
function same(a, b) {
  const plain = (value) => (Array.isArray(value) ? [...value].sort() : value);
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

/** The settings a VALIDATION_ERROR names ("… idle_timeout_minutes: Input should be …"). */
function refusedIn(message, settings) {
  return settings.filter(({ name }) => new RegExp(`(^|[\\s.;])${name}[.:]`).test(message));
}

export function adminSettingsScreen(session, actions, { signal }) {
  const heading = h('h1', { tabindex: '-1' }, 'School settings');
  const loading = h('p', { class: 'muted' }, 'Loading…');
  const retry = h('button', { type: 'button', class: 'button button--primary', hidden: true },
    'Enter a code');

  const signingIn = [
    numberSetting('idle_timeout_minutes', {
      label: 'Sign staff out after this many minutes without activity',
      hint: 'Haven warns them a minute before. Pages already open change when they are reloaded.',
      unit: 'minutes', min: 1, max: 60,
    }),
    numberSetting('session_lifetime_hours', {
      label: 'Sign everyone out this many hours after they sign in, however active',
      hint: 'For sign-ins from now on.',
      unit: 'hours', min: 1, max: 24,
    }),
    numberSetting('elevation_minutes', {
      label: 'Ask for an authenticator code again after this many minutes',
      hint: 'A code opens restricted records and the administration for this long.',
      unit: 'minutes', min: 1, max: 480,
    }),
    passwordRules(),
    onOffSetting('require_authenticator', {
      legend: 'Authenticator',
      label: 'Everyone must set up the authenticator',
      hint: 'Anyone without it is asked to set it up the next time they use Haven, before '
        + 'anything else.',
    }),
  ];
  const alerting = [
    onOffSetting('always_alert_slt', {
      legend: 'Senior leadership team',
      label: 'Always alert the senior leadership team about new concerns',
      hint: 'Except in categories they may not see. When this is off, they are alerted when '
        + 'a category or the person recording a concern says so.',
    }),
    escalationRoles(),
  ];
  const schoolDay = [timeZone(), endOfDayReminder()];
  const reports = [
    onOffSetting('report_small_numbers', {
      legend: 'Small numbers',
      label: 'Show counts from 1 to 4 as “fewer than 5” in the governors’ report',
      hint: 'So that no child can be recognised from a small number.',
    }),
    numberSetting('pattern_concerns', {
      label: 'A pattern: this many concerns about one pupil…',
      hint: 'The key holders’ Patterns list pupils with this many concerns or more in the days below.',
      unit: 'concerns', min: 2, max: 50,
    }),
    numberSetting('pattern_days', {
      label: '…within this many days',
      hint: 'Counted back from today.',
      unit: 'days', min: 1, max: 90,
    }),
    numberSetting('pattern_rise_factor', {
      label: 'Rising: this many times the usual number of concerns',
      hint: 'A pupil or category whose last four weeks hold this many times their usual count '
        + '(the average of the six four-week periods before) is listed as rising.',
      unit: 'times', min: 2, max: 20,
    }),
  ];
  const settings = [...signingIn, ...alerting, ...schoolDay, ...reports];

  const alert = errorRegion('settings-error');
  const status = statusRegion('settings-status');
  const save = h('button', { type: 'submit', class: 'button button--primary' }, 'Save');
  const form = h('form', {
    class: 'stack', 'data-testid': 'settings-form', novalidate: true, hidden: true,
  },
  section('Signing in', signingIn),
  section('Alerts', alerting),
  section('The school day', schoolDay),
  section('Reports and patterns', reports),
  // By the button, where the eyes are after a save, even on a phone.
  h('div', {}, alert, status, h('div', { class: 'button-row' }, save)));
  let saved = null; // the server's values, as last heard
  // "Saved." is about the values as they were saved, not as they are being changed.
  form.addEventListener('input', () => { status.textContent = ''; });

  function showSaved(values) {
    saved = values;
    settings.forEach((setting) => setting.show(values[setting.name]));
  }

  function markProblems(problems) {
    problems.forEach(([setting, message]) => {
      showFieldProblem(setting.target, message, setting.near);
    });
    problems[0][0].target.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldProblems(form);
    alert.textContent = '';
    const unfinished = settings.map((setting) => [setting, setting.check?.()])
      .filter(([, message]) => message);
    if (unfinished.length) {
      markProblems(unfinished);
      return;
    }
    const changes = {};
    for (const setting of settings) {
      const value = setting.value();
      if (!same(value, saved[setting.name])) {
        changes[setting.name] = setting.request ? setting.request(value) : value;
      }
    }
    if (Object.keys(changes).length === 0) {
      announce(status, 'Nothing has changed.');
      return;
    }
    let refused = [];
    const done = await submitting(form, alert, async () => {
      try {
        showSaved(await api.patch('/api/admin/settings', changes));
      } catch (error) {
        refused = error.code === 'VALIDATION_ERROR' ? refusedIn(error.message, settings) : [];
        if (refused.length) throw new Error('Nothing was saved. Check the settings marked above.');
        throw error;
      }
    });
    if (done) announce(status, 'Saved.');
    else if (refused.length) markProblems(refused.map((setting) => [setting, setting.problem]));
  });

  const host = h('div', { class: 'stack' },
    h('div', { class: 'page-heading' }, heading),
    h('p', { class: 'admin-intro' }, `How Haven works for everyone at ${session.school.name}. `
      + 'Every change is recorded in the audit trail.'),
    loading,
    retry,
    form);
  const layout = signedInLayout(session, actions, { current: 'admin/settings', content: host });

  async function load() {
    retry.hidden = true;
    try {
      showSaved(await api.get('/api/admin/settings', { signal }));
      form.hidden = false;
    } catch (error) {
      if (error.name === 'AbortError') return; // the page has been left
      layout.alert.textContent = error.code === 'ELEVATION_REQUIRED'
        ? 'School settings need a code from your authenticator.'
        : error.message;
      // Cancelling the authenticator prompt leaves the page empty: this asks again.
      retry.hidden = error.code !== 'ELEVATION_REQUIRED';
    } finally {
      loading.remove();
    }
  }

  retry.addEventListener('click', () => {
    layout.alert.textContent = '';
    load();
  });
  // Asked for once the screen is on the page, so an elevation prompt has a page to open over.
  window.setTimeout(load);
  return { title: 'School settings', element: layout.element, focusTarget: heading };
}
