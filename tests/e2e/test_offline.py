"""Offline capture in Chromium, with the real service worker. Alice records a concern about
Zara Okafor (no other test's pupil) with no signal, or with the server down; Haven keeps
it on the device, encrypted, and sends it once the server can be reached: exactly once,
with the same content and files, only with Alice's own session.

What reached the server is checked through the API as Alice, apart from the browser.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_records import tiny_png

pytestmark = pytest.mark.e2e

SAVED = "Saved on this device. It will be sent automatically when there is a connection."
WAIT_FOR_CONTROLLER = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
  }
}"""
# Every record in Haven's IndexedDB, each value made into text: strings as they are,
# bytes read as UTF-8, so any plain text kept there would show.
RAW_STORE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('haven-offline');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const all = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).getAll();
    request.onsuccess = () => resolve(request.result);
  });
  const text = (value) => {
    if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
    if (ArrayBuffer.isView(value)) return new TextDecoder().decode(value.buffer);
    if (value instanceof CryptoKey) return `CryptoKey extractable=${value.extractable}`;
    if (value && typeof value === 'object') return Object.values(value).map(text).join(' | ');
    return String(value);
  };
  const items = await all('items');
  const contents = await all('contents');  // each item's sealed JSON and files
  const keys = await all('keys');
  return {
    items: [...items, ...contents].map(text), keys: keys.map(text), count: items.length,
    contents: contents.length,
  };
}"""


class HavenApi:
    """Alice (or anyone) on the API, apart from the browser under test."""

    def __init__(self, playwright, live_server, person):
        self.request = playwright.request.new_context(base_url=live_server.base_url)
        answer = self.request.post("/api/session", headers={"X-Requested-With": "haven"},
                                   data={"email": person.email, "password": person.password})
        assert answer.ok, answer.text()

    def incidents_with_account(self, account: str) -> list[dict]:
        listed = self.request.get("/api/incidents?mine=1&per_page=200").json()["incidents"]
        full = [self.request.get(f"/api/incidents/{item['id']}").json() for item in listed]
        return [incident for incident in full if incident["account"] == account]

    def close(self):
        self.request.dispose()


@pytest.fixture
def alice_api(playwright, live_server):
    api = HavenApi(playwright, live_server, live_server.alice)
    yield api
    api.close()


def fill_concern(page, account: str, photo=None) -> None:
    """Alice's concern about Zara, filled in (while the form can still reach the server)."""
    page.goto("/#/incidents/new")
    page.get_by_test_id("pupil-search").fill("Zara")
    page.get_by_role("option", name=re.compile(r"^Zara Okafor")).click()
    page.get_by_text("Child protection", exact=True).click()
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What happened").fill(account)
    if photo is not None:
        page.get_by_test_id("attach-files").set_input_files(str(photo))
        expect(page.get_by_test_id("chosen-file")).to_contain_text(photo.name)


def submit_concern(page) -> None:
    page.get_by_test_id("submit-incident").click()
    page.get_by_role("dialog", name="Submit this record?").get_by_role(
        "button", name="Submit the record").click()


def queue_offline(context, page, account: str, photo=None) -> None:
    """Alice writes the concern, loses the connection, submits: it is kept on the device."""
    page.evaluate(WAIT_FOR_CONTROLLER)
    fill_concern(page, account, photo)
    context.set_offline(True)
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)
    expect(page.get_by_test_id("queue-count")).to_have_text("1")


def queue_action_offline(context, page, api, account: str, action: str) -> int:
    """Alice records a concern about Zara, then adds an action to it with no signal: it is
    kept on the device. The incident's id."""
    page.evaluate(WAIT_FOR_CONTROLLER)
    fill_concern(page, account)
    submit_concern(page)
    expect(page.get_by_test_id("incident-recorded")).to_be_visible()
    incident_id = api.incidents_with_account(account)[0]["id"]
    page.goto(f"/#/incidents/{incident_id}")
    page.get_by_test_id("action-text").fill(action)
    context.set_offline(True)
    page.get_by_test_id("add-action").click()
    expect(page.get_by_test_id("incident-status")).to_have_text(SAVED)
    return incident_id


