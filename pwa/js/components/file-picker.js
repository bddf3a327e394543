// Files for an incident or an action: photos, PDFs, Word documents and text files, with
// "Take a photo" on phones and tablets. The server checks the same limits; checking here
// first tells the user at once, before a long upload on a slow connection.
import { announce, h } from '../dom.js';
import { errorRegion, uniqueId } from './form.js';
import { sizeInWords } from '../records.js';

export const MAX_FILES = 10;
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const ACCEPT = [
  'image/*', '.pdf', 'application/pdf', '.docx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document', '.txt', 'text/plain',
].join(',');
const ACCEPTED_NAME = /\.(pdf|docx|txt|jpe?g|png|gif|webp|heic|heif)$/i;

function acceptable(file) {
  return file.type.startsWith('image/') || ACCEPTED_NAME.test(file.name);
}

// A camera is offered where there is one to hold: a touch screen as the main pointer.
const HAS_CAMERA_HANDY = window.matchMedia('(pointer: coarse)').matches;

/**
 * A file input styled as a button: the input itself stays in the page (visually hidden)
 * so it keeps its focus and keyboard behaviour, and its label is what shows.
 */
function fileButton(text, attributes) {
  const input = h('input', { type: 'file', class: 'file-picker__input', ...attributes });
  input.id = uniqueId('files');
  const label = h('label', { for: input.id, class: 'button button--secondary file-picker__button' }, text);
  return { input, element: h('span', { class: 'file-picker__choice' }, input, label) };
}

/**
 * legendHidden: for a picker under a heading that already says what it is for.
 * Returns {element, files(), add(files), clear()}: add() takes File objects, e.g. those of a
 * refused record being corrected, with the same checks as a choice in the picker.
 */
export function filePicker({ legend = 'Files (optional)', legendHidden = false } = {}) {
  let chosen = [];
  const alert = errorRegion('files-error');
  // Read out only: a sighted user sees the file go from the list.
  const status = h('p', { role: 'status', class: 'visually-hidden', 'data-testid': 'files-status' });
  const list = h('ul', { class: 'file-picker__list', 'data-testid': 'chosen-files' });
  const browse = fileButton('Attach files', { multiple: true, accept: ACCEPT, 'data-testid': 'attach-files' });
  const camera = fileButton('Take a photo', {
    accept: 'image/*', capture: 'environment', 'data-testid': 'take-photo',
  });
  camera.element.hidden = !HAS_CAMERA_HANDY;

  function show() {
    list.replaceChildren(...chosen.map((file, index) => {
      const remove = h('button', { type: 'button', class: 'button button--secondary button--small' },
        'Remove', h('span', { class: 'visually-hidden' }, ` ${file.name}`));
      remove.addEventListener('click', () => {
        chosen.splice(index, 1);
        show();
        announce(status, `${file.name} removed.`);
        browse.input.focus();
      });
      return h('li', { class: 'file-picker__file', 'data-testid': 'chosen-file' },
        h('span', { class: 'file-picker__name' }, file.name),
        h('span', { class: 'file-picker__size' }, sizeInWords(file.size)),
        remove);
    }));
  }

  function add(files) {
    const problems = [];
    for (const file of files) {
      if (chosen.length >= MAX_FILES) {
        problems.push(`Only ${MAX_FILES} files can go with one record: ${file.name} was left out.`);
      } else if (!acceptable(file)) {
        problems.push(`${file.name} is not a photo, PDF, Word (.docx) or text file.`);
      } else if (file.size > MAX_FILE_BYTES) {
        problems.push(`${file.name} is ${sizeInWords(file.size)}: each file can be at most 20 MB.`);
      } else {
        chosen.push(file);
      }
    }
    alert.textContent = problems.join(' ');
    show();
  }

  function addChosen(input) {
    add([...input.files]);
    // Emptied, so choosing the same file again after removing it still counts as a change.
    input.value = '';
  }
  browse.input.addEventListener('change', () => addChosen(browse.input));
  camera.input.addEventListener('change', () => addChosen(camera.input));

  const element = h('fieldset', { class: 'fieldset file-picker' },
    h('legend', { class: legendHidden ? 'visually-hidden' : null }, legend),
    h('p', { class: 'field__hint' },
      `Photos, PDFs, Word (.docx) or text files: up to ${MAX_FILES}, each at most 20 MB.`),
    h('div', { class: 'button-row file-picker__choices' }, browse.element, camera.element),
    alert,
    status,
    list);
  return {
    element,
    files: () => [...chosen],
    add,
    clear() {
      chosen = [];
      alert.textContent = '';
      show();
    },
  };
}
