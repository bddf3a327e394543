// Reports, for key holders: the governors' report (anonymous, small numbers held back) and
// the safeguarding overview for Ofsted, for a period, on screen (key figures, and each
// chart with its table) and as PDF or CSV; and the patterns of the last weeks, as on the
// home screen. The server draws the charts, from the same figures as the PDF's. Reports
// need an elevated session: showing one asks for the authenticator code when needed, so
// the download links, shown with the report, work.
import { api } from '../api.js';
import { h } from '../dom.js';
import { detail } from '../components/details.js';
import { field } from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { patternsDownloads, patternsList } from '../components/patterns-card.js';
import { reportChart } from '../components/report-chart.js';
import { britishDate } from '../local-time.js';
import { dateAndTime } from '../time.js';

const REPORTS = {
  governors: { title: 'Governors’ safeguarding report', figures: governorsFigures, missing: 'held back' },
  ofsted: { title: 'Safeguarding overview for Ofsted', figures: ofstedFigures, missing: 'none' },
  // As of now, over the last weeks (the school's settings): no period to choose.
  patterns: { title: 'Patterns: concerns clustering or rising', asOfNow: true },
};

/** Today in the school's time zone, as a date field's value: "2026-11-29". */
function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: '2-digit', day: '2-digit', timeZone,
  }).format(new Date());
}

/** The day after the same date a year before: the twelve months the server reports by default. */
function yearBefore(day) {
  const [year, month, date] = day.split('-').map(Number);
  // 29 February goes to the 28th of a year without one, as the server does.
  const moment = new Date(Date.UTC(year - 1, month - 1, month === 2 && date === 29 ? 28 : date));
  moment.setUTCDate(moment.getUTCDate() + 1);
  return moment.toISOString().slice(0, 10);
}

/**
 * The periods a report is most often asked for, from today ("2026-11-30"): a school year
 * runs from 1 September to 31 August (as in England's schools). Whole years only: a report
 * compares its period with the one of the same length just before, and the school year so
 * far would be compared with the summer holiday.
 */
function usualPeriods(day) {
  const [year, month] = day.split('-').map(Number);
  const started = month >= 9 ? year : year - 1;
  return [
    { label: 'Last 12 months', from: yearBefore(day), to: day },
    { label: 'Last school year', from: `${started - 1}-09-01`, to: `${started}-08-31` },
  ];
}

function periodInWords(period) {
  return `${britishDate(period.from)} to ${britishDate(period.to)}`;
}

function plural(count, word) {
  return typeof count === 'number' ? `${count} ${word}${count === 1 ? '' : 's'}` : `${count} ${word}s`;
}

/** A line {count, previous, change, change_percent} against the previous period, in words. */
function changeInWords(line) {
  // Null in the governors' report, where a count under 5 is held back.
  if (line.change === null) return `not given, a count being held back (previous period: ${line.previous ?? '–'})`;
  if (line.change === 0) return `the same as the previous period (${line.previous})`;
  const percent = line.change_percent === null ? '' : `, ${Math.abs(line.change_percent)}%`;
  return `${line.change > 0 ? 'up' : 'down'} ${Math.abs(line.change)}${percent} on the previous period (${line.previous})`;
}

// With one or two alerts read the times would be theirs, so they go with the count.
function readTime(ack, minutes) {
  return typeof ack.read === 'string' ? 'held back' : minutesInWords(minutes);
}

function minutesInWords(minutes) {
  if (minutes === null) return 'none yet';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

function figures(label, ...facts) {
  return h('section', { class: 'report-figures' },
    h('h3', {}, label), h('dl', { class: 'details' }, ...facts));
}

function linesTable(caption, heading, lines) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, heading),
      h('th', { scope: 'col', class: 'table__number' }, 'This period'),
      h('th', { scope: 'col', class: 'table__number' }, 'Previous period'))),
    h('tbody', {}, lines.map((line) => h('tr', {}, h('th', { scope: 'row' }, line.name),
      h('td', { class: 'table__number' }, String(line.count)),
      h('td', { class: 'table__number' }, String(line.previous ?? '–')))))));
}

