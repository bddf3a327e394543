// The agencies involved in an incident or an action (police, children's social care...),
// as tick boxes: in columns on a wide screen, one under another on a phone.
import { checkboxFieldset } from './checkboxes.js';

/**
 * agencies: from GET /api/agencies. Returns {element, chosen(), choose(ids), clear()}:
 * choose() gives back the ids no longer offered (an agency the school has retired).
 */
export function agencyChoice(agencies, { hint, testid }) {
  const active = agencies.filter((agency) => agency.active)
    .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  const group = checkboxFieldset({
    legend: 'Agencies involved (optional)',
    hint,
    name: 'agencies',
    options: active.map((agency) => ({ value: agency.id, name: agency.name })),
  });
  group.element.classList.add('agency-choice');
  group.element.dataset.testid = testid;
  return {
    element: group.element,
    chosen: group.chosen,
    choose: group.choose,
    clear() {
      group.element.querySelectorAll('input').forEach((box) => { box.checked = false; });
    },
  };
}
