"""Sign-in and session-check speed of a real `haven serve` (SQLite, one process).

    .venv/bin/python bench/sign_in.py [--sign-ins 40] [--checks 2000] [--concurrency 8]

Starts Haven on a free port with a fresh data folder, adds one member of staff, then:
- signs in `--sign-ins` times one after another (argon2id at its production cost), and
  the same number again with `--concurrency` at once;
- asks GET /api/session `--checks` times with `--concurrency` clients (a signed-in
  request: cookie check, session row, roles).
Prints latency percentiles and requests per second. Talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

PASSWORD = "Bench-Mark-2026!"
HEADERS = {"X-Requested-With": "haven", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def haven(env: dict, *args: str, stdin: str = "") -> None:
    subprocess.run([sys.executable, "-m", "haven.cli", *args], env=env, input=stdin,
                   text=True, check=True, capture_output=True)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.1f} ms, p95 {pick(0.95):.1f} ms, max {ordered[-1] * 1000:.1f} ms"


async def sign_in(session: aiohttp.ClientSession, base: str) -> float:
    started = time.perf_counter()
    async with session.post(f"{base}/api/session", headers=HEADERS,
                            json={"email": "bench@oakfield.example", "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
    return time.perf_counter() - started


async def measure(base: str, sign_ins: int, checks: int, concurrency: int) -> None:
    async with aiohttp.ClientSession() as http:
        one_by_one = [await sign_in(http, base) for _ in range(sign_ins)]
    print(f"sign-in, one at a time ({sign_ins}): {percentiles(one_by_one)}")

    async with aiohttp.ClientSession() as http:
        started = time.perf_counter()
        together = []
        for start in range(0, sign_ins, concurrency):
            batch = min(concurrency, sign_ins - start)
            together += await asyncio.gather(*(sign_in(http, base) for _ in range(batch)))
        elapsed = time.perf_counter() - started
    print(f"sign-in, {concurrency} at once ({sign_ins}): {percentiles(together)}, "
          f"{sign_ins / elapsed:.1f} sign-ins/s")

    # unsafe=True: aiohttp otherwise keeps no cookies for an IP address such as 127.0.0.1.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await sign_in(http, base)
        latencies: list[float] = []

        async def client(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                async with http.get(f"{base}/api/session") as response:
                    assert response.status == 200, response.status
                    await response.read()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client(checks // concurrency) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    print(f"GET /api/session, {concurrency} clients ({len(latencies)}): "
          f"{percentiles(latencies)}, {len(latencies) / elapsed:.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=40)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")},
               "HAVEN_DATA_DIR": str(Path(folder) / "data"), "HAVEN_LOG_LEVEL": "warning"}
        haven(env, "init")
        haven(env, "school", "add", "Oakfield Academy", "--slug", "oakfield")
        haven(env, "user", "add", "bench@oakfield.example", "--name", "Bench", "--role",
              "staff", stdin=PASSWORD)
        server = subprocess.Popen(
            [sys.executable, "-m", "haven.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"Haven on {base}, SQLite, 1 process, {os.cpu_count()} cores")
            asyncio.run(measure(base, args.sign_ins, args.checks, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
