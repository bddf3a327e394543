"""Files attached to incidents and actions: multipart submissions, checks, and downloads
only for people who may read the incident."""

import json

import pytest
from tortoise import connections

from haven.audit.models import AuditEvent
from haven.incidents.models import Attachment, Category, Incident
from tests.conftest import CSRF, sign_in
from tests.incidents import samples


@pytest.fixture
async def alice(client, oakfield):
    await sign_in(client, oakfield.alice)
    return client


@pytest.fixture
async def concern(oakfield, amy):
    """The JSON of a concern about Amy, with Dina (DSL) to alert."""
    bullying = await Category.get(school=oakfield.school, name="Bullying")
    return {"pupil_id": amy.id, "category_ids": [bullying.id],
            "account": "Amy showed me a bruise on her arm.",
            "alert_user_ids": [oakfield.dina.id]}


def _stored(settings):
    return sorted(p for p in (settings.data_dir / "files").rglob("*") if p.is_file())


async def _submit(client, concern, files, path="/api/incidents", **headers):
    body, multipart_headers = samples.multipart(json.dumps(concern), files)
    return await client.post(path, data=body, headers={**multipart_headers, **headers})


async def test_a_photo_and_a_letter_are_attached_and_the_photo_loses_its_gps(
        alice, concern, settings):
    response = await _submit(alice, concern, [("IMG_0042.jpg", samples.jpeg_with_metadata()),
                                              ("letter from mum.pdf", samples.PDF)])
    assert response.status_code == 201, await response.get_json()
    body = await response.get_json()
    photo, letter = body["files"]
    assert (photo["name"], photo["content_type"]) == ("IMG_0042.jpg", "image/jpeg")
    assert (letter["name"], letter["content_type"]) == ("letter from mum.pdf", "application/pdf")
    assert letter["size"] == len(samples.PDF) and photo["action_id"] is None

    download = await alice.get(f"/api/files/{photo['id']}")
    assert download.status_code == 200
    content = await download.get_data()
    assert b"GPS" not in content and b"PhoneCo" not in content
    assert content.endswith(samples.JPEG[samples.JPEG.index(b"\xff\xda"):])
    # On disk, under a random name: neither the pupil nor the file's own name shows.
    stored = _stored(settings)
    assert len(stored) == 2 and all("IMG" not in p.name and "letter" not in p.name
                                    for p in stored)
    assert {p.read_bytes() for p in stored} == {content, samples.PDF}


async def test_a_download_is_an_attachment_never_a_page(alice, concern):
    created = await (await _submit(alice, concern, [("notes.txt", b"She said: no.")])).get_json()
    response = await alice.get(f"/api/files/{created['files'][0]['id']}")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


async def test_who_may_download_a_file_and_every_download_is_audited(
        app, alice, concern, oakfield, rita):
    created = await (await _submit(alice, concern, [("arm.png", samples.png())])).get_json()
    file_id = created["files"][0]["id"]
    people = {}
    for name in ("dina", "sam", "adam"):
        people[name] = app.test_client()
        await sign_in(people[name], getattr(oakfield, name))
    people["rita"] = app.test_client()
    await sign_in(people["rita"], rita)

    async def status(client):
        return (await client.get(f"/api/files/{file_id}")).status_code

    assert await status(alice) == 200  # the author
    assert await status(people["dina"]) == 200  # alerted
    assert await status(people["adam"]) == 404  # neither: told it does not exist
    assert await status(people["rita"]) == 404  # another school
    assert await status(people["sam"]) == 200  # alerted: the SLT are, by the school's rule
    assert await status(app.test_client()) == 401
    downloads = await AuditEvent.filter(action="file_downloaded").order_by("id")
    assert [e.actor_id for e in downloads] == [oakfield.alice.id, oakfield.dina.id,
                                               oakfield.sam.id]
    assert downloads[0].detail == {"incident": created["id"]}


async def test_an_unknown_file_is_not_found(alice):
    assert (await alice.get("/api/files/999999")).status_code == 404


