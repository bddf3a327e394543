"""Make a trust-sized data set for the HTTP benchmark (issue 4): schools, staff, pupils,
incidents with their links, categories, agencies, body maps, actions and alerts.

    # PostgreSQL: 50 schools, 75,000 pupils, 1,000,000 incidents (the default)
    .venv/bin/python bench/make_trust.py --fresh
    # SQLite: one school with 1,500 pupils and 20,000 incidents
    .venv/bin/python bench/make_trust.py --fresh --database-url sqlite \\
        --schools 1 --incidents 20000

Options: --database-url (default postgres://postgres@127.0.0.1:5432/haven_bench; `sqlite`
means haven.sqlite3 in the data folder), --data-dir (default bench/.data/<database>),
--schools, --pupils-per-school, --staff-per-school, --incidents, --seed, --fresh (drop
the database, or the SQLite file, and start again; without it an existing data set is
refused).

How: the schema is built by Haven's own migrations, the keys by Haven's own `init` code
and each school by `add_school` (default categories and agencies, audited). Everything
else is written in bulk: COPY through asyncpg on PostgreSQL, executemany in one
transaction on SQLite. The incident tables' triggers refuse only UPDATE and DELETE, so
plain inserts are fine. On PostgreSQL the load runs with session_replication_role =
replica, which skips the per-row foreign-key triggers (they would take a row lock on the
referenced row for each of ~9 million rows); every foreign key is checked afterwards with
one anti-join each, and the run fails if any row points nowhere.

What it makes, per school: ~90 staff (a head and 4 other senior leaders, one of them the
DSL, 2 deputy DSLs, 2 administrators, the rest staff), pupils in years 7 to 13 with
forms, dates of birth that match the year group and a few leavers, and incidents on
school days since September 2020 that each pupil could have had while at the school.
Incidents per pupil are heavily skewed (a few pupils have hundreds; many have none);
numbers are sequential per school in the order they were recorded; ids follow time
across the whole trust. Alerts follow Haven's rules (chosen staff, the senior team, the
category's group; never the author), most of them read. Idempotency records exist for
the last 30 days' incidents. One pupil of the first school has exactly 2,000 chronology
entries (incidents and actions) for the chronology benchmark. Not made: sessions, the
audit trail of past events and sent emails (none of them is read by the routes
benchmarked).

Every generated user has the password in PASSWORD (one argon2id hash, made once, shared)
and every key holder and administrator has the same authenticator secret, written with
the rest of what the benchmark needs to data-dir/bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pyotp

from haven.accounts import totp
from haven.accounts.passwords import hash_password
from haven.db import close_database, migrate, open_database
from haven.incidents.models import Agency, Category
from haven.keys import ensure_keys, load_service_keys
from haven.schools.service import add_school

PASSWORD = "Bench-Trust-2026!"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/haven_bench"
HEAVY_ENTRIES = 2000
HEAVY_SUBJECT, HEAVY_LINKED = 650, 150  # incidents; the rest of the 2,000 are actions
HISTORY_FROM = date(2020, 9, 1)
NEVER_TOUCH = {"postgres", "test", "template0", "template1"}
STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", flush=True)


# --- names -------------------------------------------------------------------------------

PLACES = (
    "Oakfield Riverside Ashby Hillcrest Kingsmead Thornbury Westfield Brookside Elmwood "
    "Fairfax Greenhill Hartley Lindley Meadowbank Northgate Parkside Queensbury Redbridge "
    "Southfield Stanway Tollgate Upton Valley Wembury Whitecross Abbeyfield Beacon "
    "Castlebrook Denby Eastwood Foxhill Glenmoor Hawthorn Ivybridge Kestrel Langley "
    "Marlborough Newbold Orchard Pennine Ravenscroft Sandhurst Trinity Wolsey Yardley "
    "Bramcote Cheadle Dunmore Exley Fernwood Gosforth"
).split()
SCHOOL_KINDS = ("Academy", "High School", "School", "Community College", "Academy",
                "Church of England Academy", "Catholic High School", "Grammar School")
GIRLS = (
    "Amelia Olivia Isla Ava Mia Ivy Lily Freya Grace Willow Sophia Florence Evie Ella Rosie "
    "Aisha Zara Maryam Chloe Ruby Poppy Isabella Harper Sienna Daisy Phoebe Matilda Millie "
    "Emily Jessica Holly Hannah Amber Layla Eliza Imogen Lucy Nancy Esme Maisie Erin Scarlett "
    "Fatima Zainab Amira Hafsa Priya Anaya Saanvi Leah Megan Niamh Caitlin Molly Bethany "
    "Abigail Chelsea Courtney Jade Kayla Tia Keira Lexi Paige Shannon Alicia Aaliyah Ellie"
).split()
BOYS = (
    "Noah Oliver George Leo Arthur Muhammad Harry Oscar Jack Charlie Jacob Thomas Alfie "
    "Finley Archie Theo Henry Ibrahim Kai Reuben Tariq Ewan Dylan Freddie Joshua Louis "
    "William James Samuel Max Logan Lucas Ethan Mason Isaac Harrison Joseph Daniel Adam "
    "Ryan Liam Tyler Callum Connor Kieran Jayden Riley Aaron Bilal Hamza Yusuf Omar Ayaan "
    "Arjun Rohan Zain Kacper Jakub Mateusz Luca Nathan Jamie Lewis Owen Rhys Dominic Elliot"
).split()
LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Khan "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Begum Ali "
    "Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
    "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards "
    "Khalid Hussain Ahmed Rahman Iqbal Akhtar Shah Mahmood Singh Kaur Sharma Nowak Kowalski "
    "Wisniewski Okafor Adeyemi Mensah Osei Nguyen Chen Wang Li Zhang O'Brien O'Connor Murray "
    "Campbell Stewart Anderson Graham Kennedy Reid Fraser Hamilton Marshall Gray Webb Palmer "
    "Mills Lloyd Hunt Holmes Fox Knight Russell Burton Atkinson Dawson Rose Barker Gibson"
).split()
STAFF_FIRST = (
    "Sarah Claire Emma Rachel Helen Louise Nicola Joanne Rebecca Laura Kate Jane Victoria Lisa "
    "Amanda Michelle Karen Sophie Hannah Natalie David Paul Andrew Mark Richard Stephen Simon "
    "Matthew Christopher Daniel Michael Jonathan Peter Gareth Neil Ian Robert Tom Adam Ben "
    "Nadia Farah Samira Rajesh Imran Tariq Deepa Anil Chloe Gemma Kerry Dean Craig Lee Wayne"
).split()
SENTENCES = (
    "{name} came to see me at the start of period {n} and was visibly upset.",
    "During break {name} told me that things at home have been difficult this week.",
    "I noticed {name} was wearing the same clothes as yesterday and seemed very tired.",
    "{name} said another pupil had been sending unkind messages on a group chat.",
    "{name} had a bruise on the left forearm; when asked, said it happened at the weekend.",
    "In the corridor after lunch there was a verbal altercation involving {name}.",
    "{name} has been late to registration {n} times this fortnight.",
    "{name} disclosed that they have not been eating breakfast before school.",
    "A parent phoned reception to raise a concern about {name}'s friendship group.",
    "{name} was quiet and withdrawn in the lesson and did not want to go home.",
    "I reminded {name} that I could not keep it a secret and would pass it on to the DSL.",
    "{name} said an older friend has been giving them money and a new phone.",
    "The comments made about {name} in PE were of a racist nature; recorded word for word.",
    "{name} mentioned being kept up late looking after a younger sibling.",
    "I have spoken to the form tutor, who has noticed a change in {name} since half term.",
    "Screenshots were shown to me but I did not take copies, as per the policy.",
    "{name} was collected by an adult the office did not recognise; details noted.",
    "{name} appeared to have been crying and said they did not want to talk about it.",
    "Attendance has dropped to {n}0% this half term.",
    "{name} said they feel anxious most mornings and sometimes cannot sleep.",
)
ACTION_TEXTS = (
    "Spoke with {name} in the pastoral office; agreed a check-in each morning.",
    "Phoned parent/carer; they were aware and are supportive.",
    "Referred to children's social care via the MASH; reference recorded.",
    "Discussed at the weekly safeguarding meeting; continue to monitor.",
    "Early help assessment started with the family.",
    "Form tutor and head of year informed; seating plan changed.",
    "Referral made to CAMHS with parental consent.",
    "Police informed; officer attended and spoke with {name}.",
    "Restorative meeting held between the pupils involved.",
    "No further action at this stage; will review in two weeks.",
    "School nurse to see {name} this week.",
    "Social worker updated by email; awaiting a reply.",
    "Pastoral support plan written and shared with staff who teach {name}.",
    "Attendance officer to make a home visit.",
)
ROLES_BY_CATEGORY = {"Bullying": ("victim", "alleged_perpetrator"),
                     "Child-on-child abuse": ("victim", "alleged_perpetrator"),
                     "Prejudice-related incident": ("victim", "alleged_perpetrator")}
CATEGORY_WEIGHTS = {
    "Child protection": 2, "Physical abuse": 3, "Emotional abuse": 3, "Sexual abuse": 1,
    "Neglect": 4, "Child-on-child abuse": 3, "Female genital mutilation": 0.05,
    "Domestic abuse": 3, "Exploitation": 0.5, "Child criminal exploitation": 1,
    "Child sexual exploitation": 0.7, "Missing from education or home": 1.5,
    "Radicalisation (Prevent)": 0.5, "Wellbeing": 6, "Mental health": 12, "Self-harm": 5,
    "Bereavement or loss": 3, "Young carer": 2, "Attendance": 8,
    "Behaviour and relationships": 5, "Bullying": 12, "Prejudice-related incident": 4,
    "Online safety": 7,
}


# --- the data set in memory ---------------------------------------------------------------


@dataclass
class SchoolData:
    id: int
    slug: str
    name: str
    categories: list[tuple]  # (id, name, alert_role, restricted)
    agencies: list[int]
    staff: list[int] = field(default_factory=list)  # every user with the staff role
    slt: list[int] = field(default_factory=list)
    dsl: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    emails: dict[int, str] = field(default_factory=dict)
    pupils: list[int] = field(default_factory=list)  # ids, on roll or left
    slt_with_dsl: list[int] = field(default_factory=list)
    category_weights: list[float] = field(default_factory=list)  # cumulative


@dataclass
class Tables:
    """Rows to write, per table, as tuples in the order of COLUMNS[table]."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))


