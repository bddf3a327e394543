// Starts Haven: asks the server who is signed in and shows the matching screen.
import { api, ApiError } from './api.js';
import { loginScreen } from './screens/login.js';
import { homeScreen } from './screens/home.js';
import { registerServiceWorker } from './service-worker-client.js';

const root = document.getElementById('app');

/** A screen is {title, element, focusTarget}; one is on the page at a time. */
function show(screen) {
  root.replaceChildren(screen.element);
  document.title = `${screen.title} – Haven`;
  window.scrollTo(0, 0);
  // Moving focus tells keyboard and screen reader users that the screen has changed.
  screen.focusTarget.focus();
}

function showLogin({ notice, problem } = {}) {
  show(loginScreen({ notice, problem, onSignedIn: showHome }));
}

function showHome(session) {
  show(homeScreen(session, {
    onSignedOut: () => showLogin({ notice: 'You have signed out.' }),
  }));
}

async function start() {
  try {
    showHome(await api.get('/api/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showLogin();
    } else {
      showLogin({ problem: error.message });
    }
  }
}

start();
registerServiceWorker();
