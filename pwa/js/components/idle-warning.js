// "Are you still there?": shown a minute before Haven signs out for lack of activity,
// with the time left counting down.
import { h } from '../dom.js';
import { dialogActions, openDialog } from './dialog.js';
import { minutesAndSeconds } from '../time.js';

/** deadline: a Date.now() value. Returns {close()}. */
export function idleWarning(host, { deadline, onStay }) {
  const countdown = h('span', {
    role: 'timer', class: 'idle-countdown', 'data-testid': 'idle-countdown',
  });
  const update = () => {
    countdown.textContent = minutesAndSeconds(deadline - Date.now());
  };
  update();
  const ticker = window.setInterval(update, 1000);

  const stay = h('button', {
    type: 'button', class: 'button button--primary', autofocus: true, 'data-testid': 'stay-signed-in',
  }, 'Stay signed in');
  const message = h('p', { id: 'idle-warning-message' },
    'You have not used Haven for a while. To keep records safe, it will sign you out in ',
    countdown, '.');
  const { dialog, close, closed } = openDialog(host, {
    heading: 'Are you still there?', testid: 'idle-warning', content: [message, dialogActions(stay)],
  });
  dialog.setAttribute('aria-describedby', message.id);
  dialog.setAttribute('role', 'alertdialog');
  closed.then(() => window.clearInterval(ticker));
  stay.addEventListener('click', () => {
    close();
    onStay();
  });
  return { close: () => close() };
}
