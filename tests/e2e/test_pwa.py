"""Haven as an installable, offline-capable app on a phone, in Chromium."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Resolves once a service worker controls the page (claim() on first activation fires
# controllerchange), and gives what the page sees of it. Evaluated, not passed to
# wait_for_function, which Haven's CSP (no 'unsafe-eval') refuses.
WAIT_FOR_CONTROLLER = """
async () => {
  const container = navigator.serviceWorker;
  const registration = await container.ready;
  if (!container.controller) {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no controller after 10 s')), 10000);
      container.addEventListener('controllerchange', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
      if (container.controller) {
        clearTimeout(timer);
        resolve();
      }
    });
  }
  return {
    controller: container.controller.scriptURL,
    scope: registration.scope,
    state: registration.active && registration.active.state,
  };
}
"""

# Every cache the page's origin has, with the paths of the requests stored in it.
CACHE_CONTENTS = """
async () => {
  const contents = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    contents[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
  }
  return contents;
}
"""

PHONE = {"width": 375, "height": 812}
SMALLEST_TOUCH_TARGET_PX = 44


def shell_manifest(page) -> dict:
    """The HAVEN_SHELL line the server puts at the top of /sw.js: version and files."""
    first_line = page.request.get("/sw.js").text().splitlines()[0]
    prefix = "const HAVEN_SHELL = "
    assert first_line.startswith(prefix), first_line
    return json.loads(first_line.removeprefix(prefix).rstrip(";"))


def test_the_service_worker_controls_the_page_and_precaches_the_shell(
    page, problems, live_server, signed_in_as
):
    page.goto("/")
    worker = page.evaluate(WAIT_FOR_CONTROLLER)
    assert worker["controller"] == live_server.url("/sw.js")
    assert worker["scope"] == live_server.url("/")
    assert worker["state"] in ("activating", "activated")

    # Sign in and out under the worker, so there has been /api/ traffic it could cache.
    signed_in_as(page, live_server.alice)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("login-status")).to_have_text("You have signed out.")

    # Signing out clears the HTTP cache only (Clear-Site-Data: "cache"): the shell and
    # the worker stay, so the app still starts offline.
    shell = shell_manifest(page)
    caches = page.evaluate(CACHE_CONTENTS)
    shell_cache = f"haven-shell-{shell['version']}"
    assert shell_cache in caches, f"no {shell_cache} among {list(caches)}"
    assert "/index.html" in caches[shell_cache]
    assert sorted(caches[shell_cache]) == sorted(shell["files"])
    # Answers from /api/ carry personal data: no cache may keep one.
    api_copies = [
        (name, path)
        for name, paths in caches.items()
        for path in paths
        if path == "/api" or path.startswith("/api/")
    ]
    assert api_copies == []
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    assert not problems, f"the page reported problems:\n{problems}"


def test_the_shell_starts_without_a_network(context, page, live_server):
    page.goto("/")
    page.evaluate(WAIT_FOR_CONTROLLER)

    context.set_offline(True)
    try:
        response = page.reload()
        assert response is not None and response.from_service_worker
        # The app starts from the cache; it cannot ask who is signed in, so it says so,
        # and that a concern can be recorded all the same (test_offline.py signs in so).
        expect(page.get_by_test_id("login-form")).to_be_visible()
        expect(page.get_by_test_id("login-status")).to_contain_text(
            "Haven cannot reach the server.")
    finally:
        context.set_offline(False)


def test_chromium_reports_haven_installable(persistent_context, live_server):
    # A persistent context opens with one blank tab.
    page = persistent_context.pages[0]
    page.goto(live_server.url("/"))
    page.evaluate(WAIT_FOR_CONTROLLER)

    cdp = persistent_context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"] == live_server.url("/manifest.webmanifest")

    # Chromium checks the manifest, icons and worker in the background: ask until it
    # has finished, for up to 10 s.
    for _ in range(20):
        answer = cdp.send("Page.getInstallabilityErrors")
        if answer == {"installabilityErrors": []}:
            break
        page.wait_for_timeout(500)
    assert answer == {"installabilityErrors": []}


def test_a_phone_screen_has_no_sideways_scrolling_and_big_enough_buttons(
    browser, live_server, signed_in_as
):
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_test_id("login-form")).to_be_visible()
        assert_fits_the_width(page, "the login screen")
        assert_touch_target(page.get_by_role("button", name="Sign in"))

        signed_in_as(page, live_server.alice)
        assert_fits_the_width(page, "the home screen")
        assert_touch_target(page.get_by_role("button", name="Sign out"))
        assert_touch_target(page.get_by_role("button", name="Blank screen"))
        assert_touch_target(page.get_by_role("link", name="Account"))

        page.get_by_role("link", name="Account").click()
        expect(page.get_by_test_id("my-session").first).to_be_visible()
        assert_fits_the_width(page, "the account screen")
        page.get_by_role("button", name="Blank screen").click()
        expect(page.get_by_label("Your password")).to_be_visible()
        assert_fits_the_width(page, "the blank screen")
        page.get_by_label("Your password").fill(live_server.alice.password)
        page.get_by_role("button", name="Carry on").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    finally:
        context.close()


def assert_fits_the_width(page, where: str) -> None:
    widths = page.evaluate(
        """() => ({
          scroll: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
          viewport: window.innerWidth,
        })"""
    )
    assert widths["scroll"] <= PHONE["width"], f"{where} scrolls sideways: {widths}"
    assert widths["body"] <= PHONE["width"], f"{where} scrolls sideways: {widths}"


def assert_touch_target(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["height"] >= SMALLEST_TOUCH_TARGET_PX, f"only {box['height']} px tall"
    assert box["width"] >= SMALLEST_TOUCH_TARGET_PX, f"only {box['width']} px wide"
