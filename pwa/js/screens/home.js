// The signed-in home screen: "Record a concern" first, then the alerts waiting for you,
// the records you wrote lately and, for key holders, a way to find a pupil. Your account's
// details stay at the foot of the page (and on the Account page).
//
// The alerts list asks again when a push arrives (the service worker says so) and when
// Haven comes back to the screen: an iPad left on the home screen all day must not show
// the morning's list in the afternoon.
import { api } from '../api.js';
import { h } from '../dom.js';
import { detail } from '../components/details.js';
import { signedInLayout } from '../components/layout.js';
import { patternsCard } from '../components/patterns-card.js';
import { pupilSearch } from '../components/pupil-search.js';
import { whenPushArrives } from '../push.js';
import { pupilInWords } from '../records.js';
import { rolesInWords } from '../roles.js';
import { dateAndTime, timeOfDay } from '../time.js';

function card(id, title, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title), ...children);
}

/**
 * A list in `host` that fills itself from ask() (a promise of its entries); an error is
 * said in the list's place. Returns load(): ask again, keeping the list on show until the
 * answer comes. Only the latest answer is shown, whatever order they arrive in.
 */
function listIn(host, ask, { item, empty, testid }) {
  const element = h('div', { 'data-testid': testid, 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  host.append(element);
  let latest = 0;
  function load(options) {
    latest += 1;
    const asked = latest;
    element.setAttribute('aria-busy', 'true');
    return ask(options).then((entries) => {
      if (asked !== latest) return;
      element.replaceChildren(entries.length
        ? h('ul', { class: 'item-list' }, entries.map(item))
        : h('p', { class: 'muted' }, empty));
    }, (error) => {
      // Aborted: the page has gone, and the list with it.
      if (asked !== latest || error.name === 'AbortError') return;
      element.replaceChildren(h('p', { class: 'message message--error' }, error.message));
    }).finally(() => {
      if (asked === latest) element.removeAttribute('aria-busy');
    });
  }
  load({});
  return load;
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

export function homeScreen(session, actions, { signal }) {
  const timeZone = session.school.timezone;
  const heading = h('h1', { tabindex: '-1' }, 'Signed in as ', session.user.name);

  const alerts = card('alerts-heading', 'Alerts for you');
  const loadAlerts = listIn(alerts, ({ background }) => api.get('/api/alerts?unread=1', { background, signal })
    .then((answer) => answer.alerts), {
    item: (alert) => alertItem(alert, timeZone), empty: 'No unread alerts.', testid: 'unread-alerts',
  });
  // Asked without the user doing anything: not activity that keeps the session open.
  const refreshAlerts = () => loadAlerts({ background: true });
  whenPushArrives(refreshAlerts, signal);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshAlerts();
  }, { signal });

  const mine = card('mine-heading', 'Your recent records');
  listIn(mine, () => api.get('/api/incidents?mine=1&per_page=10', { signal }).then((answer) => answer.incidents), {
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
    h('div', { class: 'home__grid' }, alerts, mine, findPupil,
      session.key_holder ? patternsCard(session, { signal }) : null),
    accountCard(session));
  const { element } = signedInLayout(session, actions, { current: 'home', content });
  return { title: 'Home', element, focusTarget: heading };
}
