"""Throughput and latency of a real `haven serve` on a generated trust (issue 4).

    .venv/bin/python bench/make_trust.py --fresh                        # PostgreSQL set
    .venv/bin/python bench/make_trust.py --fresh --database-url sqlite \\
        --schools 1 --incidents 20000                                   # SQLite set
    .venv/bin/python bench/http_load.py [--database sqlite|postgres|both] [--concurrency 16]
                                   [--seconds 15] [--warm-up 3] [--only SCENARIO ...]
                                   [--commit REV] [--chronology-per-page N] [--profile FILE]

Starts `haven serve` (one worker, Hypercorn, HAVEN_LOG_LEVEL=warning so no access log;
the working tree's code, or with --commit that git revision's, whose migrations the data
set must have) on a free port of 127.0.0.1 with the data folder and database that
make_trust.py made, and drives it from this process with a small HTTP/1.1 keep-alive
client of its own (an asyncio stream per connection; cheaper per request than aiohttp,
so the client takes as little as possible of the second core). For each scenario:
--concurrency connections each send one request after another; --warm-up seconds are
thrown away, then the operations that end in the next --seconds are counted, and the CPU
time used meanwhile by the server process and its PostgreSQL backends is sampled from
/proc. Scenarios, all at the first school of the set:

  bare         GET /livez: the same server with no database work, the ceiling
  typeahead    GET /api/pupils?q= with 2 to 4 letter prefixes of names and forms (staff)
  typeahead-half  the typeahead at half the connections: its latency when the worker is
               not saturated (at 16, closed-loop, even bare's p99 is 20 to 70 ms here)
  create       POST /api/incidents, JSON: 2 linked pupils, 1 category, 5 staff to alert,
               an Idempotency-Key as the app always sends (staff)
  get          GET /api/incidents/{id}, random incidents of the school (elevated DSL)
  chronology   GET /api/pupils/{id}/chronology?per_page=500 for the pupil with 2,000
               entries: one operation is all 4 pages, one after another (elevated DSL;
               --chronology-per-page changes the page size)
  chronology-1 the same, one client alone (the latency the target is about)

Staff scenarios use one signed-in session per connection (different people); DSL
scenarios share the school's 3 DSL sessions between the connections. Prints a table and
whether the targets (PostgreSQL, one worker) are met: typeahead p99 < 25 ms and at least
60% of bare throughput; create at least 30% of bare; the whole 2,000-entry chronology
< 150 ms (p99, one client). Talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pyotp

HERE = Path(__file__).resolve().parent
JSON_HEADERS = {"X-Requested-With": "haven", "Content-Type": "application/json"}
PREFIX_SOURCES = (
    "Amelia Olivia Isla Mia Ivy Lily Freya Grace Sophia Evie Ella Aisha Zara Maryam Chloe "
    "Ruby Poppy Daisy Emily Holly Hannah Layla Megan Niamh Molly Noah Oliver George Leo "
    "Arthur Muhammad Harry Oscar Jack Charlie Jacob Thomas Alfie Theo Henry Ibrahim Kai Dylan "
    "Joshua Louis William James Samuel Ethan Mason Isaac Daniel Adam Ryan Liam Tyler Connor "
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Roberts Robinson Thompson Wright "
    "Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Khan Jackson Wood "
    "Turner Martin Cooper Hill Ward Morris Moore Begum Ali Morgan Scott Phillips Watson "
    "Parker Bennett Griffiths Mitchell Kelly Hussain Ahmed Rahman Singh Kaur Nowak Okafor"
).split()


# --- a small HTTP/1.1 client ----------------------------------------------------------------


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Connection:
    """One kept-alive connection; reopened when the server closes it."""

    def __init__(self, port: int, cookie: str = ""):
        self.port = port
        self.cookie = cookie
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes | None = None,
                      headers: dict | None = None) -> Response:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                return await self._exchange(method, path, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()  # the server closed a kept-alive connection: once more
                if attempt == 2:
                    raise
        raise AssertionError

    async def _exchange(self, method, path, body, headers) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        found: dict[str, list[str]] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                found.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in found.get("transfer-encoding", [""])[0]:
            content = b""
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")  # after the last chunk
        else:
            content = await self.reader.readexactly(int(found.get("content-length", ["0"])[0]))
        if found.get("connection", [""])[0].lower() == "close":
            await self.close()
        for cookie in found.get("set-cookie", []):
            pair = cookie.split(";", 1)[0]
            if not pair.endswith("="):
                self.cookie = pair
        return Response(status, found, content)


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def snapshot(revision: str, folder: Path) -> Path:
    """Haven's code at a git revision, laid out as the installed package is (pwa/ and
    service-worker/ inside it), so a benchmark measures a commit and not whatever the
    working tree holds at that moment. Returns the folder to put on PYTHONPATH."""
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", revision, "backend",
                              "pwa", "service-worker"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    backend = folder / "backend"
    (backend / "haven" / "pwa").symlink_to(folder / "pwa")
    (backend / "haven" / "service_worker").symlink_to(folder / "service-worker")
    return backend


class Server:
    def __init__(self, data_dir: Path, database_url: str, profile: str | None = None,
                 code: Path | None = None):
        self.data_dir, self.database_url, self.profile = data_dir, database_url, profile
        self.code = code
        self.port = free_port()
        self.process = None

    def __enter__(self):
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")},
               "HAVEN_DATA_DIR": str(self.data_dir), "HAVEN_DATABASE_URL": self.database_url,
               "HAVEN_LOG_LEVEL": "warning", "HAVEN_WORKERS": "1"}
        if self.code:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.code),
                                                              env.get("PYTHONPATH")]))
        self.log = open(self.data_dir / "server.log", "ab")
        # --profile: the server under cProfile (its event loop thread: all of Haven's
        # Python and asyncpg; SQLite's queries run in aiosqlite's thread, not seen).
        profiler = ["-m", "cProfile", "-o", str(Path(self.profile).resolve())] \
            if self.profile else []
        self.process = subprocess.Popen(
            [sys.executable, *profiler, "-m", "haven.cli", "serve",
             "--bind", f"127.0.0.1:{self.port}"],
            env=env, cwd=self.data_dir, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"haven serve stopped: see {self.data_dir / 'server.log'}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("haven serve did not start within 60 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- scenarios --------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    connections: int
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    server_cpu: float = 0.0  # seconds of CPU the server process used in the window
    database_cpu: float | None = None  # the same for its PostgreSQL backends

    def cpu_ms(self, seconds: float | None) -> str:
        if seconds is None or not self.requests:
            return "-"
        return f"{1000 * seconds / self.requests:.2f}"

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def database_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the server's pool)."""
    if url.startswith("sqlite://"):
        return []
    connection = await asyncpg.connect(url)
    try:
        return [r[0] for r in await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]
    finally:
        await connection.close()


