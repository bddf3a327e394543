"""Prototypes of the fixes that bench/RESULTS.md recommends, to measure them before they
are made in Haven itself. Not part of Haven and never imported by it: Python imports a
`sitecustomize` module at start when its folder is on PYTHONPATH, so

    HB_PATCH=reset,typeahead,chronology,perpage PYTHONPATH=$PWD/bench/prototype \\
        .venv/bin/python bench/http.py --database postgres --chronology-per-page 2000

runs the benchmark's server with them (http.py passes the environment on). The patches:

  reset       asyncpg's pool runs "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
              RESET ALL" each time a connection goes back to the pool, i.e. one more round
              trip after every statement run outside a transaction. Haven keeps no session
              state on a connection (its advisory locks are transaction-scoped), so pass
              create_pool(reset=...) a no-op (haven/db.py, the "credentials" of the
              connection dict).
  typeahead   pupils.service.find reads the 6 columns it shows with values_list instead of
              building up to 500 Pupil models of 13 fields each.
  chronology  incidents.service.chronology: the incidents naming the pupil by two index
              lookups (incident.pupil_id, incident_pupil.pupil_id) instead of an OR beside
              school_id, rows as values() (author and category names by join, not whole
              User and Category models: no password hashes read), and each action's
              incident number from a dict instead of a scan of all incidents per action.
  perpage     the chronology route accepts per_page up to 5,000, so one request carries all
              2,000 entries (the page is sliced from the whole list anyway).

Two indexes go with them (made by hand for the measurement, then dropped; they belong in a
migration):
  CREATE INDEX ON body_map_marker (incident_id);   -- GET /api/incidents/{id}
  CREATE INDEX ON idempotency_record (created_at); -- the purge on every submission
"""
import os
_patches = set(filter(None, os.environ.get("HB_PATCH", "").split(",")))

if "reset" in _patches:
    import asyncpg
    _create_pool = asyncpg.create_pool

    async def _no_reset(connection):  # Haven keeps no session state on a connection
        return None

    def create_pool(*args, **kwargs):
        kwargs.setdefault("reset", _no_reset)
        return _create_pool(*args, **kwargs)

    asyncpg.create_pool = create_pool

if "typeahead" in _patches:
    from tortoise.expressions import Q
    from haven import clock
    from haven.pupils import service as pupils
    from haven.pupils.models import Pupil

    class Match:
        __slots__ = ("id", "first_name", "preferred_name", "last_name", "year_group", "form")

        def __init__(self, row):
            for name, value in zip(self.__slots__, row):
                setattr(self, name, value)

        @property
        def display_name(self):
            return f"{self.preferred_name or self.first_name} {self.last_name}"

    async def find(school, query, *, limit=pupils.MAX_RESULTS):
        words = [w for w in query.lower().split() if w][:4]
        if not words:
            return []
        today = clock.now().date()
        candidates = Pupil.filter(school=school).filter(Q(left_on=None) | Q(left_on__gt=today))
        for word in words:
            candidates = candidates.filter(
                Q(first_name__icontains=word) | Q(preferred_name__icontains=word)
                | Q(last_name__icontains=word) | Q(form__icontains=word))
        found = [Match(r) for r in await candidates.limit(500).values_list(*Match.__slots__)]
        found.sort(key=lambda p: (not all(pupils._starts(p, w) for w in words),
                                  p.last_name.lower(), p.display_name.lower(), p.id))
        return found[:limit]

    pupils.find = find

if "chronology" in _patches:
    from tortoise.expressions import Q  # noqa: F811
    from haven.accounts.models import KEY_HOLDER_ROLES
    from haven.audit import service as audit
    from haven.errors import NotFound
    from haven.incidents import service
    from haven.incidents.models import Action, Incident, IncidentCategory, IncidentPupil
    from haven.pupils.models import Pupil
    from haven.pupils.service import summary as pupil_summary

    async def chronology(session, pupil_id, roles, *, category_id=None, since=None,
                         until=None, page=1, per_page=100, ip_address=""):
        pupil = await Pupil.get_or_none(id=pupil_id, school_id=session.school_id)
        if pupil is None:
            raise NotFound("That pupil")
        key_roles = {r.value for r in roles if r in KEY_HOLDER_ROLES}
        linked = dict(await IncidentPupil.filter(pupil=pupil).values_list("incident_id", "role"))
        # Two index lookups (incident.pupil_id, incident_pupil.pupil_id), not an OR over
        # every incident of the school.
        named = set(await Incident.filter(pupil=pupil).values_list("id", flat=True)) | set(linked)
        query = Incident.filter(school_id=session.school_id, id__in=list(named))
        if category_id is not None:
            query = query.filter(category_links__category_id=category_id)
        if since:
            query = query.filter(occurred_at__gte=since)
        if until:
            query = query.filter(occurred_at__lte=until)
        found = await query.distinct().order_by("occurred_at", "id").values(
            "id", "number", "pupil_id", "occurred_at", "account", author="author__name")
        categories, restricted = {}, {}
        for incident_id, name, visible in await IncidentCategory.filter(
                incident_id__in=[i["id"] for i in found]).values_list(
                "incident_id", "category__name", "category__visible_to_roles"):
            categories.setdefault(incident_id, []).append(name)
            if visible:
                allowed = restricted.get(incident_id)
                restricted[incident_id] = set(visible) if allowed is None else allowed & set(visible)
        visible = [i for i in found if i["id"] not in restricted or restricted[i["id"]] & key_roles]
        numbers = {i["id"]: i["number"] for i in visible}
        actions = await Action.filter(incident_id__in=list(numbers)).values(
            "recorded_at", "incident_id", "text", "kind", author="author__name")
        entries = [
            {"type": "incident", "at": i["occurred_at"], "incident_id": i["id"],
             "number": i["number"],
             "role": "subject" if i["pupil_id"] == pupil.id else linked.get(i["id"], "involved"),
             "categories": categories.get(i["id"], []), "text": i["account"],
             "author": i["author"]}
            for i in visible
        ] + [
            {"type": "action", "at": a["recorded_at"], "incident_id": a["incident_id"],
             "number": numbers[a["incident_id"]], "role": None, "categories": [],
             "text": a["text"], "author": a["author"], "kind": a["kind"]}
            for a in actions
        ]
        entries.sort(key=lambda e: (e["at"], e["type"] == "action"))
        start = (page - 1) * per_page
        await audit.record("chronology_viewed", school_id=session.school_id,
                           actor_id=session.user_id, target_type="pupil", target_id=pupil.id,
                           ip_address=ip_address)
        return {"pupil": pupil_summary(pupil), "total": len(entries), "page": page,
                "per_page": per_page, "entries": entries[start:start + per_page]}

    service._original_chronology = service.chronology
    service.chronology = chronology

if "perpage" in _patches:  # let one request carry all 2,000 entries
    import annotated_types
    from haven.incidents import routes
    field = routes.ChronologyQuery.model_fields["per_page"]
    field.metadata = [m for m in field.metadata if not isinstance(m, annotated_types.Le)] + [
        annotated_types.Le(5000)]
    routes.ChronologyQuery.model_rebuild(force=True)
