// A term and its value in a <dl class="details">: Name, Email, Roles...
import { h } from '../dom.js';

export function detail(term, value, testid) {
  return [h('dt', {}, term), h('dd', { 'data-testid': testid }, value)];
}
