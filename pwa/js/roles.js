// The four roles of the server (backend/haven/accounts/models.py Role), in the school's
// words, with what each one lets a member of staff do.
export const ROLES = [
  { role: 'staff', name: 'staff', does: 'records concerns and sees what they wrote' },
  { role: 'dsl', name: 'DSL', does: 'designated safeguarding lead: a key holder' },
  { role: 'slt', name: 'SLT', does: 'senior leadership team: a key holder' },
  { role: 'admin', name: 'administrator', does: 'manages staff accounts' },
];

export function roleInWords(role) {
  const known = ROLES.find((entry) => entry.role === role);
  return known ? known.name : role.replaceAll('_', ' ');
}

export function rolesInWords(roles) {
  return roles.map(roleInWords).join(', ') || 'none';
}