async def drive(name: str, connections: list[Connection], operation, warm_up: float,
                seconds: float, server_pid: int, database_url: str) -> Result:
    """Each connection runs `operation(connection)` one after another. Operations that
    end during the measured window are counted. The CPU time the
    server process (and its PostgreSQL backends) used during the window is sampled too:
    CPU per request is steadier than requests per second on a shared machine."""
    result = Result(name, len(connections))
    start = time.perf_counter() + warm_up
    end = start + seconds

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        pids = await database_pids(database_url)
        server_before = cpu_seconds(server_pid)
        database_before = sum(cpu_seconds(p) for p in pids)
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        result.server_cpu = cpu_seconds(server_pid) - server_before
        if pids:
            result.database_cpu = sum(cpu_seconds(p) for p in pids) - database_before

    async def loop(connection: Connection) -> None:
        while True:
            began = time.perf_counter()
            if began >= end:
                return
            try:
                await operation(connection)
                ok = True
            except HTTPError as error:
                ok = False
                result.errors += 1
                result.first_error = result.first_error or str(error)
            finished = time.perf_counter()
            # Counted when it ends inside the window, whenever it began: in a steady state
            # that is the work done in the window, which the CPU samples also cover.
            if ok and start <= finished <= end:
                result.requests += 1
                result.latencies.append(finished - began)

    await asyncio.gather(sample_cpu(), *(loop(c) for c in connections))
    result.seconds = seconds
    return result


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise HTTPError(f"{what}: {response.status} {response.body[:300]!r}")
    return response


