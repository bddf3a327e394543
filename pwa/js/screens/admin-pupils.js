// Pupil import, for administrators: the school's pupils from a CSV file exported from
// its MIS (SIMS, Arbor, or any other with the columns named). A preview (a dry run on
// the server) always comes first and shows what would change; the import then sends
// exactly the bytes that were previewed, so what was checked is what is imported.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { confirmAction } from '../components/confirm.js';
import {
  errorRegion, field, statusRegion, submitting, uniqueId,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { importReport, manyWouldLeave } from '../components/admin-import-report.js';

// The pupil fields of the server's importer (backend/haven/pupils/importer.py FIELDS),
// with the first five required, in the words of the form.
const FIELDS = [
  ['upn', 'UPN'], ['first_name', 'Legal first name'], ['last_name', 'Legal last name'],
  ['date_of_birth', 'Date of birth'], ['year_group', 'Year group'],
  ['preferred_name', 'Preferred first name'], ['form', 'Form (registration group)'],
  ['gender', 'Gender'], ['left_on', 'Date of leaving'],
];
const REQUIRED = 5;

const FORMATS = [
  ['sims', 'SIMS'],
  ['arbor', 'Arbor'],
  ['haven', 'Haven’s template (upn, first_name, last_name …)'],
  ['own', 'Another MIS: I will name the columns'],
];

function templateLink() {
  const text = `${FIELDS.map(([name]) => name).join(',')}\r\n`;
  // A blob: address on a download link is a navigation, which Haven's CSP allows.
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  return h('a', { href: url, download: 'haven-pupils-template.csv' }, 'Download the template');
}

/** The fields to name the columns of another MIS's file; empty ones keep Haven's name. */
function ownColumns() {
  const inputs = FIELDS.map(([name, words], index) => {
    const input = h('input', {
      type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 100,
      placeholder: name, 'data-field': name,
    });
    return field(index < REQUIRED ? words : `${words} (optional)`, input);
  });
  const element = h('fieldset', { class: 'fieldset import-columns', hidden: true },
    h('legend', {}, 'The headings of your file’s columns'),
    h('p', { class: 'field__hint' }, 'As they are written in the first line of the file. '
      + 'Leave a box empty when the heading is the one shown in it.'),
    h('div', { class: 'import-columns__grid' }, inputs));
  return {
    element,
    map() {
      const chosen = {};
      element.querySelectorAll('input').forEach((input) => {
        if (input.value.trim()) chosen[input.dataset.field] = input.value.trim();
      });
      return JSON.stringify(chosen);
    },
  };
}

function skipLabel(report) {
  return new Set(report.errors.map((error) => error.row)).size === 1
    ? 'Skip this row' : 'Skip these rows';
}

export function adminPupilsScreen(session, actions) {
  const heading = h('h1', { tabindex: '-1' }, 'Pupil import');
  const status = statusRegion('import-status');
  const formAlert = errorRegion('import-error');

  const file = h('input', {
    type: 'file', accept: '.csv,text/csv', required: true, 'data-testid': 'import-file',
  });
  const format = h('select', { 'data-testid': 'import-format' },
    FORMATS.map(([value, words]) => h('option', { value }, words)));
  const columns = ownColumns();
  const partialId = uniqueId('partial');
  const partial = h('input', { type: 'checkbox', id: partialId, 'data-testid': 'import-partial' });
  const preview = h('button', { type: 'submit', class: 'button button--primary' }, 'Preview');
  const form = h('form', { class: 'card import-form', 'data-testid': 'import-form' },
    formAlert,
    field('CSV file of pupils', file, 'Export it from your MIS with a heading line. Haven '
      + 'adds new pupils and updates the others by UPN.'),
    field('Where the file comes from', format),
    columns.element,
    h('div', { class: 'checkbox' }, partial,
      h('label', { for: partialId },
        h('span', { class: 'checkbox__name' }, 'This file lists only some pupils'),
        h('span', { class: 'checkbox__hint' }, 'One class or year group, say: pupils who are '
          + 'not in it stay as they are. Leave it unticked for a full export, and pupils '
          + 'missing from it are marked as left (their records are kept).'))),
    h('div', { class: 'button-row import-form__actions' }, preview));

  // What the preview and the result are drawn in; empty until there is one.
  const results = h('section', {
    class: 'card import-results', 'aria-labelledby': 'import-results-heading',
    'data-testid': 'import-results', hidden: true,
  });
  let previewed = null; // {report, upload, name} while the form is as it was previewed

  function options() {
    return {
      map: format.value === 'own' ? columns.map() : format.value,
      partial: partial.checked,
    };
  }

  function body(upload, name, { dryRun, skip }) {
    const { map, partial: onlySome } = options();
    const data = new FormData();
    data.append('file', upload, name);
    data.append('map', map);
    if (dryRun) data.append('dry_run', '1');
    if (skip) data.append('skip_bad_rows', '1');
    if (onlySome) data.append('partial', '1');
    return data;
  }

  function forgetPreview() {
    previewed = null;
    status.textContent = '';
    results.hidden = true;
    results.replaceChildren();
  }

  function showResults(content) {
    results.replaceChildren(...content.filter(Boolean));
    results.hidden = false;
    results.querySelector('h2').focus();
  }

  async function runImport(skipBox, importButton, importAlert) {
    const { report, upload, name } = previewed;
    if (report.errors.length && !skipBox.checked) {
      importAlert.textContent = `Tick “${skipLabel(report)}” to import the others, or correct `
        + 'the file in your MIS and preview it again.';
      skipBox.focus();
      return;
    }
    if (manyWouldLeave(report)) {
      const sure = await confirmAction(results, {
        heading: `Mark ${report.marked_left} pupils as left?`,
        message: 'They are not in this file. If it is a whole-school export, that is right. '
          + 'If it lists only some pupils, cancel and tick “This file lists only some pupils”.',
        confirmLabel: `Mark ${report.marked_left} as left and import`,
      });
      if (!sure) return;
    }
    let done;
    const ok = await submitting(results, importAlert, async () => {
      done = await api.post('/api/admin/pupils/import',
        body(upload, name, { dryRun: false, skip: report.errors.length > 0 }));
    });
    if (!ok) {
      importButton.focus();
      return;
    }
    // The file is done with: a second press must not import it again.
    forgetPreview();
    form.reset();
    columns.element.hidden = true;
    showResults(importReport(done, { imported: true }).content);
    announce(status, 'The pupils are imported.');
  }

  function showPreview() {
    const { report } = previewed;
    const drawn = importReport(report, { imported: false });
    const importAlert = errorRegion('import-run-error');
    const importButton = h('button', {
      type: 'button', class: 'button button--primary', 'data-testid': 'run-import',
    }, 'Import');
    const skipId = uniqueId('skip');
    const skipBox = h('input', { type: 'checkbox', id: skipId, 'data-testid': 'skip-bad-rows' });
    const skipRow = report.errors.length ? h('div', { class: 'checkbox' }, skipBox,
      h('label', { for: skipId },
        h('span', { class: 'checkbox__name' }, skipLabel(report)),
        h('span', { class: 'checkbox__hint' }, 'and import the others. Correct the skipped '
          + 'pupils in your MIS and import them another time.'))) : null;
    const nothingToDo = report.created + report.updated + report.marked_left === 0;
    importButton.addEventListener('click', () => runImport(skipBox, importButton, importAlert));
    showResults([
      ...drawn.content,
      importAlert,
      skipRow,
      nothingToDo ? null : h('div', { class: 'button-row' }, importButton),
    ]);
  }

  format.addEventListener('change', () => {
    columns.element.hidden = format.value !== 'own';
  });
  // A preview is of one file with one set of choices: any change makes it out of date.
  form.addEventListener('input', forgetPreview);
  form.addEventListener('change', forgetPreview);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    forgetPreview();
    const chosen = file.files[0];
    let report;
    let upload;
    const ok = await submitting(form, formAlert, async () => {
      if (!chosen) throw new Error('Choose the CSV file first.');
      try {
        // Read now, so the import sends these bytes even if the file changes on disk.
        upload = new Blob([await chosen.arrayBuffer()], { type: chosen.type || 'text/csv' });
      } catch {
        throw new Error('Haven could not read that file. Choose it again.');
      }
      // Always with skip_bad_rows: the preview then counts what the good rows would
      // change as well as listing the bad ones; the import itself skips only when asked.
      report = await api.post('/api/admin/pupils/import',
        body(upload, chosen.name, { dryRun: true, skip: true }));
    });
    if (!ok) {
      file.focus();
      return;
    }
    previewed = { report, upload, name: chosen.name };
    showPreview();
  });

  const content = h('div', { class: 'stack' },
    h('div', { class: 'page-heading' }, heading),
    h('p', { class: 'admin-intro' }, 'Bring in the school’s pupils from your MIS. Haven '
      + 'shows what would change before anything does. No pupil is ever deleted: those who '
      + 'leave are marked as left, and their records are kept. ', templateLink(),
    ' with Haven’s own column headings.'),
    status,
    form,
    results);
  const layout = signedInLayout(session, actions, { current: 'admin/pupils', content });
  return { title: 'Pupil import', element: layout.element, focusTarget: heading };
}
