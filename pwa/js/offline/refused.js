// A new incident the server refused, made ready to correct in the record form: the queued
// submission holds only ids, so the pupils and staff it names are looked up again in the
// server's lists or, without signal, the copy on this device. Whoever is not found there
// any more (a pupil who has left, a colleague whose account was closed) is counted, for
// the form to say so: the author chooses again rather than send what was refused.
import { queuedFiles, refusedItem } from './queue.js';
import { currentReference } from './reference.js';

const NOBODY = { pupils: [], staff: [] };

/**
 * userId's refused incident `id` from the outbox: {id, reason, fields, pupil (null when
 * not found), links [{pupil, role}], staff, files (File objects), missingLinks,
 * missingStaff, namesUnknown}, or null when it no longer waits there.
 */
export async function refusedIncident(userId, id) {
  const refused = await refusedItem(userId, id);
  if (!refused || refused.item.kind !== 'incident') return null;
  const { fields } = refused.content;
  // Without the lists nobody can be named: the form asks for each choice again.
  const reference = await currentReference(userId).catch(() => null);
  const pupils = new Map((reference || NOBODY).pupils.map((pupil) => [pupil.id, pupil]));
  const colleagues = new Map((reference || NOBODY).staff.map((person) => [person.id, person]));
  const links = fields.linked_pupils.filter((link) => pupils.has(link.pupil_id))
    .map((link) => ({ pupil: pupils.get(link.pupil_id), role: link.role }));
  const staff = fields.alert_user_ids.filter((userIdToAlert) => colleagues.has(userIdToAlert))
    .map((userIdToAlert) => colleagues.get(userIdToAlert));
  return {
    id,
    reason: refused.content.errorMessage,
    fields,
    pupil: pupils.get(fields.pupil_id) || null,
    links,
    staff,
    files: queuedFiles(refused.content),
    missingLinks: fields.linked_pupils.length - links.length,
    missingStaff: fields.alert_user_ids.length - staff.length,
    namesUnknown: reference === null,
  };
}
