"""A fake Web Push service on 127.0.0.1 that checks every request as strictly as a real one.

Haven's push sender is tested against this instead of a browser vendor's service: it
verifies what those services verify (VAPID, RFC 8292; the RFC 8030 headers; the RFC 8291
encryption, by decrypting) and records what arrived, so a test sees both that Haven sent
the right thing and how Haven reacts to each answer a real service gives.

    async with PushService() as service:          # or: await service.start() ... stop()
        subscription = service.subscription()      # what PushSubscription.toJSON() gives
        gone = service.subscription(respond=410)
        service.set_response(subscription["endpoint"], 429, retry_after=30)
        service.set_response(subscription["endpoint"], HANG)
        ...                                        # Haven sends
        [delivery] = await service.wait_for(1)     # never sleep blindly
        assert delivery.json == {...} and delivery.urgency == "high"
        assert delivery.claims["exp"] - delivery.received_at <= 12 * 3600
        assert service.rejected == []

A pytest fixture (the service runs in the test's own event loop):

    @pytest.fixture
    async def push_service():
        async with PushService() as service:
            yield service

API
- `PushService(host="127.0.0.1", port=0)`; `async start()`, `async stop()`, or `async with`.
- `origin` -> "http://127.0.0.1:PORT", the VAPID `aud` every request must carry.
- `subscription(respond=201, retry_after=None, application_server_key=None) -> dict`:
  a new subscriber with its own P-256 key pair and 16-byte auth secret. `respond` is the
  status its endpoint answers (or HANG). With `application_server_key` (base64url, as the
  PWA passes to `pushManager.subscribe`), requests signed by any other key get 403, as a
  real service binds a subscription to the key it was made with.
- `set_response(endpoint, status, retry_after=None)`: change an endpoint's answer. Any
  status: 201, 404, 410, 429 (Retry-After seconds), 500 ...; or HANG: never answer until
  the service stops, so the sender must time out.
- `deliveries: list[Delivery]`: every request that passed the checks, in arrival order,
  with the status answered (None for HANG). `deliveries_to(endpoint)` filters them.
- `rejected: list[Rejection]`: every request that failed a check, with the status and why.
- `await wait_for(count, timeout=5.0) -> list[Delivery]`: until `count` deliveries arrived.

Checks, in order (the first failure is answered and recorded in `rejected`):
1. the endpoint exists (404);
2. `Authorization: vapid t=<JWT>, k=<key>`: ES256 signature valid for k; `aud` is `origin`;
   `exp` in the future and at most 24 hours ahead; `sub` a mailto: or https: URL (401);
   k is the subscription's application server key when one was given (403);
3. `TTL` a non-negative integer, `Urgency` very-low|low|normal|high, `Topic` (optional) at
   most 32 base64url characters (400);
4. `Content-Encoding: aes128gcm` and a body of at most 4096 bytes (400, 413);
5. the body decrypts (RFC 8291) with the subscriber's private key and auth secret (400).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal, Self

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from multidict import CIMultiDict

HANG: Literal["hang"] = "hang"
"""An endpoint answer: accept the request and never respond (until the service stops)."""

MAX_PAYLOAD = 4096  # RFC 8030 section 7.2: the size every push service must accept
MAX_EXPIRY_SECONDS = 24 * 3600  # RFC 8292 section 2: exp no more than 24 hours ahead
URGENCIES = ("very-low", "low", "normal", "high")
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")


def b64url_encode(data: bytes) -> str:
    """base64url without padding, as browsers and RFC 8292 write keys and JWTs."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of b64url_encode; accepts padding too. Raises ValueError."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"not base64url: {text[:20]!r}") from error


@dataclass
class Delivery:
    """A push message that passed every check, as the push service received it."""

    endpoint: str
    payload: bytes  # decrypted
    json: Any  # the payload parsed as JSON, or None when it is not JSON
    ttl: int
    urgency: str
    topic: str | None
    claims: dict[str, Any]  # the VAPID JWT's claims: aud, exp, sub ...
    vapid_key: str  # the k parameter: the sender's public key, base64url
    headers: CIMultiDict[str]  # every request header (case-insensitive), for anything else
    status: int | None  # the status answered; None when the endpoint hung
    received_at: float  # time.time(), comparable with claims["exp"]


@dataclass
class Rejection:
    """A request the service refused, and why."""

    endpoint: str
    status: int
    reason: str
    received_at: float


