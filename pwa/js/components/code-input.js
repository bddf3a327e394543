// The field for a 6-digit authenticator code: a number pad on phones, and the code that
// iOS offers from a text message or the password manager. Long enough for a recovery code
// (abcde-fghij) too, which the server takes wherever it takes a code.
import { h } from '../dom.js';

export function codeInput(attributes = {}) {
  return h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', autocapitalize: 'none',
    spellcheck: 'false', maxlength: 11, required: true, class: 'input--code', ...attributes,
  });
}
