"""One alert fanned out to 1,000 devices (issue 5: all delivered in under 5 seconds).

    .venv/bin/python bench/push_fanout.py [--devices 1000] [--database-url URL]

Runs the fake push service of the tests (tests/push/service.py: it checks each request's
VAPID token and headers and decrypts the payload, as a real one does) in a process of its
own on 127.0.0.1, and Haven's outbox dispatcher in this one, on a fresh migrated database
(SQLite in a temporary folder unless --database-url names an empty PostgreSQL database).
100 key holders with 10 devices each are alerted about one incident; the clock starts
when the alert's push messages are queued (one statement, in the incident's transaction)
and stops when the dispatcher has recorded the last one as accepted (201) by the push
service. Prints the time, the messages per second, and the push service's own count of
deliveries and rejections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.push.service


async def serve(devices: int) -> None:
    """The push service's process: prints the subscriptions, then its counts at EOF."""
    from tests.push.service import PushService

    async with PushService() as service:
        print(json.dumps([service.subscription() for _ in range(devices)]), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        print(json.dumps({"delivered": len(service.deliveries),
                          "rejected": [r.reason for r in service.rejected][:5]}), flush=True)


async def measure(devices: int, database_url: str, data_dir: Path) -> None:
    from haven import clock
    from haven.accounts.service import add_user
    from haven.config import load_settings
    from haven.db import close_database, migrate, open_database
    from haven.keys import ensure_keys, load_service_keys
    from haven.outbox.dispatcher import Dispatcher
    from haven.outbox.models import Channel, OutboxMessage, Status
    from haven.pupils.models import Pupil
    from haven.push import service as push
    from haven.push.models import PushSubscription
    from haven.schools.service import add_school
    from tortoise.transactions import in_transaction

    ensure_keys(data_dir)
    load_service_keys(data_dir)
    settings = load_settings(_env_file=None, data_dir=data_dir, database_url=database_url,
                             push_endpoint_hosts="127.0.0.1")
    await migrate(database_url)
    await open_database(database_url)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(devices)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        subscriptions = json.loads(server.stdout.readline())
        school = await add_school("Bench Academy", "bench")
        await Pupil.create(school=school, upn="B1", first_name="A", last_name="B",
                           date_of_birth=date(2014, 1, 1), year_group="Year 7")
        people = [await add_user(school, f"dsl{n}@bench.example", f"DSL {n}", None, ["dsl"])
                  for n in range(max(1, devices // 10))]
        await PushSubscription.bulk_create([
            PushSubscription(school=school, user=people[n % len(people)],
                             endpoint=s["endpoint"], p256dh=s["keys"]["p256dh"],
                             auth=s["keys"]["auth"], created_at=clock.now())
            for n, s in enumerate(subscriptions)])
        dispatcher = Dispatcher(settings)
        started = time.perf_counter()
        async with in_transaction():
            queued = await push.enqueue(school, [p.id for p in people], push.Push(
                kind="incident", body="Someone recorded a concern: Neglect",
                url=push.incident_url(1), topic="incident-1"))
        enqueued = time.perf_counter()
        await dispatcher.send_due()
        finished = time.perf_counter()
        await dispatcher.senders[Channel.PUSH].close()
        sent = await OutboxMessage.filter(channel=Channel.PUSH, status=Status.SENT).count()
    finally:
        server.stdin.close()
        counts = json.loads(server.stdout.readline() or "{}")
        server.wait(timeout=30)
        await close_database()
    total = finished - started
    print(f"{queued} push messages to {len(people)} people's {devices} devices "
          f"({'PostgreSQL' if database_url.startswith('postgres') else 'SQLite'})")
    print(f"  queued in {enqueued - started:.3f} s; all sent in {total:.2f} s "
          f"from the alert; {sent / (finished - enqueued):.0f} messages/s while sending")
    print(f"  recorded as sent: {sent}; the push service counted {counts.get('delivered')} "
          f"delivered, rejected {counts.get('rejected')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite://{folder}/haven.sqlite3"
        asyncio.run(measure(args.devices, url, Path(folder) / "data"))


if __name__ == "__main__":
    main()
