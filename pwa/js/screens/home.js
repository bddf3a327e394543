// The signed-in home screen: "Record a concern" first, then the alerts waiting for you,
// the records you wrote lately and, for key holders, a way to find a pupil. Your account's
// details stay at the foot of the page (and on the Account page).
import { api } from '../api.js';
import { h } from '../dom.js';
import { detail } from '../components/details.js';
import { signedInLayout } from '../components/layout.js';
import { pupilSearch } from '../components/pupil-search.js';
import { pupilInWords } from '../records.js';
import { rolesInWords } from '../roles.js';
import { dateAndTime, timeOfDay } from '../time.js';

function card(id, title, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title), ...children);
}

/** A list that fills itself once its answer arrives; an error is said in the list's place. */
function loadInto(host, request, { item, empty, testid }) {
  const element = h('div', { 'data-testid': testid, 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  request.then((entries) => {
    element.replaceChildren(entries.length
      ? h('ul', { class: 'item-list' }, entries.map(item))
      : h('p', { class: 'muted' }, empty));
  }, (error) => {
    element.replaceChildren(h('p', { class: 'message message--error' }, error.message));
  }).finally(() => element.removeAttribute('aria-busy'));
  host.append(element);
}

function alertItem(alert, timeZone) {
  const categories = alert.categories.join(', ');
  return h('li', { class: 'item', 'data-testid': 'unread-alert' },
    h('div', { class: 'item__main' },
      h('p', { class: 'item__title' },
        h('a', { href: `#/incidents/${alert.incident_id}` }, `Incident ${alert.incident_number}`,
          categories ? `: ${categories}` : '')),
      h('p', { class: 'item__meta' },
        `Raised by ${alert.raised_by}, ${dateAndTime(new Date(alert.created_at), timeZone)}`)));
}

function incidentItem(incident, timeZone) {
  return h('li', { class: 'item', 'data-testid': 'my-incident' },
    h('div', { class: 'item__main' },
      h('p', { class: 'item__title' },
        h('a', { href: `#/incidents/${incident.id}` },
          `Incident ${incident.number}: ${pupilInWords(incident.pupil)}`)),
      h('p', { class: 'item__meta' },
        `${incident.categories.join(', ')}; happened ${dateAndTime(new Date(incident.occurred_at), timeZone)}`),
      incident.entered_in_error
        ? h('ul', { class: 'badges' }, h('li', { class: 'badge badge--warning' }, 'Entered in error'))
        : null));
}

function accountCard(session) {
  const { user, school, roles, key_holder: keyHolder } = session;
  const elevatedUntil = session.elevated_until ? new Date(session.elevated_until) : null;
  const elevation = elevatedUntil && elevatedUntil > new Date()
    ? detail('Elevated access', `Until ${timeOfDay(elevatedUntil, school.timezone)}`, 'elevated-until')
    : [];
  return card('account-heading', 'Your account',
    h('dl', { class: 'details' },
      detail('Email', user.email, 'user-email'),
      detail(roles.length === 1 ? 'Role' : 'Roles', rolesInWords(roles), 'roles'),
      detail('Key holder', keyHolder ? 'Yes' : 'No', 'key-holder'),
      detail('Authenticator', session.totp_enrolled ? 'Set up' : 'Not set up', 'authenticator'),
      elevation),
    h('p', {}, h('a', { href: '#/account' }, 'Your password, authenticator and sessions')));
}

export function homeScreen(session, actions) {
  const timeZone = session.school.timezone;
  const heading = h('h1', { tabindex: '-1' }, 'Signed in as ', session.user.name);

  const alerts = card('alerts-heading', 'Alerts for you');
  loadInto(alerts, api.get('/api/alerts?unread=1').then((answer) => answer.alerts), {
    item: (alert) => alertItem(alert, timeZone), empty: 'No unread alerts.', testid: 'unread-alerts',
  });
  const mine = card('mine-heading', 'Your recent records');
  loadInto(mine, api.get('/api/incidents?mine=1&per_page=10').then((answer) => answer.incidents), {
    item: (incident) => incidentItem(incident, timeZone),
    empty: 'You have not recorded a concern yet.',
    testid: 'my-incidents',
  });

  const findPupil = session.key_holder ? card('find-pupil-heading', 'Find a pupil',
    pupilSearch({
      label: 'Pupil’s name or form',
      hint: 'Opens their page: every incident and action, in order.',
      testid: 'find-pupil',
      onChoose: (pupil) => actions.navigate(`pupils/${pupil.id}`),
    }).element) : null;

  const content = h('div', { class: 'stack home' },
    h('div', { class: 'page-heading' }, heading),
    h('a', { href: '#/incidents/new', class: 'button button--primary button--large record-concern', 'data-testid': 'record-concern' },
      'Record a concern'),
    h('div', { class: 'home__grid' }, alerts, mine, findPupil),
    accountCard(session));
  const { element } = signedInLayout(session, actions, { current: 'home', content });
  return { title: 'Home', element, focusTarget: heading };
}
