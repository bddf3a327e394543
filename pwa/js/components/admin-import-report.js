// What a pupil import would change (the preview) or changed: the counts, a plain warning
// when many pupils would be marked as left, and the rows Haven could not read.
import { h } from '../dom.js';

const number = new Intl.NumberFormat('en-GB');

function pupils(count) {
  return count === 1 ? '1 pupil' : `${number.format(count)} pupils`;
}

function rows(count) {
  return count === 1 ? '1 row' : `${number.format(count)} rows`;
}

/**
 * A file that leaves out a third or more of the pupils on roll is more likely one year
 * group sent by mistake than the summer's leavers (a sixth of a school, or a little more).
 */
export function manyWouldLeave(report) {
  const onRoll = report.updated + report.unchanged + report.marked_left;
  return report.marked_left > 0 && report.marked_left * 3 >= onRoll;
}

function counts(report, imported) {
  // The heading above says whether these would happen or have happened.
  const tiles = [
    ['created', 'New pupils'],
    ['updated', 'Updated'],
    ['unchanged', 'Unchanged'],
    ['marked_left', 'Marked as left'],
  ];
  if (report.errors.length) tiles.push(['skipped', imported ? 'Rows skipped' : 'Bad rows']);
  return h('dl', { class: 'import-counts' },
    tiles.map(([key, words]) => h('div', {
      class: key === 'marked_left' && manyWouldLeave(report)
        ? 'import-count import-count--warning' : 'import-count',
    },
    h('dt', {}, words),
    h('dd', { 'data-testid': `count-${key}` },
      number.format(report[key])))));
}

function problemTable(errors) {
  const sorted = [...errors].sort((a, b) => a.row - b.row);
  return h('div', { class: 'table-scroll' },
    h('table', { class: 'table', 'data-testid': 'import-errors' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Line'),
        h('th', { scope: 'col' }, 'Column'),
        h('th', { scope: 'col' }, 'Problem'))),
      h('tbody', {}, sorted.map((error) => h('tr', { 'data-testid': 'import-error' },
        h('td', { class: 'table__number' }, String(error.row)),
        h('td', {}, error.field.replaceAll('_', ' ')),
        h('td', {}, error.message))))));
}

function leaversWarning(report) {
  const onRoll = report.updated + report.unchanged + report.marked_left;
  return h('div', { class: 'message message--warning', 'data-testid': 'leavers-warning' },
    h('p', {}, h('strong', {}, 'Is this the whole school? '),
      `${pupils(report.marked_left)} of the ${number.format(onRoll)} on roll are not in this `
      + 'file, and would be marked as left.'),
    h('p', {}, 'If the file lists only some pupils (one year group, say), tick “This file '
      + 'lists only some pupils” above and preview it again.'));
}

/** report: the server's answer. Returns {content}: the elements to show, heading first. */
export function importReport(report, { imported }) {
  const bad = new Set(report.errors.map((error) => error.row)).size;
  const heading = h('h2', { id: 'import-results-heading', tabindex: '-1' },
    imported ? 'The pupils are imported' : 'Preview: nothing has changed yet');
  let summary = 'This is what importing the file would do.';
  if (imported) summary = 'Haven has saved these changes, and recorded the import in the audit trail.';
  else if (report.created + report.updated + report.marked_left === 0 && !bad) {
    summary = 'The file matches the pupils Haven already has: importing it would change nothing.';
  }
  const content = [heading, h('p', {}, summary), counts(report, imported)];
  if (!imported && manyWouldLeave(report)) content.push(leaversWarning(report));
  if (bad) {
    content.push(
      h('h3', { class: 'import-results__subheading' }, imported
        ? `${rows(bad)} skipped` : `${rows(bad)} with problems`),
      h('p', {}, imported
        ? `${bad === 1 ? 'This pupil was' : 'These pupils were'} left out. Correct `
          + `${bad === 1 ? 'the row' : 'them'} in your MIS and import ${bad === 1 ? 'it' : 'them'} another time.`
        : `Haven cannot read ${bad === 1 ? 'this row' : 'these rows'}. A file with problems `
          + 'is imported only if you skip them; the counts above are for the other rows.'),
      problemTable(report.errors),
    );
  }
  return { content };
}
