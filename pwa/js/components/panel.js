// The single centred panel of the screens shown before Haven's own pages: signing in,
// a forgotten password, a reset link, the blank screen.
import { h } from '../dom.js';

export function brand(size) {
  const pixels = size === 'large' ? 48 : 32;
  return h('div', { class: size === 'large' ? 'brand brand--large' : 'brand' },
    h('img', {
      src: '/icons/favicon.svg', alt: '', width: pixels, height: pixels, class: 'brand__logo',
    }),
    h('span', { class: 'brand__name' }, 'Haven'));
}

/** heading: the h1 element (so the screen can focus it); the rest follows it. */
export function panelPage(heading, ...children) {
  heading.classList.add('login__heading');
  return h('main', { class: 'login' },
    h('div', { class: 'login__panel' }, brand('large'), heading, ...children));
}
