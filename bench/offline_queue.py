"""100 incidents queued offline, delivered after reconnect (issue 6: all on the server in
under 10 seconds on 2 cores, none twice, none lost).

    .venv/bin/python bench/offline_queue.py [--incidents 100] [--photo-every 10]
        [--photo-kb 1024] [--runs 3] [--settle 3] [--page open|closed] [--commit REV]

Starts the browser tests' `haven serve` (tests/e2e/conftest.py's oakfield_server and
start_server: SQLite in a temporary folder, Oakfield Primary, Alice, Dina, the pupils;
with --commit, the code of that git revision) and Debian's Chromium through Playwright.
Each run, in a fresh browser profile: Alice signs in, the service worker takes control,
the connection goes (context.set_offline), and the app's own offline/queue.js
keepForLater() keeps --incidents submissions shaped as the incident form makes them
(fields as POST /api/incidents takes them, an Idempotency-Key each; a random-noise JPEG
of --photo-kb in every --photo-every-th, made in the page so it is a File as a chosen
photo is). Then the connection comes back and the clock runs until every one of them is
in the server's database (polled every 50 ms); --settle seconds later the database is
read again for duplicates (an account seen twice) and losses (one never seen), and the
device's queue for anything left unsent. The replay is the app's own: the page's
`online` listener and the service worker's Background Sync (with --page closed, Haven's
page is closed before the reconnect and the sync event fired through DevTools, so the
worker sends alone).

Also measured: the server's CPU (the `haven serve` process and its worker) during the
replay, the gaps between records as the server stamped them, one read of the whole
queue on the device, and, after the browser runs, the same submissions posted from
Python one at a time and 4 at once: what the server alone takes, to tell the replay's own
cost from the server's. Talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.e2e

from http_load import cpu_seconds, snapshot  # noqa: E402  (bench/, the script's folder)

from tests.e2e import conftest  # noqa: E402
from tests.e2e.test_offline import WAIT_FOR_CONTROLLER, sync_registration_id  # noqa: E402

TARGET_SECONDS = 10
DEADLINE_SECONDS = 120  # a run that has not delivered everything by then is reported as is

# What the incident form needs, from the copy the app keeps for offline use: Alice's id,
# the pupils, "Physical abuse" and the DSL to alert.
REFERENCE = """async () => {
  const session = await (await fetch('/api/session')).json();
  const reference = await (await fetch('/api/offline/reference')).json();
  return {
    userId: session.user.id,
    pupilIds: reference.pupils.map((pupil) => pupil.id),
    categoryId: reference.categories.find((c) => c.name === 'Physical abuse').id,
    dslId: reference.staff.find((person) => person.name === 'Dina Safeguard').id,
  };
}"""

# A photo that does not compress: random pixels as a JPEG, resized until it is about the
# size asked for. Returned as base64 too, for the server-alone comparison.
MAKE_PHOTO = """async (bytes) => {
  let side = 700;
  let blob;
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const canvas = new OffscreenCanvas(side, side);
    const context = canvas.getContext('2d');
    const pixels = context.createImageData(side, side);
    for (let i = 0; i < pixels.data.length; i += 1) {
      pixels.data[i] = i % 4 === 3 ? 255 : Math.floor(Math.random() * 256);
    }
    context.putImageData(pixels, 0, 0);
    blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    if (Math.abs(blob.size - bytes) < bytes * 0.03) break;
    side = Math.round(side * Math.sqrt(bytes / blob.size));
  }
  window.benchPhoto = blob;
  const raw = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < raw.length; i += 0x8000) {
    text += String.fromCharCode(...raw.subarray(i, i + 0x8000));
  }
  return btoa(text);
}"""

# Keeps the submissions through the app's own module, as the form does when the server
# cannot be reached (the same module instance as the app's: the same URL).
QUEUE = """async ({ reference, marker, count, photoEvery }) => {
  const { keepForLater, unsentCount } = await import('/js/offline/queue.js');
  const started = performance.now();
  for (let n = 0; n < count; n += 1) {
    const photo = (n + 1) % photoEvery === 0
      ? [new File([window.benchPhoto], `photo-${n}.jpg`, { type: 'image/jpeg' })] : [];
    await keepForLater(reference.userId, {
      kind: 'incident',
      incidentId: null,
      label: 'a new incident',
      path: '/api/incidents',
      fields: {
        pupil_id: reference.pupilIds[n % reference.pupilIds.length],
        linked_pupils: [],
        category_ids: [reference.categoryId],
        account: `${marker} ${n}: said at break that an older pupil pushed them over.`,
        occurred_at: new Date().toISOString(),
        agency_ids: [],
        body_map: [],
        alert_user_ids: [reference.dslId],
      },
      files: photo,
      idempotencyKey: crypto.randomUUID(),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, unsent: await unsentCount(reference.userId) };
}"""

# How long one read of the user's queue takes with everything in it: what the replay
# and the header's badge do for each record sent.
READ_QUEUE = """async (userId) => {
  const took = [];
  for (let n = 0; n < 3; n += 1) {
    const started = performance.now();
    await self.HavenQueue.list(userId);
    took.push(performance.now() - started);
  }
  return took.sort((a, b) => a - b)[1];
}"""

DEVICE_QUEUE = """async (userId) => {
  const items = await self.HavenQueue.list(userId);
  const statuses = {};
  for (const item of items) statuses[item.status] = (statuses[item.status] || 0) + 1;
  return statuses;
}"""


@dataclass
class Run:
    queued_in: float
    delivered_in: float | None  # None: not all of them within DEADLINE_SECONDS
    first_after: float
    on_server: int
    duplicates: int
    lost: int
    photos: int
    server_cpu: float
    device: dict
    senders: dict[str, int]  # POST /api/incidents sent by the page and by the worker
    photo_bytes: int
    read_ms: float  # one HavenQueue.list() with everything queued
    gaps: list[tuple[float, bool]] = field(default_factory=list)


@contextlib.contextmanager
def live_server(data_dir: Path):
    """The browser tests' Oakfield Primary on a server of its own: Alice records the
    concerns, Dina (the DSL) is alerted to each."""
    staff = (conftest.ALICE, conftest.DINA)
    server, process = conftest.start_server(conftest.oakfield_server(
        data_dir, f"http://127.0.0.1:{conftest.free_port()}", staff=staff))
    try:
        yield server
    finally:
        conftest.stop_process_group(process)


def server_cpu(pid: int) -> float:
    """CPU seconds of `haven serve` and its worker processes so far."""
    return cpu_seconds(pid) + sum(cpu_seconds(child) for child in conftest.children_of(pid))


class Records:
    """The server's database, read directly (SQLite, read-only)."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def with_marker(self, marker: str) -> list[tuple[str, str, int]]:
        """(account, recorded_at, number of files) of each incident whose account has it."""
        return self.db.execute(
            "SELECT account, recorded_at, (SELECT COUNT(*) FROM attachment a"
            " WHERE a.incident_id = incident.id) FROM incident WHERE account LIKE ?"
            " ORDER BY recorded_at, id", (f"{marker} %",)).fetchall()

    def count(self, marker: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM incident WHERE account LIKE ?",
                               (f"{marker} %",)).fetchone()[0]


def stamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def gaps_between(rows: list[tuple[str, str, int]], started: float) -> list[tuple[float, bool]]:
    """In the order recorded: seconds from the record before (or from the reconnect) to
    each record, and whether it came with a photo."""
    gaps = []
    previous = started
    for _, recorded_at, files in rows:
        moment = stamp(recorded_at)
        gaps.append((moment - previous, bool(files)))
        previous = moment
    return gaps


def count_sender(request, senders: dict[str, int]) -> None:
    if request.method == "POST" and request.url.endswith("/api/incidents"):
        senders["service worker" if request.service_worker else "page"] += 1


def one_run(browser, server, records: Records, args, number: int) -> tuple[Run, dict, str]:
    """Queue offline in a fresh profile, reconnect, and count what reached the server."""
    context = browser.new_context(base_url=server.base_url)
    try:
        page = context.new_page()
        conftest.sign_in(page, server.alice)
        page.evaluate(WAIT_FOR_CONTROLLER)
        reference = page.evaluate(REFERENCE)
        photo = page.evaluate(MAKE_PHOTO, args.photo_kb * 1024)
        marker = f"Bench {uuid.uuid4().hex[:8]}"
        senders = {"page": 0, "service worker": 0}
        context.on("request", lambda request: count_sender(request, senders))

        context.set_offline(True)
        queued = page.evaluate(QUEUE, {"reference": reference, "marker": marker,
                                       "count": args.incidents, "photoEvery": args.photo_every})
        assert queued["unsent"] == args.incidents, queued
        assert records.count(marker) == 0, "sent while offline"
        read_ms = page.evaluate(READ_QUEUE, reference["userId"])

        started, delivered_in, cpu, page = reconnect(context, page, server, records, marker, args)
        page.wait_for_timeout(args.settle * 1000)  # time for a second copy, if any
        rows = records.with_marker(marker)
        seen = [account.split(":", 1)[0] for account, _, _ in rows]
        expected = {f"{marker} {n}" for n in range(args.incidents)}
        run = Run(
            queued_in=queued["seconds"],
            delivered_in=delivered_in,
            first_after=stamp(rows[0][1]) - started if rows else float("nan"),
            on_server=len(set(seen) & expected),
            duplicates=len(seen) - len(set(seen)),
            lost=len(expected - set(seen)),
            photos=sum(files for _, _, files in rows),
            server_cpu=cpu,
            device=page.evaluate(DEVICE_QUEUE, reference["userId"]),
            senders=senders,
            photo_bytes=len(base64.b64decode(photo)),
            read_ms=read_ms,
            gaps=gaps_between(rows, started),
        )
        print(f"  run {number}: {describe(run)}", flush=True)
        return run, reference, photo
    finally:
        context.close()


def reconnect(context, page, server, records: Records, marker: str, args):
    """Back online; waits until every record is on the server. Returns when the clock
    started, the seconds it took (None: not all by the deadline), the server's CPU
    seconds meanwhile, and a Haven page to read the device's queue from."""
    if args.page == "closed":
        # Only a blank tab is left: the service worker alone sends the queue.
        blank = context.new_page()
        cdp, registration = sync_registration_id(context, blank)
        page.close()
    cpu_before = server_cpu(server.pid)
    started = time.time()
    context.set_offline(False)
    if args.page == "closed":
        cdp.send("ServiceWorker.dispatchSyncEvent", {
            "origin": server.base_url, "registrationId": registration,
            "tag": "haven-queue", "lastChance": False})
    delivered_in = None
    while time.time() - started < DEADLINE_SECONDS:
        if records.count(marker) >= args.incidents:
            delivered_in = time.time() - started
            break
        time.sleep(0.05)
    cpu = server_cpu(server.pid) - cpu_before
    if args.page == "closed":
        page = context.new_page()
        page.goto("/")
    return started, delivered_in, cpu, page


def describe(run: Run) -> str:
    delivered = f"{run.delivered_in:.2f} s" if run.delivered_in is not None \
        else f"NOT ALL within {DEADLINE_SECONDS} s"
    return (f"queued in {run.queued_in:.2f} s; all on the server {delivered} after "
            f"reconnect (first at {run.first_after:.2f} s); {run.on_server} on the server, "
            f"{run.duplicates} duplicates, {run.lost} lost, {run.photos} photos; server CPU "
            f"{run.server_cpu:.2f} s; left on the device {run.device}; one read of the "
            f"full queue {run.read_ms:.0f} ms; POSTs sent by "
            f"{run.senders}")


# --- the server alone ------------------------------------------------------------------------


async def post_alone(base: str, reference: dict, photo: bytes, count: int, photo_every: int,
                     at_once: int) -> tuple[float, int]:
    """The same submissions from Python, at_once at a time; (seconds, how many were 201)."""
    marker = f"Alone {uuid.uuid4().hex[:8]}"
    # unsafe=True: aiohttp otherwise keeps no cookies for an IP address such as 127.0.0.1.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/api/session", headers={"X-Requested-With": "haven"},
                             json={"email": conftest.ALICE.email,
                                   "password": conftest.ALICE.password}) as answer:
            assert answer.status == 200, await answer.text()

        async def send(n: int) -> bool:
            fields = {
                "pupil_id": reference["pupilIds"][n % len(reference["pupilIds"])],
                "linked_pupils": [], "category_ids": [reference["categoryId"]],
                "account": f"{marker} {n}: said at break that an older pupil pushed them over.",
                "agency_ids": [], "body_map": [], "alert_user_ids": [reference["dslId"]],
            }
            headers = {"X-Requested-With": "haven", "Idempotency-Key": str(uuid.uuid4())}
            if (n + 1) % photo_every == 0:
                body = aiohttp.FormData()
                body.add_field("data", json.dumps(fields))
                body.add_field("files", photo, filename=f"photo-{n}.jpg",
                               content_type="image/jpeg")
                request = http.post(f"{base}/api/incidents", data=body, headers=headers)
            else:
                request = http.post(f"{base}/api/incidents", json=fields, headers=headers)
            async with request as answer:
                await answer.read()
                return answer.status == 201

        started = time.perf_counter()
        accepted = 0
        for first in range(0, count, at_once):
            batch = range(first, min(count, first + at_once))
            accepted += sum(await asyncio.gather(*(send(n) for n in batch)))
        return time.perf_counter() - started, accepted


# --- the report ------------------------------------------------------------------------------


def report(runs: list[Run], args, alone: list[tuple[int, float, int, float]]) -> None:
    print(f"\nHaven's page {args.page} at the reconnect; {args.incidents} incidents queued "
          f"offline, a {runs[0].photo_bytes:,}-byte JPEG in every {args.photo_every}th; "
          f"{len(runs)} runs; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print("| run | queued in s | all on server s | first s | on server | duplicates | lost "
          "| photos | server CPU s | left on device | POSTs: page / worker |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for n, run in enumerate(runs, 1):
        delivered = f"{run.delivered_in:.2f}" if run.delivered_in is not None else "—"
        left = ", ".join(f"{k} {v}" for k, v in sorted(run.device.items()))
        print(f"| {n} | {run.queued_in:.2f} | {delivered} | {run.first_after:.2f} | "
              f"{run.on_server} | {run.duplicates} | {run.lost} | {run.photos} | "
              f"{run.server_cpu:.2f} | {left} | {run.senders['page']} / "
              f"{run.senders['service worker']} |")
    times = [r.delivered_in if r.delivered_in is not None else float("inf") for r in runs]
    print(f"\nall delivered: median {statistics.median(times):.2f} s, worst {max(times):.2f} s"
          f" (target < {TARGET_SECONDS} s: {'MET' if max(times) < TARGET_SECONDS else 'MISSED'});"
          f" duplicates {sum(r.duplicates for r in runs)}, lost {sum(r.lost for r in runs)}")
    # The first gap is the start-up (reconnect to the first record), left out.
    quarter = max(1, args.incidents // 4)
    kinds = {
        "text only": lambda n, photo: n > 0 and not photo,
        "with photo": lambda n, photo: n > 0 and photo,
        f"text only, records 2 to {quarter}": lambda n, photo: 0 < n < quarter and not photo,
        f"text only, the last {quarter}": lambda n, photo: n >= args.incidents - quarter
        and not photo,
    }
    for kind, chosen in kinds.items():
        gaps = [gap for run in runs for n, (gap, photo) in enumerate(run.gaps) if chosen(n, photo)]
        if gaps:
            print(f"gap before a record, {kind}: median {statistics.median(gaps) * 1000:.0f} ms,"
                  f" mean {statistics.mean(gaps) * 1000:.0f} ms, max {max(gaps) * 1000:.0f} ms"
                  f" ({len(gaps)} records)")
    print("one read of the whole queue (HavenQueue.list) with everything queued: median "
          f"{statistics.median(r.read_ms for r in runs):.0f} ms")
    cpu = statistics.median(r.server_cpu for r in runs)
    print(f"server CPU per incident: {cpu / args.incidents * 1000:.1f} ms (median run)")
    for at_once, seconds, accepted, cpu in alone:
        print(f"the server alone, the same {args.incidents} from Python {at_once} at a time: "
              f"{seconds:.2f} s ({accepted} accepted), server CPU {cpu:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--photo-every", type=int, default=10)
    parser.add_argument("--photo-kb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3,
                        help="seconds to wait after the last arrival before counting")
    parser.add_argument("--page", choices=("open", "closed"), default="open",
                        help="closed: Haven's page is closed before the reconnect and "
                        "Background Sync is fired, so the service worker sends alone")
    parser.add_argument("--commit", metavar="REV",
                        help="serve Haven's code (server, app, service worker) as of this git "
                        "revision, e.g. HEAD, not the working tree")
    parser.add_argument("--no-alone", action="store_true",
                        help="skip posting the same submissions from Python")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start", flush=True)
    with tempfile.TemporaryDirectory() as root:
        if args.commit:
            # The fixture's `haven` commands take the environment, PYTHONPATH with it.
            code = snapshot(args.commit, Path(root))
            os.environ["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(code), os.environ.get("PYTHONPATH")]))
            revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short",
                                       args.commit], capture_output=True, text=True).stdout
            print(f"serving {args.commit} ({revision.strip()})", flush=True)
        measure(Path(root), args)


def measure(root: Path, args) -> None:
    from playwright.sync_api import sync_playwright

    (root / "data").mkdir()
    with live_server(root / "data") as server:
        records = Records(server.data_dir / "haven.sqlite3")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(conftest.CHROMIUM),
                                                 args=conftest.CHROMIUM_ARGS)
            runs = []
            for number in range(1, args.runs + 1):
                run, reference, photo = one_run(browser, server, records, args, number)
                runs.append(run)
            browser.close()
        alone = []
        for at_once in ([] if args.no_alone else [1, 4]):
            cpu_before = server_cpu(server.pid)
            seconds, accepted = asyncio.run(post_alone(
                server.base_url, reference, base64.b64decode(photo), args.incidents,
                args.photo_every, at_once))
            alone.append((at_once, seconds, accepted, server_cpu(server.pid) - cpu_before))
        report(runs, args, alone)


if __name__ == "__main__":
    main()
