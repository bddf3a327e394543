"""web-push-testing, an independent push service written in Node, for one round trip.

PushService (service.py) is ours, so a mistake shared by it and Haven's sender would go
unnoticed. web-push-testing (npm, by Marc Alexander) implements subscribe, deliver and
decrypt (RFC 8291, with npm's http_ece) on its own; Haven's sender must satisfy it too.

scripts/test installs the pinned version into .cache/web-push-testing. Its CLI
(`web-push-testing start`) detaches the server, keeps the pid in .node-persist/ in the
current directory and listens on every interface with `localhost` endpoints, so instead
this module runs the package's own server and model under a few lines of Node that bind
127.0.0.1 on a free port and name the endpoints http://127.0.0.1:PORT/notify/<hash> (they
replace the server's `_app.listen`: look again when changing the pinned version). The
process is our child; stop() ends it by its pid.

    async with WebPushTesting() as push:
        subscription = await push.subscribe(application_server_key)  # PushSubscription.toJSON()
        ...                                        # send to subscription["endpoint"]
        assert await push.notifications(subscription) == ['{"title": ...}']
        await push.expire(subscription)            # further sends are answered 410

In tests, start it through run_for_test(), which skips when Node or the package is missing,
except with CI=true, where the test fails instead:

    @pytest.fixture
    async def web_push_testing():
        async with run_for_test() as push:
            yield push

What it demands of a sender (src/server.js, src/PushApiModel.js in 1.2.2):
- `Content-Type: application/octet-stream`: its body parser reads no other type, and the
  message then fails to decrypt (400). aiohttp sets it for a bytes body; requests does not.
- `TTL` (an integer), `Content-Encoding: aes128gcm` (or aesgcm), and with an application
  server key given at subscribe, `Authorization: vapid t=...,k=...` whose k is that key and
  whose JWT verifies (ES256; exp is checked, aud is not). Urgency and Topic are ignored.
Its answers: 201 delivered, 400 any error (even an unknown endpoint), 410 expired. It keeps
the decrypted payloads as UTF-8 text.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self

import aiohttp
import pytest

VERSION = "1.2.2"  # scripts/test installs this version
ROOT = Path(__file__).parents[2]
PREFIX = ROOT / ".cache" / "web-push-testing"
PACKAGE = PREFIX / "node_modules" / "web-push-testing"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Runs the package's server with its model, as src/bin/server.js does, but bound to
# 127.0.0.1 on a port the kernel picks; prints {"port": N} once it listens.
LAUNCHER = r"""
const path = require('path');
const pkg = process.argv[1];
const TestingServer = require(path.join(pkg, 'src', 'server.js'));
const {PushApiModel} = require(path.join(pkg, 'src', 'PushApiModel.js'));
const model = new PushApiModel();
const server = new TestingServer(model, 0);
const listen = server._app.listen.bind(server._app);
server._app.listen = () => {
    const listening = listen(0, '127.0.0.1', () => {
        const actual = listening.address().port;
        model.notifyUrl = 'http://127.0.0.1:' + actual + '/notify/';
        process.stdout.write(JSON.stringify({port: actual}) + '\n');
    });
    return listening;
};
server.startServer();
"""


class WebPushTestingMissing(RuntimeError):
    """Node or the package is not installed (scripts/test installs the package)."""


def installed_version() -> str | None:
    try:
        return json.loads((PACKAGE / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


class WebPushTesting:
    """A running web-push-testing server; an async context manager (or start()/stop())."""

    def __init__(self, start_timeout: float = 10.0) -> None:
        self.start_timeout = start_timeout
        self.origin = ""
        self.output: list[str] = []  # what the server printed: its errors explain a 400
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task] = []
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise WebPushTestingMissing("web-push-testing needs Node.js (`node` on PATH)")
        if installed_version() != VERSION:
            raise WebPushTestingMissing(
                f"web-push-testing {VERSION} is not in {PREFIX}; ./scripts/test installs it"
            )
        self._process = await asyncio.create_subprocess_exec(
            node, "-e", LAUNCHER, str(PACKAGE),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with asyncio.timeout(self.start_timeout):
                port = await self._read_port()
                self.origin = f"http://127.0.0.1:{port}"
                await self._wait_until_it_answers()
        except BaseException:
            await self.stop()
            raise
        assert self._process.stdout and self._process.stderr
        self._readers = [
            asyncio.create_task(self._keep_output(self._process.stdout)),
            asyncio.create_task(self._keep_output(self._process.stderr)),
        ]

    async def _read_port(self) -> int:
        assert self._process and self._process.stdout and self._process.stderr
        line = await self._process.stdout.readline()
        if not line:
            errors = (await self._process.stderr.read()).decode(errors="replace")
            raise RuntimeError(f"web-push-testing did not start: {errors}")
        return json.loads(line)["port"]

    async def _wait_until_it_answers(self) -> None:
        assert self._http
        while True:
            try:
                async with self._http.post(f"{self.origin}/status") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)

    async def _keep_output(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.output.append(line.decode(errors="replace").rstrip())

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        self._process = None
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._readers = []

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._http, "start WebPushTesting first"
        async with self._http.post(f"{self.origin}{path}", json=body) as response:
            text = await response.text()
            if response.status != 200:
                raise RuntimeError(f"web-push-testing {path}: {response.status} {text}")
            return json.loads(text) if text and text != "OK" else None

    async def subscribe(self, application_server_key: str) -> dict[str, Any]:
        """Subscribe as a browser would with pushManager.subscribe({applicationServerKey}):
        the key is the VAPID public key, base64url of the uncompressed point. Returns what
        PushSubscription.toJSON() gives."""
        # userVisibleOnly is left out: the tool accepts it only as the string "true".
        reply = await self._post("/subscribe", {"applicationServerKey": application_server_key})
        data = reply["data"]
        return {"endpoint": data["endpoint"], "expirationTime": None, "keys": data["keys"]}

    async def notifications(self, subscription: dict[str, Any]) -> list[str]:
        """The decrypted payloads delivered to this subscription, oldest first (as text)."""
        reply = await self._post("/get-notifications", {"clientHash": _client_hash(subscription)})
        return reply["data"]["messages"]

    async def expire(self, subscription: dict[str, Any]) -> None:
        """From now on the subscription's endpoint answers 410 Gone."""
        await self._post(f"/expire-subscription/{_client_hash(subscription)}")


def _client_hash(subscription: dict[str, Any]) -> str:
    """The tool's name for a subscription: the endpoint's last path segment."""
    return subscription["endpoint"].rstrip("/").rsplit("/", 1)[-1]


@asynccontextmanager
async def run_for_test() -> AsyncIterator[WebPushTesting]:
    """A running WebPushTesting for a test; skips the test when it is not installed, but
    fails it with CI=true, where the comparison with an independent service must run."""
    push = WebPushTesting()
    try:
        await push.start()
    except WebPushTestingMissing as missing:
        if IN_CI:
            pytest.fail(f"{missing}: with CI=true the web-push-testing tests must run")
        pytest.skip(str(missing))
    try:
        yield push
    finally:
        await push.stop()
