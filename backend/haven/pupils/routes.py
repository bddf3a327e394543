"""GET /api/pupils?q= (the typeahead), GET /api/pupils/{id} (the profile, for key
holders), pupils' photos, and POST /api/admin/pupils/import."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from quart import Blueprint, current_app, request, send_file
from quart_schema import validate_querystring, validate_response

from haven.audit import service as audit
from haven.errors import APIError, NotFound
from haven.incidents.files import Store, Upload
from haven.pupils import importer, photos
from haven.pupils import service as pupils
from haven.pupils.models import Pupil
from haven.web.access import (
    admin,
    client_ip,
    current_session,
    key_holder,
    settings,
    signed_in,
)
from haven.web.submissions import takes_files

blueprint = Blueprint("pupils", __name__)


class PupilQuery(BaseModel):
    q: str = Field(default="", max_length=100)


class PupilMatch(BaseModel):
    id: int
    name: str
    year_group: str
    form: str
    photo_url: str | None


class PupilMatches(BaseModel):
    pupils: list[PupilMatch]


class RowProblem(BaseModel):
    row: int
    field: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    imported: bool
    created: int
    updated: int
    unchanged: int
    marked_left: int
    skipped: int
    errors: list[RowProblem]


@blueprint.get("/api/pupils")
@signed_in
@validate_querystring(PupilQuery)
@validate_response(PupilMatches, 200)
async def typeahead(query_args: PupilQuery):
    found = await pupils.find(current_app.extensions["haven_rolls"],
                              current_session().school, query_args.q)
    return {"pupils": [pupils.typeahead_entry(p) for p in found]}, 200


class PupilProfile(PupilMatch):
    upn: str
    first_name: str
    preferred_name: str
    last_name: str
    date_of_birth: date
    gender: str
    on_roll: bool
    left_on: date | None


@blueprint.get("/api/pupils/<int:pupil_id>")
@key_holder
@validate_response(PupilProfile, 200)
async def pupil_profile(pupil_id: int):
    session = current_session()
    pupil = await Pupil.get_or_none(id=pupil_id, school_id=session.school_id)
    if pupil is None:
        raise NotFound("That pupil")
    await audit.record("pupil_viewed", school_id=session.school_id, actor_id=session.user_id,
                       target_type="pupil", target_id=pupil.id, ip_address=client_ip())
    return pupils.profile(pupil), 200


@blueprint.get("/api/pupils/<int:pupil_id>/photo")
@signed_in
async def photo(pupil_id: int):
    path, content_type = await photos.photo_file(current_session().school_id, pupil_id,
                                                 Store.of(settings()))
    return await send_file(path, mimetype=content_type, conditional=False)


class PhotoOut(BaseModel):
    photo_url: str | None


@blueprint.put("/api/admin/pupils/<int:pupil_id>/photo")
@admin
@takes_files
@validate_response(PhotoOut, 200)
async def set_photo(pupil_id: int):
    """Multipart: the photo (JPEG or PNG, up to 5 MB) as the form field `file`."""
    upload = (await request.files).get("file")
    if upload is None:
        raise APIError(400, "FILE_REQUIRED", "Attach the photo as the form field 'file'.")
    session = current_session()
    pupil = await photos.set_photo(session.school, pupil_id,
                                   Upload(upload.filename or "photo", upload.read()),
                                   Store.of(settings()), actor_id=session.user_id)
    return {"photo_url": pupils.photo_url(pupil)}, 200


@blueprint.delete("/api/admin/pupils/<int:pupil_id>/photo")
@admin
async def remove_photo(pupil_id: int):
    session = current_session()
    await photos.remove_photo(session.school, pupil_id, Store.of(settings()),
                              actor_id=session.user_id)
    return "", 204


def _flag(form, name: str) -> bool:
    return form.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@blueprint.post("/api/admin/pupils/import")
@admin
@takes_files
@validate_response(ImportReport, 200)
@validate_response(ImportReport, 422)
async def import_pupils():
    """Multipart: `file` (the CSV), and optionally `map` (haven, sims, arbor or a JSON
    object), `dry_run`, `skip_bad_rows`, `partial` (do not mark missing pupils as left).
    422 with the per-row errors when a bad row stopped the import."""
    form, files = await request.form, await request.files
    upload = files.get("file")
    if upload is None:
        raise APIError(400, "FILE_REQUIRED", "Attach the CSV file as the form field 'file'.")
    report = await importer.import_pupils(
        current_session().school,
        upload.read(),
        mapping=importer.column_map(form.get("map")),
        dry_run=_flag(form, "dry_run"),
        skip_bad_rows=_flag(form, "skip_bad_rows"),
        full=not _flag(form, "partial"),
        actor_id=current_session().user_id,
    )
    stopped = report.errors and not _flag(form, "skip_bad_rows")
    return report.as_json(), 422 if stopped else 200
