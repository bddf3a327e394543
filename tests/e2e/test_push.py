"""Alerts on a device (web push) in Chromium.

Dina, the DSL, turns on alerts from her account page. Alice records a concern and alerts
her; Haven's server encrypts the push and sends it to the push service of Dina's device;
the test reads what arrived there and delivers it to Dina's service worker through the
DevTools protocol, as the browser does with what its push service brings. The worker
shows the notification, her home screen's alert list refreshes, and tapping the
notification opens the incident.

The browsers' own push services (Google's, Mozilla's, Apple's) cannot be reached from a
test machine, so two things stand in for them, and nothing else:
- LocalPushService: a push service on 127.0.0.1 that keeps what Haven sends (the live
  server accepts it: HAVEN_PUSH_ENDPOINT_HOSTS=127.0.0.1 in conftest.py);
- window.havenPushManager (see pwa/js/push.js), set before Haven's scripts run: its
  subscribe() gives a subscription at that service, with keys the test holds, where
  pushManager.subscribe() would ask Google's. The permission, the service worker and the
  server's routes are the real ones.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Ben Carterton and Olivia Hughes: test_records.py counts Ben Carter's and Maya's records.
ACCOUNT = "Ben said an older pupil took his lunch money on the way to school."
PUPIL_WORDS = ("Ben", "Carterton", "lunch money")
SIZES = {"phone": (375, 812), "tablet": (1024, 768)}
DELIVERY_WAIT_MS = 20000  # the server's outbox is told at once, and looks every 5 s anyway


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- a push service on 127.0.0.1 -----------------------------------------------------------


@dataclass
class Device:
    """A browser's side of a push subscription: its key pair and authentication secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def subscription(self) -> dict:
        """What PushSubscription.toJSON() gives."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> str:
        """What the browser would hand its service worker (RFC 8291, aes128gcm)."""
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                version="aes128gcm").decode()


class LocalPushService:
    """Takes every POST, answers 201 Created as a push service does, and keeps the path
    and body. Runs in a thread of its own while the test drives the browser."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, bytes]] = []
        deliveries = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                deliveries.append((self.path, self.rfile.read(length)))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def device(self) -> Device:
        return Device(endpoint=f"{self.origin}/push/{secrets.token_urlsafe(16)}")

    def bodies_for(self, device: Device) -> list[bytes]:
        path = device.endpoint.removeprefix(self.origin)
        return [body for where, body in self.deliveries if where == path]


@pytest.fixture
def push_service():
    service = LocalPushService()
    service.thread.start()
    try:
        yield service
    finally:
        service.server.shutdown()
        service.server.server_close()
        service.thread.join(timeout=5)


# --- the browser's side ----------------------------------------------------------------------

