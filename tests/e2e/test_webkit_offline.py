"""Offline capture in WebKit, the engine of Safari on the iPads most staff carry. WebKit has
no Background Sync, so what Alice submits while Haven's server is down can only be sent by
the page itself: on the `online` event, when the page becomes visible, or by its timer.

The server really stops (SIGTERM) and starts again on the same port, so the browser sees
the same origin throughout; what reached it is checked through the API as Alice.
"""

import http.cookiejar
import json
import time
import urllib.request

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.test_offline import SAVED

pytestmark = pytest.mark.e2e

# The machine may be busy with other browsers: generous waits, which cost nothing when
# things go well.
WAIT_SECONDS = 20
# The page's timer backs off from 2 s; the server is down for a few seconds only, so the
# replay that finds it back comes well within this.
DELIVERY_SECONDS = 60

SERVICE_WORKER_CONTROLS_THE_PAGE = """
const done = arguments[arguments.length - 1];
navigator.serviceWorker.ready
  .then(() => navigator.serviceWorker.controller || new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true });
  }))
  .then(() => done(Boolean(navigator.serviceWorker.controller)))
  .catch((error) => done(String(error)));
"""
HAS_BACKGROUND_SYNC = "return 'SyncManager' in window;"


class HavenApi:
    """Someone signed in to the API with urllib, apart from the browser under test."""

    def __init__(self, server, person):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )
        self.call("POST", "/api/session", {"email": person.email, "password": person.password})

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.server.url(path),
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Accept": "application/json", "Content-Type": "application/json",
                     "X-Requested-With": "haven"},
        )
        with self.opener.open(request, timeout=10) as response:
            return json.load(response)

    def incidents_with_account(self, account: str) -> list[dict]:
        listed = self.call("GET", "/api/incidents?mine=1&per_page=200")["incidents"]
        full = [self.call("GET", f"/api/incidents/{item['id']}") for item in listed]
        return [incident for incident in full if incident["account"] == account]


def shown(driver, selector: str):
    """The first element matching the CSS selector, once there is one and it is shown."""
    def find(d):
        found = [element for element in d.find_elements(By.CSS_SELECTOR, selector)
                 if element.is_displayed()]
        return found[0] if found else None
    return WebDriverWait(driver, WAIT_SECONDS).until(find, f"nothing shown matches {selector}")


def click(driver, element) -> None:
    """Clicks the element from the middle of the screen: scrolled only just into view, it
    could be under a banner fixed at the bottom ("A new version of Haven is ready")."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def text_of(driver, selector: str, expected: str) -> None:
    """Waits until the first element matching the CSS selector has the expected text."""
    def texts():
        return [element.text for element in driver.find_elements(By.CSS_SELECTOR, selector)]

    try:
        WebDriverWait(driver, WAIT_SECONDS).until(lambda _: texts()[:1] == [expected])
    except TimeoutException:
        pytest.fail(f"{selector} never showed {expected!r}; it shows {texts()!r}")


# Why the app did not start, when it shows "Loading Haven…" for ever: WebKitWebDriver
# gives no console, so the app's module is imported again to read its error.
WHY_THE_APP_DID_NOT_START = """
const done = arguments[arguments.length - 1];
setTimeout(() => done('importing /js/app.js still waits after 10 s'), 10000);
import('/js/app.js').then(() => done('/js/app.js imports without error'), (e) => done(String(e)));
"""


def sign_in(driver, server, person) -> None:
    driver.get(server.url("/"))
    try:
        email = shown(driver, "#email")
    except TimeoutException:
        pytest.fail(f"no login form: {driver.execute_async_script(WHY_THE_APP_DID_NOT_START)}")
    email.send_keys(person.email)
    # ENTER submits the form; a typed "\n" does not in WebKitGTK.
    driver.find_element(By.ID, "password").send_keys(person.password, Keys.ENTER)
    text_of(driver, "[data-testid=user-name]", person.name)


def fill_concern_about_zara(driver, account: str) -> None:
    click(driver, shown(driver, "[data-testid=record-concern]"))
    shown(driver, "[data-testid=pupil-search]").send_keys("Zara")
    zara = WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: [option for option in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                   if option.text.startswith("Zara Okafor")] or None,
        "Zara Okafor was not offered",
    )[0]
    click(driver, zara)
    shown(driver, "[data-testid=chosen-pupil]")
    shown(driver, "[data-testid=categories]")
    click(driver, driver.find_element(
        By.XPATH, "//summary[.//*[normalize-space()='Child protection']]"))
    click(driver, driver.find_element(By.XPATH, "//label[normalize-space()='Physical abuse']"))
    driver.find_element(By.CSS_SELECTOR, "[data-testid=account]").send_keys(account)


def submit_concern(driver) -> None:
    click(driver, driver.find_element(By.CSS_SELECTOR, "[data-testid=submit-incident]"))
    click(driver, shown(driver, "[data-testid=confirm-dialog] [data-testid=confirm]"))


def test_a_concern_submitted_while_the_server_is_down_is_sent_once_when_it_is_back(
    stoppable_server, webkit_driver
):
    driver = webkit_driver
    server = stoppable_server.server
    alice = server.alice
    account = "WebKit offline: Zara said an older pupil pushed her off the bench at lunch."

    sign_in(driver, server, alice)
    assert driver.execute_async_script(SERVICE_WORKER_CONTROLS_THE_PAGE) is True
    # The premise: with Background Sync, the service worker could be the one to send it.
    assert driver.execute_script(HAS_BACKGROUND_SYNC) is False, "WebKit has Background Sync now"
    fill_concern_about_zara(driver, account)

    stoppable_server.stop()
    submit_concern(driver)
    text_of(driver, "[data-testid=saved-on-device]", SAVED)
    text_of(driver, "[data-testid=queue-count]", "1")

    # The same port, and the browser's network never went away: no `online` event, no
    # Background Sync, nothing tells the page the server is back. Its timer finds out.
    stoppable_server.start()
    api = HavenApi(stoppable_server.server, alice)
    deadline = time.monotonic() + DELIVERY_SECONDS
    while not (found := api.incidents_with_account(account)) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert len(found) == 1, f"{len(found)} incidents after {DELIVERY_SECONDS} s, not 1"
    number = found[0]["number"]
    assert found[0]["pupil"]["name"] == "Zara Okafor"
    assert [category["name"] for category in found[0]["categories"]] == ["Physical abuse"]

    text_of(driver, "[data-testid=queue-news]", f"Sent: incident {number}.")
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: not d.find_element(By.CSS_SELECTOR, "[data-testid=queue-badge]").is_displayed(),
        "the outbox badge still shows something waiting",
    )
    time.sleep(2)  # time for a second copy, if there were to be one
    assert len(api.incidents_with_account(account)) == 1
