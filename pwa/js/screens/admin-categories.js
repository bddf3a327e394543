// Categories, for administrators: what staff choose from when they record a concern, in
// two levels (Child protection > Neglect), each with the guidance staff read, who may
// see its incidents, who is alerted automatically and how urgently. Categories are never
// deleted, because incidents refer to them: one no longer used is deactivated.
import { api } from '../api.js';
import { h } from '../dom.js';
import { categoryDialog } from '../components/admin-category-dialog.js';
import {
  focusMoveButton, moveButtons, saveMove,
} from '../components/admin-order.js';
import { adminPage } from '../components/admin-page.js';
import { roleInWords } from '../roles.js';

function hidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

function andList(words) {
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** "DSL only", "DSL and SLT only"; null when every key holder may see it. */
export function restrictionInWords(category) {
  const roles = category.visible_to_roles.map(roleInWords);
  return roles.length ? `${andList(roles)} only` : null;
}

/** "alerts: DSL, Dina Safeguard"; null when nobody is alerted automatically. */
export function alertsInWords(category, staff) {
  const names = category.alert_user_ids.map(
    (id) => staff.find((member) => member.id === id)?.name || 'a former member of staff',
  );
  const who = [category.alert_role ? roleInWords(category.alert_role) : null, ...names]
    .filter(Boolean);
  return who.length ? `alerts: ${who.join(', ')}` : null;
}

/** "escalates after 15 minutes" (unread by the key holders); null when it never does. */
export function escalationInWords(category) {
  const minutes = category.escalate_after_minutes;
  if (!minutes) return null;
  return `escalates after ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

function badges(category, staff) {
  const list = [
    [category.active ? null : 'Deactivated', 'badge--warning', 'category-inactive'],
    [restrictionInWords(category), 'badge--restricted', 'category-restriction'],
    [alertsInWords(category, staff), 'badge--current', 'category-alerts'],
    [category.urgent ? 'urgent' : null, 'badge--current', 'category-urgent'],
    [escalationInWords(category), 'badge--current', 'category-escalation'],
  ].filter(([text]) => text);
  if (list.length === 0) return null;
  return h('ul', { class: 'badges' },
    list.map(([text, kind, testid]) => h('li', { class: `badge ${kind}`, 'data-testid': testid }, text)));
}

export function adminCategoriesScreen(session, actions) {
  const list = h('ul', { class: 'item-list item-list--cards', 'data-testid': 'category-list' });
  const empty = h('p', { class: 'empty-state', hidden: true },
    'There are no categories yet, and staff need at least one to record a concern. Add '
    + 'the first: Child protection, say.');
  const addButton = h('button', {
    type: 'button', class: 'button button--primary', 'data-testid': 'add-category',
  }, 'Add a category');
  let categories = [];
  let staff = [];

  const { screen, page } = adminPage(session, actions, {
    current: 'admin/categories',
    title: 'Categories',
    testid: 'categories',
    intro: 'What staff choose from when they record a concern, in the order they see '
      + 'them. A category is never deleted: deactivate one that is no longer used, and '
      + 'incidents already in it keep it.',
    mainButton: addButton,
    content: [empty, list],
    fetch: async () => {
      // The names of the people a category alerts come from the staff list.
      [{ categories }, { users: staff }] = await Promise.all([
        api.get('/api/admin/categories'), api.get('/api/admin/users'),
      ]);
      const tops = categories.filter((entry) => entry.parent_id === null);
      list.replaceChildren(...tops.map((top, index) => categoryItem(top, index, tops)));
      empty.hidden = categories.length > 0;
    },
  });
  const focusOn = (id) => () => document.getElementById(id)?.focus();

  async function edit(options) {
    const saved = await categoryDialog(page.host, { ...options, all: categories, staff });
    if (!saved) return;
    const what = options.category ? `${saved.name} is saved.` : `${saved.name} has been added.`;
    await page.changed(what, { focus: focusOn(`category-${saved.id}`) });
  }

  function categoryItem(category, index, siblings) {
    const top = category.parent_id === null;
    const titleId = `category-${category.id}`;
    // Each button names its category for screen readers: "Change Neglect".
    const button = (label, who, testid, onClick, extra = {}) => {
      const element = h('button', {
        type: 'button', class: 'button button--secondary button--small', 'data-testid': testid, ...extra,
      }, label, hidden(who));
      element.addEventListener('click', onClick);
      return element;
    };

    const buttons = [button('Change', ` ${category.name}`, 'change', () => edit({ category }))];
    if (top) {
      buttons.push(button('Add a subcategory', ` to ${category.name}`, 'add-subcategory',
        () => edit({ category: null, parent: category })));
    }
    const toggleId = `category-${category.id}-active`;
    let deactivated = `${category.name} is deactivated: staff no longer see it when they `
      + 'record a concern.';
    if (top) deactivated = `${category.name} is deactivated: staff no longer see it, or its `
      + 'subcategories, when they record a concern.';
    buttons.push(button(category.active ? 'Deactivate' : 'Reactivate', ` ${category.name}`,
      category.active ? 'deactivate' : 'reactivate',
      () => page.change(
        () => api.patch(`/api/admin/categories/${category.id}`, { active: !category.active }),
        category.active ? deactivated : `${category.name} is in use again.`,
        // Focus lands on the button that undoes it, in case it was a slip.
        { focus: focusOn(toggleId) },
      ), { id: toggleId }));
    const idPrefix = `category-${category.id}-move`;
    buttons.push(moveButtons(category.name, {
      idPrefix,
      first: index === 0,
      last: index === siblings.length - 1,
      onMove: (delta) => page.change(
        () => saveMove(siblings, index, delta, (entry, position) => api.patch(
          `/api/admin/categories/${entry.id}`, { position },
        )),
        `${category.name} moved ${delta < 0 ? 'up' : 'down'}.`,
        { focus: () => focusMoveButton(idPrefix, delta) },
      ),
    }));

    const children = top ? categories.filter((entry) => entry.parent_id === category.id) : [];
    return h('li', {
      class: `${category.active ? 'item' : 'item item--inactive'} ${top ? 'category' : 'category category--sub'}`,
      'data-testid': top ? 'category' : 'subcategory',
    },
    h('div', { class: 'item__main' },
      h(top ? 'h2' : 'h3', { class: 'item__title', tabindex: '-1', id: titleId }, category.name),
      badges(category, staff),
      category.guidance
        ? h('p', { class: 'category__guidance', 'data-testid': 'category-guidance' }, category.guidance)
        : h('p', { class: 'category__guidance muted' }, 'No guidance for staff yet.')),
    h('div', { class: 'item__actions' }, buttons),
    children.length ? h('ul', {
      class: 'category__children', 'aria-label': `Subcategories of ${category.name}`,
    }, children.map((child, childIndex) => categoryItem(child, childIndex, children))) : null);
  }

  addButton.addEventListener('click', () => edit({ category: null, parent: null }));
  return screen;
}
