// The signed-in screen: who you are, your school, your roles, and signing out.
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';

// The four roles of the server (backend/haven/accounts/models.py Role).
const ROLE_NAMES = {
  staff: 'staff',
  dsl: 'DSL',
  slt: 'SLT',
  admin: 'administrator',
};

function roleInWords(role) {
  return ROLE_NAMES[role] || role.replaceAll('_', ' ');
}

// Times are shown in the school's time zone (a school setting, Europe/London by default).
function timeOfDay(moment, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone })
    .format(moment);
}

function detail(term, value, testid) {
  return [h('dt', {}, term), h('dd', { 'data-testid': testid }, value)];
}

/** onSignedOut() is called once the server has ended the session. */
export function homeScreen(session, { onSignedOut }) {
  const { user, school, roles, key_holder: keyHolder } = session;
  const signOut = h('button', {
    type: 'button', class: 'button button--on-dark', 'data-testid': 'sign-out',
  }, 'Sign out');
  const alert = h('p', {
    class: 'message message--error', role: 'alert', 'data-testid': 'home-error',
  });
  const heading = h('h1', { tabindex: '-1' }, 'Signed in as ', user.name);

  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    alert.textContent = '';
    try {
      await api.delete('/api/session');
    } catch (error) {
      // 401: the session had already ended, which is what signing out wanted.
      if (!(error instanceof ApiError && error.status === 401)) {
        alert.textContent = `Haven could not sign you out. ${error.message}`;
        signOut.disabled = false;
        return;
      }
    }
    onSignedOut();
  });

  const elevatedUntil = session.elevated_until ? new Date(session.elevated_until) : null;
  const elevation = elevatedUntil && elevatedUntil > new Date()
    ? detail('Elevated access', `Until ${timeOfDay(elevatedUntil, school.timezone)}`, 'elevated-until')
    : [];

  const element = h('div', { class: 'home' },
    h('header', { class: 'site-header' },
      h('div', { class: 'site-header__inner' },
        h('div', { class: 'brand' },
          h('img', {
            src: '/icons/favicon.svg', alt: '', width: 32, height: 32, class: 'brand__logo',
          }),
          h('span', { class: 'brand__name' }, 'Haven'),
        ),
        h('p', { class: 'site-header__who' },
          h('span', { class: 'site-header__school', 'data-testid': 'school-name' }, school.name),
          h('span', { class: 'site-header__user', 'data-testid': 'user-name' }, user.name),
        ),
        signOut,
      ),
    ),
    h('main', { class: 'page' },
      alert,
      heading,
      h('section', { class: 'card', 'aria-labelledby': 'account-heading' },
        h('h2', { id: 'account-heading' }, 'Your account'),
        h('dl', { class: 'details' },
          detail('Name', user.name),
          detail('Email', user.email, 'user-email'),
          detail('School', school.name),
          detail(roles.length === 1 ? 'Role' : 'Roles',
            roles.map(roleInWords).join(', ') || 'none', 'roles'),
          detail('Key holder', keyHolder ? 'Yes' : 'No', 'key-holder'),
          detail('Authenticator', session.totp_enrolled ? 'Set up' : 'Not set up', 'authenticator'),
          elevation,
        ),
      ),
    ),
  );

  return { title: 'Home', element, focusTarget: heading };
}
