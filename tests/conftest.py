"""Fixtures shared by the unit and API tests.

Every test that takes `database_url` (directly or through `app`, `client`, `school` ...)
runs twice: on SQLite and on PostgreSQL. Each run gets a fresh database copied from one
built by the migrations at the start of the session, so tests never see each other's rows
and the append-only triggers never need to be bypassed to clean up.

Named people (STYLE.md): at Oakfield, alice is a member of staff, dina the DSL, sam on the
senior leadership team and adam the administrator; rita is staff at Riverside, another
school.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from contextlib import asynccontextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from argon2 import PasswordHasher
from tortoise.backends.base.executor import EXECUTOR_CACHE

from haven.accounts import passwords
from haven.app import create_app
from haven.config import Settings, load_settings
from haven.db import migrate
from haven.keys import ensure_keys

POSTGRES_URL = os.environ.get(
    "HAVEN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "Correct-Horse-42!"
CSRF = {"X-Requested-With": "haven"}


def pytest_xdist_make_scheduler(config, log):
    """How pytest-xdist (-n, see pyproject.toml) shares the tests among its workers: a
    test file at a time (its module fixtures are made once; tests/test_packaging.py's
    wheel must not be built twice at once in the source tree), and every browser test on
    one worker: they share one live server and mostly wait on browsers, while the other
    workers share the rest. (xdist's own --dist loadgroup does not group with pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class BrowsersTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/e2e" if path.startswith("tests/e2e/") else path

    return BrowsersTogether(config, log)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2id at production cost takes ~100 ms a hash; tests hash hundreds of times."""
    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


# --- databases ----------------------------------------------------------------------------


def run_in_thread(coroutine):
    """Run a coroutine to the end on a loop of its own. Session fixtures are first asked
    for from inside a test's running loop, where run_in_thread() is not allowed."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _admin_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(_admin_url(POSTGRES_URL), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "haven.sqlite3"
    run_in_thread(migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str:
    problem = run_in_thread(_postgres_reachable())
    if problem:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable ({problem})"
        if IN_CI:
            pytest.fail(message + ": with CI=true the PostgreSQL tests must run")
        pytest.skip(message + ": set HAVEN_TEST_POSTGRES_URL or start PostgreSQL")
    name = f"haven_template_{os.getpid()}"

    async def build() -> None:
        admin = await asyncpg.connect(_admin_url(POSTGRES_URL))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        await migrate(_with_database(POSTGRES_URL, name))

    run_in_thread(build())
    yield name

    async def drop() -> None:
        admin = await asyncpg.connect(_admin_url(POSTGRES_URL))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    run_in_thread(drop())


_database_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path):
    """A fresh, fully migrated database for this test."""
    if request.param == "sqlite":
        path = tmp_path / "haven.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"haven_test_{os.getpid()}_{next(_database_numbers)}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(_admin_url(POSTGRES_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    finally:
        await admin.close()
    yield _with_database(POSTGRES_URL, name)
    admin = await asyncpg.connect(_admin_url(POSTGRES_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# --- the application ----------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    data_dir = tmp_path / "data"
    ensure_keys(data_dir)
    return load_settings(
        _env_file=None,
        data_dir=data_dir,
        database_url=database_url,
        public_url="http://localhost",
        outbox_poll_seconds=0.2,
    )


@asynccontextmanager
async def running_app(settings, *blueprints):
    """The app started (database open) without the outbox dispatcher: outbox tests start
    their own so that they control when messages go. Extra blueprints (test-only routes)
    are registered first."""
    # Tortoise caches each model's SQL by connection name; tests switch between SQLite
    # and PostgreSQL under the one name "default", so the cache must start empty.
    EXECUTOR_CACHE.clear()
    application = create_app(settings, run_dispatcher=False)
    for blueprint in blueprints:
        application.register_blueprint(blueprint)
    async with application.test_app() as test_app:
        yield test_app


@pytest.fixture
async def app(settings):
    async with running_app(settings) as test_app:
        yield test_app


@pytest.fixture
def client(app):
    return app.test_client()


# --- people -------------------------------------------------------------------------------


@dataclass
class Person:
    email: str
    name: str
    id: int
    password: str = PASSWORD


@dataclass
class Oakfield:
    school: object
    alice: Person
    dina: Person
    sam: Person
    adam: Person


@pytest.fixture
async def oakfield(app) -> Oakfield:
    from haven.accounts.service import add_user
    from haven.schools.service import add_school

    school = await add_school("Oakfield Academy", "oakfield")
    people = {}
    for key, name, roles in (
        ("alice", "Alice Teacher", ["staff"]),
        ("dina", "Dina Safeguard", ["staff", "dsl"]),
        ("sam", "Sam Senior", ["staff", "slt"]),
        ("adam", "Adam Office", ["admin"]),
    ):
        email = f"{key}@oakfield.example"
        user = await add_user(school, email, name, PASSWORD, roles)
        people[key] = Person(email, name, user.id)
    return Oakfield(school=school, **people)


@pytest.fixture
async def rita(app) -> Person:
    """A member of staff at another school."""
    from haven.accounts.service import add_user
    from haven.schools.service import add_school

    school = await add_school("Riverside School", "riverside")
    user = await add_user(school, "rita@riverside.example", "Rita Other", PASSWORD, ["staff"])
    return Person(user.email, user.name, user.id)


@pytest.fixture
async def amy(oakfield):
    """Amelia ("Amy") Jones, Year 7 at Oakfield: the pupil a concern is about."""
    from datetime import date

    from haven.pupils.models import Pupil

    return await Pupil.create(school=oakfield.school, upn="U1", first_name="Amelia",
                              preferred_name="Amy", last_name="Jones",
                              date_of_birth=date(2014, 9, 1), year_group="Year 7", form="7A")


async def sign_in(client, person: Person, **headers):
    return await client.post(
        "/api/session",
        json={"email": person.email, "password": person.password},
        headers={**CSRF, **headers},
    )


class FrozenClock:
    """Haven's clock, stopped at a moment the test chooses and moved on by hand."""

    def __init__(self, moment) -> None:
        self.moment = moment

    def now(self):
        return self.moment

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.moment += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch) -> FrozenClock:
    from datetime import UTC, datetime

    from haven import clock

    frozen = FrozenClock(datetime(2026, 11, 30, 8, 40, tzinfo=UTC))
    monkeypatch.setattr(clock, "now", frozen.now)
    return frozen


async def settle(app) -> None:
    """Wait for the work a request left running after its answer (background tasks)."""
    while tasks := [task for task in app.app.background_tasks if not task.done()]:
        await asyncio.gather(*tasks)


async def elevate_directly(user_id: int, minutes: int = 30) -> None:
    """Mark a user's sessions elevated, as a code would: for tests about what elevated
    people may do (the authenticator itself is tested in test_authenticator.py)."""
    from datetime import timedelta

    from haven import clock
    from haven.accounts.models import Session

    await Session.filter(user_id=user_id).update(
        elevated_until=clock.now() + timedelta(minutes=minutes))


@pytest.fixture
async def adam(client, oakfield):
    """Adam, the administrator, signed in on `client` with an elevated session."""
    await sign_in(client, oakfield.adam)
    await elevate_directly(oakfield.adam.id)
    return client
