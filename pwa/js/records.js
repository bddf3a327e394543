// Safeguarding records in the school's words: how a pupil is named so two children are
// never confused, the roles a pupil can have in an incident, the kinds of action.

/** "7" → "Year 7"; a year group already in words ("Year 7", "Reception") stays as it is. */
export function yearInWords(yearGroup) {
  return /^\d+$/.test(yearGroup) ? `Year ${yearGroup}` : yearGroup;
}

/** "Year 5, form 5B": what tells two pupils with the same name apart. */
export function yearAndForm(pupil) {
  return [yearInWords(pupil.year_group), pupil.form ? `form ${pupil.form}` : null]
    .filter(Boolean).join(', ');
}

/** "Ben Carter (Year 5, form 5B)" */
export function pupilInWords(pupil) {
  return `${pupil.name} (${yearAndForm(pupil)})`;
}

// The server's roles of a pupil named in an incident (backend/haven/incidents LinkRole).
export const LINK_ROLES = [
  { role: 'subject', name: 'subject of the concern' },
  { role: 'victim', name: 'victim' },
  { role: 'alleged_perpetrator', name: 'alleged perpetrator' },
  { role: 'witness', name: 'witness' },
  { role: 'involved', name: 'involved' },
];

export function linkRoleInWords(role) {
  const known = LINK_ROLES.find((entry) => entry.role === role);
  return known ? known.name : role.replaceAll('_', ' ');
}

export const ACTION_KINDS = [
  { kind: 'note', name: 'Note', does: 'a follow-up: a call, a meeting, a referral' },
  { kind: 'amendment', name: 'Amendment', does: 'a correction to the record (key holders)' },
  {
    kind: 'entered_in_error',
    name: 'Entered in error',
    does: 'the record should not have been made, e.g. the wrong pupil (key holders)',
  },
];

export function actionKindInWords(kind) {
  const known = ACTION_KINDS.find((entry) => entry.kind === kind);
  return known ? known.name : kind.replaceAll('_', ' ');
}

/** 1536 → "1.5 KB" */
export function sizeInWords(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
