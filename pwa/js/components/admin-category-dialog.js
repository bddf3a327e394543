// Adding or changing a category: its name, its place (top level or under another), the
// guidance staff read when they choose it, who may see its incidents, who is alerted
// automatically, whether its alerts come through quiet hours, and when an unread concern
// escalates. Saved by the server, which checks the two-level rule and names.
import { api } from '../api.js';
import { h } from '../dom.js';
import { checkboxFieldset } from './checkboxes.js';
import { dialogActions, openDialog } from './dialog.js';
import {
  errorRegion, field, submitting, uniqueId,
} from './form.js';
import { nextPosition } from './admin-order.js';
import { roleInWords } from '../roles.js';

// Key holders are the roles that read other people's records, so a restriction or an
// automatic alert is about them. A role the server already holds is kept on offer, so
// saving the form never drops it silently.
const KEY_HOLDER_ROLES = ['dsl', 'slt'];
const ROLE_TEAMS = { dsl: 'The DSL team (everyone with the DSL role)', slt: 'SLT (the senior leadership team)' };

function roleOptions(present) {
  const roles = [...KEY_HOLDER_ROLES, ...present.filter((role) => !KEY_HOLDER_ROLES.includes(role))];
  return roles.map((role) => ({ value: role, name: roleInWords(role) }));
}

function parentSelect(category, tops) {
  const select = h('select', { 'data-testid': 'category-parent' },
    h('option', { value: '' }, 'None: it is a top-level category'),
    tops.filter((top) => !category || top.id !== category.id).map((top) => h('option', {
      value: top.id, selected: category?.parent_id === top.id,
    }, top.active ? top.name : `${top.name} (deactivated)`)));
  return select;
}

// The most the server accepts: a day.
const MOST_MINUTES = 24 * 60;

function urgentCheckbox(checked) {
  const box = h('input', {
    type: 'checkbox', id: uniqueId('urgent'), checked, 'data-testid': 'category-urgent',
  });
  const element = h('div', { class: 'checkbox' }, box,
    h('label', { for: box.id },
      h('span', { class: 'checkbox__name' }, 'Urgent: alerts come through quiet hours'),
      h('span', { class: 'checkbox__hint' }, 'Alerts about its concerns reach people’s '
        + 'phones at once, even in the quiet hours they have set.')));
  return { element, box };
}

function escalationInput(minutes) {
  return h('input', {
    type: 'number', inputmode: 'numeric', min: 1, max: MOST_MINUTES, step: 1,
    value: minutes ?? '', 'data-testid': 'category-escalation',
  });
}

function alertRoleSelect(current) {
  const roles = [...KEY_HOLDER_ROLES, ...(current && !KEY_HOLDER_ROLES.includes(current) ? [current] : [])];
  return h('select', { 'data-testid': 'category-alert-role' },
    h('option', { value: '' }, 'Nobody automatically'),
    roles.map((role) => h('option', { value: role, selected: role === current },
      ROLE_TEAMS[role] || `Everyone with the role ${roleInWords(role)}`)));
}

/**
 * category: the one to change, or null to add one. parent: for a new subcategory, which
 * lends it its restriction and alerts as a start. all: every category (for the parent
 * list and the position); staff: from GET /api/admin/users.
 * Resolves with the saved category, or null when cancelled.
 */
