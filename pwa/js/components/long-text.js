// A long piece of writing (the account of an incident, the text of an action), with a
// count of the characters left, so nobody finds the limit by losing the end of a sentence.
import { h } from '../dom.js';
import { uniqueId } from './form.js';

export const MAX_ACCOUNT = 20000;

const number = new Intl.NumberFormat('en-GB');

/**
 * aside: shown beside the field on a wide screen, above it on a phone, and read out with
 * it (e.g. the school's writing prompts). Returns {element, textarea, set(text), clear()}.
 */
export function longText({ label, hint, aside, max = MAX_ACCOUNT, rows = 10, testid }) {
  const textarea = h('textarea', {
    id: uniqueId('long-text'), rows, maxlength: max, required: true, 'data-testid': testid,
    autocapitalize: 'sentences', spellcheck: 'true',
  });
  const counter = h('p', { class: 'long-text__counter', id: `${textarea.id}-count` });
  const hintText = hint ? h('p', { class: 'field__hint', id: `${textarea.id}-hint` }, hint) : null;
  if (aside && !aside.id) aside.id = uniqueId('long-text-aside');
  textarea.setAttribute('aria-describedby',
    [hintText?.id, aside?.id, counter.id].filter(Boolean).join(' '));

  const count = () => {
    counter.textContent = `${number.format(textarea.value.length)} of ${number.format(max)} characters`;
    counter.classList.toggle('long-text__counter--near', textarea.value.length > max * 0.95);
  };
  textarea.addEventListener('input', count);
  count();

  const element = h('div', { class: aside ? 'field long-text long-text--with-aside' : 'field long-text' },
    h('label', { for: textarea.id, class: 'long-text__label' }, label),
    hintText,
    aside,
    h('div', { class: 'long-text__box' }, textarea, counter));
  function set(text) {
    textarea.value = text;
    count();
  }
  return {
    element,
    textarea,
    set,
    clear: () => set(''),
  };
}
