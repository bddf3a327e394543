"""Every route, walked by every named person: nobody sees another school's data, and a
record someone may not read answers 404, exactly as one that does not exist.

The people: Alice (staff), Dina (DSL), Sam (SLT) and Adam (administrator) of Oakfield, the
three key roles elevated with the authenticator; Rita (staff) and Rob (DSL and
administrator, elevated) of Riverside; and someone signed out. The records: Alice's concern
about Amy (Dina chosen to alert, the SLT alerted by the school's rule) with a photo.

A route added without a line here fails test_the_sweep_covers_every_route.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from haven.accounts.models import Session
from haven.accounts.service import add_user
from haven.incidents.files import Store, Upload
from haven.incidents.models import Agency, Category
from haven.pupils import photos
from haven.schools.service import add_school
from tests.conftest import CSRF, PASSWORD, Person, elevate_directly, sign_in
from tests.incidents import samples

PEOPLE = ("alice", "dina", "sam", "adam", "rita", "rob", "nobody")
SIGNED_IN = PEOPLE[:-1]


def everyone(status: int, **others) -> dict:
    """Every signed-in person gets `status`; signed out, 401."""
    return {**dict.fromkeys(SIGNED_IN, status), "nobody": 401, **others}


def readers(status: int) -> dict:
    """Those who may read Alice's concern (her, and the alerted Dina and Sam) get `status`;
    everyone else is told it does not exist."""
    return everyone(404, alice=status, dina=status, sam=status)


def key_holders(status: int, elsewhere: int) -> dict:
    """Oakfield's elevated DSL and SLT get `status`; Riverside's DSL `elsewhere`."""
    return everyone(403, dina=status, sam=status, rob=elsewhere)


def admins(status: int, elsewhere: int) -> dict:
    """Oakfield's elevated administrator gets `status`; Riverside's `elsewhere`."""
    return everyone(403, adam=status, rob=elsewhere)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {incident}, {file}, {pupil}, {nina}, {category}, {agency}, {session}
    expected: dict
    body: dict | None = None
    multipart: bool = False


# In order: the calls that end or lock a session come last.
CALLS = [
    Call("GET", "/api/session", everyone(200)),
    Call("GET", "/api/me/sessions", everyone(200)),
    Call("DELETE", "/api/me/sessions/{session}", everyone(404, alice=204)),
    Call("POST", "/api/me/password", everyone(400), {}),
    Call("POST", "/api/me/totp/confirm", everyone(400), {}),
    Call("DELETE", "/api/me/totp", everyone(400), {}),
    Call("POST", "/api/me/totp", everyone(200), {}),
    Call("POST", "/api/session/elevate", everyone(400), {}),
    Call("GET", "/api/staff", everyone(200)),
    Call("GET", "/api/categories", everyone(200)),
    Call("GET", "/api/agencies", everyone(200)),
    Call("GET", "/api/alerts", everyone(200)),
    Call("GET", "/api/pupils?q=amy", everyone(200)),
    Call("GET", "/api/pupils/{pupil}", key_holders(200, elsewhere=404)),
    Call("GET", "/api/pupils/{pupil}/photo", everyone(200, rita=404, rob=404)),
    Call("GET", "/api/pupils/{pupil}/chronology", key_holders(200, elsewhere=404)),
    Call("GET", "/api/pupils/{pupil}/chronology.pdf", key_holders(200, elsewhere=404)),
Call("GET", "/api/pupils/{pupil}/chronology.csv", key_holders(200, elsewhere=404)),
Call("GET", "/api/pupils/{pupil}/chronology/summary", key_holders(200, elsewhere=404)),
    Call("GET", "/api/incidents", key_holders(200, elsewhere=200)),
    Call("GET", "/api/incidents?mine=1", everyone(200)),
    Call("POST", "/api/incidents", everyone(400), {}),
    Call("GET", "/api/incidents/{incident}", readers(200)),
    Call("GET", "/api/files/{file}", readers(200)),
    Call("POST", "/api/incidents/{incident}/actions", readers(201),
         {"text": "Spoke to Amy at break."}),
    Call("POST", "/api/incidents/{incident}/actions", readers(201),
         {"text": "Her note, scanned."}, multipart=True),
    Call("POST", "/api/incidents/{incident}/read", everyone(404, dina=200, sam=200)),
    Call("GET", "/api/reports/governors", key_holders(200, elsewhere=200)),
    Call("GET", "/api/reports/ofsted?format=csv", key_holders(200, elsewhere=200)),
    Call("GET", "/api/offline/reference", everyone(200)),
    Call("GET", "/api/reports/patterns", key_holders(200, elsewhere=200)),
    Call("GET", "/api/push/key", everyone(200)),
    Call("GET", "/api/push/subscriptions", everyone(200)),
    Call("POST", "/api/push/subscriptions", everyone(400), {}),
    Call("DELETE", "/api/push/subscriptions", everyone(204), {"endpoint": "https://x"}),
    Call("GET", "/api/me/quiet-hours", everyone(200)),
    Call("PUT", "/api/me/quiet-hours", everyone(200),
         {"quiet_from": None, "quiet_until": None}),
    Call("GET", "/api/admin/users", admins(200, elsewhere=200)),
    Call("POST", "/api/admin/users", admins(400, elsewhere=400), {}),
    Call("GET", "/api/admin/users/{nina}", admins(200, elsewhere=404)),
    Call("PUT", "/api/admin/users/{nina}/roles", admins(200, elsewhere=404),
         {"roles": ["staff"]}),
    Call("PUT", "/api/admin/users/{nina}/active", admins(200, elsewhere=404),
         {"active": True}),
    Call("DELETE", "/api/admin/users/{nina}/totp", admins(200, elsewhere=404)),
    Call("DELETE", "/api/admin/users/{nina}/sessions", admins(200, elsewhere=404)),
    Call("GET", "/api/admin/categories", admins(200, elsewhere=200)),
    Call("POST", "/api/admin/categories", admins(400, elsewhere=400), {}),
    Call("PATCH", "/api/admin/categories/{category}", admins(200, elsewhere=404), {}),
    Call("GET", "/api/admin/agencies", admins(200, elsewhere=200)),
    Call("POST", "/api/admin/agencies", admins(400, elsewhere=400), {}),
    Call("PATCH", "/api/admin/agencies/{agency}", admins(200, elsewhere=404), {}),
    Call("GET", "/api/admin/settings", admins(200, elsewhere=200)),
    Call("PATCH", "/api/admin/settings", admins(200, elsewhere=200), {}),
    Call("POST", "/api/admin/pupils/import", admins(400, elsewhere=400)),
    Call("PUT", "/api/admin/pupils/{pupil}/photo", admins(400, elsewhere=400)),
    Call("DELETE", "/api/admin/pupils/{pupil}/photo", admins(204, elsewhere=404)),
    Call("POST", "/api/session/lock", everyone(204)),
    Call("POST", "/api/session/unlock", everyone(400), {}),
    Call("DELETE", "/api/session", everyone(204)),
]

# Open to everyone by design (the shell, health, signing in, password reset).
PUBLIC = {"/", "/<path:name>", "/sw.js", "/sw/<path:name>", "/healthz", "/livez",
          "/openapi.json", "/api/session POST", "/api/password-reset",
          "/api/password-reset/<token>"}


@pytest.fixture
async def world(app, oakfield, settings, amy):
    """The people signed in (clients by name) and the ids the calls use."""
    riverside = await add_school("Riverside School", "riverside")
    rita = await add_user(riverside, "rita@riverside.example", "Rita Other", PASSWORD, ["staff"])
    rob = await add_user(riverside, "rob@riverside.example", "Rob Lead", PASSWORD,
                         ["dsl", "admin"])
    nina = await add_user(oakfield.school, "nina@oakfield.example", "Nina New", PASSWORD,
                          ["staff"])
    await photos.set_photo(oakfield.school, amy.id, Upload("amy.jpg", samples.JPEG),
                           Store.of(settings), actor_id=None)
    people = {"alice": oakfield.alice, "dina": oakfield.dina, "sam": oakfield.sam,
              "adam": oakfield.adam, "rita": Person(rita.email, rita.name, rita.id),
              "rob": Person(rob.email, rob.name, rob.id)}
    clients = {}
    for name, person in people.items():
        clients[name] = app.test_client()
        assert (await sign_in(clients[name], person)).status_code == 200
    clients["nobody"] = app.test_client()
    for name in ("dina", "sam", "adam", "rob"):
        await elevate_directly(people[name].id)
    # A second session of Alice's, for the one route that ends someone's own session.
    assert (await sign_in(app.test_client(), oakfield.alice)).status_code == 200
    other_session = await Session.filter(user_id=oakfield.alice.id).order_by("-id").first()

    bullying = await Category.get(school=oakfield.school, name="Bullying")
    body, headers = samples.multipart(json.dumps({
        "pupil_id": amy.id, "category_ids": [bullying.id],
        "account": "Amy said an older girl took her phone.",
        "alert_user_ids": [oakfield.dina.id]}), [("phone.jpg", samples.JPEG)])
    created = await (await clients["alice"].post("/api/incidents", data=body,
                                                 headers=headers)).get_json()
    ids = {"incident": created["id"], "file": created["files"][0]["id"], "pupil": amy.id,
           "nina": nina.id, "category": bullying.id, "session": other_session.id,
           "agency": (await Agency.filter(school=oakfield.school).first()).id}
    return clients, ids


async def _send(client, call: Call, ids: dict):
    path = call.path.format(**ids)
    if call.multipart:
        body, headers = samples.multipart(json.dumps(call.body), [("note.pdf", samples.PDF)])
        return await client.post(path, data=body, headers=headers)
    return await client.open(path, method=call.method, headers=CSRF,
                             json=call.body if call.body is not None else None)


async def test_every_person_gets_what_they_may_and_nothing_else(world):
    clients, ids = world
    wrong = []
    for call in CALLS:
        for person in PEOPLE:
            response = await _send(clients[person], call, ids)
            if response.status_code != call.expected[person]:
                body = await response.get_data(as_text=True)
                wrong.append(f"{call.method} {call.path} as {person}: "
                             f"{response.status_code}, expected {call.expected[person]} "
                             f"({body[:120]})")
    assert not wrong, "\n".join(wrong)


def test_the_sweep_covers_every_route(app):
    swept = {(call.method, _rule(call.path)) for call in CALLS}
    missing = []
    for rule in app.app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.rule in PUBLIC or f"{rule.rule} {method}" in PUBLIC:
                continue
            if (method, rule.rule) not in swept:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes the sweep does not walk: {missing}"


def _rule(path: str) -> str:
    """/api/incidents/{incident}/read?x=1 → /api/incidents/<int:incident_id>/read"""
    names = {"incident": "<int:incident_id>", "file": "<int:attachment_id>",
             "pupil": "<int:pupil_id>", "nina": "<int:user_id>",
             "category": "<int:category_id>", "agency": "<int:agency_id>",
             "session": "<int:session_id>"}
    path = path.split("?")[0]
    for name, converter in names.items():
        path = path.replace("{" + name + "}", converter)
    return path
