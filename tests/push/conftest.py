import pytest

from haven.config import load_settings
from haven.keys import ensure_keys
from haven.outbox.dispatcher import Dispatcher
from haven.outbox.models import Channel
from tests.conftest import sign_in
from tests.push.service import PushService


@pytest.fixture
def settings(tmp_path, database_url):
    """As everywhere, and the fake push service's host (127.0.0.1) may be subscribed to."""
    data_dir = tmp_path / "data"
    ensure_keys(data_dir)
    return load_settings(_env_file=None, data_dir=data_dir, database_url=database_url,
                         public_url="http://localhost", outbox_poll_seconds=0.2,
                         push_endpoint_hosts="127.0.0.1")


@pytest.fixture
async def push_service():
    async with PushService() as service:
        yield service


@pytest.fixture
async def dispatcher(app, settings):
    """The outbox's dispatcher, driven by hand (send_due) rather than by its loop."""
    dispatcher = Dispatcher(settings)
    dispatcher.senders[Channel.PUSH].timeout = 1
    yield dispatcher
    await dispatcher.senders[Channel.PUSH].close()


@pytest.fixture
async def alice(frozen_clock, app, oakfield):
    """Alice signed in on her own client, at the frozen clock's time (so her session lives
    as the clock moves); test_dispatch.py has its own, on real time."""
    client = app.test_client()
    await sign_in(client, oakfield.alice)
    return client