def kept_while_the_server_is_down(context, page, live_server, signed_in_as, account: str):
    """Alice signs in and writes the concern while the server answers 503 (the route stays
    until the test removes it): it is kept on the device."""
    signed_in_as(page, live_server.alice)
    page.evaluate(WAIT_FOR_CONTROLLER)
    context.route("**/api/incidents", lambda route: route.fulfill(status=503, body="down"))
    fill_concern(page, account)
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)


def wait_for_incidents(page, api, account: str, count: int = 1, seconds: float = 20) -> list[dict]:
    found = []
    for _ in range(int(seconds * 4)):
        found = api.incidents_with_account(account)
        if len(found) >= count:
            break
        page.wait_for_timeout(250)
    return found


NEEDS_ATTENTION = "[data-testid=outbox-item][data-status=needs-attention]"


def refused_in_the_outbox(context, page, pattern: str, status: int = 422,
                          message: str = "Zara Okafor has left the school."):
    """The connection returns and the server refuses what is queued (at `pattern`): its
    card in the outbox, once it needs attention. The refusal stays routed."""
    refusal = json.dumps({"code": "REFUSED", "message": message})
    context.route(pattern, lambda route: route.fulfill(
        status=status, content_type="application/json", body=refusal))
    context.set_offline(False)
    page.goto("/#/outbox")
    item = page.locator(NEEDS_ATTENTION)
    expect(item).to_have_count(1, timeout=15000)
    return item


def sync_registration_id(context, page) -> tuple:
    """DevTools' id of Haven's service worker registration, to fire Background Sync."""
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(40):
        if registrations:
            break
        page.wait_for_timeout(50)
    assert registrations, "DevTools reported no service worker registration"
    return cdp, registrations[0]["registrationId"]


def test_a_concern_submitted_offline_is_sent_once_when_the_connection_returns(
    context, page, live_server, signed_in_as, alice_api, tmp_path
):
    account = "Offline 1: Zara said an older pupil took her bus fare again at the gate."
    photo = tmp_path / "gate.png"
    photo.write_bytes(tiny_png())
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account, photo)

    page.goto("/#/outbox")
    expect(page.get_by_test_id("outbox-item")).to_have_count(1)
    expect(page.get_by_test_id("outbox-text")).to_have_text(account)
    page.wait_for_timeout(2500)  # the page's timer tries, and finds no connection
    assert alice_api.incidents_with_account(account) == []

    context.set_offline(False)
    news = page.get_by_test_id("queue-news")
    expect(news).to_have_text(re.compile(r"^Sent: incident \d+\.$"), timeout=15000)
    number = int(re.search(r"\d+", news.inner_text()).group())
    expect(page.get_by_test_id("queue-badge")).to_be_hidden()
    expect(page.locator("[data-testid=outbox-item][data-status=sent]")).to_contain_text(
        f"Incident {number}")

    page.wait_for_timeout(1000)
    incidents = alice_api.incidents_with_account(account)
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident["number"] == number
    assert incident["pupil"]["name"] == "Zara Okafor"
    assert [category["name"] for category in incident["categories"]] == ["Physical abuse"]
    assert [file["name"] for file in incident["files"]] == ["gate.png"]
    download = alice_api.request.get(f"/api/files/{incident['files'][0]['id']}")
    assert download.body() == photo.read_bytes()


