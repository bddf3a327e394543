"""How long the reports take on the trust data set (issue 7), through the real routes.

    .venv/bin/python bench/make_trust.py --fresh      # once: the PostgreSQL trust set
    .venv/bin/python bench/reports.py [--runs 5] [--from 2025-09-01 --to 2026-08-31]
                                      [--commit REV] [--only NAME ...]

Starts `haven serve` (one worker, as bench/http_load.py does, whose server, client and
sign-in it reuses) on the data set that make_trust.py made, signs in as the first
school's DSL and elevates with the authenticator, then asks for each report --runs
times, one at a time, after one request that is not counted (it warms the caches and
the connection pool, as a school's server is warm):

  governors-json  GET /api/reports/governors?from=&to=&format=json (one school, the year)
  governors-pdf   the same, format=pdf
  ofsted-json     GET /api/reports/ofsted?from=&to=&format=json
  ofsted-pdf      the same, format=pdf
  patterns        GET /api/reports/patterns
  chronology-pdf  GET /api/pupils/{id}/chronology.pdf for make_trust's pupil with 2,000
                  entries (bench/chronology_pdf.py times the same on a throwaway SQLite
                  database without the trust set; this is the trust set, over HTTP)
  trust           `haven report trust --from --to --format F` for each of csv, json and
                  pdf, as a separate process: the wall time includes Python starting
                  and the command opening the database

Each request's wall time is what the client waited, so it includes the sign-in check,
the audit record and the transfer. CPU per request is sampled from /proc: the server
process and the PostgreSQL backends of its pool; for the command, the CPU of its process
only (its database backend lives and dies with it). Prints the median and the worst of
the runs and whether the issue's targets are met.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from http_load import (HERE, Bench, Server, cpu_seconds, database_pids, expect, load_manifest,
                       snapshot)

# The targets, in seconds (PostgreSQL, the trust set).
TARGETS = {"governors-json": 1.0, "governors-pdf": 3.0, "chronology-pdf": 5.0,
           "trust-csv": 5.0, "trust-json": 5.0, "trust-pdf": 5.0}


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    database_cpu: list[float] = field(default_factory=list)
    size: int = 0
    cpu_of: str = "server"  # whose CPU server_cpu is: the server's, or the command's

    def line(self) -> str:
        worst = max(self.seconds)
        target = TARGETS.get(self.name)
        verdict = "" if target is None else (
            f"  target < {target:g} s: {'MET' if worst < target else 'MISSED'}")
        cpu = "".join(f", {label} CPU median {1000 * statistics.median(values):.0f} ms"
                      for label, values in ((self.cpu_of, self.server_cpu),
                                            ("database", self.database_cpu)) if values)
        return (f"{self.name:<15} median {statistics.median(self.seconds):6.3f} s, worst "
                f"{worst:6.3f} s ({len(self.seconds)} runs{cpu}; {self.size / 1e3:,.0f} kB)"
                f"{verdict}")


async def time_routes(port: int, server_pid: int, manifest: dict, args) -> list[Timing]:
    bench = Bench(port, manifest, [])
    dsl = await bench.signed_in(manifest["dsl_emails"][0], elevate=True)
    period = f"from={args.from_}&to={args.to}"
    heavy = manifest["heavy_pupil"]["id"]
    plan = [("governors-json", f"/api/reports/governors?{period}&format=json"),
            ("governors-pdf", f"/api/reports/governors?{period}&format=pdf"),
            ("ofsted-json", f"/api/reports/ofsted?{period}&format=json"),
            ("ofsted-pdf", f"/api/reports/ofsted?{period}&format=pdf"),
            ("patterns", "/api/reports/patterns"),
            ("chronology-pdf", f"/api/pupils/{heavy}/chronology.pdf")]
    pids = await database_pids(manifest["database_url"])
    timings = []
    for name, path in plan:
        if args.only and name not in args.only:
            continue
        timing = Timing(name)
        for run in range(args.runs + 1):
            server_before = cpu_seconds(server_pid)
            database_before = sum(cpu_seconds(p) for p in pids)
            began = time.perf_counter()
            response = expect(await dsl.request("GET", path), 200, name)
            took = time.perf_counter() - began
            if run == 0:  # warming up; the pool may have opened connections meanwhile
                pids = await database_pids(manifest["database_url"])
                continue
            timing.seconds.append(took)
            timing.server_cpu.append(cpu_seconds(server_pid) - server_before)
            timing.database_cpu.append(sum(cpu_seconds(p) for p in pids) - database_before)
            timing.size = len(response.body)
        print(timing.line(), flush=True)
        timings.append(timing)
    await dsl.close()
    return timings


def time_trust_command(data_dir: Path, manifest: dict, code: Path | None, args
                       ) -> list[Timing]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")},
           "HAVEN_DATA_DIR": str(data_dir), "HAVEN_DATABASE_URL": manifest["database_url"],
           "HAVEN_LOG_LEVEL": "warning"}
    if code:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    timings = []
    for file_format in ("csv", "json", "pdf"):
        name = f"trust-{file_format}"
        if args.only and name not in args.only:
            continue
        timing = Timing(name, cpu_of="command")
        output = data_dir / f"trust-report.{file_format}"
        for run in range(args.runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "haven.cli", "report", "trust",
                            "--from", args.from_, "--to", args.to, "--format", file_format,
                            "--output", str(output)], env=env, check=True, cwd=data_dir,
                           capture_output=True)
            took = time.perf_counter() - began
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if run == 0:
                continue
            timing.seconds.append(took)
            timing.server_cpu.append(after.ru_utime + after.ru_stime
                                     - before.ru_utime - before.ru_stime)
            timing.size = output.stat().st_size
        print(timing.line(), flush=True)
        timings.append(timing)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-name", default="haven_bench",
                        help="the data set's name (its folder in bench/.data)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--from", dest="from_", default="2025-09-01")
    parser.add_argument("--to", default="2026-08-31")
    parser.add_argument("--only", nargs="*", help="names to time (default all)")
    parser.add_argument("--commit", metavar="REV",
                        help="Haven's code as of this git revision, not the working tree")
    args = parser.parse_args()
    data_dir = HERE / ".data" / args.postgres_name
    manifest = load_manifest(data_dir)
    counts = manifest["counts"]
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.platform()}, {os.cpu_count()} "
          f"cores, Python {platform.python_version()}; load average before "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{manifest['schools']} schools, {counts['pupil']:,} pupils, "
          f"{counts['incident']:,} incidents, {counts['alert']:,} alerts; the first school, "
          f"{args.from_} to {args.to}; {args.runs} runs after one not counted")
    with tempfile.TemporaryDirectory() as folder:
        code = snapshot(args.commit, Path(folder)) if args.commit else None
        if args.commit:
            print("code: git " + subprocess.run(
                ["git", "-C", str(HERE.parent), "rev-parse", "--short", args.commit],
                capture_output=True, text=True).stdout.strip())
        with Server(data_dir, manifest["database_url"], code=code) as server:
            asyncio.run(time_routes(server.port, server.process.pid, manifest, args))
        time_trust_command(data_dir, manifest, code, args)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