COLUMNS = {
    "user": ("id", "email", "name", "password_hash", "is_active", "must_change_password",
             "password_changed_at", "created_at", "totp_confirmed_at", "totp_failures",
             "totp_last_step", "totp_pending_secret", "totp_secret"),
    "membership": ("id", "role", "created_at", "school_id", "user_id"),
    "pupil": ("id", "upn", "first_name", "preferred_name", "last_name", "date_of_birth",
              "year_group", "form", "gender", "on_roll_from", "left_on", "created_at",
              "school_id"),
    "incident": ("id", "number", "account", "occurred_at", "recorded_at", "author_id",
                 "pupil_id", "school_id"),
    "incident_pupil": ("id", "role", "incident_id", "pupil_id", "school_id"),
    "incident_category": ("id", "incident_id", "category_id", "school_id"),
    "incident_agency": ("id", "incident_id", "agency_id", "school_id"),
    "body_map_marker": ("id", "view", "x", "y", "note", "incident_id", "school_id"),
    "incident_action": ("id", "kind", "text", "agency_ids", "recorded_at", "author_id",
                        "incident_id", "school_id"),
    "alert": ("id", "reason", "created_at", "read_at", "incident_id", "recipient_id",
              "school_id"),
    "idempotency_record": ("id", "key", "request_hash", "done", "resource_type",
                           "resource_id", "created_at", "school_id", "user_id"),
}
TABLE_ORDER = list(COLUMNS)


