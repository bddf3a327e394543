// A report's chart as the server drew it (the same figures as the PDF's), with its table
// alternative beside it: GET /api/reports/{governors,ofsted} answer each chart as
// {key, title, description, kind, unit, labels, series: [{name, values}], svg}.
import { h } from '../dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Nothing that runs, loads or embeds: the SVG is drawn by our own server, but a page that
// takes markup from an answer checks it all the same.
const FORBIDDEN = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'image', 'a', 'style']);

function allowed(element) {
  if (FORBIDDEN.has(element.localName.toLowerCase())) return false;
  return [...element.attributes].every(({ name, value }) => !/^on/i.test(name)
    && !(/(^|:)href$/i.test(name) && !value.startsWith('#')));
}

/** The server's SVG as an element of this document, or null when it is not a plain SVG. */
export function importedSvg(markup) {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') return null; // or a parser error
  if (![root, ...root.querySelectorAll('*')].every(allowed)) return null;
  return document.importNode(root, true);
}

/** "Incidents by year group" → "Year group": the heading of the table's first column. */
function labelsHeading(chart) {
  const [, by] = chart.title.split(' by ');
  return by ? by[0].toUpperCase() + by.slice(1) : 'Item';
}

/**
 * missing: what a table cell says for a value the chart does not draw (null), e.g.
 * "fewer than 5" where small counts are held back.
 */
function chartTable(chart, missing) {
  const unit = chart.unit ? ` (${chart.unit})` : '';
  return h('div', { class: 'table-scroll report-chart__table' },
    h('table', { class: 'table', 'data-testid': 'chart-table' },
      h('caption', {}, `${chart.title}: the figures${unit}`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, labelsHeading(chart)),
        chart.series.map((series) => h('th', { scope: 'col', class: 'table__number' }, series.name)))),
      h('tbody', {}, chart.labels.map((label, row) => h('tr', {},
        h('th', { scope: 'row' }, label),
        chart.series.map((series) => h('td', { class: 'table__number' },
          series.values[row] === null ? missing : String(series.values[row]))))))));
}

export function reportChart(chart, { missing = 'none' } = {}) {
  const headingId = `report-chart-${chart.key}`;
  const drawn = importedSvg(chart.svg);
  return h('section', { class: 'report-chart', 'aria-labelledby': headingId, 'data-testid': 'report-chart' },
    h('h3', { id: headingId }, chart.title),
    h('div', { class: 'report-chart__figure' },
      drawn || h('p', { class: 'muted' }, 'This chart cannot be shown: its figures are in the table.')),
    chart.labels.length ? chartTable(chart, missing) : h('p', { class: 'muted' }, 'No figures for this period.'));
}
