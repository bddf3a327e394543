// Sending an incident or an action: JSON, or multipart when files go with it (a `data`
// field holding the same JSON, and one `files` field per file), always with an
// Idempotency-Key. The key is made once per form and kept until the server has answered
// 2xx, so pressing Submit again after a lost answer never records the concern twice.
//
// A lost answer leaves a trap: the first attempt may have been recorded, and if the person
// then changes the form, the server refuses the old key with another body (422
// IDEMPOTENCY_KEY_REUSED). The sender explains that and makes a new key, so that sending
// once more, if they really mean a second record, works.
//
// When the server cannot be reached (no connection, a gateway's 502/503/504, or no answer
// while the health check gets none either), a sender given `offline` keeps the submission
// on the device with the same key, to be sent later (offline/queue.js): the send resolves
// with {queued: true}.
//
// A form correcting a record the server refused (the outbox's "Edit and send") is a new
// submission with a key of its own; the refused copy in the outbox goes once the
// correction has been sent or kept, never before, so the record is never lost between.
import { api } from '../api.js';
import { cannotReachServer, forgetQueued, keepForLater } from '../offline/queue.js';

const DEFAULT_RETRY_SECONDS = 1;

/** A random UUID; crypto.randomUUID needs a secure context, which plain http is not. */
function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function post(path, fields, files, idempotencyKey) {
  if (files.length === 0) return api.post(path, fields, { idempotencyKey });
  const body = new FormData();
  body.append('data', JSON.stringify(fields));
  for (const file of files) body.append('files', file, file.name);
  return api.post(path, body, { idempotencyKey });
}

const wait = (seconds) => new Promise((resolve) => { window.setTimeout(resolve, seconds * 1000); });

/** No answer, or the server failed: the record may or may not have been made. */
function uncertain(error) {
  return error.status === 0 || error.status >= 500;
}

/**
 * One form's sender. offline: {userId, kind ('incident'|'action'), incidentId, label},
 * to keep what cannot be sent now; without it, the error reaches the form. replacing: the
 * id of offline.userId's refused item in the outbox that this form corrects.
 * send(fields, files) resolves with the server's answer, or throws the
 * ApiError with a `content` that says what it means for this record:
 *   alreadyRecorded(): text and elements saying that the first attempt was recorded, where
 *   to find it, and that submitting again makes a second record.
 * After a 2xx the next send() is a new record, with a new key.
 */
export function recordSender(path, { alreadyRecorded, offline = null, replacing = null }) {
  let idempotencyKey = newIdempotencyKey();
  let refusedCopy = replacing;

  /** The correction is sent or kept: the refused copy it replaces goes, once. */
  async function forgetRefusedCopy() {
    if (refusedCopy === null) return;
    const id = refusedCopy;
    refusedCopy = null;
    try {
      await forgetQueued(offline.userId, id);
    } catch (error) {
      // The correction is safe; the old copy stays on show, where its author can see it.
      console.warn('Haven could not take the refused record out of the outbox.', error);
    }
  }

  async function sendWithOneWait(fields, files) {
    try {
      return await post(path, fields, files, idempotencyKey);
    } catch (error) {
      // The first attempt is still being recorded: its answer is worth waiting for.
      if (error.code !== 'IN_PROGRESS') throw error;
      await wait(error.retryAfter ?? DEFAULT_RETRY_SECONDS);
      return post(path, fields, files, idempotencyKey);
    }
  }

  return {
    async send(fields, files) {
      try {
        const answer = await sendWithOneWait(fields, files);
        idempotencyKey = newIdempotencyKey();
        await forgetRefusedCopy();
        return answer;
      } catch (error) {
        if (offline && await cannotReachServer(error)) {
          // The same key: if the first attempt did arrive, the replay is answered with it.
          await keepForLater(offline.userId, {
            ...offline, path, fields, files, idempotencyKey,
          });
          idempotencyKey = newIdempotencyKey();
          await forgetRefusedCopy();
          return { queued: true };
        }
        if (error.code === 'IDEMPOTENCY_KEY_REUSED') {
          idempotencyKey = newIdempotencyKey();
          error.content = alreadyRecorded();
        } else if (uncertain(error)) {
          error.content = [
            `${error.message} Your attempt may have been recorded. Sending it again unchanged `
              + 'is safe: it will not be recorded twice.',
          ];
        }
        throw error;
      }
    },
  };
}
