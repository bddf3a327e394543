// The signed-in home screen: who you are, your school and your roles.
import { h } from '../dom.js';
import { detail } from '../components/details.js';
import { signedInLayout } from '../components/layout.js';
import { rolesInWords } from '../roles.js';
import { timeOfDay } from '../time.js';

export function homeScreen(session, actions) {
  const { user, school, roles, key_holder: keyHolder } = session;
  const heading = h('h1', { tabindex: '-1' }, 'Signed in as ', user.name);

  const elevatedUntil = session.elevated_until ? new Date(session.elevated_until) : null;
  const elevation = elevatedUntil && elevatedUntil > new Date()
    ? detail('Elevated access', `Until ${timeOfDay(elevatedUntil, school.timezone)}`, 'elevated-until')
    : [];

  const content = [
    heading,
    h('section', { class: 'card', 'aria-labelledby': 'account-heading' },
      h('h2', { id: 'account-heading' }, 'Your account'),
      h('dl', { class: 'details' },
        detail('Name', user.name),
        detail('Email', user.email, 'user-email'),
        detail('School', school.name),
        detail(roles.length === 1 ? 'Role' : 'Roles', rolesInWords(roles), 'roles'),
        detail('Key holder', keyHolder ? 'Yes' : 'No', 'key-holder'),
        detail('Authenticator', session.totp_enrolled ? 'Set up' : 'Not set up', 'authenticator'),
        elevation,
      ),
    ),
  ];
  const { element } = signedInLayout(session, actions, { current: 'home', content });
  return { title: 'Home', element, focusTarget: heading };
}
