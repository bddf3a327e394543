// Tick boxes for the four roles, each with what it lets someone do.
import { h } from '../dom.js';
import { uniqueId } from './form.js';
import { ROLES } from '../roles.js';

/** Returns {element, chosen()}: chosen() lists the ticked roles. */
export function rolesFieldset(selected) {
  const boxes = ROLES.map(({ role, name, does }) => {
    const id = uniqueId(`role-${role}`);
    const box = h('input', {
      type: 'checkbox', id, name: 'roles', value: role, checked: selected.includes(role),
    });
    return {
      box,
      element: h('div', { class: 'checkbox' }, box,
        h('label', { for: id }, h('span', { class: 'checkbox__name' }, name),
          h('span', { class: 'checkbox__hint' }, does))),
    };
  });
  const element = h('fieldset', { class: 'fieldset' },
    h('legend', {}, 'Roles'),
    boxes.map(({ element: row }) => row));
  return {
    element,
    chosen: () => boxes.filter(({ box }) => box.checked).map(({ box }) => box.value),
    first: boxes[0].box,
  };
}