def school_days(first: date, last: date) -> list[date]:
    """Weekdays outside August: close enough to term time for a benchmark."""
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day.month != 8:
            days.append(day)
        day += timedelta(days=1)
    return days


class Generator:
    def __init__(self, seed: int, now: datetime, password_hash: str, totp_secret: str):
        self.chance = random.Random(seed)
        self.now = now
        self.password_hash = password_hash
        self.totp_secret = totp_secret
        self.tables = Tables()
        self.next_id: Counter = Counter()
        self.days = school_days(HISTORY_FROM, (now - timedelta(hours=2)).date())
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.academic_year = now.year if now.month >= 9 else now.year - 1

    def new_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    # --- staff ---

    def staff(self, school: SchoolData, count: int) -> None:
        chance, moment = self.chance, self.now
        posts = ([("slt",), ("slt", "dsl")] + [("slt",)] * 3 + [("dsl",)] * 2
                 + [("admin",)] * 2 + [()] * (count - 9))
        for number, post in enumerate(posts):
            user_id = self.new_id("user")
            first, last = chance.choice(STAFF_FIRST), chance.choice(LAST)
            email = f"{first}.{last}{number}@{school.slug}.sch.uk".lower().replace("'", "")
            roles = ["staff", *post] if post != ("admin",) else ["admin"]
            enrolled = any(r in ("slt", "dsl", "admin") for r in roles)
            self.tables.rows["user"].append((
                user_id, email, f"{first} {last}", self.password_hash, True, False, moment,
                moment, moment if enrolled else None, 0, None, None,
                totp.encrypt_secret(user_id, self.totp_secret) if enrolled else None))
            for role in roles:
                self.tables.rows["membership"].append(
                    (self.new_id("membership"), role, moment, school.id, user_id))
            school.emails[user_id] = email
            for role in roles:
                {"staff": school.staff, "slt": school.slt, "dsl": school.dsl,
                 "admin": school.admins}[role].append(user_id)

    # --- pupils ---

    def pupils(self, school: SchoolData, count: int) -> dict[int, tuple]:
        """Returns pupil id -> (year, first school day index they could have an incident)."""
        chance, facts = self.chance, {}
        per_year = {7: 0.16, 8: 0.16, 9: 0.16, 10: 0.16, 11: 0.16, 12: 0.10, 13: 0.10}
        years = [y for y, share in per_year.items() for _ in range(round(share * count))]
        years = (years + [7] * count)[:count]
        for n, year in enumerate(years):
            pupil_id = self.new_id("pupil")
            girl = chance.random() < 0.5
            first = chance.choice(GIRLS if girl else BOYS)
            start = self.academic_year - (year - 7)  # September they joined year 7
            entered = max(date(start, 9, 1), HISTORY_FROM)
            born_from = date(self.academic_year - year - 5, 9, 1)
            born = born_from + timedelta(days=chance.randrange(365))
            forms = "ABCDEFGH" if year <= 11 else "ABCDE"
            left_on = None
            if chance.random() < 0.015:  # moved away this term
                left_on = self.now.date() - timedelta(days=chance.randrange(1, 60))
            self.tables.rows["pupil"].append((
                pupil_id, f"{chr(65 + school.id % 26)}{school.id:03d}{n:09d}", first,
                chance.choice(("",) * 12 + (first[:3], first[:4])),
                chance.choice(LAST), born, f"Year {year}", f"{year}{chance.choice(forms)}",
                "Female" if girl else "Male", entered, left_on, self.now, school.id))
            school.pupils.append(pupil_id)
            first_day = bisect.bisect_left(self.days, entered)
            last_day = len(self.days) if left_on is None else bisect.bisect_left(
                self.days, left_on)
            facts[pupil_id] = (year, first_day, max(first_day + 1, last_day), first)
        return facts

    # --- incidents ---

    def incident_skeletons(self, school: SchoolData, facts: dict, count: int,
                           heavy: int | None) -> list[list]:
        """[recorded_at, occurred_at, school, pupil, author, plan] for `count` incidents, the
        subject drawn with a heavy skew, weighted by how long the pupil has been here."""
        chance = self.chance
        pupils = [p for p in school.pupils if p != heavy]
        weights = []
        for p in pupils:
            _, lo, hi, _ = facts[p]
            # Pareto: most pupils have few incidents, a few have very many (capped so that
            # nobody comes near the one pupil made for the chronology benchmark).
            weights.append(min(chance.paretovariate(1.1), 40.0) * (hi - lo))
        subjects = chance.choices(pupils, weights=weights, k=count)
        authors = school.staff
        author_weights = [chance.paretovariate(1.5) for _ in authors]
        writers = chance.choices(authors, weights=author_weights, k=count)
        self.weights = dict(zip(pupils, weights))
        return [[*self._moment(facts[p]), school, p, w, None] for p, w in zip(subjects, writers)]

    def _moment(self, fact) -> tuple[datetime, datetime]:
        chance = self.chance
        _, lo, hi, _ = fact
        day = self.days[chance.randrange(lo, hi)]
        occurred = datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC) + timedelta(
            seconds=chance.randrange(9 * 3600), microseconds=chance.randrange(1, 999_999))
        recorded = occurred + timedelta(minutes=3 + chance.expovariate(1 / 90))
        recorded = min(recorded, self.now - timedelta(minutes=1))
        occurred = min(occurred, recorded)
        return recorded, occurred

    def write_incidents(self, skeletons: list[list], facts: dict[int, tuple],
                        by_year: dict) -> None:
        """Ids in time order across the trust; numbers in time order within each school."""
        chance, rows, now = self.chance, self.tables.rows, self.now
        skeletons.sort(key=lambda s: s[0])
        numbers: Counter = Counter()
        recent = now - timedelta(days=30)
        for recorded, occurred, school, pupil, author, plan in skeletons:
            incident_id = self.new_id("incident")
            numbers[school.id] += 1
            first_name = facts[pupil][3]
            text = " ".join(chance.choice(SENTENCES) for _ in range(chance.randint(2, 6)))
            rows["incident"].append((incident_id, numbers[school.id], text.format(
                name=first_name, n=chance.randint(2, 9)), occurred, recorded, author, pupil,
                school.id))
            # categories
            picked = [chance.choices(school.categories, cum_weights=school.category_weights)[0]]
            if chance.random() < 0.25:
                other = chance.choices(school.categories, cum_weights=school.category_weights)[0]
                if other != picked[0]:
                    picked.append(other)
            for category in picked:
                rows["incident_category"].append(
                    (self.new_id("incident_category"), incident_id, category[0], school.id))
            restricted = any(c[3] for c in picked)
            # linked pupils
            linked = self._linked(school, pupil, facts, by_year, picked, plan)
            for other, role in linked:
                rows["incident_pupil"].append(
                    (self.new_id("incident_pupil"), role, incident_id, other, school.id))
            # agencies and body map
            if chance.random() < (0.3 if restricted else 0.05):
                rows["incident_agency"].append((self.new_id("incident_agency"), incident_id,
                                                chance.choice(school.agencies), school.id))
            if any(c[1] == "Physical abuse" for c in picked) or chance.random() < 0.005:
                for _ in range(chance.randint(1, 3)):
                    rows["body_map_marker"].append((
                        self.new_id("body_map_marker"), chance.choice(("front", "back")),
                        round(chance.random(), 3), round(chance.random(), 3),
                        chance.choice(("bruise", "graze", "red mark", "")), incident_id,
                        school.id))
            # alerts, as recipients() would choose them
            self._alerts(school, incident_id, author, picked, restricted, recorded)
            # actions
            if plan is not None:
                count = plan[1]
            else:
                count = min(int(chance.expovariate(1 / (2.2 if restricted else 0.7))), 12)
            when = recorded
            for _ in range(count):
                when = min(when + timedelta(hours=chance.expovariate(1 / 30)),
                           now - timedelta(seconds=30))
                key_holder = chance.random() < 0.8
                writer = chance.choice(school.dsl + school.slt) if key_holder else author
                kind = "note"
                if key_holder and chance.random() < 0.04:
                    kind = chance.choice(("amendment", "amendment", "amendment",
                                          "entered_in_error"))
                rows["incident_action"].append((
                    self.new_id("incident_action"), kind,
                    chance.choice(ACTION_TEXTS).format(name=first_name),
                    json.dumps([chance.choice(school.agencies)] if chance.random() < 0.1
                               else []), when, writer, incident_id, school.id))
            if recorded >= recent:
                rows["idempotency_record"].append((
                    self.new_id("idempotency_record"), str(uuid.UUID(int=chance.getrandbits(128))),
                    "%064x" % chance.getrandbits(256), True, "incident", incident_id, recorded,
                    school.id, author))

    def _linked(self, school, subject, facts, by_year, picked, plan) -> list[tuple[int, str]]:
        chance = self.chance
        if plan is not None and plan[0] is not None:
            return [(plan[0], "involved" if chance.random() < 0.5 else "witness")]
        if chance.random() >= 0.3:
            return []
        roles = ROLES_BY_CATEGORY.get(picked[0][1], ("witness", "involved"))
        wanted = chance.choices((1, 2, 3), weights=(60, 25, 15))[0]
        pool, cumulative = by_year[(school.id, facts[subject][0])]
        found: dict[int, str] = {}
        for _ in range(wanted * 3):
            if len(found) == wanted:
                break
            other = chance.choices(pool, cum_weights=cumulative)[0]
            if other != subject and other not in found:
                found[other] = chance.choice(roles)
        return list(found.items())

    def _alerts(self, school, incident_id, author, picked, restricted, recorded) -> None:
        chance, rows = self.chance, self.tables.rows
        why: dict[int, str] = {}
        slt = school.slt_with_dsl if restricted else school.slt
        why.update(dict.fromkeys(slt, "slt"))
        if any(c[2] == "dsl" for c in picked):
            why.update(dict.fromkeys(school.dsl, "category"))
        chosen = chance.sample(school.staff, chance.choices((0, 1, 2, 3), (50, 30, 15, 5))[0])
        why.update(dict.fromkeys(chosen, "chosen"))
        why.pop(author, None)
        old = (self.now - recorded).days > 14
        for user_id, reason in why.items():
            read_at = None
            if chance.random() < (0.97 if old else 0.5):
                read_at = recorded + timedelta(minutes=chance.expovariate(1 / 240))
                read_at = min(read_at, self.now)
            rows["alert"].append((self.new_id("alert"), reason, recorded, read_at,
                                  incident_id, user_id, school.id))


