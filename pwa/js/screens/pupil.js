// A pupil's page, for key holders: who they are, and their chronology, every incident
// that names them and every action under those, in the order they happened, filtered by
// category and dates. The server leaves out categories the key holder's role may not see.
import { api } from '../api.js';
import { h } from '../dom.js';
import { detail } from '../components/details.js';
import { field } from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { reportChart } from '../components/report-chart.js';
import { britishDate, endOfDay, startOfDay } from '../local-time.js';
import { actionKindInWords, linkRoleInWords, yearAndForm } from '../records.js';
import { dateAndTime } from '../time.js';

const PER_PAGE = 25;
const SHORT_TEXT = 400; // the whole text is one tap away, on the incident's page

function profileCard(pupil) {
  const facts = [detail('Year and form', yearAndForm(pupil), 'pupil-year-form')];
  // The full profile comes from GET /api/pupils/{id}; the chronology's summary lacks these.
  if (pupil.upn) facts.push(detail('UPN', pupil.upn, 'pupil-upn'));
  if (pupil.date_of_birth) facts.push(detail('Date of birth', britishDate(pupil.date_of_birth), 'pupil-dob'));
  if (pupil.gender) facts.push(detail('Gender', pupil.gender));
  if (pupil.on_roll === false) {
    facts.push(detail('On roll', pupil.left_on ? `Left on ${britishDate(pupil.left_on)}` : 'No', 'pupil-left'));
  }
  return h('section', { class: 'card card--wide pupil-profile', 'aria-label': 'About the pupil' },
    pupil.photo_url ? h('img', {
      src: pupil.photo_url, alt: '', class: 'pupil-card__photo', width: 96, height: 96,
    }) : null,
    h('dl', { class: 'details' }, ...facts));
}

function shortened(text) {
  return text.length > SHORT_TEXT ? `${text.slice(0, SHORT_TEXT).trimEnd()}…` : text;
}

function entryItem(entry, timeZone) {
  const incident = `Incident ${entry.number}`;
  const title = entry.type === 'incident'
    ? [h('a', { href: `#/incidents/${entry.incident_id}` }, incident),
      entry.categories.length ? `: ${entry.categories.join(', ')}` : '']
    : [`${actionKindInWords(entry.kind || 'note')} on `,
      h('a', { href: `#/incidents/${entry.incident_id}` }, incident)];
  const meta = entry.type === 'incident'
    ? `Happened ${dateAndTime(new Date(entry.at), timeZone)}; recorded by ${entry.author}; `
      + `this pupil: ${linkRoleInWords(entry.role)}`
    : `${dateAndTime(new Date(entry.at), timeZone)}, ${entry.author}`;
  return h('li', { class: `chronology__entry chronology__entry--${entry.type}`, 'data-testid': 'chronology-entry' },
    h('p', { class: 'chronology__title' }, title),
    h('p', { class: 'item__meta' }, meta),
    h('p', { class: 'account-text chronology__text' }, shortened(entry.text)));
}

function categoryOptions(categories) {
  const active = categories.filter((category) => category.active);
  const byPosition = (a, b) => a.position - b.position || a.name.localeCompare(b.name);
  const options = [h('option', { value: '' }, 'All categories')];
  for (const parent of active.filter((category) => category.parent_id === null).sort(byPosition)) {
    options.push(h('option', { value: parent.id }, parent.name));
    for (const child of active.filter((category) => category.parent_id === parent.id).sort(byPosition)) {
      // Indented under its heading: a <select> shows no nesting otherwise.
      options.push(h('option', { value: child.id }, `\u00a0\u00a0\u00a0${child.name}`));
    }
  }
  return options;
}

/**
 * The chronology as a report (`.pdf`, `.csv`, or `/summary` with its charts) for the
 * filters' values: dates as the fields hold them.
 */
