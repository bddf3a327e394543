// The administration's own menu, on each of its pages, under the header's one link to
// the administration ("Staff and admin").
import { h } from '../dom.js';

const ADMIN_PAGES = [
  { route: 'staff', name: 'Staff accounts' },
  { route: 'admin/categories', name: 'Categories' },
  { route: 'admin/agencies', name: 'Agencies' },
  { route: 'admin/pupils', name: 'Pupil import' },
  { route: 'admin/settings', name: 'School settings' },
];

export function isAdminPage(route) {
  return ADMIN_PAGES.some((page) => page.route === route);
}

export function adminNav(current) {
  return h('nav', { class: 'admin-nav', 'aria-label': 'Administration' },
    h('ul', { class: 'admin-nav__list' },
      ADMIN_PAGES.map(({ route, name }) => h('li', {},
        h('a', {
          href: `#/${route}`,
          class: 'admin-nav__link',
          'aria-current': route === current ? 'page' : false,
          'data-testid': `admin-nav-${route.replace('admin/', '')}`,
        }, name)))));
}