function governorsFigures(report) {
  const ack = report.acknowledgement;
  const characteristic = report.by_characteristic;
  return [
    figures('Incidents',
      detail('This period', plural(report.total.count, 'incident'), 'report-total'),
      detail('Against the previous period', changeInWords(report.total))),
    figures('Alerts and how quickly they were read',
      detail('Alerts sent', String(ack.alerts)),
      detail('Read', String(ack.read)),
      detail('Not read yet', String(ack.unread)),
      detail('Time to read (median)', readTime(ack, ack.median_minutes), 'report-read-median'),
      detail('Time to read (90% within)', readTime(ack, ack.p90_minutes))),
    characteristic.recorded && characteristic.lines.length
      ? linesTable('Incidents by gender', 'Gender', characteristic.lines) : null,
  ];
}

function durations(label, timed, waitingLabel, waiting) {
  return figures(label,
    detail('Definition', timed.definition),
    detail('Median', minutesInWords(timed.median_minutes)),
    detail('90% within', minutesInWords(timed.p90_minutes)),
    detail('Incidents timed', String(timed.timed)),
    detail(waitingLabel, String(waiting)));
}

function ofstedFigures(report) {
  const { volumes, open_referrals: referrals, audit_trail: trail } = report;
  const staff = report.staff_without_authenticator;
  return [
    figures('Incidents',
      detail('This period', plural(volumes.count, 'incident'), 'report-total'),
      detail('Against the previous period', changeInWords(volumes)),
      detail('Trend', `${volumes.trend} (${volumes.trend_rule})`),
      detail('Escalated', String(report.escalated))),
    durations('Time to the first action', report.time_to_first_action, 'Without an action yet',
      report.time_to_first_action.without_action),
    durations('Time to a key holder’s read', report.time_to_key_holder_read, 'Not read yet',
      report.time_to_key_holder_read.unread),
    figures('Open referrals',
      detail('Incidents referred', String(referrals.total)),
      detail('By agency', referrals.by_agency.length
        ? referrals.by_agency.map((r) => `${r.agency}: ${r.incidents}`).join('; ') : 'none'),
      detail('Definition', referrals.definition)),
    figures('Staff and the audit trail',
      detail('Staff without the authenticator', staff.length
        ? staff.map((person) => person.name).join(', ') : 'none'),
      detail('Audit trail', trail.intact
        ? `intact (${trail.rows_checked} entries checked${trail.whole_trail ? '' : ', the newest'})`
        : `a problem: ${trail.problem}`)),
  ];
}

function reportUrl(kind, period, format) {
  return `/api/reports/${kind}?${new URLSearchParams({ from: period.from, to: period.to, format })}`;
}

function download(kind, period, format, label) {
  return h('a', {
    class: 'button button--secondary', href: reportUrl(kind, period, format), download: '',
    'data-testid': `download-${format}`,
  }, label);
}

/** A report on screen: its title (focused when shown), then what it holds. */
function reportCard(title, ...content) {
  return h('section', { class: 'card card--wide report', 'aria-labelledby': 'report-heading', 'data-testid': 'report' },
    h('h2', { id: 'report-heading', tabindex: '-1' }, title), ...content);
}

function patternsView(found, timeZone) {
  const { concerns, days, rise_factor: factor, recent_days: recentDays } = found.thresholds;
  return reportCard(REPORTS.patterns.title,
    h('p', { class: 'muted' }, `As of ${dateAndTime(new Date(found.as_of), timeZone)}: pupils with ${concerns} or more `
      + `concerns in ${days} days, and pupils and categories with at least ${concerns} in the last `
      + `${recentDays} days and ${factor} times their usual count (the school’s settings).`),
    patternsDownloads(),
    ...patternsList(found));
}

