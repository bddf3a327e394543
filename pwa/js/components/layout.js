// The frame of every signed-in page: the header (Haven, the pages, who is signed in,
// Blank screen, Sign out) above the page's own content.
import { h } from '../dom.js';
import { adminNav, isAdminPage } from './admin-nav.js';
import { brand } from './panel.js';
import { errorRegion } from './form.js';
import { queueBadge } from './queue-badge.js';

const IS_APPLE = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const BLANK_SHORTCUT = IS_APPLE ? '⌘⇧L' : 'Ctrl+Shift+L';

function pages(session) {
  const list = [
    { route: 'home', name: 'Home' },
    { route: 'incidents/new', name: 'Record a concern', testid: 'nav-record-concern' },
  ];
  if (session.offline) return list; // the only pages that work without signal
  if (session.key_holder) list.push({ route: 'reports', name: 'Reports' });
  list.push({ route: 'account', name: 'Account' });
  if (session.roles.includes('admin')) {
    // One link for the whole administration, which has its own menu on its pages: the
    // header stays short enough for a phone however many administration pages there are.
    list.push({ route: 'staff', name: 'Staff and admin', adminArea: true });
  }
  return list;
}

function navigation(session, current) {
  return h('nav', { class: 'site-nav', 'aria-label': 'Main' },
    h('ul', { class: 'site-nav__list' },
      pages(session).map(({
        route, name, testid, adminArea,
      }) => h('li', {},
        h('a', {
          href: route === 'home' ? '#/' : `#/${route}`,
          class: 'site-nav__link',
          'aria-current': route === current || (adminArea && isAdminPage(current)) ? 'page' : false,
          'data-testid': testid || `nav-${route}`,
        }, name)))));
}

/**
 * session: from GET /api/session. current: the route shown, for aria-current.
 * actions: {blank(), signOut()}. setupOnly: no links to pages the server would refuse yet
 * (before a forced password change or a required authenticator).
 * Returns {element, alert}: the page's own alert region, for errors of the header too.
 */
export function signedInLayout(session, actions, { current, setupOnly = false, content }) {
  const { user, school } = session;
  const alert = errorRegion('page-error');

  const blank = h('button', {
    type: 'button', class: 'button button--on-dark site-header__blank',
    'data-testid': 'blank-screen',
    title: `Hide everything at once (${BLANK_SHORTCUT})`,
    'aria-keyshortcuts': 'Control+Shift+L Meta+Shift+L',
  }, 'Blank screen');
  blank.addEventListener('click', () => actions.blank());

  const signOut = h('button', {
    type: 'button', class: 'button button--on-dark site-header__sign-out',
    'data-testid': 'sign-out',
  }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    alert.textContent = '';
    try {
      await actions.signOut();
    } catch (error) {
      alert.textContent = `Haven could not sign you out. ${error.message}`;
    }
    // Still on the page: the sign-out failed, or the user chose to stay (records unsent).
    signOut.disabled = false;
  });

  const queue = queueBadge(session);
  const offline = session.offline ? h('p', { class: 'message message--warning', 'data-testid': 'offline-banner' },
    'No connection: you are signed in on this device only. What you record is kept here and '
    + 'sent when Haven can be reached.') : null;
  const element = h('div', { class: 'signed-in' },
    h('header', { class: 'site-header' },
      h('div', { class: 'site-header__inner' },
        brand(),
        setupOnly ? null : navigation(session, current),
        h('p', { class: 'site-header__who' },
          h('span', { class: 'site-header__school', 'data-testid': 'school-name' }, school.name),
          h('span', { class: 'site-header__user', 'data-testid': 'user-name' }, user.name)),
        h('div', { class: 'site-header__actions' }, queue.badge, blank, signOut))),
    h('main', { class: 'page' },
      isAdminPage(current) && !setupOnly ? adminNav(current) : null, offline, alert, queue.news,
      content));
  return { element, alert };
}
