// The offline queue: incidents and actions that could not reach the server, kept in
// IndexedDB, encrypted, per user, and sent again later with their original
// Idempotency-Key, so a replay never records a concern twice.
//
// A classic script that defines one global, self.HavenQueue, because the same code runs in
// two places: the service worker (importScripts, for Background Sync) and the page (a
// <script src> in index.html, for browsers without Background Sync). One copy of the
// storage, the encryption and the replay policy serves both.
//
// What is in clear in IndexedDB: the user id, the kind, the status, the times, the
// idempotency key and an error's status and code. The submission itself (JSON and files)
// and an error's message are AES-GCM ciphertext under a key made for that user on this
// device, non-extractable: script can use it but never read it out.
//
// Unlike Workbox's background sync, a resolved fetch is not "delivered": only a 2xx is.

self.HavenQueue = (() => {
  const DB_NAME = 'haven-offline';
  // Each step upgrades from the version before it; a new version adds a step and never
  // changes an old one, so an upgrade keeps what is queued.
  const UPGRADES = [
    (db) => {
      db.createObjectStore('keys', { keyPath: 'userId' });
      const items = db.createObjectStore('items', { keyPath: 'id' });
      items.createIndex('userId', 'userId');
      db.createObjectStore('reference', { keyPath: 'userId' });
    },
    (db) => {
      // Signing in without signal (pwa/js/offline/sign-in.js): one record per person who
      // signed in here, under a hash of their email, sealed with their password.
      const passes = db.createObjectStore('passes', { keyPath: 'emailHash' });
      passes.createIndex('userId', 'userId');
    },
    (db, upgrade) => {
      // Each item's sealed content (its JSON and files, megabytes with a photo) in a store
      // of its own, so that listing, counting and picking the next item to send read only
      // the few clear fields (bench/offline_queue.py: 100 items with 10 photos took 11 s
      // to send when each step read them all).
      const contents = db.createObjectStore('contents', { keyPath: 'id' });
      upgrade.objectStore('items').openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        const { iv, ciphertext, ...item } = cursor.value;
        if (ciphertext) contents.put({ id: item.id, iv, ciphertext });
        cursor.update(item);
        cursor.continue();
      };
    },
  ];
  const DB_VERSION = UPGRADES.length;
  const UNSENT = new Set(['queued', 'sending', 'needs-attention']);
  const SENT_KEPT_MS = 24 * 60 * 60 * 1000;
  const IN_PROGRESS_TRIES = 3;
  // The session, not the submission, is the problem: keep it and wait for a sign-in.
  const SESSION_PROBLEMS = new Set([
    'UNAUTHENTICATED', 'SESSION_LOCKED', 'PASSWORD_CHANGE_REQUIRED', 'AUTHENTICATOR_REQUIRED',
  ]);
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('haven-queue') : null;
  const listeners = new Set();

  // --- IndexedDB ------------------------------------------------------------------------

  let opening = null;
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = (event) => {
          for (let version = event.oldVersion; version < DB_VERSION; version += 1) {
            UPGRADES[version](request.result, request.transaction);
          }
        };
        request.onsuccess = () => {
          const db = request.result;
          // Another context upgrading the schema: step aside, reopen on the next call.
          db.onversionchange = () => { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = () => { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  /** Runs work(stores) in one transaction; nothing but IndexedDB requests inside it. */
  async function transaction(names, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(names, mode);
      const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
      let result;
      const request = work(stores);
      if (request) request.onsuccess = () => { result = request.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
    });
  }

  const get = (store, key) => transaction([store], 'readonly', (s) => s[store].get(key));
  const put = (store, value) => transaction([store], 'readwrite', (s) => s[store].put(value));
  const remove = (store, key) => transaction([store], 'readwrite', (s) => s[store].delete(key));
  const itemsOf = (userId) => transaction(['items'], 'readonly',
    (s) => s.items.index('userId').getAll(userId));

  // --- encryption -------------------------------------------------------------------------

  async function keyFor(userId) {
    const found = await get('keys', userId);
    if (found) return found.key;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false,
      ['encrypt', 'decrypt']);
    try {
      // add, not put: if another context made one meanwhile, theirs is kept and used.
      await transaction(['keys'], 'readwrite', (s) => s.keys.add({ userId, key }));
      return key;
    } catch {
      return (await get('keys', userId)).key;
    }
  }

  async function encrypt(userId, bytes) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyFor(userId), bytes);
    return { iv, ciphertext };
  }

  async function decrypt(userId, { iv, ciphertext }) {
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv }, await keyFor(userId), ciphertext);
  }

  const encryptJson = (userId, value) => encrypt(userId, new TextEncoder().encode(JSON.stringify(value)));
  const decryptJson = async (userId, sealed) => JSON.parse(new TextDecoder().decode(await decrypt(userId, sealed)));

  // A submission as bytes: 4 bytes giving the header's length, the header (JSON: path,
  // fields, label and each file's name, type and size), then the files' bytes in order.
  async function pack(submission) {
    const files = submission.files || [];
    const buffers = await Promise.all(files.map((file) => file.arrayBuffer()));
    const header = new TextEncoder().encode(JSON.stringify({
      path: submission.path,
      fields: submission.fields,
      label: submission.label,
      files: files.map((file, i) => ({ name: file.name, type: file.type, size: buffers[i].byteLength })),
    }));
    const total = 4 + header.byteLength + buffers.reduce((sum, b) => sum + b.byteLength, 0);
    const bytes = new Uint8Array(total);
    new DataView(bytes.buffer).setUint32(0, header.byteLength);
    bytes.set(header, 4);
    let at = 4 + header.byteLength;
    for (const buffer of buffers) {
      bytes.set(new Uint8Array(buffer), at);
      at += buffer.byteLength;
    }
    return bytes;
  }

  function unpack(buffer) {
    const length = new DataView(buffer).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    let at = 4 + length;
    const files = header.files.map(({ name, type, size }) => {
      const blob = new Blob([buffer.slice(at, at + size)], { type });
      at += size;
      return { name, type, size, blob };
    });
    return { ...header, files };
  }

  // --- news for the page ------------------------------------------------------------------

  /** What changed: {type: 'changed'} or {type: 'sent', userId, label, number}. */
  function tell(news) {
    if (channel) channel.postMessage(news);
    listeners.forEach((listener) => listener(news));
  }

  channel?.addEventListener('message', (event) => listeners.forEach((listener) => listener(event.data)));

  function listen(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  // --- the queue --------------------------------------------------------------------------

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  /**
   * Stores a submission for userId: {kind ('incident'|'action'), incidentId, path,
   * fields, files (File objects), label (e.g. "incident 12"), idempotencyKey}.
   */
  async function add(userId, submission) {
    const sealed = await encrypt(userId, await pack(submission));
    const item = {
      id: newId(),
      userId,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      kind: submission.kind,
      incidentId: submission.incidentId ?? null,
      idempotencyKey: submission.idempotencyKey,
      status: 'queued',
      lastError: null,
    };
    await transaction(['items', 'contents'], 'readwrite', (s) => {
      s.items.put(item);
      s.contents.put({ id: item.id, ...sealed });
    });
    tell({ type: 'changed' });
    return item.id;
  }

  /** The user's items, oldest first, without their content. Sent ones a day at most. */
  async function list(userId) {
    const items = await itemsOf(userId);
    const now = Date.now();
    for (const old of items.filter((item) => item.status === 'sent' && now - item.updatedAt > SENT_KEPT_MS)) {
      await forget(old.id);
    }
    return items.filter((item) => item.status !== 'sent' || now - item.updatedAt <= SENT_KEPT_MS)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ errorIv, errorCiphertext, ...clear }) => clear);
  }

  async function unsentCount(userId) {
    return (await itemsOf(userId)).filter((item) => UNSENT.has(item.status)).length;
  }

  /** An item's content: {path, fields, label, files: [{name, type, size, blob}], errorMessage}. */
  async function read(userId, id) {
    const item = await get('items', id);
    if (!item || item.userId !== userId) return null;
    const sealed = await get('contents', id);
    if (!sealed) return null;
    const content = unpack(await decrypt(userId, sealed));
    const errorMessage = item.errorCiphertext
      ? await decryptJson(userId, { iv: item.errorIv, ciphertext: item.errorCiphertext }) : null;
    return { ...content, errorMessage };
  }

  async function update(id, changes) {
    const item = await get('items', id);
    if (!item) return null;
    const updated = { ...item, ...changes, updatedAt: Date.now() };
    await put('items', updated);
    tell({ type: 'changed' });
    return updated;
  }

  /** The author asks to send a needs-attention item again (the server released its key). */
  async function retry(userId, id) {
    const item = await get('items', id);
    if (item && item.userId === userId && item.status === 'needs-attention') {
      await update(id, { status: 'queued', lastError: null, errorIv: null, errorCiphertext: null });
    }
  }

  /**
   * The author's own item goes: a corrected copy of a refused record has been sent or kept
   * in its place. Anyone else's item stays whoever asks.
   */
  async function removeItem(userId, id) {
    const item = await get('items', id);
    if (!item || item.userId !== userId) return;
    await forget(id);
    tell({ type: 'changed' });
  }

  /** An item and its content, in one transaction. */
  function forget(id) {
    return transaction(['items', 'contents'], 'readwrite', (s) => {
      s.items.delete(id);
      s.contents.delete(id);
    });
  }

  // --- the offline copy of what the forms need ---------------------------------------------

  async function saveReference(userId, reference) {
    await put('reference', { userId, savedAt: Date.now(), ...await encryptJson(userId, reference) });
  }

  /** {savedAt, reference} or null. */
  async function loadReference(userId) {
    const found = await get('reference', userId);
    if (!found) return null;
    return { savedAt: found.savedAt, reference: await decryptJson(userId, found) };
  }

  const forgetReference = (userId) => remove('reference', userId);

  // --- signing in without signal ---------------------------------------------------------

  const savePass = (pass) => put('passes', pass);
  const loadPass = (emailHash) => get('passes', emailHash);
  const allPasses = () => transaction(['passes'], 'readonly', (s) => s.passes.getAll());
  const forgetPass = (emailHash) => remove('passes', emailHash);

  /** Everything of userId's on this device that is not a record: the pass and the copy. */
  async function forgetUser(userId) {
    const passes = await transaction(['passes'], 'readonly',
      (s) => s.passes.index('userId').getAll(userId));
    for (const pass of passes) await forgetPass(pass.emailHash);
    await forgetReference(userId);
  }

  // --- replay -----------------------------------------------------------------------------

  const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

  async function answerOf(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  async function currentUserId() {
    let response;
    try {
      response = await fetch('/api/session', {
        headers: { Accept: 'application/json', 'X-Haven-Background': '1' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return { outcome: 'offline' };
    }
    if (response.status === 401) return { outcome: 'signed-out' };
    if (!response.ok) return { outcome: 'retry' };
    const session = await answerOf(response);
    if (!session || session.locked || !session.user) return { outcome: 'signed-out' };
    return { userId: session.user.id };
  }

  function post(content, idempotencyKey) {
    const headers = {
      Accept: 'application/json',
      'X-Requested-With': 'haven',
      'X-Haven-Background': '1',
      'Idempotency-Key': idempotencyKey,
    };
    let body;
    if (content.files.length) {
      body = new FormData();
      body.append('data', JSON.stringify(content.fields));
      for (const file of content.files) body.append('files', file.blob, file.name);
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(content.fields);
    }
    return fetch(content.path, {
      method: 'POST', headers, body, credentials: 'same-origin', cache: 'no-store',
    });
  }

  /** Sends one item: 'sent', 'needs-attention', 'retry', 'offline' or 'signed-out'. */
  async function send(userId, item) {
    await update(item.id, { status: 'sending' });
    let content;
    try {
      content = await read(userId, item.id);
    } catch {
      content = null;
    }
    if (!content) {
      // Never dropped, and never in the way of the items behind it.
      await update(item.id, { status: 'needs-attention', lastError: { status: 0, code: 'UNREADABLE' } });
      return 'needs-attention';
    }
    for (let tries = 1; ; tries += 1) {
      let response;
      try {
        response = await post(content, item.idempotencyKey);
      } catch {
        await update(item.id, { status: 'queued', lastError: { status: 0, code: 'NETWORK_ERROR' } });
        return 'offline';
      }
      const answer = await answerOf(response);
      if (response.ok) {
        const number = item.kind === 'incident' ? answer?.number : null;
        const label = number ? `incident ${number}` : content.label;
        // The content goes: a sent record keeps only what the outbox shows of it.
        await transaction(['items', 'contents'], 'readwrite', (s) => {
          s.items.put({
            id: item.id,
            userId,
            kind: item.kind,
            createdAt: item.createdAt,
            updatedAt: Date.now(),
            status: 'sent',
            label,
            resourceId: item.kind === 'incident' ? answer?.id : item.incidentId,
          });
          s.contents.delete(item.id);
        });
        // One message: the page's listeners count again on 'sent' as on 'changed'.
        tell({ type: 'sent', userId, label });
        return 'sent';
      }
      const code = answer?.code || `HTTP_${response.status}`;
      const lastError = { status: response.status, code };
      if (response.status === 401 || SESSION_PROBLEMS.has(code)) {
        await update(item.id, { status: 'queued', lastError });
        return 'signed-out';
      }
      if (response.status === 409 && tries < IN_PROGRESS_TRIES) {
        const seconds = Number.parseInt(response.headers.get('Retry-After'), 10);
        await wait(Math.min(Number.isFinite(seconds) ? seconds : 1, 5) * 1000);
        continue;
      }
      if (response.status === 409 || response.status === 429 || response.status >= 500) {
        await update(item.id, { status: 'queued', lastError });
        return 'retry';
      }
      const sealed = await encryptJson(userId, answer?.message || `The server refused it (error ${response.status}).`);
      await update(item.id, {
        status: 'needs-attention', lastError, errorIv: sealed.iv, errorCiphertext: sealed.ciphertext,
      });
      return 'needs-attention';
    }
  }

  async function replayHeld() {
    const session = await currentUserId();
    if (!session.userId) return session.outcome;
    for (;;) {
      // Read again each time: something queued during the replay is sent by it too.
      const next = (await itemsOf(session.userId))
        .filter((item) => item.status === 'queued' || item.status === 'sending')
        .sort((a, b) => a.createdAt - b.createdAt)[0];
      if (!next) return 'done';
      const outcome = await send(session.userId, next);
      if (outcome !== 'sent' && outcome !== 'needs-attention') return outcome;
    }
  }

  let replayingHere = false; // the fallback where the Web Locks API is missing

  /**
   * Sends the signed-in user's queued items, one replay at a time across the page and the
   * service worker. Resolves with 'done', 'busy' (another replay runs), 'offline',
   * 'retry' (the server failed or is busy), or 'signed-out' (nothing is sent without the
   * author's own session).
   */
  async function replay() {
    if (self.navigator.locks) {
      return self.navigator.locks.request('haven-replay', { ifAvailable: true },
        (lock) => (lock ? replayHeld() : 'busy'));
    }
    if (replayingHere) return 'busy';
    replayingHere = true;
    try {
      return await replayHeld();
    } finally {
      replayingHere = false;
    }
  }

  return Object.freeze({
    add, list, read, retry, remove: removeItem, unsentCount, replay, listen,
    saveReference, loadReference, forgetReference,
    savePass, loadPass, allPasses, forgetPass, forgetUser,
  });
})();
