"""Fixtures for the end-to-end tests: a real `haven serve` on a free port, with one school
and its named members of staff (see LiveServer), and real browsers driving the PWA. The
session shares one server (live_server); a test that stops the server has its own
(stoppable_server).

- Chromium is Debian's /usr/bin/chromium, driven by Playwright's sync API. We never run
  `playwright install`: the browser comes from the system's packages.
- WebKit (test_webkit*.py) is Debian's WebKitWebDriver under xvfb-run, driven by Selenium.

Outside CI a missing browser skips the test with the package to install; under CI (CI set,
as .ci/run does) it fails, so a green CI run always means the browsers really ran.

Playwright's sync API marks the thread as running an asyncio loop for as long as it is
started, which would break the async tests elsewhere in the suite (pytest-asyncio runs
in auto mode), so Playwright lives for one test module at a time, not the whole session.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
WEBKIT_WEBDRIVER = Path("/usr/bin/WebKitWebDriver")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_SECONDS = 20

# Asks the local servers directly, whatever http_proxy says.
local_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- browsers that may be missing -------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_program(path: Path | str, package: str) -> None:
    """Skip the test when a browser program is not installed, or fail it under CI."""
    if Path(path).exists() or shutil.which(str(path)):
        return
    message = f"{path} is not installed: `apt-get install {package}` (Debian) to run this test"
    if in_ci():
        pytest.fail(f"{message}; under CI a missing browser is a failure, not a skip")
    pytest.skip(message)


# --- the live server --------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    password: str
    roles: tuple[str, ...]
    temporary: bool = False  # the password must be changed at the first sign-in


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    data_dir: Path
    log_path: Path
    alice: Person  # a member of staff, no key-holder powers
    dina: Person  # the designated safeguarding lead (DSL), a key holder
    fran: Person  # new: her first password was set for her, and must be changed
    ellie: Person  # a deputy DSL who sets up the authenticator
    adam: Person  # the school's administrator, who looks after staff accounts
    carl: Person  # a teaching assistant who is leaving (Adam disables his account)
    rita: Person  # has forgotten her password
    sam: Person  # a member of the senior leadership team (SLT), alerted to every concern
    gwen: Person  # a DSL who writes the reports; her authenticator is test_reports.py's alone
    pid: int = 0  # of `haven serve`, once started

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no server output)"

    def health(self) -> str:
        try:
            with local_http.open(self.url("/healthz"), timeout=5) as response:
                return f"/healthz answered {response.status}"
        except (urllib.error.URLError, OSError) as error:
            return f"/healthz did not answer: {error}"

    def state_dump(self) -> str:
        """The server's threads and asyncio tasks (haven.diagnostics), for a failed test
        to show what the server was doing."""
        size = self.log_path.stat().st_size if self.log_path.exists() else 0
        try:
            os.kill(self.pid, signal.SIGUSR1)
        except (ProcessLookupError, PermissionError) as error:
            return f"(no state dump: {error})"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.2)
            with self.log_path.open("rb") as log:
                log.seek(size)
                text = log.read().decode(errors="replace")
            if "asyncio task(s)" in text:
                time.sleep(0.3)  # the rest of the tasks
                with self.log_path.open("rb") as log:
                    log.seek(size)
                    return log.read().decode(errors="replace")
        return "(the server wrote no state dump in 5 s: its event loop is stuck)"


ALICE = Person(
    email="alice@oakfield.example",
    name="Alice Teacher",
    password="Oak-field-Staff-2026!",
    roles=("staff",),
)
DINA = Person(
    email="dina@oakfield.example",
    name="Dina Safeguard",
    password="Oak-field-DSL-2026!",
    roles=("staff", "dsl"),
)
FRAN = Person(
    email="fran@oakfield.example",
    name="Fran Newstart",
    password="Given-by-Adam-2026!",
    roles=("staff",),
    temporary=True,
)
ELLIE = Person(
    email="ellie@oakfield.example",
    name="Ellie Deputy",
    password="Oak-field-Deputy-2026!",
    roles=("staff", "dsl"),
)
ADAM = Person(
    email="adam@oakfield.example",
    name="Adam Office",
    password="Oak-field-Admin-2026!",
    roles=("staff", "admin"),
)
CARL = Person(
    email="carl@oakfield.example",
    name="Carl Leaving",
    password="Oak-field-TA-2026!",
    roles=("staff",),
)
RITA = Person(
    email="rita@oakfield.example",
    name="Rita Forgetful",
    password="Oak-field-Reader-2026!",
    roles=("staff",),
)
SAM = Person(
    email="sam@oakfield.example",
    name="Sam Senior",
    password="Oak-field-SLT-2026!",
    roles=("staff", "slt"),
)
GWEN = Person(
    email="gwen@oakfield.example",
    name="Gwen Reporter",
    password="Oak-field-Reports-2026!",
    roles=("staff", "dsl"),
)
EVERYONE = (ALICE, DINA, FRAN, ELLIE, ADAM, CARL, RITA, SAM, GWEN)

# Oakfield's pupils, as the school's MIS exports them. Two Bens in different years, so a
# test can check that the year and form tell them apart. Zara is test_offline.py's alone,
# Noah test_reports.py's.
PUPILS_CSV = """upn,first_name,preferred_name,last_name,date_of_birth,year_group,form,gender
A123456789012,Benjamin,Ben,Carter,2016-05-14,Year 5,5B,Male
A123456789013,Ben,,Carterton,2018-02-03,Year 3,3A,Male
A123456789014,Maya,,Patel,2016-09-30,Year 5,5B,Female
A123456789015,Olivia,Liv,Hughes,2015-01-22,Year 6,6C,Female
A123456789016,Zara,,Okafor,2017-03-11,Year 4,4D,Female
A123456789017,Noah,,Evans,2019-06-02,Year 2,2A,Male
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def haven_command(*args: str) -> list[str]:
    # The interpreter running pytest, so the tests use whatever environment the test
    # command made (a venv, CI's, a developer's), never a hard-coded path.
    return [sys.executable, "-m", "haven.cli", *args]