# --- writing --------------------------------------------------------------------------------


def sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(" ")  # as Tortoise writes them
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class PostgresWriter:
    def __init__(self, url: str):
        self.url = url

    async def __aenter__(self):
        self.connection = await asyncpg.connect(self.url)
        # Skips the foreign-key triggers for this connection only; see the docstring.
        await self.connection.execute("SET session_replication_role = replica")
        await self.connection.execute("SET synchronous_commit = off")
        return self

    async def __aexit__(self, *exc):
        await self.connection.close()

    async def write(self, table: str, rows: list[tuple]) -> None:
        for start in range(0, len(rows), 200_000):
            await self.connection.copy_records_to_table(
                table, records=rows[start:start + 200_000], columns=COLUMNS[table])

    async def finish(self, tables: list[str]) -> None:
        connection = self.connection
        await connection.execute("SET session_replication_role = origin")
        for table in tables:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        progress("checking every foreign key (anti-joins)")
        keys = await connection.fetch(
            "SELECT conrelid::regclass::text AS child, a.attname AS column, "
            "confrelid::regclass::text AS parent, b.attname AS parent_column "
            "FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND conrelid::regclass::text = ANY($1::text[])",
            [f'"{t}"' if t == "user" else t for t in tables])
        for key in keys:
            orphans = await connection.fetchval(
                f"SELECT count(*) FROM {key['child']} c WHERE c.{key['column']} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {key['parent']} p "
                f"WHERE p.{key['parent_column']} = c.{key['column']})")
            if orphans:
                raise SystemExit(f"{orphans} rows of {key['child']}.{key['column']} point "
                                 f"nowhere in {key['parent']}")
        progress(f"{len(keys)} foreign keys hold; VACUUM ANALYZE")
        await connection.execute("VACUUM ANALYZE")

    async def query(self, sql: str, *args):
        return await self.connection.fetch(sql, *args)


