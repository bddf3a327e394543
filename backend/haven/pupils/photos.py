"""Pupils' photos, so that staff pick the right child in the typeahead. One per pupil,
replaced when a new one comes (from the MIS export or the admin screen); JPEG or PNG,
without metadata, kept in the data folder like attachments."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from tortoise.transactions import in_transaction

from haven.audit import service as audit
from haven.errors import APIError, NotFound
from haven.incidents import file_types
from haven.incidents.files import CheckedFile, Store, Upload
from haven.pupils.models import Pupil
from haven.schools.models import School

MAX_PHOTO_MB = 5
PHOTO_TYPES = (file_types.JPEG, file_types.PNG)


def check_photo(upload: Upload) -> CheckedFile:
    """Raises APIError 400 PHOTO_NOT_AN_IMAGE or 413 PHOTO_TOO_LARGE."""
    if len(upload.content) > MAX_PHOTO_MB * 1024 * 1024:
        raise APIError(413, "PHOTO_TOO_LARGE", f"{upload.name} is larger than "
                       f"{MAX_PHOTO_MB} MB; a passport-sized photo is plenty.")
    found = file_types.detect(upload.content)
    if found not in PHOTO_TYPES:
        raise APIError(400, "PHOTO_NOT_AN_IMAGE", f"{upload.name}: a pupil's photo must be "
                       "a JPEG or PNG image.")
    content = file_types.strip_metadata(found, upload.content)
    return CheckedFile(upload.name, found.content_type, content,
                       hashlib.sha256(content).hexdigest())


async def _pupil(school_id: int, pupil_id: int) -> Pupil:
    pupil = await Pupil.get_or_none(id=pupil_id, school_id=school_id)
    if pupil is None:
        raise NotFound("That pupil")
    return pupil


async def set_photo(school: School, pupil_id: int, upload: Upload, store: Store, *,
                    actor_id: int | None) -> Pupil:
    """Give a pupil of this school a photo, replacing any earlier one (NotFound for
    another school's pupil)."""
    pupil = await _pupil(school.id, pupil_id)
    photo = await asyncio.to_thread(check_photo, upload)
    async with store.kept([photo], _not_photos) as (stored_as,):
        async with in_transaction():
            # Locked, so that two new photos at once cannot both replace the same old one.
            pupil = await Pupil.select_for_update().get(id=pupil.id)
            earlier = pupil.photo
            pupil.photo = stored_as
            await pupil.save(update_fields=["photo"])
            await audit.record("pupil_photo_set", school_id=school.id, actor_id=actor_id,
                               target_type="pupil", target_id=pupil.id)
    if earlier:
        await store.remove([earlier])
    return pupil


async def _not_photos(stored: list[str]) -> list[str]:
    used = set(await Pupil.filter(photo__in=stored).values_list("photo", flat=True))
    return [name for name in stored if name not in used]


async def remove_photo(school: School, pupil_id: int, store: Store, *,
                       actor_id: int) -> None:
    pupil = await _pupil(school.id, pupil_id)
    earlier = pupil.photo
    if earlier is None:
        return
    async with in_transaction():
        pupil.photo = None
        await pupil.save(update_fields=["photo"])
        await audit.record("pupil_photo_removed", school_id=school.id, actor_id=actor_id,
                           target_type="pupil", target_id=pupil.id)
    await store.remove([earlier])


async def photo_file(school_id: int, pupil_id: int, store: Store) -> tuple[Path, str]:
    """(the photo's path, its type) for a pupil of this school; NotFound when there is
    none."""
    pupil = await _pupil(school_id, pupil_id)
    if pupil.photo is None:
        raise NotFound("That pupil's photo")
    path = store.path(pupil.photo)
    head = await asyncio.to_thread(lambda: path.open("rb").read(16))
    return path, file_types.detect(head).content_type


async def import_folder(school: School, folder: Path, store: Store) -> dict:
    """Photos named by UPN (A123456789012.jpg), as MIS exports them: each given to the
    pupil with that UPN. Returns counts, and the files that matched no pupil or were not
    photos, by name."""
    by_upn = {p.upn.upper(): p.id for p in await Pupil.filter(school=school)}
    report = {"imported": 0, "unknown_upn": [], "refused": []}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        pupil_id = by_upn.get(path.stem.upper())
        if pupil_id is None:
            report["unknown_upn"].append(path.name)
            continue
        try:
            content = await asyncio.to_thread(path.read_bytes)
            await set_photo(school, pupil_id, Upload(path.name, content), store, actor_id=None)
        except APIError as error:
            report["refused"].append(error.message)  # it names the file
            continue
        report["imported"] += 1
    return report
