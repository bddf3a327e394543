// Every call to Haven's JSON API goes through request(), so that every state-changing
// request carries the CSRF header the server insists on, and every error arrives as one
// kind of exception whatever went wrong.

const STATE_CHANGING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

// Answers that are about the session rather than the request: the app, not the screen
// that asked, decides what to show (the login screen, the blank screen, a setup step).
const SESSION_PROBLEMS = new Set([
  'UNAUTHENTICATED', 'SESSION_LOCKED', 'PASSWORD_CHANGE_REQUIRED', 'AUTHENTICATOR_REQUIRED',
]);

let sessionHandlers = {};

/**
 * app.js says how to ask for an authenticator code and what to do when the session ends:
 *   elevate(): a promise of true once the session is elevated, false if the user gave up.
 *   sessionProblem(error): called with an ApiError whose code is in SESSION_PROBLEMS.
 */
export function setSessionHandlers({ elevate, sessionProblem }) {
  sessionHandlers = { elevate, sessionProblem };
}

/** An error answer from the API, or no answer at all (status 0, code NETWORK_ERROR). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

// Used only when the answer has no {code, message} body, e.g. a proxy's own error page.
const FALLBACK_MESSAGES = {
  401: 'Your session has ended. Sign in again.',
  403: 'You do not have permission to do that.',
  404: 'Haven could not find that.',
  429: 'Too many attempts. Wait a few minutes, then try again.',
};

function fallbackMessage(status) {
  if (FALLBACK_MESSAGES[status]) return FALLBACK_MESSAGES[status];
  if (status >= 500) return 'Something went wrong on the Haven server. Try again in a moment.';
  return `Haven could not do that (error ${status}).`;
}

async function readJson(response) {
  if (response.status === 204) return null;
  if (!(response.headers.get('Content-Type') || '').includes('json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Sends one request and returns the parsed JSON answer (null for 204 No Content).
 * `background: true` marks requests the app makes on its own (replays, polling), which
 * the server does not count as user activity for the idle timeout.
 * Throws ApiError for any answer that is not 2xx and when the server cannot be reached.
 *
 * A 403 ELEVATION_REQUIRED to a request the user made shows the elevation prompt; once the
 * session is elevated the request is sent again, once. If the user cancels, the ApiError
 * reaches the caller like any other.
 *
 * `body` is sent as JSON, or as it is when it is FormData (files): the browser then writes
 * the multipart Content-Type itself, with the boundary that a hand-set header would lack.
 * `idempotencyKey` goes in the Idempotency-Key header: the same key on a retry tells the
 * server it is the same submission, so a record is never made twice.
 * `signal`: an AbortSignal, e.g. the screen's, aborted when the screen is replaced. Once
 * it is aborted the request throws the DOMException named 'AbortError' (not an ApiError),
 * even if the answer had arrived: what a screen no longer on the page asked for is never
 * shown. Screens pass it for reads only; a submission is always seen through.
 */
export async function request(method, path, {
  body, background = false, retried = false, idempotencyKey, signal,
} = {}) {
  const multipart = body instanceof FormData;
  const headers = { Accept: 'application/json' };
  if (STATE_CHANGING.has(method)) {
    headers['X-Requested-With'] = 'haven';
    if (!multipart) headers['Content-Type'] = 'application/json';
  }
  if (background) headers['X-Haven-Background'] = '1';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined || multipart ? body : JSON.stringify(body),
      signal,
    });
  } catch {
    signal?.throwIfAborted();
    throw new ApiError(0, 'NETWORK_ERROR',
      'Haven cannot reach the server. Check your connection, then try again.');
  }

  const answer = await readJson(response);
  signal?.throwIfAborted();
  if (response.ok) return answer;
  const error = new ApiError(
    response.status,
    answer?.code || `HTTP_${response.status}`,
    answer?.message || fallbackMessage(response.status),
  );
  // Seconds to wait before asking again (409 IN_PROGRESS, 429); null when not said.
  const retryAfter = Number.parseInt(response.headers.get('Retry-After'), 10);
  error.retryAfter = Number.isFinite(retryAfter) ? retryAfter : null;
  if (error.code === 'ELEVATION_REQUIRED' && !background && !retried && sessionHandlers.elevate) {
    if (await sessionHandlers.elevate()) {
      return request(method, path, {
        body, background, idempotencyKey, signal, retried: true,
      });
    }
  } else if (SESSION_PROBLEMS.has(error.code) && sessionHandlers.sessionProblem) {
    sessionHandlers.sessionProblem(error);
  }
  throw error;
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
};
