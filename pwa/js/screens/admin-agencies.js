// Agencies, for administrators: the outside bodies a concern may be referred to (police,
// children's social care ...), in the order the incident form lists them. Agencies are
// never deleted, because incidents refer to them: one no longer used is deactivated.
import { api } from '../api.js';
import { h } from '../dom.js';
import {
  focusMoveButton, moveButtons, nextPosition, saveMove,
} from '../components/admin-order.js';
import { adminPage } from '../components/admin-page.js';
import { dialogActions, openDialog } from '../components/dialog.js';
import { errorRegion, field, submitting } from '../components/form.js';

function hidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

/** Add (agency null) or rename. Resolves with the saved agency, or null. */
function agencyDialog(host, { agency, position }) {
  const name = h('input', {
    type: 'text', autocomplete: 'off', required: true, maxlength: 100,
    value: agency ? agency.name : '',
  });
  const alert = errorRegion('agency-error');
  const save = h('button', { type: 'submit', class: 'button button--primary' },
    agency ? 'Save' : 'Add');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  const form = h('form', { 'data-testid': 'agency-form' },
    alert,
    field('Name', name, agency
      ? 'Incidents that already name it show the new name too.' : null),
    dialogActions(save, cancel));
  const { close, closed } = openDialog(host, {
    heading: agency ? `Rename ${agency.name}` : 'Add an agency',
    testid: 'agency-dialog',
    content: form,
  });
  cancel.addEventListener('click', () => close(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let saved;
    const done = await submitting(form, alert, async () => {
      const values = { name: name.value.trim() };
      saved = agency
        ? await api.patch(`/api/admin/agencies/${agency.id}`, values)
        : await api.post('/api/admin/agencies', { ...values, position });
    });
    // On an error the dialog stays open with the name as typed.
    if (done) close(saved);
    else name.focus();
  });
  name.focus();
  name.select();
  return closed;
}

export function adminAgenciesScreen(session, actions) {
  const list = h('ul', {
    class: 'item-list item-list--cards agency-list', 'data-testid': 'agency-list',
  });
  const empty = h('p', { class: 'empty-state', hidden: true },
    'There are no agencies yet. Add the ones your school refers concerns to, such as the '
    + 'police or children’s social care.');
  const addButton = h('button', {
    type: 'button', class: 'button button--primary', 'data-testid': 'add-agency',
  }, 'Add an agency');
  let agencies = [];

  const { screen, page } = adminPage(session, actions, {
    current: 'admin/agencies',
    title: 'Agencies',
    testid: 'agencies',
    intro: 'The outside bodies a concern may be referred to, in the order staff see them '
      + 'when they record one. An agency is never deleted: deactivate one you no longer '
      + 'work with, and incidents that name it keep it.',
    mainButton: addButton,
    content: [empty, list],
    fetch: async () => {
      ({ agencies } = await api.get('/api/admin/agencies'));
      list.replaceChildren(...agencies.map(agencyItem));
      empty.hidden = agencies.length > 0;
    },
  });
  const focusOn = (id) => () => document.getElementById(id)?.focus();

  function agencyItem(agency, index) {
    const titleId = `agency-${agency.id}`;
    const rename = h('button', {
      type: 'button', class: 'button button--secondary button--small', 'data-testid': 'rename',
    }, 'Rename', hidden(` ${agency.name}`));
    rename.addEventListener('click', async () => {
      const saved = await agencyDialog(page.host, { agency });
      if (saved) {
        await page.changed(`${agency.name} is now called ${saved.name}.`,
          { focus: focusOn(titleId) });
      }
    });

    const toggleId = `agency-${agency.id}-active`;
    const toggle = h('button', {
      type: 'button', id: toggleId, class: 'button button--secondary button--small',
      'data-testid': agency.active ? 'deactivate' : 'reactivate',
    }, agency.active ? 'Deactivate' : 'Reactivate', hidden(` ${agency.name}`));
    toggle.addEventListener('click', () => page.change(
      () => api.patch(`/api/admin/agencies/${agency.id}`, { active: !agency.active }),
      agency.active
        ? `${agency.name} is deactivated: staff no longer see it when they record a concern.`
        : `${agency.name} is in use again.`,
      // Focus lands on the button that undoes it, in case it was a slip.
      { focus: focusOn(toggleId) },
    ));

    const idPrefix = `agency-${agency.id}-move`;
    const move = moveButtons(agency.name, {
      idPrefix,
      first: index === 0,
      last: index === agencies.length - 1,
      onMove: (delta) => page.change(
        () => saveMove(agencies, index, delta, (entry, position) => api.patch(
          `/api/admin/agencies/${entry.id}`, { position },
        )),
        `${agency.name} moved ${delta < 0 ? 'up' : 'down'}.`,
        { focus: () => focusMoveButton(idPrefix, delta) },
      ),
    });

    return h('li', {
      class: agency.active ? 'item' : 'item item--inactive', 'data-testid': 'agency',
    },
    h('div', { class: 'item__main' },
      h('h2', { class: 'item__title', tabindex: '-1', id: titleId }, agency.name),
      agency.active ? null
        : h('ul', { class: 'badges' }, h('li', { class: 'badge badge--warning' }, 'Deactivated'))),
    h('div', { class: 'item__actions' }, rename, toggle, move));
  }

  addButton.addEventListener('click', async () => {
    const saved = await agencyDialog(page.host, { agency: null, position: nextPosition(agencies) });
    if (saved) {
      await page.changed(`${saved.name} has been added.`,
        { focus: focusOn(`agency-${saved.id}`) });
    }
  });

  return screen;
}
