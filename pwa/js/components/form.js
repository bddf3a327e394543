// Labelled fields, error regions and the busy state that every form in Haven shares.
import { h } from '../dom.js';

let lastId = 0;

/** An id no other element on the page has, for label/for and aria-describedby pairs. */
export function uniqueId(prefix) {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

/** A label, an optional hint (read out with the field) and the input, in one block. */
export function field(labelText, input, hintText) {
  if (!input.id) input.id = uniqueId('field');
  const hint = hintText
    ? h('p', { class: 'field__hint', id: `${input.id}-hint` }, hintText)
    : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, labelText), hint, input);
}

export function passwordInput(autocomplete, attributes = {}) {
  return h('input', {
    type: 'password', autocomplete, required: true, maxlength: 1024, ...attributes,
  });
}

/** A role="alert" paragraph: errors put in it are read out at once. */
export function errorRegion(testid) {
  return h('p', { class: 'message message--error', role: 'alert', 'data-testid': testid });
}

/**
 * Shows `message` beside the field it is about, after the field's label or legend, and
 * marks the field invalid with the message in its description: on a long form the
 * form's own alert, by the button, can be a screen away from the field that needs work.
 * near: the block the message goes in (the field's, unless given).
 */
export function showFieldProblem(target, message, near = target.closest('.field') || target.parentElement) {
  const note = h('p', { class: 'field__error', id: uniqueId('problem'), 'data-testid': 'field-problem' }, message);
  const label = near.querySelector(':scope > label, :scope > legend');
  if (label) label.after(note);
  else near.prepend(note);
  const described = target.getAttribute('aria-describedby');
  target.setAttribute('aria-describedby', described ? `${note.id} ${described}` : note.id);
  target.setAttribute('aria-invalid', 'true');
}

/** Takes away what showFieldProblem put in `form`: the form is being checked again. */
export function clearFieldProblems(form) {
  for (const note of form.querySelectorAll('.field__error')) {
    const target = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (target) {
      const rest = target.getAttribute('aria-describedby').split(' ').filter((id) => id !== note.id);
      if (rest.length) target.setAttribute('aria-describedby', rest.join(' '));
      else target.removeAttribute('aria-describedby');
      target.removeAttribute('aria-invalid');
    }
    note.remove();
  }
}

/** A role="status" paragraph for calm news ("Your password has been changed."). */
export function statusRegion(testid) {
  return h('p', { class: 'message message--notice', role: 'status', 'data-testid': testid });
}

/**
 * Runs `work` with the form marked busy and its submit button disabled, so a double tap
 * sends one request. Whatever `work` throws is put in `alert` (and given back as false):
 * its `content` (text and elements, e.g. a link) when it has one, else its message.
 */
export async function submitting(form, alert, work) {
  const buttons = [...form.querySelectorAll('button')];
  if (form.getAttribute('aria-busy') === 'true') return false;
  alert.textContent = '';
  form.setAttribute('aria-busy', 'true');
  buttons.forEach((button) => { button.disabled = true; });
  try {
    await work();
    return true;
  } catch (error) {
    alert.replaceChildren(...(error.content || [error.message]));
    return false;
  } finally {
    form.removeAttribute('aria-busy');
    buttons.forEach((button) => { button.disabled = false; });
  }
}

/** True when something is written in textarea; else `message` goes in alert, the focus in the field. */
export function written(textarea, alert, message) {
  if (textarea.value.trim()) return true;
  alert.textContent = message;
  textarea.focus();
  return false;
}

/** Authenticator codes are often typed with a space in the middle ("123 456"). */
export function typedCode(input) {
  return input.value.replace(/\s+/g, '');
}
