// "Where you are signed in": one's own sessions, with a way to end the others (a phone
// left in a classroom, a shared computer).
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { errorRegion, statusRegion } from './form.js';
import { dateAndTime, timeOfDay } from '../time.js';

const BROWSERS = [[/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari']];
const SYSTEMS = [[/iPad/, 'iPad'], [/iPhone/, 'iPhone'], [/Android/, 'Android'],
  [/Windows/, 'Windows'], [/CrOS/, 'Chromebook'], [/Mac OS X|Macintosh/, 'Mac'], [/Linux/, 'Linux']];

/** "Mozilla/5.0 (iPad; ...) ... Safari/605.1.15" → "Safari on iPad" */
export function deviceInWords(userAgent) {
  const find = (table) => (table.find(([pattern]) => pattern.test(userAgent)) || [])[1];
  const browser = find(BROWSERS);
  const system = find(SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  return browser || system || 'An unknown device';
}

function sameDay(a, b, timeZone) {
  const day = (moment) => dateAndTime(moment, timeZone).slice(0, 10);
  return day(a) === day(b);
}

/** Returns {element, load()}; load() fetches the list again. */
export function mySessions(session) {
  const timeZone = session.school.timezone;
  const list = h('ul', { class: 'item-list', 'data-testid': 'my-sessions' });
  const alert = errorRegion('sessions-error');
  const status = statusRegion('sessions-status');
  const endOthers = h('button', { type: 'button', class: 'button button--secondary', hidden: true },
    'End all other sessions');
  let others = [];
  endOthers.addEventListener('click', () => end(others.map((entry) => entry.id),
    'Your other sessions have ended.'));

  async function end(ids, done) {
    alert.textContent = '';
    try {
      for (const id of ids) await api.delete(`/api/me/sessions/${id}`);
      announce(status, done);
    } catch (error) {
      alert.textContent = error.message;
    }
    await load();
  }

  function item(entry) {
    const device = deviceInWords(entry.user_agent);
    const signedIn = new Date(entry.signed_in_at);
    const lastActive = new Date(entry.last_active_at);
    const active = sameDay(signedIn, lastActive, timeZone)
      ? timeOfDay(lastActive, timeZone) : dateAndTime(lastActive, timeZone);
    let action = h('span', { class: 'badge badge--current' }, 'This device');
    if (!entry.current) {
      action = h('button', { type: 'button', class: 'button button--secondary button--small' },
        'End', h('span', { class: 'visually-hidden' }, ` the session on ${device}`));
      action.addEventListener('click', () => end([entry.id], `The session on ${device} has ended.`));
    }
    return h('li', { class: 'item', 'data-testid': 'my-session' },
      h('div', { class: 'item__main' },
        h('p', { class: 'item__title' }, device),
        h('p', { class: 'item__meta' },
          `Signed in ${dateAndTime(signedIn, timeZone)}, last active ${active}`,
          entry.ip_address ? `, from ${entry.ip_address}` : '')),
      h('div', { class: 'item__actions' }, action));
  }

  async function load() {
    try {
      const { sessions } = await api.get('/api/me/sessions');
      list.replaceChildren(...sessions.map(item));
      others = sessions.filter((entry) => !entry.current);
      endOthers.hidden = others.length < 2;
    } catch (error) {
      alert.textContent = error.message;
    }
  }

  const element = h('section', { class: 'card', 'aria-labelledby': 'sessions-heading' },
    h('h2', { id: 'sessions-heading' }, 'Where you are signed in'),
    h('p', {}, 'End a session you do not recognise, or one on a device you no longer have.'),
    alert, status, list, endOthers);
  return { element, load };
}