# The replacement for registration.pushManager (see pwa/js/push.js). The subscription
# lives in localStorage, as the browser keeps a real one across reloads. Every call is
# kept in window.havenPushCalls for the test to read.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  const STORE = 'haven-test-push-key';
  const calls = [];
  const made = (key) => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: key.buffer },
    toJSON: () => JSON.parse(JSON.stringify(subscription)),
    unsubscribe: async () => {
      calls.push({ unsubscribe: true });
      localStorage.removeItem(STORE);
      return true;
    },
  });
  window.havenPushCalls = calls;
  window.havenPushManager = {
    async subscribe(options) {
      const key = new Uint8Array(options.applicationServerKey);
      calls.push({ subscribe: { userVisibleOnly: options.userVisibleOnly, key: Array.from(key) } });
      localStorage.setItem(STORE, JSON.stringify(Array.from(key)));
      return made(key);
    },
    async getSubscription() {
      const stored = localStorage.getItem(STORE);
      return stored ? made(new Uint8Array(JSON.parse(stored))) : null;
    },
  };
})();
"""

NOTIFICATIONS = """
async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((shown) => ({
    title: shown.title, body: shown.body, tag: shown.tag, data: shown.data,
    icon: shown.icon, badge: shown.badge,
  }));
}
"""

# Runs the worker's own notificationclick listener with a notification it showed. A
# browser lets only its own events be extended, so waitUntil is taken over to collect the
# promises, which are then awaited; everything else is the worker's code. focus() is
# refused (no tap happened), which the worker expects.
CLICK_NOTIFICATION = """
async (tag) => {
  const [notification] = await self.registration.getNotifications({ tag });
  const click = new NotificationEvent('notificationclick', { notification });
  const pending = [];
  Object.defineProperty(click, 'waitUntil', { value: (promise) => pending.push(promise) });
  self.dispatchEvent(click);
  await Promise.all(pending);
  return pending.length;
}
"""


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushDelivery:
    """Delivers push messages to the page's service worker through the DevTools protocol
    (ServiceWorker.deliverPushMessage), as the browser does with what its push service
    brings. The registration id comes from the ServiceWorker domain's events."""

    def __init__(self, context, page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.registrations: dict[str, str] = {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._updated)
        self.cdp.send("ServiceWorker.enable")

    def _updated(self, event) -> None:
        for registration in event["registrations"]:
            if registration.get("isDeleted"):
                self.registrations.pop(registration["scopeURL"], None)
            else:
                self.registrations[registration["scopeURL"]] = registration["registrationId"]

    def registration_id(self) -> str:
        scope = self.origin + "/"
        for _ in range(50):
            if scope in self.registrations:
                return self.registrations[scope]
            self.page.wait_for_timeout(100)  # the events arrive while Playwright waits
        raise AssertionError(f"no service worker registration for {scope}: {self.registrations}")

    def deliver(self, payload: str) -> None:
        self.cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": self.origin, "registrationId": self.registration_id(), "data": payload,
        })


