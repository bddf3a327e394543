// Tick boxes for the four roles, each with what it lets someone do.
import { checkboxFieldset } from './checkboxes.js';
import { ROLES } from '../roles.js';

/** Returns {element, chosen(), first}: chosen() lists the ticked roles. */
export function rolesFieldset(selected) {
  return checkboxFieldset({
    legend: 'Roles',
    name: 'roles',
    options: ROLES.map(({ role, name, does }) => ({ value: role, name, hint: does })),
    selected,
  });
}
