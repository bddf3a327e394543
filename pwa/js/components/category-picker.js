// The categories of a concern, as the school's two-level tree: each top-level category
// opens to show its more specific categories. The guidance of a category shows as soon
// as it (or a category under it) is ticked, while the author is choosing.
import { h } from '../dom.js';
import { uniqueId } from './form.js';

function byPosition(a, b) {
  return a.position - b.position || a.name.localeCompare(b.name);
}

function choice(category, label) {
  const box = h('input', { type: 'checkbox', id: uniqueId('category'), value: category.id });
  const guidance = category.guidance
    ? h('p', { class: 'category-choice__guidance', id: `${box.id}-guidance`, hidden: true }, category.guidance)
    : null;
  if (guidance) box.setAttribute('aria-describedby', guidance.id);
  box.addEventListener('change', () => {
    if (guidance) guidance.hidden = !box.checked;
  });
  const element = h('div', { class: 'category-choice' },
    h('div', { class: 'checkbox' }, box, h('label', { for: box.id }, label)),
    guidance);
  return { box, element, guidance };
}

/**
 * categories: from GET /api/categories. Returns {element, chosen(), choose(ids), first}:
 * choose() ticks these (a refused record's) and gives back the ids no longer offered.
 */
export function categoryPicker(categories) {
  const active = categories.filter((category) => category.active);
  const parents = active.filter((category) => category.parent_id === null).sort(byPosition);
  const boxes = [];

  const groups = parents.map((parent) => {
    const children = active.filter((category) => category.parent_id === parent.id).sort(byPosition);
    const count = h('span', { class: 'badge badge--current', hidden: true });
    const own = choice(parent, children.length ? `${parent.name}, in general` : parent.name);
    const specific = children.map((child) => choice(child, child.name));
    const mine = [own, ...specific];
    boxes.push(...mine);
    const group = h('details', { class: 'category-group', 'data-testid': 'category-group' },
      h('summary', { class: 'category-group__summary' },
        h('span', { class: 'category-group__name' }, parent.name), count),
      h('div', { class: 'category-group__body' },
        mine.map(({ element }) => element)));
    group.addEventListener('change', () => {
      const ticked = mine.filter(({ box }) => box.checked).length;
      count.hidden = ticked === 0;
      count.textContent = `${ticked} chosen`;
      // A specific category's guidance adds to its heading's, which still applies.
      if (own.guidance) own.guidance.hidden = ticked === 0;
    });
    return group;
  });

  const element = h('fieldset', { class: 'fieldset category-picker', 'data-testid': 'categories' },
    h('legend', {}, 'What is the concern about?'),
    h('p', { class: 'field__hint' }, 'Choose one or more. Open a heading to see its guidance '
      + 'and its more specific categories.'),
    groups);
  return {
    element,
    chosen: () => boxes.filter(({ box }) => box.checked).map(({ box }) => Number(box.value)),
    choose(ids) {
      const ticked = boxes.filter(({ box }) => ids.includes(Number(box.value)));
      for (const { box } of ticked) {
        box.checked = true;
        box.closest('details').open = true; // what was chosen is in sight, to check
        // The same as a tick by hand: the guidance shows and the heading counts it.
        box.dispatchEvent(new Event('change', { bubbles: true }));
      }
      return ids.filter((id) => !ticked.some(({ box }) => Number(box.value) === id));
    },
    first: groups[0]?.querySelector('summary'),
  };
}