def wait_for_pushes(page, push_service, device: Device, count: int, live_server) -> list[str]:
    """The decrypted payloads the device's push service has received, once there are `count`."""
    for _ in range(DELIVERY_WAIT_MS // 100):
        bodies = push_service.bodies_for(device)
        if len(bodies) >= count:
            return [device.decrypt(body) for body in bodies]
        page.wait_for_timeout(100)
    raise AssertionError(f"{len(push_service.bodies_for(device))} of {count} pushes arrived "
                         f"in {DELIVERY_WAIT_MS} ms; the server said:\n{live_server.log_tail()}")


def alert_about(page, incident: dict):
    """The home screen's unread alert about this incident."""
    return page.get_by_test_id("unread-alert").filter(has_text=f"Incident {incident['number']}:")


def open_account(page) -> None:
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()


def screenshots(page, screenshot_dir, name: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)  # let the layout settle at the new width
        page.screenshot(path=str(screenshot_dir / f"push-{name}-{size}.png"), full_page=True)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{name} scrolls sideways at {width} px: {widths}"
    page.set_viewport_size({"width": 1280, "height": 800})


class Colleague:
    """Another member of staff at work in their own browser context, through the API."""

    def __init__(self, browser, live_server, person) -> None:
        self.context = browser.new_context(base_url=live_server.base_url)
        self.request = self.context.request
        signed_in = self.post("/api/session", {"email": person.email, "password": person.password})
        assert signed_in.ok, signed_in.text()

    def post(self, path: str, body: dict):
        return self.request.post(path, headers={"X-Requested-With": "haven"}, data=body)

    def close(self) -> None:
        self.context.close()

    def record_concern(self, *, about: str, category: str, alert: list[int],
                       account: str = ACCOUNT) -> dict:
        [pupil] = self.request.get(f"/api/pupils?q={about}").json()["pupils"]
        category_id = next(c["id"] for c in self.request.get("/api/categories").json()["categories"]
                           if c["name"] == category)
        made = self.post("/api/incidents", {
            "pupil_id": pupil["id"], "linked_pupils": [], "category_ids": [category_id],
            "account": account, "occurred_at": datetime.now(UTC).isoformat(),
            "agency_ids": [], "body_map": [], "alert_user_ids": alert,
        })
        assert made.status == 201, made.text()
        return made.json()

    def add_action(self, incident: dict, text: str, alert: list[int]) -> None:
        added = self.post(f"/api/incidents/{incident['id']}/actions",
                          {"text": text, "alert_user_ids": alert, "agency_ids": []})
        assert added.status == 201, added.text()

    def staff_id(self, name: str) -> int:
        staff = self.request.get(f"/api/staff?q={name}").json()["staff"]
        return next(person["id"] for person in staff if person["name"] == name)


@pytest.fixture
def alice(browser, live_server):
    """Alice, a teacher, signed in in a browser context of her own."""
    colleague = Colleague(browser, live_server, live_server.alice)
    try:
        yield colleague
    finally:
        colleague.close()


# --- the tests -------------------------------------------------------------------------------


def test_dina_turns_on_alerts_and_a_concern_reaches_her_as_a_notification(
    context, page, problems, live_server, signed_in_as, push_service, alice, screenshot_dir
):
    dina = live_server.dina
    device = push_service.device()
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    page.add_init_script(FAKE_PUSH_MANAGER % json.dumps(device.subscription()))
    page.set_viewport_size({"width": 1280, "height": 800})

    # --- Dina turns on alerts on this device -------------------------------------------------
    signed_in_as(page, dina)
    open_account(page)
    state = page.get_by_test_id("push-state")
    expect(state).to_have_text("Alerts are off for this device.")
    page.get_by_role("button", name="Turn on alerts on this device").click()
    expect(state).to_have_text("On Alerts are on for this device.")
    expect(page.get_by_test_id("push-status")).to_have_text(
        "Alerts are on. Haven will alert you on this device.")
    expect(page.get_by_test_id("push-device")).to_have_count(1)
    expect(page.get_by_test_id("push-device")).to_contain_text("Chrome on Linux")
    expect(page.get_by_test_id("push-device")).to_contain_text("This device")
    expect(page.get_by_role("button", name="Turn off", exact=True)).to_be_visible()
    screenshots(page, screenshot_dir, "account-alerts-on")

    # Subscribed with the server's key, for visible alerts only, and the server has it.
    key = page.request.get("/api/push/key").json()["public_key"]
    [subscribed] = [call["subscribe"] for call in page.evaluate("window.havenPushCalls")
                    if "subscribe" in call]
    assert subscribed == {"userVisibleOnly": True, "key": list(b64url_decode(key))}
    [known] = page.request.get("/api/push/subscriptions").json()["subscriptions"]
    assert known["endpoint"] == device.endpoint

    # --- Alice records a concern and alerts her ------------------------------------------------
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("unread-alerts")).not_to_have_attribute("aria-busy", "true")
    dina_id = alice.staff_id(dina.name)
    incident = alice.record_concern(about="Ben Carterton", category="Bullying", alert=[dina_id])
    its_alert = alert_about(page, incident)
    [sent] = wait_for_pushes(page, push_service, device, 1, live_server)

    push = json.loads(sent)
    assert push["kind"] == "incident"
    assert push["url"] == f"/#incidents/{incident['id']}"
    assert push["tag"] == f"incident-{incident['id']}"
    assert "Alice Teacher" in push["body"] and "Bullying" in push["body"]
    # A lock screen is not private: nothing about the pupil, nor what happened.
    assert not [word for word in PUPIL_WORDS if word in sent], sent

    # Nothing has told the home screen yet: the list is as it was.
    expect(its_alert).to_have_count(0)

    # --- the push reaches her device ------------------------------------------------------
    delivery = PushDelivery(context, page, live_server.base_url)
    delivery.deliver(sent)

    # The worker told the page, and the list asked again.
    expect(its_alert).to_have_count(1)
    expect(its_alert).to_contain_text("Bullying")

    [shown] = page.evaluate(NOTIFICATIONS)
    assert shown == {
        "title": "Haven", "body": push["body"], "tag": f"incident-{incident['id']}",
        "data": {"url": live_server.url(push["url"]), "kind": "incident"},
        "icon": live_server.url("/icons/icon-192.png"),
        "badge": live_server.url("/icons/icon-192.png"),
    }

    # An action on the same incident replaces its notification rather than adding one.
    alice.add_action(incident, "Spoke to the older pupil's form tutor.", alert=[dina_id])
    _, second = wait_for_pushes(page, push_service, device, 2, live_server)
    assert json.loads(second)["kind"] == "action"
    assert not [word for word in PUPIL_WORDS if word in second], second
    delivery.deliver(second)
    for _ in range(50):
        notifications = page.evaluate(NOTIFICATIONS)
        if notifications and notifications[0]["body"] == json.loads(second)["body"]:
            break
        page.wait_for_timeout(100)
    assert [shown["body"] for shown in notifications] == [json.loads(second)["body"]]

    # --- she taps the notification -------------------------------------------------------------
    page.evaluate("window.havenTestMarker = 'same page'")
    [worker] = context.service_workers
    assert worker.evaluate(CLICK_NOTIFICATION, f"incident-{incident['id']}") == 1
    heading = page.get_by_role("heading", name=f"Incident {incident['number']}", level=1)
    expect(heading).to_be_visible()
    assert page.evaluate("window.location.hash") == f"#incidents/{incident['id']}"
    # The page changed without a reload (a reload would lose whatever was on it).
    assert page.evaluate("window.havenTestMarker") == "same page"
    # The tapped notification has gone.
    assert page.evaluate(NOTIFICATIONS) == []

    # --- the home screen asks again when Haven comes back to the screen -------------------------
    page.get_by_role("link", name="Home").click()
    expect(its_alert).to_have_count(1)
    later = alice.record_concern(about="Olivia Hughes", category="Bullying", alert=[dina_id],
                                 account="Liv said a group in her class leaves her out at lunch.")
    later_alert = alert_about(page, later)
    page.wait_for_timeout(500)  # the list does not ask again by itself...
    expect(later_alert).to_have_count(0)
    # ...until the page is shown again (headless Chromium never hides it: the event is
    # sent as the browser would, and the page finds itself visible).
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(later_alert).to_have_count(1)
    screenshots(page, screenshot_dir, "home-alerts")

    # --- signing out ends this session's alerts; she turns them on, then off again ---------------
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    signed_in_as(page, dina)
    assert page.request.get("/api/push/subscriptions").json()["subscriptions"] == []
    open_account(page)
    expect(state).to_have_text("Alerts are off for this device.")
    expect(page.get_by_test_id("push-device")).to_have_count(0)
    page.get_by_role("button", name="Turn on alerts on this device").click()
    expect(state).to_have_text("On Alerts are on for this device.")
    # The browser's subscription was still good: the same one went to the server again.
    assert [call for call in page.evaluate("window.havenPushCalls") if "subscribe" in call] == []
    [known] = page.request.get("/api/push/subscriptions").json()["subscriptions"]
    assert known["endpoint"] == device.endpoint

    page.get_by_role("button", name="Turn off", exact=True).click()
    expect(state).to_have_text("Alerts are off for this device.")
    expect(page.get_by_test_id("push-status")).to_have_text("Alerts are off for this device.")
    assert page.request.get("/api/push/subscriptions").json()["subscriptions"] == []
    assert {"unsubscribe": True} in page.evaluate("window.havenPushCalls")
    assert not problems, f"the page reported problems:\n{problems}"


