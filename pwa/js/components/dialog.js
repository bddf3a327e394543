// Modal dialogs on the native <dialog> element: it keeps focus inside, closes on Escape
// and hides the page behind from screen readers. A dialog is removed from the page when
// it closes, and every open one closes when a new screen shows, so nothing lingers.
import { h } from '../dom.js';
import { uniqueId } from './form.js';

const openDialogs = new Set();

/**
 * Opens a modal dialog in `host` with a heading and the given content.
 * Returns {dialog, close(result)}; `closed` resolves with the result (undefined after
 * Escape or closeAllDialogs()).
 */
export function openDialog(host, { heading, content, testid, size = 'normal' }) {
  const headingId = uniqueId('dialog-heading');
  const dialog = h('dialog', {
    class: `dialog dialog--${size}`, 'aria-labelledby': headingId, 'data-testid': testid,
  },
  h('h2', { id: headingId, class: 'dialog__heading' }, heading),
  content);
  let result;
  let settle;
  const closed = new Promise((resolve) => { settle = resolve; });
  dialog.addEventListener('close', () => {
    openDialogs.delete(dialog);
    dialog.remove();
    settle(result);
  });
  host.append(dialog);
  openDialogs.add(dialog);
  dialog.showModal();
  return {
    dialog,
    closed,
    close(value) {
      result = value;
      if (dialog.open) dialog.close();
    },
  };
}

export function closeAllDialogs() {
  for (const dialog of [...openDialogs]) dialog.close();
}

/** The row of buttons at the foot of a dialog, the main action first. */
export function dialogActions(...buttons) {
  return h('div', { class: 'dialog__actions' }, ...buttons);
}
