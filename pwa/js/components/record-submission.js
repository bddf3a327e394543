// Sending an incident or an action: JSON, or multipart when files go with it (a `data`
// field holding the same JSON, and one `files` field per file), always with an
// Idempotency-Key. The key is made once per form and kept until the server has answered
// 2xx, so pressing Submit again after a lost answer never records the concern twice.
import { api } from '../api.js';

/** A random UUID; crypto.randomUUID needs a secure context, which plain http is not. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function sendRecord(path, fields, files, idempotencyKey) {
  if (files.length === 0) return api.post(path, fields, { idempotencyKey });
  const body = new FormData();
  body.append('data', JSON.stringify(fields));
  for (const file of files) body.append('files', file, file.name);
  return api.post(path, body, { idempotencyKey });
}