def test_a_browser_that_blocks_notifications_says_how_to_allow_them(
    context, page, problems, live_server, signed_in_as, screenshot_dir
):
    cdp = context.new_cdp_session(page)
    # Playwright can grant a permission but not deny one: the DevTools protocol can, for
    # this context (without its id it would change the browser's default context).
    browser_context = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]

    def notifications(setting: str) -> None:
        cdp.send("Browser.setPermission", {
            "origin": live_server.base_url, "permission": {"name": "notifications"},
            "setting": setting, "browserContextId": browser_context,
        })

    notifications("denied")
    signed_in_as(page, live_server.ellie)
    open_account(page)
    expect(page.get_by_test_id("push-state")).to_have_text(
        "Your browser is blocking notifications from Haven, so it cannot alert you here.")
    expect(page.get_by_test_id("push-panel")).to_contain_text(
        "Click the icon to the left of the address and set Notifications to Allow. "
        "Then come back to this page.")
    expect(page.get_by_role("button", name="Turn on alerts on this device")).to_be_hidden()
    screenshots(page, screenshot_dir, "account-blocked")

    # Allowed in the browser's settings while the page is open: the button comes back.
    notifications("granted")
    expect(page.get_by_test_id("push-state")).to_have_text("Alerts are off for this device.")
    expect(page.get_by_role("button", name="Turn on alerts on this device")).to_be_visible()
    assert not problems, f"the page reported problems:\n{problems}"


