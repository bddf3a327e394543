// Home for someone signed in without signal (offline/sign-in.js): recording a concern and
// the outbox work; every other page needs the server, and says so by not being offered.
import { h } from '../dom.js';
import { signedInLayout } from '../components/layout.js';

export function offlineHomeScreen(session, actions) {
  const heading = h('h1', { tabindex: '-1' }, 'No connection');
  const content = h('div', { class: 'stack' },
    heading,
    h('p', { 'data-testid': 'offline-home-text' },
      'You can record a concern now. It is kept on this device, encrypted, and sent to Haven '
      + 'as soon as there is a connection. Alerts, records and the other pages need a connection.'),
    h('p', {},
      h('a', { href: '#/incidents/new', class: 'button button--primary button--wide',
        'data-testid': 'offline-record-concern' }, 'Record a concern')),
    h('p', {}, h('a', { href: '#/outbox' }, 'See what is waiting to be sent')));
  const { element } = signedInLayout(session, actions, { current: 'home', content });
  return { title: 'No connection', element, focusTarget: heading };
}