@pytest.mark.parametrize(("files", "status", "code"), [
    ([("bruise.jpg", samples.HTML)], 400, "FILE_TYPE_NOT_ALLOWED"),
    ([("photo.jpg", samples.JPEG), ("virus.exe", b"MZ\x90\x00")], 400, "FILE_TYPE_NOT_ALLOWED"),
    ([(f"photo{n}.jpg", samples.JPEG) for n in range(11)], 400, "TOO_MANY_FILES"),
    ([("empty.txt", b"")], 400, "FILE_EMPTY"),
    ([("cut.jpg", samples.JPEG[:100])], 400, "FILE_DAMAGED"),
])
async def test_a_bad_file_refuses_the_whole_incident_and_keeps_nothing(
        alice, concern, settings, files, status, code):
    response = await _submit(alice, concern, files)
    assert response.status_code == status
    body = await response.get_json()
    assert body["code"] == code and body["message"]
    assert await Incident.all().count() == 0 and await Attachment.all().count() == 0
    assert _stored(settings) == []


async def test_a_file_over_20_mb_is_refused_with_its_name(alice, concern, settings):
    big = samples.PDF + b" " * (20 * 1024 * 1024)
    response = await _submit(alice, concern, [("scan.pdf", big)])
    assert response.status_code == 413
    body = await response.get_json()
    assert body["code"] == "FILE_TOO_LARGE" and "scan.pdf" in body["message"]
    assert await Incident.all().count() == 0 and _stored(settings) == []


async def test_a_bad_incident_with_files_leaves_no_files_behind(alice, concern, settings):
    response = await _submit(alice, {**concern, "account": "  "}, [("a.jpg", samples.JPEG)])
    assert (await response.get_json())["code"] == "ACCOUNT_REQUIRED"
    assert _stored(settings) == []


async def test_a_failed_transaction_removes_the_files_it_wrote(
        alice, concern, settings, monkeypatch):
    from haven.incidents import files

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(files, "record", broken)
    response = await _submit(alice, concern, [("a.jpg", samples.JPEG)])
    assert response.status_code == 500
    assert await Incident.all().count() == 0 and _stored(settings) == []


async def test_multipart_needs_the_data_field_and_files_in_the_files_field(alice, concern):
    body, headers = samples.multipart(json.dumps(concern), [("a.jpg", samples.JPEG)],
                                      field="photo")
    response = await alice.post("/api/incidents", data=body, headers=headers)
    assert (await response.get_json())["code"] == "UNEXPECTED_FILE_FIELD"
    body, headers = samples.multipart("{not json", [])
    response = await alice.post("/api/incidents", data=body, headers=headers)
    assert (response.status_code, (await response.get_json())["code"]) == (
        400, "VALIDATION_ERROR")


async def test_an_action_carries_files_too(alice, concern):
    created = await (await _submit(alice, concern, [])).get_json()
    assert created["files"] == []
    action = {"text": "Spoke to mum; she sent this letter."}
    response = await _submit(alice, action, [("reply.docx", samples.docx())],
                             path=f"/api/incidents/{created['id']}/actions")
    assert response.status_code == 201
    added = await response.get_json()
    assert [f["name"] for f in added["files"]] == ["reply.docx"]
    incident = await (await alice.get(f"/api/incidents/{created['id']}")).get_json()
    assert incident["files"] == added["files"]
    assert incident["files"][0]["action_id"] == added["id"]
    assert incident["actions"][0]["files"] == added["files"]


