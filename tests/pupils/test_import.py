import io

import pytest
from quart.datastructures import FileStorage

from haven.audit.models import AuditEvent
from haven.errors import HavenError
from haven.pupils.importer import column_map, import_pupils
from haven.pupils.models import Pupil
from tests.conftest import CSRF

HEADING = "upn,first_name,preferred_name,last_name,date_of_birth,year_group,form,gender\n"
ROWS = (
    "A123456789012,Amelia,Amy,Jones,01/09/2014,Year 7,7A,Female\n"
    "B123456789012,Noah,,Patel,2013-03-15,Year 8,8B,Male\n"
    "C123456789012,Zara,,Khan,22/12/2012,Year 9,9C,Female\n"
)


def csv(*rows: str, heading: str = HEADING) -> bytes:
    return (heading + "".join(rows)).encode()


async def test_a_first_import_adds_every_pupil(oakfield):
    report = await import_pupils(oakfield.school, csv(ROWS))
    assert (report.created, report.updated, report.imported) == (3, 0, True)
    amelia = await Pupil.get(upn="A123456789012")
    assert amelia.display_name == "Amy Jones" and str(amelia.date_of_birth) == "2014-09-01"
    assert await AuditEvent.filter(action="pupils_imported").count() == 1


async def test_importing_the_same_file_again_changes_nothing(oakfield):
    await import_pupils(oakfield.school, csv(ROWS))
    report = await import_pupils(oakfield.school, csv(ROWS))
    assert (report.created, report.updated, report.unchanged, report.marked_left) == (0, 0, 3, 0)


async def test_changes_are_updated_by_upn(oakfield):
    await import_pupils(oakfield.school, csv(ROWS))
    moved = ROWS.replace("Year 8,8B", "Year 8,8D")
    report = await import_pupils(oakfield.school, csv(moved))
    assert (report.updated, report.unchanged) == (1, 2)
    assert (await Pupil.get(upn="B123456789012")).form == "8D"


async def test_pupils_missing_from_a_full_import_are_marked_left_never_deleted(oakfield):
    await import_pupils(oakfield.school, csv(ROWS))
    without_zara = "".join(ROWS.splitlines(keepends=True)[:2])
    report = await import_pupils(oakfield.school, csv(without_zara))
    assert report.marked_left == 1
    zara = await Pupil.get(upn="C123456789012")
    assert zara.left_on is not None
    partial = await import_pupils(oakfield.school, csv(ROWS.splitlines(keepends=True)[0]),
                                  full=False)
    assert partial.marked_left == 0 and await Pupil.all().count() == 3


async def test_a_dry_run_reports_and_changes_nothing(oakfield):
    report = await import_pupils(oakfield.school, csv(ROWS), dry_run=True)
    assert (report.created, report.imported) == (3, False)
    assert await Pupil.all().count() == 0


@pytest.mark.parametrize("row, field, message", [
    (",Amy,,Jones,01/09/2014,Year 7,7A,F\n", "upn", "upn is missing"),
    ("D1,Amy,,Jones,31/02/2014,Year 7,7A,F\n", "date_of_birth", "is not a date"),
    ("D1,Amy,,Jones,01/09/2099,Year 7,7A,F\n", "date_of_birth", "in the future"),
    ("A123456789012,Amy,,Again,01/09/2014,Year 7,7A,F\n", "upn", "also on line 2"),
    ("D1,,,Jones,01/09/2014,Year 7,7A,F\n", "first_name", "first name is missing"),
])
async def test_a_bad_row_is_reported_and_nothing_is_imported(oakfield, row, field, message):
    report = await import_pupils(oakfield.school, csv(ROWS, row))
    (problem,) = report.errors
    assert (problem.row, problem.field) == (5, field) and message in problem.message
    assert not report.imported and await Pupil.all().count() == 0


async def test_bad_rows_can_be_skipped(oakfield):
    report = await import_pupils(oakfield.school, csv(ROWS, "D1,,,X,bad,Year 7,7A,F\n"),
                                 skip_bad_rows=True)
    assert (report.created, report.skipped, report.imported) == (3, 1, True)


async def test_a_sims_export_is_read_with_its_map(oakfield):
    sims = ("UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg,Gender\n"
            "E123456789012,Brown,Oliver,Ollie,05/05/2013,Year 8,8A,Male\n")
    report = await import_pupils(oakfield.school, sims.encode("cp1252"),
                                 mapping=column_map("sims"))
    assert report.created == 1
    assert (await Pupil.get(upn="E123456789012")).display_name == "Ollie Brown"


async def test_missing_columns_are_named(oakfield):
    with pytest.raises(HavenError, match="no column 'date_of_birth'"):
        await import_pupils(oakfield.school, b"upn,first_name,last_name,year_group\nA,B,C,7\n")


def test_a_column_map_can_be_given_as_json_and_is_checked():
    assert column_map('{"upn": "Pupil UPN"}')["upn"] == "Pupil UPN"
    with pytest.raises(HavenError, match="Unknown field"):
        column_map('{"shoe_size": "Shoes"}')
    with pytest.raises(HavenError, match="not a column map"):
        column_map("capita")


async def test_another_schools_pupils_are_untouched(oakfield, rita):
    from haven.schools.models import School

    riverside = await School.get(slug="riverside")
    await import_pupils(riverside, csv(ROWS))
    report = await import_pupils(oakfield.school, csv(ROWS))
    assert report.created == 3 and await Pupil.filter(school=riverside).count() == 3


def upload(content: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(content), filename="pupils.csv", content_type="text/csv")


async def test_the_import_route_answers_with_the_report(adam):
    response = await adam.post("/api/admin/pupils/import", headers=CSRF,
                               files={"file": upload(csv(ROWS))}, form={"dry_run": "1"})
    body = await response.get_json()
    assert response.status_code == 200 and body["created"] == 3 and body["dry_run"]


async def test_the_import_route_refuses_bad_rows_with_422(adam):
    response = await adam.post("/api/admin/pupils/import", headers=CSRF,
                               files={"file": upload(csv(",x,,y,z,7,7A,F\n"))})
    body = await response.get_json()
    assert response.status_code == 422 and body["errors"][0]["row"] == 2


async def test_staff_cannot_import(client, oakfield):
    from tests.conftest import sign_in

    await sign_in(client, oakfield.alice)
    response = await client.post("/api/admin/pupils/import", headers=CSRF,
                                 files={"file": upload(csv(ROWS))})
    assert response.status_code == 403
    assert await Pupil.all().count() == 0
