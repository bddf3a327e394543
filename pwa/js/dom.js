// Screens build their DOM with h() rather than innerHTML: names and messages from the
// server are always set as text, so they can never be read as markup.

/**
 * h('p', {class: 'note', 'data-testid': 'x'}, 'Text ', h('strong', {}, name))
 * Attribute values: true sets an empty attribute, false/null/undefined leaves it out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  const present = (child) => child !== null && child !== undefined && child !== false;
  element.append(...children.flat().filter(present));
  return element;
}

/**
 * Puts text into a live region (role="status" or "alert") that is already on the page.
 * Screen readers announce changes to a live region, not a region that arrives with its
 * text already in it, so the text goes in after the region has been rendered.
 */
export function announce(region, text) {
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}
