// Finding a pupil by name: the typeahead over GET /api/pupils?q=, each match with the
// year and form (and photo, where the school has them) that tell two children apart.
import { api } from '../api.js';
import { typeahead } from './typeahead.js';
import { yearAndForm } from '../records.js';

/** exclude(pupil): true for pupils not to offer. Returns {element, input}. */
export function pupilSearch({ label, hint, onChoose, exclude = () => false, testid = 'pupil-search' }) {
  return typeahead({
    label,
    hint,
    testid,
    search: async (query) => (await api.get(`/api/pupils?q=${encodeURIComponent(query)}`))
      .pupils.filter((pupil) => !exclude(pupil)),
    describe: (pupil) => ({ name: pupil.name, meta: yearAndForm(pupil), photo_url: pupil.photo_url }),
    onChoose,
  });
}