@dataclass
class Bench:
    port: int
    manifest: dict
    incident_ids: list[int]
    per_page: int = 500
    chance: random.Random = field(default_factory=lambda: random.Random(4))

    async def signed_in(self, email: str, elevate: bool = False) -> Connection:
        connection = Connection(self.port)
        body = json.dumps({"email": email, "password": self.manifest["password"]}).encode()
        expect(await connection.request("POST", "/api/session", body, JSON_HEADERS), 200,
               f"sign in {email}")
        if elevate:
            for _ in range(3):
                code = pyotp.TOTP(self.manifest["totp_secret"]).now()
                response = await connection.request(
                    "POST", "/api/session/elevate", json.dumps({"code": code}).encode(),
                    JSON_HEADERS)
                if response.status == 200:
                    break
                # This person's code for this 30 s step was used by an earlier run.
                await asyncio.sleep(31 - time.time() % 30)
            expect(response, 200, f"elevate {email}")
        return connection

    async def sessions(self, emails: list[str], count: int, elevate: bool) -> list[Connection]:
        people = [await self.signed_in(e, elevate) for e in emails[:count]]
        # Connections beyond the number of people share their sessions (cookies).
        return [people[n] if n < len(people)
                else Connection(self.port, people[n % len(people)].cookie)
                for n in range(count)]

    # operations

    async def bare(self, connection: Connection) -> None:
        expect(await connection.request("GET", "/livez"), 200, "livez")

    async def typeahead(self, connection: Connection) -> None:
        word = self.chance.choice(PREFIX_SOURCES)
        prefix = word[:self.chance.randint(2, 4)].lower()
        if self.chance.random() < 0.1:
            prefix = f"{self.chance.randint(7, 11)}{self.chance.choice('abcdefgh')}"
        expect(await connection.request("GET", f"/api/pupils?q={prefix}"), 200, "typeahead")

    async def create(self, connection: Connection) -> None:
        pupil, first, second = self.chance.sample(self.manifest["pupil_ids"], 3)
        body = {
            "pupil_id": pupil,
            "linked_pupils": [{"pupil_id": first, "role": "witness"},
                              {"pupil_id": second, "role": "involved"}],
            "category_ids": [self.chance.choice(self.manifest["category_ids"])],
            "account": "Benchmark: " + "A pupil came to me upset at break and said that "
                       "another pupil had been sending unkind messages. " * 4,
            "alert_user_ids": self.chance.sample(self.manifest["alertable_staff_ids"], 5),
        }
        headers = {**JSON_HEADERS, "Idempotency-Key": str(uuid.uuid4())}
        expect(await connection.request("POST", "/api/incidents", json.dumps(body).encode(),
                                        headers), 201, "create incident")

    async def get(self, connection: Connection) -> None:
        incident = self.chance.choice(self.incident_ids)
        expect(await connection.request("GET", f"/api/incidents/{incident}"), 200,
               f"get incident {incident}")

    async def chronology(self, connection: Connection) -> None:
        pupil = self.manifest["heavy_pupil"]["id"]
        seen = 0
        for page in range(1, 100):
            response = expect(await connection.request(
                "GET", f"/api/pupils/{pupil}/chronology?per_page={self.per_page}&page={page}"),
                200,
                "chronology")
            answer = response.json()
            seen += len(answer["entries"])
            if seen >= answer["total"] or not answer["entries"]:
                break
        if seen != self.manifest["heavy_pupil"]["entries"]:
            raise HTTPError(f"chronology: {seen} entries, expected "
                            f"{self.manifest['heavy_pupil']['entries']}")


async def incident_sample(url: str, school_id: int, count: int = 5000) -> list[int]:
    query = (f"SELECT id FROM incident WHERE school_id = {int(school_id)} "
             f"ORDER BY random() LIMIT {int(count)}")
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            return [row[0] for row in connection.execute(query)]
    connection = await asyncpg.connect(url)
    try:
        return [row[0] for row in await connection.fetch(query)]
    finally:
        await connection.close()


