"""Categories and agencies: each school's reference lists for recording a concern.

A new school starts with a default set drawn from Keeping Children Safe in Education's
types of abuse and the agencies schools most often refer to; administrators change them.
Nothing is ever deleted (incidents refer to them): an entry is retired instead.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from haven.accounts.models import Membership, Role
from haven.audit import service as audit
from haven.errors import APIError, NotFound
from haven.incidents.models import Agency, Category
from haven.schools.models import School

DSL_ONLY = ["dsl"]

# (name, guidance, alert role, visible to roles, children as (name, guidance))
DEFAULT_CATEGORIES = [
    ("Child protection",
     "A child may be at risk of significant harm. Record exactly what you saw and what "
     "the child said, in their words. Do not promise to keep a secret, do not ask leading "
     "questions, and tell the DSL in person at once as well.",
     "dsl", DSL_ONLY,
     [("Physical abuse", "Injuries, marks or bruises, and what the child said about them. "
                         "Mark them on the body map."),
      ("Emotional abuse", "What was said or seen, how often, and the effect on the child."),
      ("Sexual abuse", "The child's own words. Do not examine or photograph the child."),
      ("Neglect", "Hunger, hygiene, clothing, tiredness, missed medical care: what you "
                  "noticed and since when."),
      ("Child-on-child abuse", "Record each child involved, with their role, as linked "
                               "pupils."),
      ("Female genital mutilation", "Teachers must report known cases to the police "
                                    "(mandatory reporting duty). Tell the DSL at once."),
      ("Domestic abuse", "What the child saw, heard or said about home.")]),
    ("Exploitation",
     "Signs of criminal or sexual exploitation: unexplained money or gifts, new older "
     "friends, going missing, county lines.",
     "dsl", DSL_ONLY,
     [("Child criminal exploitation", ""), ("Child sexual exploitation", ""),
      ("Missing from education or home", "When the child was last seen, and by whom.")]),
    ("Radicalisation (Prevent)",
     "Views or behaviour that suggest a risk of radicalisation. Record what was said or "
     "shared, word for word.",
     "dsl", DSL_ONLY, []),
    ("Wellbeing",
     "A worry about a child's wellbeing that is not (yet) a child protection concern.",
     None, [],
     [("Mental health", ""), ("Self-harm", "Any injury seen, and the child's words. Tell the "
                                           "DSL the same day."),
      ("Bereavement or loss", ""), ("Young carer", ""), ("Attendance", "")]),
    ("Behaviour and relationships",
     "Incidents between pupils, and online safety.",
     None, [],
     [("Bullying", "Who was involved, where and how often."),
      ("Prejudice-related incident", "The words used, exactly."),
      ("Online safety", "What was seen or shared, on which app, and when. Do not copy or "
                        "forward images.")]),
]

# Seeded categories (with their children) whose pushes come through quiet hours and
# which escalate when no key holder has read an incident in time.
URGENT = {"Child protection": {"urgent": True, "escalate_after_minutes": 15}}

DEFAULT_AGENCIES = [
    "Police", "Children's social care", "Early help", "CAMHS", "School nurse", "GP",
    "Prevent", "Local authority designated officer (LADO)", "Education welfare service",
    "Health visitor",
]


async def seed_defaults(school: School) -> None:
    """Give a new school the default categories and agencies (in the caller's transaction)."""
    for position, (name, guidance, role, visible, children) in enumerate(DEFAULT_CATEGORIES):
        urgency = URGENT.get(name, {})
        parent = await Category.create(school=school, name=name, guidance=guidance,
                                       alert_role=role, visible_to_roles=visible,
                                       position=position, **urgency)
        for child_position, (child, child_guidance) in enumerate(children):
            await Category.create(school=school, parent=parent, name=child,
                                  guidance=child_guidance or guidance, alert_role=role,
                                  visible_to_roles=visible, position=child_position,
                                  **urgency)
    await Agency.bulk_create([Agency(school=school, name=name, position=position)
                              for position, name in enumerate(DEFAULT_AGENCIES)])


def category_json(category: Category) -> dict:
    return {
        "id": category.id,
        "parent_id": category.parent_id,
        "name": category.name,
        "guidance": category.guidance,
        "alert_role": category.alert_role,
        "alert_user_ids": category.alert_user_ids,
        "visible_to_roles": category.visible_to_roles,
        "position": category.position,
        "active": category.active,
        "urgent": category.urgent,
        "escalate_after_minutes": category.escalate_after_minutes,
    }


def agency_json(agency: Agency) -> dict:
    return {"id": agency.id, "name": agency.name, "position": agency.position,
            "active": agency.active}


async def categories(school: School, *, include_retired: bool = False) -> list[dict]:
    """Top-level categories in order, each followed by its children in order."""
    query = Category.filter(school=school)
    if not include_retired:
        query = query.filter(active=True)
    found = await query.order_by("position", "name")
    tops = [c for c in found if c.parent_id is None]
    ordered = []
    for top in tops:
        ordered.append(top)
        ordered.extend(c for c in found if c.parent_id == top.id)
    return [category_json(c) for c in ordered]


async def agencies(school: School, *, include_retired: bool = False) -> list[dict]:
    query = Agency.filter(school=school)
    if not include_retired:
        query = query.filter(active=True)
    return [agency_json(a) for a in await query.order_by("position", "name")]


async def _check_alerts(school: School, alert_role: str | None, alert_user_ids: list[int],
                        visible_to_roles: list[str]) -> None:
    roles = {role.value for role in Role}
    if alert_role is not None and alert_role not in roles:
        raise APIError(400, "INVALID_ROLE", f"'{alert_role}' is not a role.")
    unknown_roles = set(visible_to_roles) - roles
    if unknown_roles:
        raise APIError(400, "INVALID_ROLE", f"Not roles: {', '.join(sorted(unknown_roles))}.")
    members = set(await Membership.filter(school=school, user_id__in=alert_user_ids)
                  .values_list("user_id", flat=True))
    if set(alert_user_ids) - members:
        raise APIError(400, "UNKNOWN_STAFF", "Some of the staff to alert do not work here.")


async def save_category(school: School, values: dict, *, actor_id: int,
                        category_id: int | None = None) -> dict:
    """Add a category, or change one (`values` holds only what changes). Raises
    APIError for an unknown parent, a third level, a role or person that does not exist
    here, or a name already used at that level."""
    category = None
    if category_id is not None:
        category = await Category.get_or_none(id=category_id, school=school)
        if category is None:
            raise NotFound("That category")
    merged = {**(category_json(category) if category else {}), **values}
    parent_id = merged.get("parent_id")
    if parent_id is not None:
        parent = await Category.get_or_none(id=parent_id, school=school)
        if parent is None:
            raise APIError(400, "UNKNOWN_PARENT", "There is no such parent category here.")
        if parent.parent_id is not None or parent_id == category_id:
            raise APIError(400, "TOO_DEEP", "Categories have two levels: choose a top-level "
                           "category as the parent.")
        if category and await Category.exists(parent_id=category.id):
            raise APIError(400, "TOO_DEEP", "This category has its own sub-categories, so "
                           "it must stay at the top level.")
    await _check_alerts(school, merged.get("alert_role"), merged.get("alert_user_ids") or [],
                        merged.get("visible_to_roles") or [])
    clash = Category.filter(school=school, parent_id=parent_id, name=merged["name"])
    if category:
        clash = clash.exclude(id=category.id)
    if await clash.exists():
        raise APIError(409, "NAME_TAKEN", f"There is already a category '{merged['name']}' "
                       "there.")
    fields = {k: merged[k] for k in ("parent_id", "name", "guidance", "alert_role",
                                     "alert_user_ids", "visible_to_roles", "position",
                                     "urgent", "escalate_after_minutes",
                                     "active") if k in merged}
    async with in_transaction():
        if category:
            await Category.filter(id=category.id).update(**fields)
        else:
            category = await Category.create(school=school, **fields)
        await audit.record("category_saved", school_id=school.id, actor_id=actor_id,
                           target_type="category", target_id=category.id,
                           detail={k: v for k, v in values.items() if k != "guidance"})
    return category_json(await Category.get(id=category.id))


async def save_agency(school: School, values: dict, *, actor_id: int,
                      agency_id: int | None = None) -> dict:
    agency = None
    if agency_id is not None:
        agency = await Agency.get_or_none(id=agency_id, school=school)
        if agency is None:
            raise NotFound("That agency")
    name = values.get("name", agency.name if agency else "")
    clash = Agency.filter(school=school, name=name)
    if agency:
        clash = clash.exclude(id=agency.id)
    if await clash.exists():
        raise APIError(409, "NAME_TAKEN", f"There is already an agency '{name}'.")
    async with in_transaction():
        if agency:
            await Agency.filter(id=agency.id).update(**values)
        else:
            agency = await Agency.create(school=school, **values)
        await audit.record("agency_saved", school_id=school.id, actor_id=actor_id,
                           target_type="agency", target_id=agency.id, detail=values)
    return agency_json(await Agency.get(id=agency.id))