# The worker's own pushsubscriptionchange listener, given the subscription the browser
# replaced the old one with (Chromium never sends the event itself; waitUntil as in
# CLICK_NOTIFICATION). Returns what went wrong in the worker, if anything.
SUBSCRIPTION_CHANGED = """
async (subscription) => {
  const change = new ExtendableEvent('pushsubscriptionchange');
  Object.defineProperty(change, 'newSubscription', {
    value: { endpoint: subscription.endpoint, toJSON: () => subscription },
  });
  const pending = [];
  Object.defineProperty(change, 'waitUntil', { value: (promise) => pending.push(promise) });
  self.dispatchEvent(change);
  try {
    await Promise.all(pending);
    return pending.length === 1 ? null : `${pending.length} promises`;
  } catch (error) {
    return String(error);
  }
}
"""


def test_when_the_browser_replaces_a_subscription_the_worker_gives_the_server_the_new_one(
    context, page, problems, live_server, signed_in_as, push_service
):
    old, new = push_service.device(), push_service.device()
    context.grant_permissions(["notifications"], origin=live_server.base_url)
    page.add_init_script(FAKE_PUSH_MANAGER % json.dumps(old.subscription()))
    signed_in_as(page, live_server.ellie)
    open_account(page)
    page.get_by_role("button", name="Turn on alerts on this device").click()
    expect(page.get_by_test_id("push-state")).to_have_text("On Alerts are on for this device.")

    [worker] = context.service_workers
    assert worker.evaluate(SUBSCRIPTION_CHANGED, new.subscription()) is None
    endpoints = [device["endpoint"] for device in
                 page.request.get("/api/push/subscriptions").json()["subscriptions"]]
    assert new.endpoint in endpoints
    assert not problems, f"the page reported problems:\n{problems}"


IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")


def test_on_an_iphone_in_safari_alerts_need_haven_on_the_home_screen(
    browser, live_server, signed_in_as, screenshot_dir
):
    context = browser.new_context(
        base_url=live_server.base_url, user_agent=IPHONE_SAFARI,
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
    )
    try:
        page = context.new_page()
        signed_in_as(page, live_server.sam)
        open_account(page)
        expect(page.get_by_test_id("push-state")).to_have_text(
            "On an iPhone or iPad, alerts need Haven on your home screen first.")
        expect(page.get_by_test_id("push-panel")).to_contain_text(
            "Tap Share (the square with an arrow), then Add to Home Screen.")
        expect(page.get_by_role("button", name="Turn on alerts on this device")).to_have_count(0)
        page.screenshot(path=str(screenshot_dir / "push-account-iphone-phone.png"), full_page=True)
    finally:
        context.close()