class SqliteWriter:
    def __init__(self, path: str):
        self.path = path

    async def __aenter__(self):
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    async def __aexit__(self, *exc):
        self.connection.close()

    async def write(self, table: str, rows: list[tuple]) -> None:
        columns = COLUMNS[table]
        sql = (f'INSERT INTO "{table}" ({", ".join(columns)}) '
               f'VALUES ({", ".join("?" * len(columns))})')
        self.connection.executemany(sql, ([sqlite_value(v) for v in row] for row in rows))

    async def finish(self, tables: list[str]) -> None:
        self.connection.execute("COMMIT")
        problems = self.connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"foreign keys broken: {problems[:5]}")
        progress("foreign keys hold; ANALYZE")
        self.connection.execute("ANALYZE")

    async def query(self, sql: str, *args):
        return self.connection.execute(sql.replace("$1", "?"), args).fetchall()


# --- the run --------------------------------------------------------------------------------


async def prepare_database(url: str, fresh: bool) -> None:
    if url.startswith("sqlite://"):
        path = Path(url.removeprefix("sqlite://"))
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        elif path.exists():
            raise SystemExit(f"{path} exists: use --fresh to make the data set again")
        return
    base, name = url.rsplit("/", 1)
    if name in NEVER_TOUCH or name.startswith(("template", "haven_template")):
        raise SystemExit(f"refusing to use the database {name!r}: name your own")
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and fresh:
            progress(f"dropping database {name}")
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        elif exists:
            probe = await asyncpg.connect(url)
            try:
                has_rows = await probe.fetchval(
                    "SELECT to_regclass('incident') IS NOT NULL AND "
                    "EXISTS (SELECT 1 FROM incident)")
            finally:
                await probe.close()
            if has_rows:
                raise SystemExit(f"{name} already has incidents: use --fresh to start again")
            await admin.execute(f'DROP DATABASE "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def seed_schools(url: str, count: int, chance: random.Random) -> list[SchoolData]:
    """Each school as Haven makes one: add_school, with its default categories and agencies."""
    names, seen = [], set()
    for place in PLACES:
        if len(names) == count:
            break
        kind = chance.choice(SCHOOL_KINDS)
        names.append(f"{place} {kind}")
    while len(names) < count:
        names.append(f"{chance.choice(PLACES)} {chance.choice(SCHOOL_KINDS)} {len(names)}")
    schools = []
    await open_database(url)
    try:
        for name in names:
            slug = "-".join(name.lower().replace("'", "").split()[:2])
            while slug in seen:
                slug += "-2"
            seen.add(slug)
            school = await add_school(name, slug)
            categories = await Category.filter(school=school).order_by("id")
            agencies = await Agency.filter(school=school).order_by("id").values_list(
                "id", flat=True)
            schools.append(SchoolData(
                id=school.id, slug=slug, name=name, agencies=list(agencies),
                categories=[(c.id, c.name, c.alert_role, bool(c.visible_to_roles))
                            for c in categories]))
    finally:
        await close_database()
    return schools


async def run(args) -> None:
    url = args.database_url
    data_dir = Path(args.data_dir)
    await prepare_database(url, args.fresh)
    if args.fresh and (data_dir / "bench.json").exists():
        (data_dir / "bench.json").unlink()
    ensure_keys(data_dir)
    load_service_keys(data_dir)
    applied = await migrate(url)
    progress(f"schema by Haven's migrations ({len(applied)} applied)")
    chance = random.Random(args.seed)
    schools = await seed_schools(url, args.schools, chance)
    progress(f"{len(schools)} schools added by add_school (categories, agencies)")

    now = datetime.now(UTC).replace(microsecond=0)
    secret = pyotp.random_base32()
    generator = Generator(args.seed, now, await hash_password(PASSWORD), secret)
    writer_for = SqliteWriter(url.removeprefix("sqlite://")) if url.startswith("sqlite://") \
        else PostgresWriter(url)
    async with writer_for as writer:
        existing = await writer.query('SELECT max(id) FROM "user"')
        generator.next_id["user"] = existing[0][0] or 0
        existing = await writer.query("SELECT max(id) FROM membership")
        generator.next_id["membership"] = existing[0][0] or 0

        facts: dict[int, tuple] = {}
        for school in schools:
            generator.staff(school, args.staff_per_school)
            facts.update(generator.pupils(school, args.pupils_per_school))
            school.slt_with_dsl = [u for u in school.slt if u in school.dsl]
            school.category_weights = list(itertools.accumulate(
                CATEGORY_WEIGHTS.get(c[1], 1) for c in school.categories))
        progress(f"{len(generator.tables.rows['user'])} staff, "
                 f"{len(generator.tables.rows['pupil'])} pupils made")
        await write_tables(writer, generator, ["user", "membership", "pupil"])

        # The pupil with exactly 2,000 chronology entries: a year 10 at the first school.
        bench_school = schools[0]
        heavy = next(p for p in bench_school.pupils
                     if facts[p][0] == 10 and facts[p][2] == len(generator.days))
        per_school = [args.incidents // len(schools)] * len(schools)
        per_school[0] += args.incidents - sum(per_school)
        heavy_incidents = min(HEAVY_SUBJECT + HEAVY_LINKED, per_school[0] // 2)
        skeletons = []
        by_year: dict = {}
        for school, count in zip(schools, per_school):
            made = generator.incident_skeletons(
                school, facts, count - (heavy_incidents if school is bench_school else 0),
                heavy if school is bench_school else None)
            skeletons += made
            grouped = defaultdict(list)
            for p in school.pupils:
                if p != heavy:
                    grouped[facts[p][0]].append(p)
            for year, pool in grouped.items():
                running, cumulative = 0.0, []
                for p in pool:
                    running += generator.weights[p]
                    cumulative.append(running)
                by_year[(school.id, year)] = (pool, cumulative)
        plan_heavy(generator, bench_school, heavy, facts, heavy_incidents, skeletons)
        progress(f"{len(skeletons)} incidents placed in time; writing their rows")
        generator.write_incidents(skeletons, facts, by_year)
        rest = [t for t in TABLE_ORDER if t not in ("user", "membership", "pupil")]
        progress("rows made: " + ", ".join(
            f"{t} {len(generator.tables.rows[t]):,}" for t in rest))
        await write_tables(writer, generator, rest)
        await writer.finish(TABLE_ORDER)
        entries = await count_chronology(writer, heavy)
    progress(f"the chronology pupil ({heavy}) has {entries} entries")
    if heavy_incidents == HEAVY_SUBJECT + HEAVY_LINKED and entries != HEAVY_ENTRIES:
        raise SystemExit(f"expected {HEAVY_ENTRIES} chronology entries, found {entries}")
    write_manifest(data_dir, url, secret, schools, generator, heavy, entries, facts)
    progress(f"done in {time.perf_counter() - STARTED:.0f} s; manifest {data_dir / 'bench.json'}")


def plan_heavy(generator, school, heavy, facts, count, skeletons) -> None:
    """The chronology pupil's incidents: HEAVY_SUBJECT as the subject, HEAVY_LINKED linked
    to another pupil's incident; actions under them bring the total to exactly 2,000."""
    chance = generator.chance
    subject_count = round(count * HEAVY_SUBJECT / (HEAVY_SUBJECT + HEAVY_LINKED))
    actions_total = (HEAVY_ENTRIES - count) if count == HEAVY_SUBJECT + HEAVY_LINKED else count
    shares = [0] * count
    for _ in range(actions_total):
        shares[chance.randrange(count)] += 1
    others = [p for p in school.pupils if p != heavy and facts[p][0] == 10]
    for n in range(count):
        if n < subject_count:
            recorded, occurred = generator._moment(facts[heavy])
            skeleton = [recorded, occurred, school, heavy, chance.choice(school.staff),
                        (None, shares[n])]
        else:
            other = chance.choice(others)
            recorded, occurred = generator._moment(facts[heavy])
            skeleton = [recorded, occurred, school, other, chance.choice(school.staff),
                        (heavy, shares[n])]
        skeletons.append(skeleton)


async def write_tables(writer, generator, tables: list[str]) -> None:
    for table in tables:
        rows = generator.tables.rows[table]
        started = time.perf_counter()
        await writer.write(table, rows)
        progress(f"  {table}: {len(rows):,} rows in {time.perf_counter() - started:.1f} s")
        generator.tables.rows[table] = [] if table not in ("pupil",) else rows


async def count_chronology(writer, pupil_id: int) -> int:
    """Incidents naming the pupil (subject or linked) and the actions under them."""
    named = (f"SELECT id FROM incident WHERE pupil_id = {int(pupil_id)} UNION "
             f"SELECT incident_id FROM incident_pupil WHERE pupil_id = {int(pupil_id)}")
    rows = await writer.query(
        f"SELECT (SELECT count(*) FROM ({named}) AS n) + "
        f"(SELECT count(*) FROM incident_action WHERE incident_id IN ({named}))")
    return rows[0][0]


def write_manifest(data_dir, url, secret, schools, generator, heavy, entries, facts) -> None:
    school = schools[0]
    pupils = {row[0]: row for row in generator.tables.rows["pupil"] if row[12] == school.id}
    on_roll = [p for p, row in pupils.items() if row[10] is None and p != heavy]
    staff_only = [u for u in school.staff if u not in school.slt and u not in school.dsl]
    manifest = {
        "database_url": url,
        "made_at": generator.now.isoformat(),
        "generation_seconds": round(time.perf_counter() - STARTED, 1),
        "password": PASSWORD,
        "totp_secret": secret,
        "counts": {t: generator.next_id[t] for t in TABLE_ORDER},
        "schools": len(schools),
        "bench_school": {"id": school.id, "slug": school.slug, "name": school.name},
        "staff_emails": [school.emails[u] for u in staff_only],
        "dsl_emails": [school.emails[u] for u in school.dsl],
        "alertable_staff_ids": school.staff,
        "category_ids": [c[0] for c in school.categories],
        "pupil_ids": on_roll,
        "heavy_pupil": {"id": heavy, "entries": entries},
    }
    (data_dir / "bench.json").write_text(json.dumps(manifest, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="postgres://.../NAME (created if missing) or `sqlite`")
    parser.add_argument("--data-dir", help="keys and bench.json (default bench/.data/NAME)")
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--pupils-per-school", type=int, default=1500)
    parser.add_argument("--staff-per-school", type=int, default=90)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--fresh", action="store_true",
                        help="drop the database (or SQLite file) and make it again")
    args = parser.parse_args()
    bench = Path(__file__).resolve().parent
    if args.database_url == "sqlite":
        args.data_dir = args.data_dir or str(bench / ".data" / "sqlite")
        args.database_url = f"sqlite://{Path(args.data_dir).resolve() / 'haven.sqlite3'}"
    args.data_dir = args.data_dir or str(bench / ".data" / args.database_url.rsplit("/", 1)[1])
    os.umask(0o077)
    print(f"{args.schools} schools x {args.pupils_per_school} pupils, {args.incidents:,} "
          f"incidents -> {args.database_url} (data folder {args.data_dir})")
    asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