async def test_a_replay_with_the_same_files_records_nothing_new(alice, concern, settings):
    files = [("IMG_1.jpg", samples.JPEG)]
    first = await _submit(alice, concern, files, **{"Idempotency-Key": "k-1"})
    again = await _submit(alice, concern, files, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (await again.get_json())["files"] == (await first.get_json())["files"]
    assert len(_stored(settings)) == 1
    other = await _submit(alice, concern, [("IMG_2.jpg", samples.png())],
                          **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422


async def test_attachments_cannot_be_changed_even_by_sql(alice, concern):
    await _submit(alice, concern, [("a.txt", b"words")])
    for statement in ("UPDATE attachment SET name = 'x'", "DELETE FROM attachment"):
        with pytest.raises(Exception, match="append-only"):
            await connections.get("default").execute_query(statement)


async def test_only_uploads_may_be_large(alice, settings):
    body = json.dumps({"email": "x" * (settings.max_request_mb * 1024 * 1024)})
    response = await alice.post("/api/session", data=body,
                                headers={**CSRF, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_json_to_a_route_that_takes_files_is_held_to_the_small_limit(alice, settings):
    body = json.dumps({"account": "x" * (settings.max_request_mb * 1024 * 1024)})
    response = await alice.post("/api/incidents", data=body,
                                headers={**CSRF, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_a_large_multipart_body_needs_a_session(client, concern, settings):
    big = samples.PDF + b" " * (settings.max_request_mb * 1024 * 1024)
    body, headers = samples.multipart(json.dumps(concern), [("scan.pdf", big)])
    response = await client.post("/api/incidents", data=body,
                                 headers={**headers, "Content-Length": str(len(body))})
    assert response.status_code == 413


async def test_a_body_without_a_length_is_refused_before_it_is_read(alice):
    response = await alice.post("/api/session/elevate", data=b'{"code": "123456"}', headers={
        **CSRF, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    assert (response.status_code, (await response.get_json())["code"]) == (
        411, "LENGTH_REQUIRED")


async def test_a_submission_cancelled_mid_way_leaves_no_files(alice, concern, settings,
                                                             monkeypatch):
    import asyncio

    from haven.incidents import files

    async def client_went_away(*args, **kwargs):
        raise asyncio.CancelledError

    monkeypatch.setattr(files, "record", client_went_away)
    # The test client answers a cancelled request with an error; what matters is the disk.
    await _submit(alice, concern, [("a.jpg", samples.JPEG), ("b.png", samples.png())])
    assert await Incident.all().count() == 0 and _stored(settings) == []


async def test_a_write_failing_part_way_removes_what_it_wrote(alice, concern, settings,
                                                              monkeypatch):
    from haven.incidents.files import Store

    real_write = Store._write
    calls = []

    def disk_full_on_the_second(self, content):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(self, content)

    monkeypatch.setattr(Store, "_write", disk_full_on_the_second)
    response = await _submit(alice, concern, [("a.jpg", samples.JPEG), ("b.png", samples.png())])
    assert response.status_code == 500
    assert sorted(p for p in (settings.data_dir / "files").rglob("*") if p.is_file()) == []


async def test_files_of_a_recorded_incident_stay_whatever_fails_after_the_commit(
        alice, concern, settings, monkeypatch):
    from haven.outbox import service as outbox

    def broken():
        raise RuntimeError("after the commit")

    monkeypatch.setattr(outbox, "notify", broken)
    response = await _submit(alice, concern, [("a.jpg", samples.JPEG)])
    assert response.status_code == 500
    assert await Attachment.all().count() == 1 and len(_stored(settings)) == 1


def test_a_download_name_cannot_break_out_of_its_header():
    from haven.incidents.files import content_disposition, safe_name

    name = safe_name('Zoë\'s "note"; filename*=UTF-8\'\'evil.html;.txt')
    header = content_disposition(name)
    assert header.startswith(
        'attachment; filename="Zo_\'s _note_; filename*=UTF-8\'\'evil.html;.txt";')
    assert header.endswith("filename*=UTF-8''Zo%C3%AB%27s%20%22note%22%3B%20filename%2A%3DUTF-8"
                           "%27%27evil.html%3B.txt")


async def test_the_sweep_removes_only_old_files_nothing_records(alice, concern, settings):
    import os
    import time

    from haven.incidents.files import Store

    recorded = await (await _submit(alice, concern, [("a.jpg", samples.JPEG)])).get_json()
    store = Store.of(settings)
    kept = _stored(settings)
    folder = settings.data_dir / "files" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    old_orphan, new_orphan, half_written = (folder / "ab01", folder / "ab02", folder / "ab03.part")
    for path in (old_orphan, new_orphan, half_written):
        path.write_bytes(b"left behind")
    two_hours_ago = time.time() - 7200
    for path in [old_orphan, half_written, *kept]:
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert await store.sweep_orphans() == 2
    assert not old_orphan.exists() and not half_written.exists() and new_orphan.exists()
    download = await alice.get(f"/api/files/{recorded['files'][0]['id']}")
    assert download.status_code == 200  # the recorded file, as old, stays
