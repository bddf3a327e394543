// Moving an entry up or down its list (categories, agencies). The server sorts by
// `position`; after a move every sibling is given its place in the new order, so entries
// that shared a position (added with the default 0) end up in a definite order too.
import { h } from '../dom.js';

/**
 * Saves the order `siblings` would have with siblings[index] moved by delta (-1 or +1).
 * save(entry, position) sends one change; only entries whose position differs are sent.
 */
export async function saveMove(siblings, index, delta, save) {
  const order = [...siblings];
  const [moved] = order.splice(index, 1);
  order.splice(index + delta, 0, moved);
  for (const [position, entry] of order.entries()) {
    if (entry.position !== position) await save(entry, position);
  }
}

/** The place of the next entry added at the end of a list. */
export function nextPosition(siblings) {
  return siblings.reduce((highest, entry) => Math.max(highest, entry.position + 1), 0);
}

/**
 * The ↑ and ↓ buttons of one entry, named for screen readers ("Move Police up").
 * idPrefix gives them ids, so focus can come back to the same button after the list
 * is drawn again. A button that cannot move its entry is disabled, not removed, so the
 * buttons of every row line up.
 */
export function moveButtons(name, { idPrefix, first, last, onMove }) {
  const button = (direction, arrow, delta, disabled) => {
    const element = h('button', {
      type: 'button',
      id: `${idPrefix}-${direction}`,
      class: 'button button--secondary button--small button--icon',
      disabled,
      'data-testid': `move-${direction}`,
    }, h('span', { 'aria-hidden': 'true' }, arrow),
    h('span', { class: 'visually-hidden' }, `Move ${name} ${direction}`));
    element.addEventListener('click', () => onMove(delta));
    return element;
  };
  return h('span', { class: 'move-buttons' },
    button('up', '↑', -1, first), button('down', '↓', 1, last));
}

/** After a move, focus the same button, or its pair when the entry reached an end. */
export function focusMoveButton(idPrefix, delta) {
  const [again, other] = delta < 0 ? ['up', 'down'] : ['down', 'up'];
  const target = document.getElementById(`${idPrefix}-${again}`);
  if (target && !target.disabled) target.focus();
  else document.getElementById(`${idPrefix}-${other}`)?.focus();
}
