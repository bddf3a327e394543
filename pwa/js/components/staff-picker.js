// "Who else should know?": staff chosen to be alerted about an incident or an action,
// found by name. Those the school always alerts (SLT) are listed too, so the author
// knows they need not add them.
import { api } from '../api.js';
import { fromServerOrCopy, matchingStaff } from '../offline/reference.js';
import { announce, h } from '../dom.js';
import { typeahead } from './typeahead.js';
import { rolesInWords } from '../roles.js';

// Offline, from the copy on the device (offline/reference.js).
function staffList(query, userId) {
  return fromServerOrCopy(userId, () => api.get(`/api/staff?q=${encodeURIComponent(query)}`),
    (reference) => ({
      staff: matchingStaff(reference.staff, query), always_alerted: reference.always_alerted,
    }));
}

/**
 * session: the signed-in user is never offered. Returns {element, chosenIds(), choose(people),
 * clear()}: choose() adds people found elsewhere (those a refused record was to alert).
 */
export function staffPicker(session, { label = 'Staff to alert', showAlwaysAlerted = true } = {}) {
  let chosen = [];
  let always = [];
  // Read out only: a sighted user sees the name appear or go.
  const status = h('p', { role: 'status', class: 'visually-hidden', 'data-testid': 'alert-staff-status' });
  const chosenList = h('ul', { class: 'chips', 'data-testid': 'chosen-staff' });
  const alwaysNote = h('p', { class: 'field__hint', 'data-testid': 'always-alerted', hidden: true });

  function show() {
    chosenList.replaceChildren(...chosen.map((person) => {
      const remove = h('button', { type: 'button', class: 'chip__remove' },
        h('span', { 'aria-hidden': 'true' }, '×'),
        h('span', { class: 'visually-hidden' }, `Do not alert ${person.name}`));
      remove.addEventListener('click', () => {
        chosen = chosen.filter((other) => other.id !== person.id);
        show();
        announce(status, `${person.name} will not be alerted.`);
        search.input.focus();
      });
      return h('li', { class: 'chip', 'data-testid': 'chosen-person' }, person.name, remove);
    }));
  }

  const offered = (person) => person.id !== session.user.id
    && !chosen.some((other) => other.id === person.id)
    && !always.some((other) => other.id === person.id);

  const search = typeahead({
    label,
    hint: 'Type a name. They are sent an alert that names you and the category, nothing more.',
    testid: 'staff-search',
    search: async (query) => (await staffList(query, session.user.id)).staff.filter(offered),
    describe: (person) => ({ name: person.name, meta: rolesInWords(person.roles) }),
    onChoose: (person) => {
      chosen.push(person);
      show();
      announce(status, `${person.name} will be alerted.`);
    },
  });

  // Who is alerted whatever the author chooses, shown before they choose anyone.
  staffList('', session.user.id).then(({ always_alerted: everyTime }) => {
    always = everyTime || [];
    alwaysNote.hidden = always.length === 0 || !showAlwaysAlerted;
    // The server leaves them out when a chosen category is restricted to other roles.
    alwaysNote.textContent = `Always included (SLT): ${always.map((person) => person.name).join(', ')}, `
      + 'unless a category you chose is restricted to other roles.';
  }, () => {}); // without the list, the note is simply not shown

  const element = h('div', { class: 'staff-picker' },
    search.element, alwaysNote, status, chosenList);
  return {
    element,
    chosenIds: () => chosen.map((person) => person.id),
    choose(people) {
      chosen.push(...people.filter(offered));
      show();
    },
    clear() {
      chosen = [];
      show();
    },
  };
}
