"""Files attached to incidents and actions: checked, cleaned, kept, and handed back only to
people who may read the incident.

A file's content is written to the data folder (files/ab/abcdef..., a random name; the
uploader's name for it is only shown) before the transaction that records the incident, so
no disk work happens while the database is locked; if that transaction fails, the files
written for it are removed again (Store.kept). The content never changes after that: its
SHA-256 is recorded with it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from haven import clock
from haven.config import Settings
from haven.errors import APIError
from haven.incidents import file_types
from haven.incidents.models import Action, Attachment, Incident
from haven.pupils.models import Pupil

MB = 1024 * 1024
ORPHAN_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name on the uploader's device and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_mb: int


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes
    sha256: str


def safe_name(name: str) -> str:
    """The last part of a path, without control characters, at most 255 characters: shown
    to people and offered as the download's name."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        return "file"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 255:
        name = (stem[:255 - len(extension) - 1] + dot + extension) if dot else name[:255]
    return name


def content_disposition(name: str) -> str:
    """A download under its name: plain ASCII for old clients (anything else, and quotes
    and backslashes, as _), and the exact name percent-encoded for the rest (RFC 6266)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _check_one(upload: Upload, limits: Limits) -> CheckedFile:
    name = safe_name(upload.name)
    if len(upload.content) > limits.max_file_mb * MB:
        raise APIError(413, "FILE_TOO_LARGE", f"{name} is larger than {limits.max_file_mb} "
                       "MB, the largest file Haven accepts.")
    file_type = file_types.check(name, upload.content)
    content = file_types.strip_metadata(file_type, upload.content)
    return CheckedFile(name, file_type.content_type, content,
                       hashlib.sha256(content).hexdigest())


async def check(uploads: list[Upload], limits: Limits) -> list[CheckedFile]:
    """Every upload checked and cleaned (in a thread: photos can be large). Raises
    APIError 400 TOO_MANY_FILES, 413 FILE_TOO_LARGE, 400 FILE_TYPE_NOT_ALLOWED,
    FILE_EMPTY or FILE_DAMAGED, naming the file."""
    if len(uploads) > limits.max_files:
        raise APIError(400, "TOO_MANY_FILES", f"Attach at most {limits.max_files} files; "
                       f"there are {len(uploads)}.")
    return await asyncio.to_thread(lambda: [_check_one(u, limits) for u in uploads])


def digest(uploads: list[Upload]) -> list[dict]:
    """What identifies the files of a submission, for comparing it with a replay."""
    return [{"name": u.name, "sha256": hashlib.sha256(u.content).hexdigest()}
            for u in uploads]


class Store:
    """The folder that holds attachments' content, and how many and how large they may be."""

    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder = folder
        self.limits = limits

    @classmethod
    def of(cls, settings: Settings) -> Store:
        """The store in the data folder, with the limits the settings set."""
        return cls(settings.data_dir / "files",
                   Limits(max_files=settings.max_files, max_file_mb=settings.max_file_mb))

    @asynccontextmanager
    async def kept(self, files: list[CheckedFile],
                   unreferenced: Callable[[list[str]], Awaitable[list[str]]]):
        """Writes the files for the block, which records them (yields their stored names, in
        order). If the block fails or is cancelled (the client went away), every file that
        `unreferenced` says nothing points to is removed again: the database is asked, as a
        cancellation can come while a commit is in flight."""
        written: list[str] = []
        try:
            await self._write_all(files, written)
            yield written
        except BaseException:
            if written:
                await self.remove(await unreferenced(list(written)))
            raise

    def path(self, stored_as: str) -> Path:
        return self.folder / stored_as[:2] / stored_as

    def _write(self, content: bytes) -> str:
        stored_as = secrets.token_hex(16)
        path = self.path(stored_as)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".part")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return stored_as

    def _write_each(self, files: list[CheckedFile], written: list[str]) -> None:
        for file in files:
            written.append(self._write(file.content))

    async def _write_all(self, files: list[CheckedFile], written: list[str]) -> None:
        """Each file written durably, its stored name appended to `written`. If the caller
        is cancelled, the thread still finishes: waited for, so `written` is complete."""
        work = asyncio.ensure_future(asyncio.to_thread(self._write_each, files, written))
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            await asyncio.wait([work])
            raise

    def _old_files(self, cutoff: float) -> list[Path]:
        if not self.folder.exists():
            return []
        return [path for path in self.folder.glob("*/*")
                if path.is_file() and path.stat().st_mtime < cutoff]

    async def sweep_orphans(self, *, older_than: timedelta = ORPHAN_AGE) -> int:
        """Removes files that no attachment or pupil photo records and that are older than
        an hour: what a server stopped between writing a submission's files and recording
        them leaves behind (a submission has 15 minutes to arrive, so nothing still in
        flight is that old). Returns how many were removed."""
        paths = await asyncio.to_thread(self._old_files, time.time() - older_than.total_seconds())
        removed = 0
        for start in range(0, len(paths), 500):
            batch = paths[start:start + 500]
            used = await _in_use([p.name for p in batch])
            orphans = [p for p in batch if p.name not in used]
            await asyncio.to_thread(lambda: [p.unlink(missing_ok=True) for p in orphans])
            removed += len(orphans)
        return removed

    async def remove(self, stored: list[str]) -> None:
        await asyncio.to_thread(
            lambda: [self.path(name).unlink(missing_ok=True) for name in stored])


async def _in_use(names: list[str]) -> set[str]:
    attachments = await Attachment.filter(stored_as__in=names).values_list("stored_as",
                                                                          flat=True)
    photos = await Pupil.filter(photo__in=names).values_list("photo", flat=True)
    return set(attachments) | set(photos)


async def unrecorded(stored: list[str]) -> list[str]:
    """Those of the stored names no attachment row holds."""
    recorded = set(await Attachment.filter(stored_as__in=stored).values_list("stored_as",
                                                                             flat=True))
    return [name for name in stored if name not in recorded]


async def record(files: list[CheckedFile], stored: list[str], *, incident: Incident,
                 uploaded_by_id: int, action: Action | None = None) -> list[Attachment]:
    """The attachments' rows, inside the caller's transaction."""
    moment = clock.now()
    return [
        await Attachment.create(
            school_id=incident.school_id, incident=incident, action=action,
            uploaded_by_id=uploaded_by_id, name=f.name, content_type=f.content_type,
            size=len(f.content), sha256=f.sha256, stored_as=stored_as, uploaded_at=moment)
        for f, stored_as in zip(files, stored, strict=True)
    ]


def describe(attachment: Attachment) -> dict:
    return {"id": attachment.id, "name": attachment.name,
            "content_type": attachment.content_type, "size": attachment.size,
            "action_id": attachment.action_id}