def haven_environment(data_dir: Path, base_url: str) -> dict[str, str]:
    # Drop the caller's own HAVEN_* settings (a developer's HAVEN_DATABASE_URL, say), so
    # the server is always the throwaway SQLite one in data_dir.
    env = {key: value for key, value in os.environ.items() if not key.startswith("HAVEN_")}
    env.update(
        HAVEN_DATA_DIR=str(data_dir),
        HAVEN_PUBLIC_URL=base_url,
        HAVEN_LOG_LEVEL="warning",
        # The browsers' push services are out of reach here: test_push.py's devices
        # subscribe at a push service of its own on 127.0.0.1.
        HAVEN_PUSH_ENDPOINT_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_haven(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        haven_command(*args),
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`haven {' '.join(args)}` exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )


def wait_until_healthy(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`haven serve` exited {process.returncode} before it was ready:\n"
                f"{server.log_tail()}"
            )
        try:
            with local_http.open(server.url("/healthz"), timeout=2) as response:
                if response.status == 200 and b'"ok"' in response.read():
                    return
                last_problem = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as error:
            last_problem = str(error)
        time.sleep(0.1)
    pytest.fail(
        f"`haven serve` was not healthy after {SERVER_START_TIMEOUT_SECONDS} s "
        f"({last_problem}):\n{server.log_tail()}"
    )


def stop_process_group(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM to the process and everything it started, then SIGKILL what is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=timeout)


def oakfield_server(
    data_dir: Path, base_url: str, staff: tuple[Person, ...] = EVERYONE
) -> LiveServer:
    """A data folder with Oakfield Primary, the given members of its staff (see LiveServer)
    and its pupils (PUPILS_CSV), for a server at base_url. Nothing runs yet: see
    start_server."""
    env = haven_environment(data_dir, base_url)
    # The data folder as working directory, so no .env file of the caller's is read.
    run_haven(env, data_dir, "init")
    run_haven(env, data_dir, "school", "add", "Oakfield Primary", "--slug", "oakfield")
    for person in staff:
        roles = [arg for role in person.roles for arg in ("--role", role)]
        temporary = ["--temporary"] if person.temporary else []
        run_haven(
            env, data_dir,
            "user", "add", person.email, "--name", person.name, *roles, *temporary,
            "--school", "oakfield",
            stdin=person.password + "\n",
        )

    pupils_csv = data_dir / "pupils.csv"
    pupils_csv.write_text(PUPILS_CSV)
    run_haven(env, data_dir, "import", "pupils", str(pupils_csv), "--school", "oakfield")

    return LiveServer(
        base_url=base_url,
        data_dir=data_dir,
        log_path=data_dir / "server.log",
        alice=ALICE,
        dina=DINA,
        fran=FRAN,
        ellie=ELLIE,
        adam=ADAM,
        carl=CARL,
        rita=RITA,
        sam=SAM,
        gwen=GWEN,
    )


def start_server(server: LiveServer) -> tuple[LiveServer, subprocess.Popen]:
    """Runs `haven serve` on the server's data folder and address, and waits until it is
    healthy. Returns the server with its pid, and the process (for stop_process_group).
    The log is appended to, so a server started again keeps what the first one wrote."""
    with server.log_path.open("ab") as log:
        process = subprocess.Popen(
            haven_command("serve", "--bind", server.base_url.removeprefix("http://")),
            env=haven_environment(server.data_dir, server.base_url),
            cwd=server.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = replace(server, pid=process.pid)
    try:
        wait_until_healthy(server, process)
    except BaseException:
        stop_process_group(process)
        raise
    return server, process


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """`haven serve` on 127.0.0.1 with Oakfield Primary, its staff (see LiveServer) and its
    pupils (PUPILS_CSV), shared by the whole session: no test may stop it."""
    data_dir = tmp_path_factory.mktemp("haven-e2e-data")
    server, process = start_server(oakfield_server(data_dir, f"http://127.0.0.1:{free_port()}"))
    try:
        yield server
    finally:
        stop_process_group(process)


class StoppableServer:
    """A `haven serve` of one test's own, which the test may stop and start again: on the
    same port each time, so a browser sees the same origin (its service worker, IndexedDB
    and cookies stay), and on the same data folder, so sessions survive the restart."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.server, self.process = start_server(self.server)

    def stop(self) -> None:
        """SIGTERM, and the wait until it has gone: the port no longer answers."""
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None


@pytest.fixture
def stoppable_server(tmp_path_factory, request) -> Iterator[StoppableServer]:
    """Oakfield on a server of this test's own, running, that it may stop and start. Only
    Alice has an account there: each other member of staff would cost a second to add."""
    data_dir = tmp_path_factory.mktemp("haven-e2e-stoppable")
    own = StoppableServer(
        oakfield_server(data_dir, f"http://127.0.0.1:{free_port()}", staff=(ALICE,))
    )
    own.start()
    try:
        yield own
    finally:
        if call_failed(request):
            print(own.server.health())
            print(f"the server's log:\n{own.server.log_tail()}")
        own.stop()


# --- Chromium through Playwright ---------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def call_failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return bool(report and report.failed)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Screenshots of failed tests go here (a temporary folder, never the repository)."""
    return tmp_path_factory.mktemp("haven-e2e-screenshots")


@pytest.fixture(scope="module")
def playwright():
    require_program(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile for each test: no cookies, no service worker, no caches."""
    context = browser.new_context(base_url=live_server.base_url)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def persistent_context(playwright, tmp_path):
    """Chromium with a real profile on disk, which some checks (installability) need."""
    context = playwright.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "chromium-profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
    )
    try:
        yield context
    finally:
        context.close()


@dataclass
class BrowserProblems:
    """Console errors and uncaught exceptions seen on a page, as readable lines."""

    lines: list[str]
    # (status, path) of refusals a test provokes on purpose, e.g. a wrong code.
    refusals: set[tuple[int, str]] = field(default_factory=set)

    def expect_refusal(self, status: int, path: str) -> None:
        """The test provokes this answer: Chromium's console line for it is no problem."""
        self.refusals.add((status, path))

    def __bool__(self) -> bool:
        return bool(self.lines)

    def __str__(self) -> str:
        return "\n".join(self.lines)


FAILED_TO_LOAD = "Failed to load resource: the server responded with a status of "


def expected_console_error(message, refusals: set[tuple[int, str]]) -> bool:
    # Chromium logs every 4xx response to the console. Two are part of Haven's design:
    # GET /api/session answers 401 when nobody is signed in (how the app knows to show
    # the login screen), and POST /api/session answers 401 to a wrong password. Tests add
    # the refusals they provoke.
    if not message.text.startswith(FAILED_TO_LOAD):
        return False
    status = int(message.text.removeprefix(FAILED_TO_LOAD).split()[0])
    path = urllib.parse.urlsplit((message.location or {}).get("url", "")).path
    return (status, path) in {(401, "/api/session"), *refusals}


def watch_for_problems(page) -> BrowserProblems:
    problems = BrowserProblems([])

    def on_console(message):
        if message.type in ("error", "assert") and not expected_console_error(
            message, problems.refusals
        ):
            where = (message.location or {}).get("url", "")
            problems.lines.append(f"console.{message.type}: {message.text} ({where})")

    page.on("console", on_console)
    # Chromium reports a Content-Security-Policy violation as a console error, so the
    # listener above catches those too.
    page.on("pageerror", lambda error: problems.lines.append(f"uncaught: {error}"))
    page.on("crash", lambda _: problems.lines.append("the page crashed"))
    return problems


@pytest.fixture
def page(context, request, screenshot_dir, live_server):
    page = context.new_page()
    yield page
    if call_failed(request):
        # What the server was doing when the test failed: a server that stops answering
        # shows where it is stuck.
        print(live_server.health())
        print(live_server.state_dump())
    if call_failed(request) and not page.is_closed():
        path = screenshot_dir / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failed test: {path}")
        except Exception as error:  # a screenshot is a help, never a second failure
            print(f"no screenshot: {error}")


@pytest.fixture
def problems(page) -> BrowserProblems:
    """What went wrong on `page` from the start: assert `not problems` at the end."""
    return watch_for_problems(page)


# --- WebKit (Safari's engine) through WebKitWebDriver and Selenium ----------------------------


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after the ")".
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def direct_connection(url: str):
    """A Selenium connection to a local driver that no HTTP(S)_PROXY setting can divert.
    (Selenium deprecates passing the address as a string, with a warning.)"""
    from selenium.webdriver.common.proxy import Proxy, ProxyType
    from selenium.webdriver.remote.client_config import ClientConfig
    from selenium.webdriver.remote.remote_connection import RemoteConnection

    proxy = Proxy()
    proxy.proxy_type = ProxyType.DIRECT
    return RemoteConnection(client_config=ClientConfig(remote_server_addr=url, proxy=proxy))


def wait_for_webdriver(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"WebKitWebDriver exited {process.returncode}:\n{log_path.read_text()}")
        try:
            with local_http.open(url + "/status", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"WebKitWebDriver did not answer on {url} in 20 s:\n{log_path.read_text()}")


@pytest.fixture
def webkit_driver(request, screenshot_dir, tmp_path):
    """A Selenium session in WebKitGTK's MiniBrowser, on a private X display.

    WebKitGTK has no headless mode, so WebKitWebDriver runs under xvfb-run, in a process
    group of its own that is ended with the test: nothing is left running.
    """
    require_program(WEBKIT_WEBDRIVER, "webkit2gtk-driver")
    require_program("xvfb-run", "xvfb")
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "webkitwebdriver.log"
    # The browser only talks to 127.0.0.1, and WebKit would send that to an http_proxy.
    env = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    # xvfb-run keeps its X authority file in a folder under TMPDIR; a killed xvfb-run
    # cannot remove it, so it goes in this test's temporary folder.
    env["TMPDIR"] = str(tmp_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["xvfb-run", "-a", str(WEBKIT_WEBDRIVER), f"--port={port}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    driver = None
    try:
        wait_for_webdriver(url, process, log_path)
        driver = webdriver.Remote(command_executor=direct_connection(url), options=Options())
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(15)
        yield driver
        if call_failed(request):
            path = screenshot_dir / f"{request.node.name}.png"
            try:
                driver.save_screenshot(str(path))
                print(f"screenshot of the failed test: {path}")
            except Exception as error:  # a screenshot is a help, never a second failure
                print(f"no screenshot: {error}")
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception as error:  # the process group goes below in any case
                print(f"WebKit session did not quit cleanly: {error}")
        # Ending WebKitWebDriver first lets xvfb-run stop Xvfb and tidy up itself; then
        # the whole group goes, whatever is left of it.
        for child in children_of(process.pid):
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        stop_process_group(process)


# --- small helpers for the tests, as fixtures so no import path is needed --------------------


def sign_in(page, person: Person) -> None:
    """Open Haven, fill in the login form and wait for the home screen."""
    from playwright.sync_api import expect

    page.goto("/")
    form = page.get_by_test_id("login-form")
    expect(form).to_be_visible()
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-name")).to_have_text(person.name)


@pytest.fixture
def signed_in_as():
    return sign_in


def whole_page_at_sizes(page, screenshot_dir: Path, name: str, sizes: dict) -> None:
    """The whole page at each size ({"phone": (375, 812), ...}), as <name>-<size>.png in
    the screenshot folder; then back to the usual desktop size."""
    for size, (width, height) in sizes.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)  # let the layout settle at the new width
        page.screenshot(path=str(screenshot_dir / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def screenshots_at(screenshot_dir):
    """screenshots_at(page, name, sizes): see whole_page_at_sizes."""
    return lambda page, name, sizes: whole_page_at_sizes(page, screenshot_dir, name, sizes)


# --- the authenticator, as a phone app would work it ----------------------------------------


class PhoneAuthenticator:
    """Reads the key Haven shows and makes codes from it, like an app on a phone.

    The server accepts a code of the current 30-second step or the one before, and each
    step once per person. Setting up answers with the previous step's code (a phone whose
    clock is a little slow), so the current step is still free when the same person then
    steps up, with no wait for the next step. The recovery codes it was given are kept in
    `recovery_codes`: one answers when no fresh step is free, with no wait either.
    """

    def __init__(self):
        self.recovery_codes: list[str] = []

    def set_up(self, page) -> str:
        """On the set-up screen: read the key, confirm it, save the recovery codes.
        Returns the key (base32)."""
        from playwright.sync_api import expect

        key = page.get_by_test_id("totp-secret")
        expect(key).to_be_visible()
        secret = key.inner_text().replace(" ", "")
        page.get_by_label("6-digit code from the app").fill(self.previous_code(secret))
        page.get_by_role("button", name="Confirm").click()
        codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
        expect(codes).to_have_count(10)
        self.recovery_codes = [code.strip() for code in codes.all_inner_texts()]
        page.get_by_label("I have saved these codes").check()
        page.get_by_role("button", name="Continue").click()
        return secret

    @staticmethod
    def previous_code(secret: str) -> str:
        import pyotp

        # Near the end of a step, the previous one could be two steps old by the time the
        # server reads it: wait for the new step to begin.
        seconds_into_step = time.time() % 30
        if seconds_into_step > 28:
            time.sleep(30 - seconds_into_step + 0.1)
        return pyotp.TOTP(secret).at(time.time() - 30)

    @staticmethod
    def current_code(secret: str) -> str:
        import pyotp

        return pyotp.TOTP(secret).now()


@pytest.fixture
def phone():
    return PhoneAuthenticator()