def test_sam_sets_quiet_hours_and_turns_them_off(
    page, problems, live_server, signed_in_as, screenshot_dir
):
    signed_in_as(page, live_server.sam)
    open_account(page)
    summary = page.get_by_test_id("quiet-hours-state")
    expect(summary).to_have_text("Quiet hours are off: alerts come at any time.")

    # Only one end given: said beside the field, nothing sent.
    page.get_by_label("From", exact=True).fill("22:00")
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_test_id("quiet-hours").get_by_test_id("field-problem")).to_have_text(
        "Choose when quiet hours end.")
    expect(page.get_by_label("Until", exact=True)).to_be_focused()

    # Ending when they start would be no quiet hours at all.
    page.get_by_label("Until", exact=True).fill("22:00")
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_test_id("quiet-hours").get_by_test_id("field-problem")).to_have_text(
        "Quiet hours must end at another time than they start.")
    screenshots(page, screenshot_dir, "account-quiet-hours-problem")

    page.get_by_label("Until", exact=True).fill("07:00")
    page.get_by_role("button", name="Save quiet hours").click()
    expect(page.get_by_test_id("quiet-hours-status")).to_have_text(
        "Quiet hours saved: from 22:00 to 07:00.")
    expect(summary).to_have_text("Quiet hours are on: from 22:00 to 07:00 every day.")
    expect(page.get_by_test_id("field-problem")).to_have_count(0)
    assert page.request.get("/api/me/quiet-hours").json() == {
        "quiet_from": "22:00", "quiet_until": "07:00"}

    page.reload()
    expect(summary).to_have_text("Quiet hours are on: from 22:00 to 07:00 every day.")
    expect(page.get_by_label("From", exact=True)).to_have_value("22:00")
    page.get_by_role("button", name="Turn off quiet hours").click()
    expect(summary).to_have_text("Quiet hours are off: alerts come at any time.")
    expect(page.get_by_label("From", exact=True)).to_have_value("")
    assert page.request.get("/api/me/quiet-hours").json() == {
        "quiet_from": None, "quiet_until": None}
    assert not problems, f"the page reported problems:\n{problems}"


def test_an_escalated_incident_says_when_it_was_escalated(
    page, problems, live_server, signed_in_as, alice, screenshot_dir
):
    incident = alice.record_concern(about="Olivia Hughes", category="Bullying", alert=[],
                                    account="Liv was upset after a message in a group chat.")
    signed_in_as(page, live_server.alice)
    zone = page.request.get("/api/session").json()["school"]["timezone"]

    # Not escalated: nothing said.
    page.evaluate(f"window.location.hash = '#/incidents/{incident['id']}'")
    expect(page.get_by_test_id("incident-account")).to_have_text(
        "Liv was upset after a message in a group chat.")
    expect(page.get_by_test_id("escalated")).to_be_hidden()

    # The server's answer, escalated 20 minutes ago (the escalation itself takes at least
    # a category's minute to come, and is the server's to test).
    escalated_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)

    def escalated(route):
        answer = route.fetch()
        record = answer.json()
        assert record["escalated_at"] is None
        record["escalated_at"] = escalated_at.isoformat()
        route.fulfill(response=answer, json=record)

    page.route(f"**/api/incidents/{incident['id']}", escalated)
    page.reload()
    at = escalated_at.astimezone(ZoneInfo(zone))
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date() == at.date()
    when = f"at {at:%H:%M}" if today else f"on {at:%d/%m/%Y} at {at:%H:%M}"
    expect(page.get_by_test_id("escalated")).to_have_text(
        f"Escalated {when}: not acknowledged in time. "
        "The school’s escalation group was alerted again.")
    screenshots(page, screenshot_dir, "incident-escalated")
    assert not problems, f"the page reported problems:\n{problems}"