def test_the_online_event_and_background_sync_together_still_make_one_incident(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 2: Zara had a graze on her knee and said she was pushed in the line."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    cdp, registration = sync_registration_id(context, page)

    context.set_offline(False)
    for _ in range(3):
        cdp.send("ServiceWorker.dispatchSyncEvent", {
            "origin": live_server.base_url, "registrationId": registration,
            "tag": "haven-queue", "lastChance": False,
        })
    found = wait_for_incidents(page, alice_api, account)
    page.wait_for_timeout(3000)  # time for a second copy, if there were to be one
    assert len(alice_api.incidents_with_account(account)) == 1
    assert len(found) == 1
    expect(page.get_by_test_id("queue-badge")).to_be_hidden()


def test_a_concern_is_kept_while_the_server_answers_503_and_sent_when_it_recovers(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 3: Zara arrived without a coat for the third day running."
    signed_in_as(page, live_server.alice)
    page.evaluate(WAIT_FOR_CONTROLLER)
    refused = []

    def server_down(route):
        refused.append(route.request.url)
        route.fulfill(status=503, content_type="text/html", body="<h1>Service Unavailable</h1>")

    # context.route: the page's requests and the service worker's alike.
    context.route("**/api/incidents", server_down)
    fill_concern(page, account)
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)
    page.wait_for_timeout(3000)  # a replay or two meet the 503 too
    assert len(refused) >= 2
    assert alice_api.incidents_with_account(account) == []
    expect(page.get_by_test_id("queue-count")).to_have_text("1")

    context.unroute("**/api/incidents", server_down)
    found = wait_for_incidents(page, alice_api, account, seconds=30)
    assert len(found) == 1
    expect(page.get_by_test_id("queue-news")).to_have_text(
        f"Sent: incident {found[0]['number']}.", timeout=5000)


def test_a_session_that_ended_offline_keeps_the_concern_until_alice_signs_in_again(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 4: Zara told me she is scared to walk home past the park."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    context.clear_cookies()  # the session ends while the device is offline

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(3000)
    assert alice_api.incidents_with_account(account) == []

    signed_in_as(page, live_server.alice)
    found = wait_for_incidents(page, alice_api, account)
    assert len(found) == 1


def test_another_user_on_the_same_device_neither_sees_nor_sends_alices_concern(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 5: Zara's older brother collected her and smelled strongly of alcohol."
    kept_while_the_server_is_down(context, page, live_server, signed_in_as, account)

    # Signing out with something unsent warns, and she may stay.
    page.get_by_test_id("sign-out").click()
    dialog = page.get_by_role("dialog", name="Records not sent yet")
    expect(dialog).to_contain_text("1 record has not reached Haven yet")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("user-name")).to_have_text(live_server.alice.name)
    page.get_by_test_id("sign-out").click()
    dialog.get_by_role("button", name="Sign out anyway").click()
    expect(page.get_by_test_id("login-status")).to_contain_text("stay on this device")

    context.unroute("**/api/incidents")
    signed_in_as(page, live_server.dina)
    expect(page.get_by_test_id("queue-badge")).to_be_hidden()
    page.goto("/#/outbox")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_text(account)).to_have_count(0)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(3000)
    assert alice_api.incidents_with_account(account) == []

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")
    signed_in_as(page, live_server.alice)
    assert len(wait_for_incidents(page, alice_api, account)) == 1


def test_a_refusal_during_replay_needs_attention_and_keeps_the_content(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 6: Zara disclosed that she is being hit at home."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    item = refused_in_the_outbox(context, page, "**/api/incidents")
    expect(item.get_by_test_id("outbox-problem")).to_contain_text("Zara Okafor has left the school.")
    expect(item.get_by_test_id("outbox-text")).to_have_text(account)
    expect(item.get_by_test_id("copy-text")).to_be_visible()
    assert alice_api.incidents_with_account(account) == []

    context.unroute("**/api/incidents")
    item.get_by_test_id("send-again").click()
    assert len(wait_for_incidents(page, alice_api, account)) == 1
    expect(page.locator("[data-testid=outbox-item][data-status=sent]")).to_have_count(1)


def test_alice_edits_a_refused_concern_and_it_is_sent_in_the_refused_ones_place(
    context, page, live_server, signed_in_as, alice_api, tmp_path
):
    account = "Offline 17: Zara said a boy pushed her down the stairs."
    corrected = "Offline 17: Zara said a boy pushed her down the stairs at lunch; a bruise on her arm."
    photo = tmp_path / "stairs.png"
    photo.write_bytes(tiny_png())
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account, photo)
    item = refused_in_the_outbox(context, page, "**/api/incidents")
    context.unroute("**/api/incidents")

    item.get_by_test_id("edit-and-send").click()
    expect(page.get_by_test_id("refused-record")).to_contain_text("Zara Okafor has left the school.")
    expect(page.get_by_test_id("chosen-pupil")).to_contain_text("Zara Okafor")
    expect(page.get_by_label("Physical abuse")).to_be_checked()
    expect(page.get_by_test_id("chosen-file")).to_contain_text("stairs.png")
    expect(page.get_by_label("What happened")).to_have_value(account)
    page.get_by_label("What happened").fill(corrected)
    submit_concern(page)
    expect(page.get_by_test_id("incident-recorded")).to_be_visible()

    incidents = alice_api.incidents_with_account(corrected)
    assert len(incidents) == 1
    assert [category["name"] for category in incidents[0]["categories"]] == ["Physical abuse"]
    assert [file["name"] for file in incidents[0]["files"]] == ["stairs.png"]
    page.goto("/#/outbox")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    assert alice_api.incidents_with_account(account) == []


def test_a_refused_concern_about_a_pupil_not_found_asks_for_the_pupil_and_can_wait_again(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 18: Zara said she sleeps on the sofa since her uncle moved in."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    item = refused_in_the_outbox(context, page, "**/api/incidents")

    def without_zara(route):
        answer = route.fetch()
        reference = answer.json()
        reference["pupils"] = [p for p in reference["pupils"] if p["last_name"] != "Okafor"]
        route.fulfill(response=answer, json=reference)

    # As if she had left: the school's list no longer has her.
    context.route("**/api/offline/reference", without_zara)
    item.get_by_test_id("edit-and-send").click()
    expect(page.get_by_test_id("pupil-not-found")).to_contain_text(
        "The pupil this record was about could not be found")
    expect(page.get_by_test_id("chosen-pupil")).to_have_count(0)
    expect(page.get_by_label("What happened")).to_have_value(account)
    context.unroute("**/api/offline/reference")
    page.get_by_test_id("pupil-search").fill("Zara")
    page.get_by_role("option", name=re.compile(r"^Zara Okafor")).click()

    # No signal again: the correction waits on the device in the refused one's place.
    context.unroute("**/api/incidents")
    context.set_offline(True)
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)
    page.goto("/#/outbox")
    expect(page.get_by_test_id("outbox-item")).to_have_count(1)
    expect(page.locator(NEEDS_ATTENTION)).to_have_count(0)
    context.set_offline(False)
    assert len(wait_for_incidents(page, alice_api, account)) == 1


def test_alice_edits_the_text_of_a_refused_action_and_it_is_sent_in_its_place(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 19: Zara came in with a cut lip and would not say how."
    action = "Offline 19: phoned home, no answer."
    corrected = "Offline 19: phoned home at 9:10, no answer; left a message for mum."
    signed_in_as(page, live_server.alice)
    incident_id = queue_action_offline(context, page, alice_api, account, action)
    item = refused_in_the_outbox(context, page, "**/api/incidents/*/actions",
                                 message="The text is too short.")
    context.unroute("**/api/incidents/*/actions")

    item.get_by_test_id("edit-and-send").click()
    text = item.get_by_test_id("corrected-action-text")
    expect(text).to_have_value(action)
    expect(text).to_be_focused()
    text.fill(corrected)
    item.get_by_test_id("send-corrected").click()
    expect(page.get_by_test_id("outbox-news")).to_have_text(
        re.compile(r"^Sent: an action on incident \d+\.$"))
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    actions = alice_api.request.get(f"/api/incidents/{incident_id}").json()["actions"]
    assert [entry["text"] for entry in actions] == [corrected]


def test_an_action_refused_because_alice_can_no_longer_see_the_incident_can_only_be_copied(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 20: Zara's packed lunch was a packet of crisps again."
    signed_in_as(page, live_server.alice)
    queue_action_offline(context, page, alice_api, account,
                         "Offline 20: spoke to the kitchen about a hot lunch.")
    item = refused_in_the_outbox(context, page, "**/api/incidents/*/actions", status=404,
                                 message="No such incident.")

    expect(item.get_by_test_id("outbox-problem")).to_contain_text("You can no longer see that incident")
    expect(item.get_by_test_id("copy-text")).to_be_visible()
    expect(item.get_by_test_id("edit-and-send")).to_have_count(0)
    expect(item.get_by_test_id("send-again")).to_have_count(0)
    context.unroute("**/api/incidents/*/actions")


def test_what_is_kept_on_the_device_cannot_be_read(context, page, live_server, signed_in_as):
    account = "Offline 7: Zara whispered that her stepfather locks her in her room."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    stored = page.evaluate(RAW_STORE)
    context.set_offline(False)
    assert stored["count"] == 1 and stored["contents"] == 1
    everything = " ".join(stored["items"])
    for secret in ("stepfather", "Zara", "Physical", "pupil_id", "account"):
        assert secret not in everything
    assert stored["keys"] and all("extractable=false" in key for key in stored["keys"])


RAW_REFERENCE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('haven-offline');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return new Promise((resolve) => {
    const request = db.transaction('reference').objectStore('reference').getAll();
    request.onsuccess = () => resolve(request.result.map((copy) => ({
      userId: copy.userId,
      text: new TextDecoder().decode(copy.ciphertext),
    })));
  });
}"""


def test_the_form_works_offline_from_the_copy_on_the_device_which_goes_at_sign_out(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 8: Zara said someone in 4D keeps taking her pencil case."
    signed_in_as(page, live_server.alice)
    page.evaluate(WAIT_FOR_CONTROLLER)
    for _ in range(40):  # the copy is fetched just after signing in
        if page.evaluate(RAW_REFERENCE):
            break
        page.wait_for_timeout(100)
    copies = page.evaluate(RAW_REFERENCE)
    assert len(copies) == 1 and "Okafor" not in copies[0]["text"]

    context.set_offline(True)
    page.get_by_test_id("record-concern").click()
    expect(page.get_by_test_id("offline-copy")).to_contain_text("from just now")
    page.get_by_test_id("pupil-search").fill("okaf")
    page.get_by_role("option", name=re.compile(r"^Zara Okafor, Year 4, form 4D$")).click()
    page.get_by_text("Child protection", exact=True).click()
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What happened").fill(account)
    page.get_by_test_id("staff-search").fill("Dina")
    page.get_by_role("option", name=re.compile(r"^Dina Safeguard")).click()
    page.get_by_test_id("agencies").get_by_label("School nurse").check()
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)

    context.set_offline(False)
    found = wait_for_incidents(page, alice_api, account)
    assert len(found) == 1
    incident = found[0]
    assert incident["pupil"]["name"] == "Zara Okafor"
    assert "Dina Safeguard" in [alert["user"]["name"] for alert in incident["alerts"]]
    assert [agency["name"] for agency in incident["agencies"]] == ["School nurse"]

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")
    for _ in range(20):
        if not page.evaluate(RAW_REFERENCE):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(RAW_REFERENCE) == []


def test_a_concern_queued_before_the_browser_closed_is_sent_once_after_it_reopens(
    playwright, live_server, signed_in_as, alice_api, tmp_path
):
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    account = "Offline 9: Zara was collected by an adult the office did not recognise."
    profile = tmp_path / "chromium-profile"

    def launch():
        return playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, base_url=live_server.base_url)

    context = launch()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        signed_in_as(page, live_server.alice)
        queue_offline(context, page, account)
    finally:
        context.close()
    assert alice_api.incidents_with_account(account) == []

    context = launch()
    try:
        # The server "down" while the browser starts: a sync at start-up cannot deliver it
        # before the page has shown it waiting.
        context.route("**/api/incidents", lambda route: route.fulfill(status=503, body="down"))
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/")
        login = page.get_by_test_id("login-form")
        expect(login.or_(page.get_by_test_id("user-name"))).to_be_visible()
        if login.is_visible():  # the session cookie ended with the browser
            signed_in_as(page, live_server.alice)
        expect(page.get_by_test_id("queue-count")).to_have_text("1")

        context.unroute("**/api/incidents")
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        found = wait_for_incidents(page, alice_api, account, seconds=30)
        page.wait_for_timeout(2000)  # time for a second copy, if there were to be one
        assert len(found) == 1
        assert len(alice_api.incidents_with_account(account)) == 1
    finally:
        context.close()


def test_an_action_added_offline_is_sent_once_under_its_incident(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 10: Zara said she had not eaten since yesterday lunchtime."
    action = "Offline 10: gave Zara breakfast from the club and told the DSL by phone."
    signed_in_as(page, live_server.alice)
    incident_id = queue_action_offline(context, page, alice_api, account, action)
    expect(page.get_by_test_id("queue-count")).to_have_text("1")

    context.set_offline(False)
    for _ in range(60):
        actions = alice_api.request.get(f"/api/incidents/{incident_id}").json()["actions"]
        if actions:
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(1500)  # time for a second copy, if there were to be one
    actions = alice_api.request.get(f"/api/incidents/{incident_id}").json()["actions"]
    assert [entry["text"] for entry in actions] == [action]


def test_a_newer_schema_keeps_what_is_queued(browser, live_server, signed_in_as, alice_api):
    """The next version of queue.js adds an upgrade step (here, an index by status): the
    concern queued under the old schema is still listed after the upgrade, and sent."""
    account = "Offline 11: Zara's coat and shoes were soaked and she had no dry clothes."
    # No service worker, so the page takes queue.js from the network, where the test can
    # hand it the next version.
    context = browser.new_context(base_url=live_server.base_url, service_workers="block")
    try:
        page = context.new_page()
        signed_in_as(page, live_server.alice)
        fill_concern(page, account)
        context.set_offline(True)
        submit_concern(page)
        expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)
        version_now = page.evaluate("""() => new Promise((resolve) => {
          const request = indexedDB.open('haven-offline');
          request.onsuccess = () => { resolve(request.result.version); request.result.close(); };
        })""")

        def next_version(route):
            script = route.fetch().text()
            last_step = "\n  ];\n  const DB_VERSION = UPGRADES.length;"
            assert last_step in script
            script = script.replace(last_step, (
                "\n    (db, upgrade) => upgrade.objectStore('items').createIndex('status', 'status'),"
                + last_step))
            route.fulfill(status=200, content_type="text/javascript", body=script)

        context.route("**/sw/queue.js", next_version)
        context.route("**/api/incidents", lambda route: route.fulfill(status=503, body="down"))
        context.set_offline(False)
        page.goto("/#/outbox")
        page.reload()  # the hash alone does not load the page again
        expect(page.get_by_test_id("outbox-text")).to_have_text(account)
        schema = page.evaluate("""async () => {
          const db = await new Promise((resolve) => {
            const request = indexedDB.open('haven-offline');
            request.onsuccess = () => resolve(request.result);
          });
          const indexes = [...db.transaction('items').objectStore('items').indexNames];
          db.close();
          return { version: db.version, indexes };
        }""")
        assert schema == {"version": version_now + 1, "indexes": ["status", "userId"]}

        context.unroute("**/api/incidents")
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        assert len(wait_for_incidents(page, alice_api, account)) == 1
    finally:
        context.close()


def test_a_record_waiting_more_than_a_week_is_warned_about(
    context, page, live_server, signed_in_as
):
    account = "Offline 12: Zara said she was left at home alone overnight."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    # Only the times are in clear: eight days ago, as if the device had stayed offline.
    page.evaluate("""async () => {
      const db = await new Promise((resolve) => {
        const request = indexedDB.open('haven-offline');
        request.onsuccess = () => resolve(request.result);
      });
      const store = db.transaction('items', 'readwrite').objectStore('items');
      await new Promise((resolve) => {
        store.getAll().onsuccess = (event) => {
          for (const item of event.target.result) {
            store.put({ ...item, createdAt: Date.now() - 8 * 24 * 60 * 60 * 1000 });
          }
          resolve();
        };
      });
      db.close();
    }""")
    page.goto("/#/outbox")
    # On every page, the header's badge turns into a warning too.
    badge = page.get_by_test_id("queue-badge")
    expect(badge).to_have_class(re.compile(r"\bqueue-badge--old\b"))
    expect(badge).to_have_attribute("aria-label", re.compile("one has waited more than a week"))
    warning = page.get_by_test_id("outbox-old-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Some records have waited more than a week.")
    expect(page.get_by_test_id("outbox-text")).to_have_text(account)
    context.set_offline(False)
    expect(warning).to_be_hidden(timeout=15000)  # sent: nothing is waiting any more


def test_the_service_worker_sends_the_queue_with_no_haven_page_open(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 13: Zara said her mum's new partner shouts at her at bedtime."
    signed_in_as(page, live_server.alice)
    queue_offline(context, page, account)
    # Only a blank tab is left: nothing of Haven's page can send it, only the worker.
    blank = context.new_page()
    cdp, registration = sync_registration_id(context, blank)
    page.close()
    blank.wait_for_timeout(500)

    context.set_offline(False)
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": live_server.base_url, "registrationId": registration,
        "tag": "haven-queue", "lastChance": False,
    })
    found = wait_for_incidents(blank, alice_api, account)
    assert len(found) == 1


def test_files_over_50_mb_together_are_not_kept_and_alice_is_told_why(
    context, page, live_server, signed_in_as, tmp_path
):
    account = "Offline 14: photos of Zara's drawings, which worried her teacher."
    signed_in_as(page, live_server.alice)
    page.evaluate(WAIT_FOR_CONTROLLER)
    fill_concern(page, account)
    drawings = [tmp_path / f"drawing-{n}.txt" for n in (1, 2, 3)]
    for drawing in drawings:  # under the 20 MB a file may be; 54 MB in all
        drawing.write_bytes(b"\0" * (18 * 1024 * 1024))
    page.get_by_test_id("attach-files").set_input_files([str(path) for path in drawings])
    expect(page.get_by_test_id("chosen-file")).to_have_count(3)
    context.set_offline(True)
    submit_concern(page)
    expect(page.get_by_test_id("incident-error")).to_contain_text("more than 50 MB together")
    expect(page.get_by_test_id("queue-badge")).to_be_hidden()
    expect(page.get_by_label("What happened")).to_have_value(account)  # nothing typed is lost
    context.set_offline(False)


PASSES = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('haven-offline');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  if (!db.objectStoreNames.contains('passes')) return [];
  return new Promise((resolve) => {
    const request = db.transaction('passes').objectStore('passes').getAll();
    request.onsuccess = () => resolve(request.result.map((pass) => ({
      userId: pass.userId,
      wrong: pass.wrong,
      text: `${pass.emailHash} ${new TextDecoder().decode(pass.ciphertext)}`,
    })));
  });
}"""


def wait_for_the_copy_and_pass(page) -> list[dict]:
    """Both are made just after signing in with a connection, in the background."""
    for _ in range(100):
        passes = page.evaluate(PASSES)
        if passes and page.evaluate(RAW_REFERENCE):
            return passes
        page.wait_for_timeout(100)
    raise AssertionError("no pass or no offline copy after signing in")


def test_alice_opens_haven_without_signal_long_after_her_session_ended_and_records_a_concern(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 15: on the trip Zara said she had not eaten since yesterday."
    alice = live_server.alice
    signed_in_as(page, alice)
    page.evaluate(WAIT_FOR_CONTROLLER)
    passes = wait_for_the_copy_and_pass(page)
    # Sealed with her password: neither her email nor her name is in clear.
    assert len(passes) == 1
    assert alice.email not in passes[0]["text"] and "Alice" not in passes[0]["text"]

    # Her session ends (the idle timeout) and the trip has no signal. She opens Haven.
    context.clear_cookies()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("login-status")).to_contain_text("Haven cannot reach the server.")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text(alice.name)
    expect(page.get_by_test_id("nav-account")).to_have_count(0)  # needs the server
    # The blank screen works offline too: her password, checked on the device, opens it.
    page.get_by_test_id("blank-screen").click()
    page.get_by_label("Your password").fill(alice.password)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("offline-banner")).to_be_visible()

    page.get_by_test_id("offline-record-concern").click()
    page.get_by_test_id("pupil-search").fill("zara")
    page.get_by_role("option", name=re.compile(r"^Zara Okafor")).click()
    page.get_by_text("Child protection", exact=True).click()
    page.get_by_label("Neglect").check()
    page.get_by_label("What happened").fill(account)
    submit_concern(page)
    expect(page.get_by_test_id("saved-on-device")).to_have_text(SAVED)
    expect(page.get_by_test_id("queue-count")).to_have_text("1")

    # Back in signal: the server no longer knows her session, so Haven asks for her
    # password, then sends the concern.
    context.set_offline(False)
    expect(page.get_by_test_id("login-status")).to_have_text(
        "Haven is connected again. Sign in to send the record waiting on this device.",
        timeout=15000)
    expect(page.get_by_label("Email")).to_have_value(alice.email)
    assert alice_api.incidents_with_account(account) == []
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in").click()
    found = wait_for_incidents(page, alice_api, account)
    assert len(found) == 1
    assert [category["name"] for category in found[0]["categories"]] == ["Neglect"]

    # "Sign out" takes the pass and the copy: no signing in without signal after that.
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")
    for _ in range(20):
        if not page.evaluate(PASSES):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(PASSES) == [] and page.evaluate(RAW_REFERENCE) == []
    context.set_offline(True)
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(alice.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("you have not signed in on this device")
    context.set_offline(False)


def test_alice_chooses_to_be_signed_out_once_her_concern_is_sent(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 16: Zara said her mum has not been home for two days."
    kept_while_the_server_is_down(context, page, live_server, signed_in_as, account)

    page.get_by_test_id("sign-out").click()
    page.get_by_role("dialog", name="Records not sent yet").get_by_role(
        "button", name="Sign out once they are sent").click()
    expect(page.get_by_test_id("signing-out-when-sent")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text(live_server.alice.name)

    context.unroute("**/api/incidents")
    page.get_by_role("button", name="Try sending now").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.", timeout=15000)
    assert len(alice_api.incidents_with_account(account)) == 1


# What the release before the contents store (schema version 2) kept for a queued
# incident: the submission packed (4 bytes giving the header's length, the header, no
# files) and sealed in the item itself, under the user's own key.
VERSION_2_QUEUE = """async ({ userId, fields, key }) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('haven-offline', 2);
    request.onupgradeneeded = () => {
      const made = request.result;
      made.createObjectStore('keys', { keyPath: 'userId' });
      made.createObjectStore('items', { keyPath: 'id' }).createIndex('userId', 'userId');
      made.createObjectStore('reference', { keyPath: 'userId' });
      made.createObjectStore('passes', { keyPath: 'emailHash' }).createIndex('userId', 'userId');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const header = new TextEncoder().encode(JSON.stringify({
    path: '/api/incidents', fields, label: 'a new incident', files: [],
  }));
  const packed = new Uint8Array(4 + header.byteLength);
  new DataView(packed.buffer).setUint32(0, header.byteLength);
  packed.set(header, 4);
  const cryptoKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false,
    ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, cryptoKey, packed);
  const tx = db.transaction(['keys', 'items'], 'readwrite');
  tx.objectStore('keys').put({ userId, key: cryptoKey });
  tx.objectStore('items').put({
    id: 'made-by-version-2', userId, createdAt: Date.now(), updatedAt: Date.now(),
    kind: 'incident', incidentId: null, idempotencyKey: key, status: 'queued', lastError: null,
    iv, ciphertext,
  });
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
}"""


def test_a_concern_queued_by_the_release_before_is_sent_after_the_upgrade(
    context, page, live_server, signed_in_as, alice_api
):
    account = "Offline 17: queued before the upgrade, Zara said she sleeps on the sofa."
    api = alice_api.request
    zara = api.get("/api/pupils?q=Zara").json()["pupils"][0]
    neglect = next(category for category in api.get("/api/categories").json()["categories"]
                   if category["name"] == "Neglect")
    fields = {
        "pupil_id": zara["id"], "linked_pupils": [], "category_ids": [neglect["id"]],
        "account": account, "occurred_at": "2026-11-27T10:00:00+00:00", "agency_ids": [],
        "body_map": [], "alert_user_ids": [],
    }
    # A page of Haven's origin that runs none of Haven's code, to lay out the old database.
    context.route("**/before-the-upgrade", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>old</title>"))
    page.goto("/before-the-upgrade")
    user_id = api.get("/api/session").json()["user"]["id"]
    page.evaluate(VERSION_2_QUEUE, {"userId": user_id, "fields": fields,
                                    "key": "version-2-item-of-alice-0001"})

    signed_in_as(page, live_server.alice)
    found = wait_for_incidents(page, alice_api, account)
    assert len(found) == 1
    stored = page.evaluate(RAW_STORE)
    assert stored["contents"] == 0 and all("made-by-version-2" not in item or "sent" in item
                                           for item in stored["items"])
