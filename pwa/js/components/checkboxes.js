// A fieldset of tick boxes, each label beside its box and big enough to tap, with an
// optional line under each name: roles, the roles a category is restricted to, the
// people a category alerts.
import { h } from '../dom.js';
import { uniqueId } from './form.js';

/**
 * options: [{value, name, hint}]; selected: the values ticked at first.
 * scroll: a long list (every member of staff) scrolls inside a box of its own.
 * Returns {element, chosen(), choose(values), first}: chosen() lists the ticked values;
 * choose() ticks these too and gives back those not among the options.
 */
export function checkboxFieldset({
  legend, hint, options, selected = [], name, scroll = false,
}) {
  const boxes = options.map((option) => {
    const id = uniqueId(`${name}-${option.value}`);
    const box = h('input', {
      type: 'checkbox', id, name, value: option.value, checked: selected.includes(option.value),
    });
    return {
      box,
      value: option.value,
      element: h('div', { class: 'checkbox' }, box,
        h('label', { for: id }, h('span', { class: 'checkbox__name' }, option.name),
          option.hint ? h('span', { class: 'checkbox__hint' }, option.hint) : null)),
    };
  });
  const hintElement = hint ? h('p', { class: 'field__hint', id: uniqueId(`${name}-hint`) }, hint) : null;
  const element = h('fieldset', {
    class: 'fieldset', 'aria-describedby': hintElement ? hintElement.id : false,
  },
  h('legend', {}, legend),
  hintElement,
  h('div', { class: scroll ? 'checkbox-scroll' : 'checkbox-group' },
    boxes.map(({ element: row }) => row)));
  return {
    element,
    // Values as given (numbers stay numbers), not the strings of the inputs.
    chosen: () => boxes.filter(({ box }) => box.checked).map(({ value }) => value),
    choose(values) {
      boxes.forEach(({ box, value }) => { if (values.includes(value)) box.checked = true; });
      return values.filter((value) => !boxes.some((option) => option.value === value));
    },
    first: boxes[0]?.box,
  };
}