export function categoryDialog(host, { category, parent, all, staff }) {
  const tops = all.filter((entry) => entry.parent_id === null);
  const hasChildren = category && all.some((entry) => entry.parent_id === category.id);
  const start = category || {
    name: '',
    parent_id: parent ? parent.id : null,
    guidance: '',
    alert_role: parent ? parent.alert_role : null,
    alert_user_ids: parent ? parent.alert_user_ids : [],
    visible_to_roles: parent ? parent.visible_to_roles : [],
    urgent: parent ? parent.urgent : false,
    escalate_after_minutes: parent ? parent.escalate_after_minutes : null,
  };

  const name = h('input', {
    type: 'text', autocomplete: 'off', required: true, maxlength: 100, value: start.name,
  });
  const parentChoice = parentSelect(category || { parent_id: start.parent_id }, tops);
  parentChoice.disabled = Boolean(hasChildren);
  const guidance = h('textarea', { rows: 4, maxlength: 4000 }, start.guidance);
  const restriction = checkboxFieldset({
    legend: 'Who may see its incidents',
    hint: 'Leave every box empty and all key holders may. Tick DSL alone to make it '
      + '“DSL only”.',
    name: 'visible-to',
    options: roleOptions(start.visible_to_roles),
    selected: start.visible_to_roles,
  });
  const alertRole = alertRoleSelect(start.alert_role);
  // Active staff to choose from, and anyone already chosen, even if they have left.
  const people = checkboxFieldset({
    legend: 'Also alert these people automatically',
    hint: 'Alerts say only who raised the concern and the category, never the pupil.',
    name: 'alert-people',
    options: staff
      .filter((member) => member.active || start.alert_user_ids.includes(member.id))
      .map((member) => ({ value: member.id, name: member.name, hint: member.email })),
    selected: start.alert_user_ids,
    scroll: true,
  });
  const urgent = urgentCheckbox(start.urgent);
  const escalation = escalationInput(start.escalate_after_minutes);

  const alert = errorRegion('category-error');
  const save = h('button', { type: 'submit', class: 'button button--primary' },
    category ? 'Save' : 'Add');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  let parentHint = 'Categories have two levels: a subcategory sits under a top-level one.';
  if (hasChildren) parentHint = 'It has subcategories of its own, so it stays at the top level.';
  else if (!category && parent) {
    parentHint = `Who may see it, who is alerted and how urgent it is start as ${parent.name}’s: `
      + 'change them here.';
  }
  const form = h('form', { 'data-testid': 'category-form' },
    alert,
    field('Name', name),
    field('Under', parentChoice, parentHint),
    field('Guidance for staff', guidance, 'Shown when they choose it: what to record, and '
      + 'who to tell at once.'),
    restriction.element,
    field('Alert a team automatically', alertRole),
    people.element,
    urgent.element,
    field('Escalate if not read by a DSL or senior leader within (minutes)', escalation,
      'Counted from when a concern is recorded. If none of them has read it by then, the '
      + 'school’s escalation group is alerted again, by push and email. Leave it empty and '
      + 'it never escalates.'),
    dialogActions(save, cancel));

  let heading = 'Add a category';
  if (category) heading = `Change ${category.name}`;
  else if (parent) heading = `Add a subcategory to ${parent.name}`;
  const { close, closed } = openDialog(host, {
    heading, testid: 'category-dialog', content: form, size: 'wide',
  });
  cancel.addEventListener('click', () => close(null));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parentId = parentChoice.value ? Number(parentChoice.value) : null;
    const values = {
      name: name.value.trim(),
      parent_id: parentId,
      guidance: guidance.value.trim(),
      alert_role: alertRole.value || null,
      alert_user_ids: people.chosen(),
      visible_to_roles: restriction.chosen(),
      urgent: urgent.box.checked,
      // The browser has checked it is a whole number from 1 to a day; empty is never.
      escalate_after_minutes: escalation.value ? Number(escalation.value) : null,
    };
    // A new category, or one moved under another parent, goes at the end of its list.
    if (!category || parentId !== category.parent_id) {
      values.position = nextPosition(all.filter((entry) => entry.parent_id === parentId
        && entry.id !== category?.id));
    }
    let saved;
    let refusal;
    const done = await submitting(form, alert, async () => {
      try {
        saved = category
          ? await api.patch(`/api/admin/categories/${category.id}`, values)
          : await api.post('/api/admin/categories', values);
      } catch (error) {
        refusal = error.code;
        throw error;
      }
    });
    if (done) {
      close(saved);
      return;
    }
    // Everything typed stays; the message is read out, and focus goes where to fix it.
    alert.scrollIntoView({ block: 'nearest' });
    const culprit = ['TOO_DEEP', 'UNKNOWN_PARENT'].includes(refusal) ? parentChoice : name;
    culprit.focus();
  });
  name.focus();
  return closed;
}
