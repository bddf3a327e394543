"""Schools: the tenants. Every record in Haven belongs to one."""

from __future__ import annotations

import re

from tortoise.transactions import in_transaction

from haven.audit import service as audit
from haven.errors import APIError, HavenError
from haven.incidents.categories import seed_defaults
from haven.schools.models import DEFAULT_SETTINGS, School

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


async def add_school(name: str, slug: str, *, actor_id: int | None = None) -> School:
    """Create a school. Raises HavenError when the name or slug is unusable or taken."""
    name, slug = name.strip(), slug.strip().lower()
    if not name or len(name) > 200:
        raise HavenError("The school's name must be 1 to 200 characters.")
    if not SLUG.match(slug):
        raise HavenError(
            f"'{slug}' is not a usable slug: use lower-case letters, digits and hyphens "
            "(e.g. st-marys), at most 64 characters."
        )
    async with in_transaction():
        if await School.exists(slug=slug):
            raise HavenError(f"A school with the slug '{slug}' already exists.")
        school = await School.create(name=name, slug=slug)
        await seed_defaults(school)
        await audit.record(
            "school_added", school_id=school.id, actor_id=actor_id,
            target_type="school", target_id=school.id, detail={"name": name, "slug": slug},
        )
    return school


async def find_school(slug: str | None) -> School:
    """The school with this slug, or the only school when slug is None.

    Raises HavenError when there is no such school, or several and no slug was given.
    """
    if slug:
        school = await School.get_or_none(slug=slug.strip().lower())
        if school is None:
            raise HavenError(f"There is no school with the slug '{slug}'.")
        return school
    schools = await School.all().limit(2)
    if not schools:
        raise HavenError("There is no school yet: add one with `haven school add NAME --slug SLUG`.")
    if len(schools) > 1:
        raise HavenError("There are several schools: say which with --school SLUG.")
    return schools[0]


def school_not_found() -> APIError:
    return APIError(404, "SCHOOL_NOT_FOUND", "There is no such school.")


async def update_settings(school: School, changes: dict, *, actor_id: int) -> dict:
    """Change some of a school's settings (already checked by the route's schema); the
    changed names and values go to the audit trail. Returns all the settings."""
    settings = {**DEFAULT_SETTINGS, **(school.settings or {})}
    changed = {name: value for name, value in changes.items() if settings.get(name) != value}
    if changed:
        async with in_transaction():
            settings.update(changed)
            await School.filter(id=school.id).update(settings=settings)
            await audit.record("settings_changed", school_id=school.id, actor_id=actor_id,
                               target_type="school", target_id=school.id, detail=changed)
        school.settings = settings
    return settings


def all_settings(school: School) -> dict:
    return {**DEFAULT_SETTINGS, **(school.settings or {})}