function reportView(kind, report, timeZone) {
  if (kind === 'patterns') return patternsView(report, timeZone);
  const { title, figures: keyFigures, missing } = REPORTS[kind];
  return reportCard(title,
    h('p', { class: 'muted' }, `${report.school}, ${periodInWords(report.period)}; compared with `
      + `${periodInWords(report.previous_period)}.`),
    h('div', { class: 'button-row' },
      download(kind, report.period, 'pdf', 'Download PDF'),
      download(kind, report.period, 'csv', 'Download CSV')),
    ...keyFigures(report),
    report.charts.map((chart) => reportChart(chart, { missing })),
    report.notes?.length ? h('section', {}, h('h3', {}, 'Notes'),
      h('ul', { class: 'report__notes' }, report.notes.map((note) => h('li', {}, note)))) : null);
}

export function reportsScreen(session, actions, { signal }) {
  const heading = h('h1', { tabindex: '-1' }, 'Reports');
  const choice = h('select', { 'data-testid': 'report-kind' },
    Object.entries(REPORTS).map(([kind, { title }]) => h('option', { value: kind }, title)));
  const to = h('input', { type: 'date', required: true, value: today(session.school.timezone), 'data-testid': 'report-to' });
  const from = h('input', { type: 'date', required: true, value: yearBefore(to.value), 'data-testid': 'report-from' });
  const showButton = h('button', { type: 'submit', class: 'button button--primary' }, 'Show');
  const period = [field('From', from), field('To', to)];
  // One tap fills both dates; the report is shown when asked, as with dates typed in.
  const shortcuts = h('div', { role: 'group', class: 'button-row report-periods', 'aria-label': 'Usual periods' },
    usualPeriods(to.value).map((usual) => {
      // The dates in its name: a screen reader hears what a tap will fill in.
      const button = h('button', {
        type: 'button', class: 'button button--secondary button--small',
        'aria-label': `${usual.label}: ${periodInWords(usual)}`,
      }, usual.label);
      button.addEventListener('click', () => {
        from.value = usual.from;
        to.value = usual.to;
      });
      return button;
    }));
  const form = h('form', { class: 'filters', 'data-testid': 'report-choice' },
    field('Report', choice), ...period, shortcuts,
    h('div', { class: 'filters__buttons' }, showButton));

  choice.addEventListener('change', () => {
    const asOfNow = Boolean(REPORTS[choice.value].asOfNow);
    [...period, shortcuts].forEach((element) => { element.hidden = asOfNow; });
    [from, to].forEach((input) => { input.disabled = asOfNow; });
  });
  const result = h('div', { 'data-testid': 'report-result' });
  const intro = h('section', { class: 'card card--wide', 'aria-label': 'Choose a report' },
    h('p', { class: 'lead' }, 'The governors’ report names no one and holds back counts under 5. '
      + 'The overview for Ofsted names staff without the authenticator. Patterns name the pupils '
      + 'whose concerns cluster or rise. All need your authenticator code.'),
    form);
  const layout = signedInLayout(session, actions, {
    current: 'reports', content: h('div', { class: 'stack' }, heading, intro, result),
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    layout.alert.textContent = '';
    const kind = choice.value;
    const query = REPORTS[kind].asOfNow ? '' : new URLSearchParams({ from: from.value, to: to.value });
    result.setAttribute('aria-busy', 'true');
    showButton.disabled = true;
    try {
      const report = await api.get(`/api/reports/${kind}?${query}`, { signal });
      const view = reportView(kind, report, session.school.timezone);
      result.replaceChildren(view);
      view.querySelector('h2').focus();
    } catch (error) {
      if (error.name === 'AbortError') return;
      result.replaceChildren(); // a report for another period must not look like this one's
      layout.alert.textContent = error.code === 'ELEVATION_REQUIRED'
        ? 'Reports need a code from your authenticator.' : error.message;
    } finally {
      result.removeAttribute('aria-busy');
      showButton.disabled = false;
    }
  });

  return { title: 'Reports', element: layout.element, focusTarget: heading };
}
