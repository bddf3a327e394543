import pytest
from tortoise import connections

from haven.audit import service as audit
from haven.audit.models import AuditEvent
from haven.db import append_only_sql, dialect, drop_append_only_sql


async def _three_events():
    for action in ("signed_in", "user_added", "signed_out"):
        await audit.record(action, detail={"why": action}, ip_address="192.0.2.1")


async def _run(sql: str, *params):
    await connections.get("default").execute_query(sql, list(params))


async def _tamper(sql: str, *params):
    """Change the trail the way an attacker with database access would: triggers off."""
    for statement in drop_append_only_sql("audit_event", dialect()):
        await _run(statement)
    await _run(sql, *params)
    for statement in append_only_sql("audit_event", dialect()):
        await _run(statement)


def _placeholder(n: int) -> str:
    return f"${n}" if dialect() == "postgres" else "?"


async def test_an_untouched_trail_verifies(app):
    await _three_events()
    report = await audit.verify_chain()
    assert report.ok and report.rows == 3


async def test_each_row_links_to_the_one_before(app):
    await _three_events()
    events = await AuditEvent.all().order_by("id")
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'",
                                       "DELETE FROM audit_event"])
async def test_the_database_refuses_to_change_the_trail(app, statement):
    await _three_events()
    with pytest.raises(Exception, match="append-only"):
        await _run(statement)
    assert await AuditEvent.all().count() == 3


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_postgres_refuses_truncate(app):
    await _three_events()
    with pytest.raises(Exception, match="append-only"):
        await _run("TRUNCATE audit_event")


async def test_an_edited_row_is_named(app):
    await _three_events()
    await _tamper(f"UPDATE audit_event SET ip_address = 'x' WHERE id = {_placeholder(1)}", 2)
    report = await audit.verify_chain()
    assert (report.first_bad_id, report.problem) == (2, "its content was changed")


async def test_a_deleted_row_is_named(app):
    await _three_events()
    await _tamper(f"DELETE FROM audit_event WHERE id = {_placeholder(1)}", 2)
    report = await audit.verify_chain()
    assert report.first_bad_id == 3 and "row 2 is missing" in report.problem


async def test_reordered_rows_are_named(app):
    await _three_events()
    # Swap rows 2 and 3 by swapping their ids.
    p = _placeholder
    await _tamper(f"UPDATE audit_event SET id = {p(1)} WHERE id = {p(2)}", 1000, 2)
    await _tamper(f"UPDATE audit_event SET id = {p(1)} WHERE id = {p(2)}", 2, 3)
    await _tamper(f"UPDATE audit_event SET id = {p(1)} WHERE id = {p(2)}", 3, 1000)
    report = await audit.verify_chain()
    assert report.first_bad_id == 2 and not report.ok


async def test_a_rewritten_hash_still_breaks_the_link_to_the_next_row(app):
    await _three_events()
    await _tamper(
        f"UPDATE audit_event SET action = 'nothing', hash = {_placeholder(1)} "
        f"WHERE id = {_placeholder(2)}",
        "f" * 64, 2,
    )
    report = await audit.verify_chain()
    assert report.first_bad_id == 2


async def test_the_chain_holds_across_many_rows_written_at_once(app):
    import asyncio

    await asyncio.gather(*(audit.record("signed_in", detail={"n": n}) for n in range(30)))
    report = await audit.verify_chain(batch_size=7)
    assert report.ok and report.rows == 30


@pytest.mark.parametrize("detail", [{"n": 1e20}, {"n": -0.0}, {"when": object()},
                                    {"x": "nul\x00"}, {1: "key"}])
async def test_details_that_would_not_survive_the_database_are_refused(app, detail):
    with pytest.raises((TypeError, ValueError)):
        await audit.record("signed_in", detail=detail)
    assert await AuditEvent.all().count() == 0


async def test_nested_plain_details_round_trip_and_verify(app):
    await audit.record("roles_added", detail={"roles": ["dsl", "staff"], "n": 10**15,
                                              "ok": True, "none": None, "name": "Zoë"})
    assert (await audit.verify_chain()).ok


async def test_deleting_the_newest_rows_is_found(app):
    await _three_events()
    await _tamper(f"DELETE FROM audit_event WHERE id = {_placeholder(1)}", 3)
    report = await audit.verify_chain()
    assert (report.first_bad_id, report.problem) == (3, "rows 3 to 3 are missing")


async def test_emptying_the_trail_is_found(app):
    await _three_events()
    await _tamper("DELETE FROM audit_event")
    report = await audit.verify_chain()
    assert not report.ok and report.problem == "rows 1 to 3 are missing"


async def test_moving_the_seal_back_needs_the_key(app):
    await _three_events()
    events = await AuditEvent.all().order_by("id")
    await _tamper(f"DELETE FROM audit_event WHERE id = {_placeholder(1)}", 3)
    p = _placeholder
    await _run(f"UPDATE audit_head SET last_id = {p(1)}, last_hash = {p(2)}", 2, events[1].hash)
    report = await audit.verify_chain()
    assert report.problem == "the seal on the head of the trail is wrong"


async def test_a_missing_seal_is_found(app):
    await _three_events()
    await _run("DELETE FROM audit_head")
    assert (await audit.verify_chain()).problem == "the sealed head of the trail is missing"


async def test_an_empty_trail_verifies(app):
    assert (await audit.verify_chain()).ok
