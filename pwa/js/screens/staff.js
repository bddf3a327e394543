// Staff accounts, for administrators with an elevated session: who has an account, with
// which roles; add someone, change roles, disable or enable, reset an authenticator,
// end someone's sessions. The server writes every change to the audit trail.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { confirmAction } from '../components/confirm.js';
import { dialogActions, openDialog } from '../components/dialog.js';
import {
  errorRegion, field, passwordInput, statusRegion, submitting,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { rolesFieldset } from '../components/roles-fieldset.js';
import { rolesInWords } from '../roles.js';

function hidden(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

function badges(member) {
  const list = [];
  if (!member.active) list.push(['Disabled', 'badge--warning']);
  if (!member.password_set) list.push(['Invitation not yet accepted', '']);
  else if (member.password_change_required) list.push(['Must choose a new password', '']);
  list.push(member.totp_enrolled ? ['Authenticator set up', 'badge--good'] : ['No authenticator', '']);
  if (member.live_sessions > 0) {
    list.push([member.live_sessions === 1 ? 'Signed in on 1 device'
      : `Signed in on ${member.live_sessions} devices`, '']);
  }
  return h('ul', { class: 'badges' },
    list.map(([text, kind]) => h('li', { class: `badge ${kind}` }, text)));
}

function addMemberDialog(host) {
  const name = h('input', { type: 'text', autocomplete: 'off', required: true, maxlength: 200 });
  const email = h('input', {
    type: 'email', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    required: true, maxlength: 254,
  });
  const roles = rolesFieldset(['staff']);
  const password = passwordInput('new-password', { required: false });
  const alert = errorRegion('add-staff-error');
  const add = h('button', { type: 'submit', class: 'button button--primary' }, 'Add');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  const form = h('form', { 'data-testid': 'add-staff-form' },
    alert,
    field('Name', name),
    field('Email', email),
    roles.element,
    field('First password (optional)', password, 'Leave it empty and Haven emails an '
      + 'invitation to choose a password. A password you set here must be changed at '
      + 'first sign-in.'),
    dialogActions(add, cancel));
  const { close, closed } = openDialog(host, {
    heading: 'Add a member of staff', testid: 'add-staff-dialog', content: form, size: 'wide',
  });
  cancel.addEventListener('click', () => close(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let member;
    const done = await submitting(form, alert, async () => {
      if (roles.chosen().length === 0) throw new Error('Tick at least one role.');
      member = await api.post('/api/admin/users', {
        name: name.value.trim(),
        email: email.value.trim(),
        roles: roles.chosen(),
        password: password.value || undefined,
      });
    });
    if (done) close(member);
  });
  name.focus();
  return closed;
}

function rolesDialog(host, member) {
  const roles = rolesFieldset(member.roles);
  const alert = errorRegion('roles-error');
  const save = h('button', { type: 'submit', class: 'button button--primary' }, 'Save roles');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  const form = h('form', { 'data-testid': 'roles-form' }, alert, roles.element,
    dialogActions(save, cancel));
  const { close, closed } = openDialog(host, {
    heading: `Roles of ${member.name}`, testid: 'roles-dialog', content: form,
  });
  cancel.addEventListener('click', () => close(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let updated;
    const done = await submitting(form, alert, async () => {
      if (roles.chosen().length === 0) throw new Error('Tick at least one role.');
      updated = await api.put(`/api/admin/users/${member.id}/roles`, { roles: roles.chosen() });
    });
    if (done) close(updated);
  });
  roles.first.focus();
  return closed;
}

export function staffScreen(session, actions) {
  const heading = h('h1', { tabindex: '-1' }, 'Staff accounts');
  const status = statusRegion('staff-status');
  const list = h('ul', {
    class: 'item-list item-list--cards', 'data-testid': 'staff-list', 'aria-busy': 'true',
  });
  const loading = h('p', { class: 'muted' }, 'Loading staff…');
  const retry = h('button', { type: 'button', class: 'button button--primary', hidden: true },
    'Enter a code');
  const addButton = h('button', {
    type: 'button', class: 'button button--primary', 'data-testid': 'add-staff', hidden: true,
  }, 'Add a member of staff');
  const host = h('div', { class: 'stack' });
  let alert;

  // After a change the list is fetched again, so counts and badges are the server's, and
  // focus goes back to the person changed.
  async function changed(message, memberId) {
    announce(status, message);
    await load({ focusOn: memberId });
  }

  async function change(request, message, memberId) {
    alert.textContent = '';
    try {
      await request();
    } catch (error) {
      alert.textContent = error.message;
      await load({ focusOn: memberId });
      return;
    }
    await changed(message, memberId);
  }

  function memberItem(member) {
    const you = member.id === session.user.id;
    const name = h('h2', { class: 'item__title', tabindex: '-1', id: `member-${member.id}` },
      member.name, you ? ' (you)' : '');
    const buttons = [];
    const button = (label, who, onClick, testid) => {
      const element = h('button', {
        type: 'button', class: 'button button--secondary button--small', 'data-testid': testid,
      }, label, hidden(who));
      element.addEventListener('click', onClick);
      buttons.push(element);
    };

    button('Change roles', ` of ${member.name}`, async () => {
      const updated = await rolesDialog(host, member);
      if (updated) {
        await changed(`${member.name} now has the roles ${rolesInWords(updated.roles)}.`, member.id);
      }
    }, 'change-roles');
    if (member.active && !you) {
      button('Disable', ` ${member.name}`, async () => {
        const sure = await confirmAction(host, {
          heading: `Disable ${member.name}’s account?`,
          message: 'They are signed out at once and cannot sign in until the account is '
            + 'enabled again. What they have recorded stays in Haven.',
          confirmLabel: 'Disable the account',
        });
        if (sure) {
          await change(() => api.put(`/api/admin/users/${member.id}/active`, { active: false }),
            `${member.name}’s account is disabled.`, member.id);
        }
      }, 'disable');
    } else if (!member.active) {
      button('Enable', ` ${member.name}`, () => change(
        () => api.put(`/api/admin/users/${member.id}/active`, { active: true }),
        `${member.name}’s account is enabled again.`, member.id,
      ), 'enable');
    }
    if (member.totp_enrolled && !you) {
      button('Reset authenticator', ` of ${member.name}`, async () => {
        const sure = await confirmAction(host, {
          heading: `Reset ${member.name}’s authenticator?`,
          message: 'For a lost or replaced phone. Their authenticator and recovery codes '
            + 'stop working; Haven asks them to set it up again when they next need it.',
          confirmLabel: 'Reset the authenticator',
        });
        if (sure) {
          await change(() => api.delete(`/api/admin/users/${member.id}/totp`),
            `${member.name}’s authenticator has been reset.`, member.id);
        }
      }, 'reset-authenticator');
    }
    if (member.live_sessions > 0 && !you) {
      button('End sessions', ` of ${member.name}`, async () => {
        const sure = await confirmAction(host, {
          heading: `End ${member.name}’s sessions?`,
          message: 'Haven signs them out on every device at once. Anything they had not '
            + 'yet saved on a device waits there until they sign in again.',
          confirmLabel: 'End their sessions',
        });
        if (sure) {
          await change(() => api.delete(`/api/admin/users/${member.id}/sessions`),
            `${member.name} has been signed out everywhere.`, member.id);
        }
      }, 'end-sessions');
    }

    return h('li', {
      class: member.active ? 'item' : 'item item--inactive', 'data-testid': 'staff-member',
    },
    h('div', { class: 'item__main' },
      name,
      h('p', { class: 'item__meta', 'data-testid': 'staff-email' }, member.email),
      h('p', { class: 'item__meta' }, h('span', { class: 'item__label' }, 'Roles: '),
        h('span', { 'data-testid': 'staff-roles' }, rolesInWords(member.roles))),
      badges(member)),
    h('div', { class: 'item__actions' }, buttons));
  }

  async function load({ focusOn } = {}) {
    list.setAttribute('aria-busy', 'true');
    retry.hidden = true;
    try {
      const { users } = await api.get('/api/admin/users');
      loading.remove();
      list.replaceChildren(...users.map(memberItem));
      addButton.hidden = false;
      if (focusOn) document.getElementById(`member-${focusOn}`)?.focus();
    } catch (error) {
      loading.remove();
      alert.textContent = error.code === 'ELEVATION_REQUIRED'
        ? 'Staff accounts need a code from your authenticator.'
        : error.message;
      retry.hidden = error.code !== 'ELEVATION_REQUIRED';
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  retry.addEventListener('click', () => {
    alert.textContent = '';
    load();
  });
  addButton.addEventListener('click', async () => {
    const member = await addMemberDialog(host);
    if (!member) return;
    const how = member.password_set
      ? 'They must change the password you set when they first sign in.'
      : 'An email invites them to choose a password.';
    await changed(`${member.name} has been added. ${how}`, member.id);
  });

  host.append(
    h('div', { class: 'page-heading' }, heading, addButton),
    h('p', {}, 'Everyone with an account at this school. Every change here is recorded in '
      + 'the audit trail.'),
    status,
    loading,
    retry,
    list,
  );
  const layout = signedInLayout(session, actions, { current: 'staff', content: host });
  alert = layout.alert;
  // The list is asked for once the screen is on the page, so an elevation prompt has
  // a page to open over.
  window.setTimeout(load);
  return { title: 'Staff accounts', element: layout.element, focusTarget: heading };
}
