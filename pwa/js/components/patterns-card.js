// The key holders' patterns on the home screen (GET /api/reports/patterns): pupils with
// several concerns in a few days, pupils and categories rising against their own past.
// A report like the others, so it needs elevated access: shown at once while the session
// is elevated, otherwise behind a button that asks for the authenticator code.
import { api } from '../api.js';
import { h } from '../dom.js';
import { reportChart } from './report-chart.js';

function times(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function usually(usual) {
  return usual ? `usually ${usual}` : 'none before';
}

function pupilItem(pattern, what) {
  return h('li', { class: 'item', 'data-testid': 'pattern-pupil' },
    h('div', { class: 'item__main' },
      h('p', { class: 'item__title' },
        h('a', { href: `#/pupils/${pattern.pupil_id}` }, pattern.name)),
      h('p', { class: 'item__meta' }, `${pattern.year_group}, form ${pattern.form}: ${what}`)));
}

function group(title, testid, items) {
  if (!items.length) return null;
  return h('section', { class: 'patterns__group', 'data-testid': testid },
    h('h3', {}, title), h('ul', { class: 'item-list' }, items));
}

/** The patterns found, as lists (and the rising categories' chart); the Reports screen shows them too. */
export function patternsList(found) {
  const { days, recent_days: recentDays } = found.thresholds;
  const groups = [
    group(`Several concerns in ${days} days`, 'pattern-clusters', found.clusters.map(
      (p) => pupilItem(p, `${times(p.count, 'concern')} in the last ${days} days`))),
    group('Rising against their own past', 'pattern-rising-pupils', found.rising_pupils.map(
      (p) => pupilItem(p, `${times(p.count, 'concern')} in the last ${recentDays} days, ${usually(p.usual)}`))),
    group('Categories rising across the school', 'pattern-rising-categories',
      found.rising_categories.map((c) => h('li', { class: 'item', 'data-testid': 'pattern-category' },
        h('p', { class: 'item__title' }, c.name),
        h('p', { class: 'item__meta' },
          `${times(c.count, 'incident')} in the last ${recentDays} days, ${usually(c.usual)}`)))),
  ].filter(Boolean);
  // The rising categories drawn too (the server's chart, with its table).
  if (found.rising_categories.length) groups.push(...found.charts.map((chart) => reportChart(chart)));
  return groups.length ? groups
    : [h('p', { class: 'muted', 'data-testid': 'no-patterns' }, `No patterns in the last ${recentDays} days.`)];
}

/** The same patterns to keep or print; the session is elevated once they are on show. */
export function patternsDownloads() {
  const link = (format, label) => h('a', {
    class: 'button button--secondary button--small', href: `/api/reports/patterns?format=${format}`,
    download: '', 'data-testid': `patterns-${format}`,
  }, label);
  return h('p', { class: 'button-row' }, link('pdf', 'Download PDF'), link('csv', 'Download CSV'));
}

function isElevated(session) {
  return Boolean(session.elevated_until && new Date(session.elevated_until) > new Date());
}

/** The card; `signal` aborts its request when the page is left. */
export function patternsCard(session, { signal }) {
  const body = h('div', { 'data-testid': 'patterns' });
  const show = h('button', { type: 'button', class: 'button button--secondary', 'data-testid': 'show-patterns' },
    'Show patterns');

  async function load() {
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(h('p', { class: 'muted' }, 'Looking for patterns…'));
    try {
      body.replaceChildren(...patternsList(await api.get('/api/reports/patterns', { signal })),
        patternsDownloads());
    } catch (error) {
      if (error.name === 'AbortError') return;
      body.replaceChildren(h('p', { class: 'message message--error' }, error.message), show);
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  show.addEventListener('click', load);
  if (isElevated(session)) {
    load();
  } else {
    body.append(h('p', { class: 'muted' }, 'Pupils with several concerns in a few days, and what is '
      + 'rising. Needs your authenticator code.'), show);
  }
  return h('section', { class: 'card', 'aria-labelledby': 'patterns-heading' },
    h('h2', { id: 'patterns-heading' }, 'Patterns'), body);
}
