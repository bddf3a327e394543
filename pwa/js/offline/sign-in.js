// Signing in without signal. A teacher on a trip opens Haven long after her session timed
// out: the server cannot be asked, so this device checks her password itself and lets her
// record a concern, which waits in the outbox until she is back online and signed in.
//
// At each sign-in with a connection, the parts of the session the record form needs (who,
// which school, roles, idle timeout) are sealed with AES-GCM under a key derived from the
// password (PBKDF2-SHA-256, 600,000 rounds, a random salt) and kept under a hash of the
// email. Only the same password opens it again. It goes at "Sign out", after
// MAX_WRONG wrong passwords, when the server refuses that password, and a week after the
// last sign-in with a connection. The idle timeout and the blank screen keep it: they end
// the session, not the person's use of this device.
const { HavenQueue } = self;

const ROUNDS = 600000;
const MAX_WRONG = 5;
export const PASS_DAYS = 7;
const PASS_MS = PASS_DAYS * 24 * 60 * 60 * 1000;

export const NO_CONNECTION = 'Haven cannot reach the server. If you have signed in on this device '
  + `in the last ${PASS_DAYS} days, sign in to record a concern: it is kept here and sent when `
  + 'the connection returns.';

/** The error a screen shows when the device cannot sign someone in. */
export class OfflineSignInError extends Error {
  constructor(message) {
    super(message);
    this.name = 'OfflineSignInError';
  }
}

const bytes = (text) => new TextEncoder().encode(text);

async function emailHash(email) {
  const digest = await crypto.subtle.digest('SHA-256', bytes(`haven-pass:${email.trim().toLowerCase()}`));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function passwordKey(password, salt) {
  const material = await crypto.subtle.importKey('raw', bytes(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ROUNDS },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** What the record form and the header need of a session, and nothing else. */
function essentials(session) {
  const { user, school, roles, key_holder: keyHolder } = session;
  return { user, school, roles, key_holder: keyHolder };
}

/** After a sign-in the server accepted: the pass for the next sign-in without signal. */
export async function rememberSignIn(email, password, session) {
  try {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await passwordKey(password, salt);
    const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key,
      bytes(JSON.stringify(essentials(session))));
    await HavenQueue.savePass({
      emailHash: await emailHash(email),
      userId: session.user.id,
      savedAt: Date.now(),
      wrong: 0,
      salt,
      iv,
      ciphertext,
    });
  } catch (error) {
    // Signing in worked; only signing in without signal will not, and it says so then.
    console.warn('Haven could not keep a pass for signing in without signal.', error);
  }
}

/** The server refused this password: a pass made with an old one must not open. */
export async function forgetPassOf(email) {
  await HavenQueue.forgetPass(await emailHash(email)).catch(() => {});
}

/** The session sealed in the pass, or null when the password does not open it. */
async function openPass(pass, password) {
  try {
    const key = await passwordKey(password, pass.salt);
    const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: pass.iv }, key, pass.ciphertext);
    return JSON.parse(new TextDecoder().decode(opened));
  } catch {
    return null;
  }
}

/**
 * The session kept for this email, if the password opens it: {...essentials, offline: true}.
 * Throws OfflineSignInError with what to do otherwise.
 */
export async function signInWithoutSignal(email, password) {
  const hash = await emailHash(email);
  const pass = await HavenQueue.loadPass(hash);
  if (!pass || Date.now() - pass.savedAt > PASS_MS) {
    if (pass) await HavenQueue.forgetUser(pass.userId);
    throw new OfflineSignInError('Haven cannot reach the server, and you have not signed in on '
      + `this device with a connection in the last ${PASS_DAYS} days, so it cannot check your `
      + 'password. Try again when you have a connection.');
  }
  const session = await openPass(pass, password);
  if (!session) {
    const wrong = pass.wrong + 1;
    if (wrong >= MAX_WRONG) {
      await HavenQueue.forgetPass(hash);
      throw new OfflineSignInError('Wrong password again. Signing in without a connection is now '
        + 'turned off on this device until you sign in with one.');
    }
    await HavenQueue.savePass({ ...pass, wrong });
    throw new OfflineSignInError('Wrong email or password.');
  }
  if (pass.wrong) await HavenQueue.savePass({ ...pass, wrong: 0 });
  return { ...session, offline: true };
}

/** Checks the password of the person signed in without signal (the blank screen's). */
export async function passwordOpensPass(session, password) {
  const passes = await HavenQueue.allPasses();
  const mine = passes.find((pass) => pass.userId === session.user.id);
  return Boolean(mine && await openPass(mine, password));
}

/** At start: passes (and the form's copy) a week past the last sign-in with a connection go. */
export async function forgetOldPasses() {
  try {
    const passes = await HavenQueue.allPasses();
    for (const pass of passes.filter((found) => Date.now() - found.savedAt > PASS_MS)) {
      await HavenQueue.forgetUser(pass.userId);
    }
  } catch {
    // IndexedDB unavailable (a private window): there is nothing kept to forget.
  }
}

/** "Sign out": nothing of the person's but unsent records stays on this device. */
export const forgetEverythingOf = (userId) => HavenQueue.forgetUser(userId).catch(() => {});
