// Search as you type, for pupils and staff: a text field that offers a list of matches
// (the ARIA 1.2 combobox pattern). Arrow keys move through the list, Enter chooses,
// Escape closes it; a tap or click chooses too. Each match shows what tells two people
// with the same name apart (for a pupil: year and form).
import { h } from '../dom.js';
import { uniqueId } from './form.js';

const PAUSE_MS = 200; // wait for a pause in typing, not a request per key

/**
 * label, hint: for the field. search(query): a promise of a list of items.
 * describe(item): {name, meta, photo_url}. onChoose(item): the field empties afterwards.
 * Returns {element, input}.
 */
export function typeahead({ label, hint, search, describe, onChoose, testid }) {
  const input = h('input', {
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    autocapitalize: 'words',
    spellcheck: 'false',
    enterkeyhint: 'search',
    maxlength: 100,
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'data-testid': testid,
  });
  input.id = uniqueId('typeahead');
  const list = h('ul', {
    role: 'listbox', id: `${input.id}-list`, class: 'typeahead__list', 'aria-label': label, hidden: true,
  });
  input.setAttribute('aria-controls', list.id);
  // Says how many matched, or that none did: polite, so it never interrupts typing.
  const status = h('p', { class: 'typeahead__status', role: 'status' });
  const hintText = hint ? h('p', { class: 'field__hint', id: `${input.id}-hint` }, hint) : null;
  if (hintText) input.setAttribute('aria-describedby', hintText.id);

  let items = [];
  let active = -1;
  let asked = 0; // answers to older queries are ignored when they arrive late
  let timer = null;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (index < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    const option = list.children[index];
    input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  }

  function choose(index) {
    const item = items[index];
    if (!item) return;
    close();
    input.value = '';
    status.textContent = '';
    onChoose(item);
  }

  function option(item, index) {
    const { name, meta, photo_url: photo } = describe(item);
    const element = h('li', {
      role: 'option', id: `${list.id}-${index}`, class: 'typeahead__option', 'aria-selected': 'false',
    },
    photo ? h('img', { src: photo, alt: '', class: 'typeahead__photo', width: 40, height: 40 }) : null,
    h('span', { class: 'typeahead__text' },
      h('span', { class: 'typeahead__name' }, name),
      // Inline, with the comma in the text: read out as "Ben Carter, Year 5, form 5B".
      meta ? h('span', { class: 'typeahead__meta' }, `, ${meta}`) : null));
    // Keeps the focus in the field, so choosing does not first close the list on blur.
    element.addEventListener('mousedown', (event) => event.preventDefault());
    element.addEventListener('click', () => choose(index));
    return element;
  }

  async function lookUp(query) {
    asked += 1;
    const mine = asked;
    let found;
    try {
      found = await search(query);
    } catch (error) {
      if (mine === asked) status.textContent = error.message;
      return;
    }
    // The person has moved on to another field: a list opening there would cover it.
    if (mine !== asked || input.value.trim() !== query || document.activeElement !== input) return;
    items = found;
    list.replaceChildren(...items.map(option));
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', String(items.length > 0));
    highlight(-1);
    status.textContent = items.length === 0 ? `Nothing matches “${query}”.`
      : `${items.length} ${items.length === 1 ? 'match' : 'matches'}: use the arrow keys to choose.`;
  }

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    const query = input.value.trim();
    if (!query) {
      asked += 1;
      close();
      status.textContent = '';
      return;
    }
    timer = window.setTimeout(() => lookUp(query), PAUSE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const open = !list.hidden;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === 'Enter') {
      // Enter in a search field never submits the form around it.
      event.preventDefault();
      if (open) choose(active >= 0 ? active : (items.length === 1 ? 0 : -1));
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => {
    // A pending pause or a slow answer must not reopen the list after the field is left.
    window.clearTimeout(timer);
    asked += 1;
    close();
  });

  const element = h('div', { class: 'field typeahead' },
    h('label', { for: input.id }, label),
    hintText,
    h('div', { class: 'typeahead__box' }, input, list),
    status);
  return { element, input };
}