@dataclass
class _Subscriber:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    status: int | Literal["hang"] = 201
    retry_after: int | None = None
    application_server_key: str | None = None


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class PushService:
    """The fake push service. See the module docstring."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.deliveries: list[Delivery] = []
        self.rejected: list[Rejection] = []
        self._subscribers: dict[str, _Subscriber] = {}
        self._runner: web.AppRunner | None = None
        self._arrived: asyncio.Condition | None = None
        self._stopping: asyncio.Event | None = None

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on host:port (port 0: a free one, read back into `port`)."""
        self._arrived = asyncio.Condition()
        self._stopping = asyncio.Event()
        # Bodies over 4096 bytes must reach _check to be refused and recorded.
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/push/{token}", self._receive)
        # shutdown_timeout: stop() releases hung requests first, so nothing should linger.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer the hung requests (503) and close the server."""
        if self._runner is None:
            return
        assert self._stopping is not None
        self._stopping.set()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- set-up for a test ----------------------------------------------------------------

    def subscription(
        self,
        respond: int | Literal["hang"] = 201,
        retry_after: int | None = None,
        application_server_key: str | None = None,
    ) -> dict[str, Any]:
        """A new subscriber, as the browser's PushSubscription.toJSON() describes it."""
        if self._runner is None:
            raise RuntimeError("start the PushService before making subscriptions")
        subscriber = _Subscriber(
            token=secrets.token_urlsafe(24),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            status=respond,
            retry_after=retry_after,
            application_server_key=application_server_key,
        )
        self._subscribers[subscriber.token] = subscriber
        public_key = subscriber.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{subscriber.token}",
            "expirationTime": None,
            "keys": {
                "p256dh": b64url_encode(public_key),
                "auth": b64url_encode(subscriber.auth_secret),
            },
        }

    def set_response(
        self, endpoint: str, status: int | Literal["hang"], retry_after: int | None = None
    ) -> None:
        """From now on, answer requests to `endpoint` with `status` (or HANG)."""
        subscriber = self._subscriber_of(endpoint)
        subscriber.status = status
        subscriber.retry_after = retry_after

    # --- what arrived ---------------------------------------------------------------------

    def deliveries_to(self, endpoint: str) -> list[Delivery]:
        return [delivery for delivery in self.deliveries if delivery.endpoint == endpoint]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        """The first `count` deliveries, once they have arrived. On timeout the error says
        what did arrive and what was rejected, which is usually the reason."""
        assert self._arrived is not None, "start the PushService first"
        try:
            async with asyncio.timeout(timeout), self._arrived:
                await self._arrived.wait_for(lambda: len(self.deliveries) >= count)
        except TimeoutError:
            raise TimeoutError(
                f"{len(self.deliveries)} of {count} push deliveries after {timeout} s; "
                f"rejected: {self.rejected}"
            ) from None
        return self.deliveries[:count]

    # --- the push endpoint ----------------------------------------------------------------

    def _subscriber_of(self, endpoint: str) -> _Subscriber:
        prefix = f"{self.origin}/push/"
        token = endpoint.removeprefix(prefix)
        if not endpoint.startswith(prefix) or token not in self._subscribers:
            raise KeyError(f"not an endpoint of this push service: {endpoint}")
        return self._subscribers[token]

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        endpoint = f"{self.origin}/push/{request.match_info['token']}"
        received_at = time.time()
        body = await request.read()
        try:
            delivery = self._check(request, endpoint, body, received_at)
        except _Refused as refusal:
            self.rejected.append(Rejection(endpoint, refusal.status, refusal.reason, received_at))
            return web.json_response({"reason": refusal.reason}, status=refusal.status)
        subscriber = self._subscribers[request.match_info["token"]]
        delivery.status = None if subscriber.status == HANG else subscriber.status
        await self._record(delivery)
        if subscriber.status == HANG:
            assert self._stopping is not None
            await self._stopping.wait()
            return web.Response(status=503)
        return self._answer(subscriber)

    async def _record(self, delivery: Delivery) -> None:
        assert self._arrived is not None
        async with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()

    @staticmethod
    def _answer(subscriber: _Subscriber) -> web.Response:
        status = subscriber.status
        assert isinstance(status, int)
        headers = {}
        if status == 201:
            # A real service names the message resource it created (RFC 8030 section 5).
            headers["Location"] = f"/message/{secrets.token_urlsafe(12)}"
        if subscriber.retry_after is not None:
            headers["Retry-After"] = str(subscriber.retry_after)
        return web.Response(status=status, headers=headers)

    def _check(
        self, request: web.Request, endpoint: str, body: bytes, received_at: float
    ) -> Delivery:
        subscriber = self._subscribers.get(request.match_info["token"])
        if subscriber is None:
            raise _Refused(404, "no such subscription")
        claims, vapid_key = self._check_vapid(request, received_at)
        if subscriber.application_server_key is not None and (
            b64url_decode(subscriber.application_server_key) != b64url_decode(vapid_key)
        ):
            raise _Refused(403, "signed with a key other than the subscription's")
        ttl, urgency, topic = self._check_headers(request)
        payload = self._decrypt(request, subscriber, body)
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = None
        return Delivery(
            endpoint=endpoint, payload=payload, json=parsed, ttl=ttl, urgency=urgency,
            topic=topic, claims=claims, vapid_key=vapid_key, headers=CIMultiDict(request.headers),
            status=None, received_at=received_at,
        )

    def _check_vapid(self, request: web.Request, now: float) -> tuple[dict[str, Any], str]:
        """RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`."""
        header = request.headers.get("Authorization")
        if header is None:
            raise _Refused(401, "no Authorization header")
        scheme, _, parameters = header.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refused(401, f"Authorization scheme {scheme!r}, not vapid")
        values = {}
        for parameter in parameters.split(","):
            name, _, value = parameter.strip().partition("=")
            values[name.strip().lower()] = value.strip()
        token, key = values.get("t"), values.get("k")
        if not token or not key:
            raise _Refused(401, "Authorization lacks t= or k=")
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(key)
            )
        except ValueError:
            raise _Refused(401, "k is not an uncompressed P-256 public key") from None
        try:
            encoded_header, encoded_claims, encoded_signature = token.split(".")
            jwt_header = json.loads(b64url_decode(encoded_header))
            claims = json.loads(b64url_decode(encoded_claims))
            signature = b64url_decode(encoded_signature)
        except ValueError:
            raise _Refused(401, "the JWT is malformed") from None
        if not isinstance(jwt_header, dict) or jwt_header.get("alg") != "ES256":
            raise _Refused(401, f"JWT header {jwt_header!r}: alg must be ES256")
        if not isinstance(claims, dict):
            raise _Refused(401, "the JWT's claims are not an object")
        if len(signature) != 64:
            raise _Refused(401, "the JWT's signature is not 64 bytes (JWS r || s)")
        der = utils.encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(
                der, f"{encoded_header}.{encoded_claims}".encode("ascii"),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise _Refused(401, "the JWT's signature does not match k") from None
        if claims.get("aud") != self.origin:
            raise _Refused(401, f"JWT aud {claims.get('aud')!r}, expected {self.origin!r}")
        expiry = claims.get("exp")
        if type(expiry) is not int:
            raise _Refused(401, f"JWT exp {expiry!r} is not an integer")
        if expiry <= now:
            raise _Refused(401, f"JWT expired {now - expiry:.0f} s ago")
        if expiry > now + MAX_EXPIRY_SECONDS:
            raise _Refused(401, f"JWT exp is {expiry - now:.0f} s ahead, more than 24 h")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not re.fullmatch(
            r"mailto:[^@\s]+@[^@\s]+|https://[^/\s]+(/\S*)?", subject
        ):
            raise _Refused(401, f"JWT sub {subject!r} is not a mailto: or https: URL")
        return claims, key

    @staticmethod
    def _check_headers(request: web.Request) -> tuple[int, str, str | None]:
        """RFC 8030: TTL is required; Haven promises Urgency on every message too."""
        ttl = request.headers.get("TTL")
        if ttl is None or not ttl.isascii() or not ttl.isdigit():
            raise _Refused(400, f"TTL {ttl!r} is not a non-negative integer")
        urgency = request.headers.get("Urgency")
        if urgency not in URGENCIES:
            raise _Refused(400, f"Urgency {urgency!r} is not one of {', '.join(URGENCIES)}")
        topic = request.headers.get("Topic")
        if topic is not None and not TOPIC.fullmatch(topic):
            raise _Refused(400, f"Topic {topic!r} is not 1-32 base64url characters")
        return int(ttl), urgency, topic

    @staticmethod
    def _decrypt(request: web.Request, subscriber: _Subscriber, body: bytes) -> bytes:
        """RFC 8291 / RFC 8188: what the browser does with the message."""
        encoding = request.headers.get("Content-Encoding")
        if encoding is None or encoding.lower() != "aes128gcm":
            raise _Refused(400, f"Content-Encoding {encoding!r}, not aes128gcm")
        if not body:
            raise _Refused(400, "no body to decrypt")
        if len(body) > MAX_PAYLOAD:
            raise _Refused(413, f"the body is {len(body)} bytes, more than {MAX_PAYLOAD}")
        try:
            return http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth_secret,
                version="aes128gcm",
            )
        except (http_ece.ECEException, InvalidTag, ValueError) as error:
            raise _Refused(400, f"the body does not decrypt: {error!r}") from None
