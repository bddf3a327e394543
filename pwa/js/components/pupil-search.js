// Finding a pupil by name: the typeahead over GET /api/pupils?q=, each match with the
// year and form (and photo, where the school has them) that tell two children apart.
// Given the user's id, it finds them in the copy on the device when the server cannot be
// reached (offline/reference.js).
import { api } from '../api.js';
import { fromServerOrCopy, matchingPupils } from '../offline/reference.js';
import { typeahead } from './typeahead.js';
import { yearAndForm } from '../records.js';

const MOST_SHOWN = 20;

function findPupils(query, userId) {
  const ask = () => api.get(`/api/pupils?q=${encodeURIComponent(query)}`);
  if (userId === null) return ask();
  return fromServerOrCopy(userId, ask, (reference) => ({
    pupils: matchingPupils(reference.pupils, query).slice(0, MOST_SHOWN),
  }));
}

/**
 * exclude(pupil): true for pupils not to offer. userId: the signed-in user, whose copy on
 * the device is searched offline. Returns {element, input}.
 */
export function pupilSearch({
  label, hint, onChoose, exclude = () => false, testid = 'pupil-search', userId = null,
}) {
  return typeahead({
    label,
    hint,
    testid,
    search: async (query) => (await findPupils(query, userId)).pupils.filter((pupil) => !exclude(pupil)),
    describe: (pupil) => ({ name: pupil.name, meta: yearAndForm(pupil), photo_url: pupil.photo_url }),
    onChoose,
  });
}