function reportAddress(id, ending, { category, from, to }) {
  const query = new URLSearchParams();
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  if (category) query.set('category', category);
  const search = query.toString();
  return `/api/pupils/${id}/chronology${ending}${search ? `?${search}` : ''}`;
}

export function pupilScreen(session, actions, { id, signal }) {
  const timeZone = session.school.timezone;
  const heading = h('h1', { tabindex: '-1' }, 'Pupil');
  const profileHost = h('div', {});
  const list = h('ol', { class: 'chronology', 'data-testid': 'chronology' });
  const summary = h('p', { class: 'chronology__summary', role: 'status', 'data-testid': 'chronology-summary' });
  const category = h('select', { 'data-testid': 'chronology-category' }, h('option', { value: '' }, 'All categories'));
  const from = h('input', { type: 'date', 'data-testid': 'chronology-from' });
  const to = h('input', { type: 'date', 'data-testid': 'chronology-to' });
  const showButton = h('button', { type: 'submit', class: 'button button--secondary' }, 'Show');
  const filters = h('form', { class: 'filters', 'data-testid': 'chronology-filters' },
    field('Category', category),
    field('From', from),
    field('To', to),
    h('div', { class: 'filters__buttons' }, showButton));
  const previous = h('button', { type: 'button', class: 'button button--secondary', hidden: true }, 'Earlier');
  const next = h('button', { type: 'button', class: 'button button--secondary', hidden: true }, 'Later');
  // Disabled while a page loads: a second press would ask again, and move `page` on twice.
  const loadButtons = [showButton, previous, next];
  const retry = h('button', { type: 'button', class: 'button button--primary', hidden: true }, 'Enter a code');
  // The case conference chronology as a PDF, for what the filters show (set with each answer).
  const pdf = h('a', {
    class: 'button button--secondary', download: '', 'data-testid': 'chronology-pdf',
  }, 'Download the chronology (PDF)');
  const csv = h('a', {
    class: 'button button--secondary', download: '', 'data-testid': 'chronology-csv',
  }, 'Download the chronology (CSV)');
  const pdfRow = h('div', { class: 'button-row', hidden: true }, pdf, csv);
  // The summary of the PDF on screen: its charts, each with its table; folded, so that the
  // entries, what a DSL reads most, stay near the top.
  const chartsBody = h('div', { class: 'report-charts' });
  const charts = h('details', { class: 'chronology__charts', 'data-testid': 'chronology-charts', hidden: true },
    h('summary', {}, 'Summary: incidents by category and by month'), chartsBody);
  const chronology = h('section', { class: 'card card--wide', 'aria-labelledby': 'chronology-heading' },
    h('h2', { id: 'chronology-heading' }, 'Chronology'),
    filters, summary, pdfRow, charts, list,
    h('div', { class: 'button-row pager' }, previous, next));
  const host = h('div', { class: 'stack pupil-page' }, heading, profileHost, retry, chronology);
  const layout = signedInLayout(session, actions, { current: 'pupils', content: host });
  let page = 1;
  let asked = 0; // answers to older requests are ignored when they arrive late
  // A late answer, once the page has been left or blanked, must show nothing: above all
  // not the pupil's name in the title, which the tab and the app switcher show.
  const gone = () => signal.aborted;
  const showProblem = (error) => {
    if (!gone()) layout.alert.textContent = error.message;
  };

  function showPupil(pupil) {
    if (gone()) return;
    heading.textContent = pupil.name;
    document.title = `${pupil.name} – Haven`;
    profileHost.replaceChildren(profileCard(pupil));
  }

  /** The chronology's current page, or null when a newer request overtook this one. */
  async function loadChronology() {
    asked += 1;
    const mine = asked;
    const focused = loadButtons.find((button) => button === document.activeElement);
    const query = new URLSearchParams({ page, per_page: PER_PAGE });
    if (category.value) query.set('category', category.value);
    if (from.value) query.set('from', startOfDay(from.value));
    if (to.value) query.set('to', endOfDay(to.value));
    const chosen = { category: category.value, from: from.value, to: to.value };
    list.setAttribute('aria-busy', 'true');
    loadButtons.forEach((button) => { button.disabled = true; });
    try {
      const answer = await api.get(`/api/pupils/${id}/chronology?${query}`, { signal });
      if (mine !== asked) return null;
      pdf.href = reportAddress(id, '.pdf', chosen);
      csv.href = reportAddress(id, '.csv', chosen);
      pdfRow.hidden = false;
      if (page === 1) showCharts(chosen, mine);
      list.replaceChildren(...answer.entries.map((entry) => entryItem(entry, timeZone)));
      const first = (answer.page - 1) * answer.per_page + 1;
      const last = first + answer.entries.length - 1;
      summary.textContent = answer.total === 0 ? 'Nothing recorded for these filters.'
        : `${first}–${last} of ${answer.total}, earliest first.`;
      previous.hidden = answer.page <= 1;
      next.hidden = last >= answer.total;
      return answer;
    } finally {
      if (mine === asked) {
        list.removeAttribute('aria-busy');
        loadButtons.forEach((button) => { button.disabled = false; });
        // Disabling the pressed button took its focus: it goes back, if it is still shown.
        if (focused && !focused.hidden && document.activeElement === document.body) focused.focus();
      }
    }
  }

  /** The summary's charts for these filters (asked as request `mine`); the chronology's
   * own list does not wait for it. */
  async function showCharts(chosen, mine) {
    try {
      const answer = await api.get(reportAddress(id, '/summary', chosen), { signal });
      // Gone, or other filters shown since: their own charts come with their answer.
      if (gone() || mine !== asked) return;
      const drawn = answer.charts.filter((chart) => chart.labels.length);
      chartsBody.replaceChildren(...drawn.map((chart) => reportChart(chart)));
      charts.hidden = drawn.length === 0;
    } catch (error) {
      if (error.name !== 'AbortError') charts.hidden = true;
    }
  }

  async function start() {
    retry.hidden = true;
    layout.alert.textContent = '';
    let answer;
    try {
      // The chronology first: it asks for the authenticator, once, if it is needed.
      answer = await loadChronology();
      if (!answer) return;
    } catch (error) {
      if (gone()) return;
      if (error.status === 404) {
        heading.textContent = 'Pupil not found';
        chronology.hidden = true;
        profileHost.replaceChildren(h('p', {}, 'This pupil does not exist or is not at your school.'));
        return;
      }
      layout.alert.textContent = error.code === 'ELEVATION_REQUIRED'
        ? 'A pupil’s chronology needs a code from your authenticator.' : error.message;
      retry.hidden = error.code !== 'ELEVATION_REQUIRED';
      return;
    }
    showPupil(answer.pupil);
    const [profile, categories] = await Promise.allSettled([
      api.get(`/api/pupils/${id}`, { signal }), api.get('/api/categories', { signal }),
    ]);
    if (gone()) return;
    if (profile.status === 'fulfilled') showPupil(profile.value);
    if (categories.status === 'fulfilled') category.replaceChildren(...categoryOptions(categories.value.categories));
  }

  async function turnPage(by, focusOn) {
    page += by;
    try {
      await loadChronology();
      focusOn.focus();
    } catch (error) {
      page -= by;
      showProblem(error);
    }
  }
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    layout.alert.textContent = '';
    if (from.value && to.value && from.value > to.value) {
      layout.alert.textContent = 'The “From” date is after the “To” date.';
      from.focus();
      return;
    }
    page = 1;
    loadChronology().catch(showProblem);
  });
  previous.addEventListener('click', () => turnPage(-1, summary));
  next.addEventListener('click', () => turnPage(1, summary));
  retry.addEventListener('click', start);
  summary.setAttribute('tabindex', '-1');

  window.setTimeout(start); // once on the page, so an elevation prompt has a page to open over
  return { title: 'Pupil', element: layout.element, focusTarget: heading };
}