async def measure(port: int, server_pid: int, manifest: dict, args) -> list[Result]:
    bench = Bench(port, manifest, await incident_sample(
        manifest["database_url"], manifest["bench_school"]["id"]), args.chronology_per_page)
    n = args.concurrency
    staff = await bench.sessions(manifest["staff_emails"], n, elevate=False)
    dsl = await bench.sessions(manifest["dsl_emails"], n, elevate=True)
    plain = [Connection(port) for _ in range(n)]
    plan = [
        ("bare", plain, bench.bare),
        ("typeahead", staff, bench.typeahead),
        ("typeahead-half", staff[:max(1, n // 2)], bench.typeahead),
        ("create", staff, bench.create),
        ("get", dsl, bench.get),
        ("chronology", dsl, bench.chronology),
        ("chronology-1", dsl[:1], bench.chronology),
    ]
    results = []
    for name, connections, operation in plan:
        if args.only and name not in args.only:
            continue
        result = await drive(name, connections, operation, args.warm_up, args.seconds,
                             server_pid, manifest["database_url"])
        print(f"  {name:<13} {result.per_second:8.1f}/s  p50 {result.percentile(0.5):7.1f} ms"
              f"  p99 {result.percentile(0.99):7.1f} ms  CPU/op: server "
              f"{result.cpu_ms(result.server_cpu)} ms, database "
              f"{result.cpu_ms(result.database_cpu)} ms  ({result.requests} in "
              f"{result.seconds:.0f} s, {result.errors} errors)", flush=True)
        if result.errors:
            print(f"    first error: {result.first_error}")
        results.append(result)
    for connection in {id(c): c for c in plain + staff + dsl}.values():
        await connection.close()
    return results


def verdicts(results: dict[str, Result]) -> list[tuple[str, bool | None, str]]:
    bare = results.get("bare")
    out = []

    def ratio(name):
        return results[name].per_second / bare.per_second if bare and name in results else None

    for name in ("typeahead", "typeahead-half"):
        if name in results:
            p99 = results[name].percentile(0.99)
            out.append((f"{name} p99 < 25 ms ({results[name].connections} "
                        "connections)", p99 < 25, f"{p99:.1f} ms"))
    if "typeahead" in results and bare:
        out.append(("typeahead >= 60% of bare", ratio("typeahead") >= 0.6,
                    f"{ratio('typeahead'):.0%}"))
    if "create" in results and bare:
        out.append(("create >= 30% of bare", ratio("create") >= 0.3, f"{ratio('create'):.0%}"))
    if "chronology-1" in results:
        p99 = results["chronology-1"].percentile(0.99)
        out.append(("chronology (2,000 entries) < 150 ms", p99 < 150,
                    f"p99 {p99:.0f} ms, p50 {results['chronology-1'].percentile(0.5):.0f} ms"))
    return out


def load_manifest(data_dir: Path) -> dict:
    """What make_trust.py wrote about its data set: logins, ids, counts."""
    manifest_path = data_dir / "bench.json"
    if not manifest_path.exists():
        raise SystemExit(f"{manifest_path} is missing: make the data set with make_trust.py")
    return json.loads(manifest_path.read_text())


def run_one(database: str, args) -> None:
    data_dir = HERE / ".data" / ("sqlite" if database == "sqlite" else args.postgres_name)
    manifest = load_manifest(data_dir)
    counts = manifest["counts"]
    print(f"\n{database}: {manifest['schools']} school(s), {counts['pupil']:,} pupils, "
          f"{counts['incident']:,} incidents, {counts['incident_action']:,} actions, "
          f"{counts['alert']:,} alerts (made in {manifest['generation_seconds']:.0f} s)")
    print(f"haven serve, 1 worker; {args.concurrency} connections; {args.warm_up:.0f} s "
          f"warm-up + {args.seconds:.0f} s per scenario; {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average before "
          f"{os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        code = snapshot(args.commit, Path(folder)) if args.commit else None
        if args.commit:
            print(f"code: git {args.commit} = " + subprocess.run(
                ["git", "-C", str(HERE.parent), "rev-parse", "--short", args.commit],
                capture_output=True, text=True).stdout.strip())
        with Server(data_dir, manifest["database_url"], args.profile, code) as server:
            results = asyncio.run(measure(server.port, server.process.pid, manifest, args))
    print(f"\n| {database} | requests/s | p50 ms | p99 ms | % of bare | server CPU ms/op "
          f"| database CPU ms/op |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    bare = next((r for r in results if r.name == "bare"), None)
    for r in results:
        share = f"{r.per_second / bare.per_second:.0%}" if bare else ""
        print(f"| {r.name} ({r.connections} conn.) | {r.per_second:.0f} | "
              f"{r.percentile(0.5):.1f} | {r.percentile(0.99):.1f} | {share} | "
              f"{r.cpu_ms(r.server_cpu)} | {r.cpu_ms(r.database_cpu)} |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows the figures; CPU per operation is the steadier measure)")
    note = "" if database == "postgres" else " (the targets are for PostgreSQL)"
    for label, met, figure in verdicts({r.name: r for r in results}):
        print(f"  {'MET   ' if met else 'MISSED'} {label}: {figure}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-name", default="haven_bench",
                        help="the PostgreSQL data set's name (its folder in bench/.data)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warm-up", type=float, default=3)
    parser.add_argument("--chronology-per-page", type=int, default=500,
                        help="page size for the chronology (the API allows up to 5,000)")
    parser.add_argument("--only", nargs="*", help="scenario names to run (default all)")
    parser.add_argument("--commit", metavar="REV",
                        help="serve Haven's code as of this git revision (e.g. HEAD), not "
                        "the working tree")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the server under cProfile and write its stats to FILE")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.platform()}")
    for database in (("sqlite", "postgres") if args.database == "both" else (args.database,)):
        run_one(database, args)


if __name__ == "__main__":
    main()
