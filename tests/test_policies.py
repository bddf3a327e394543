"""Meta-tests: the project's rules, checked over the whole code base."""

import inspect
from pathlib import Path

import pytest
from tortoise import Tortoise

from haven.app import create_app
from haven.web.access import Access

# Tables that are not records of a school, and why.
NOT_SCHOOL_SCOPED = {
    "School": "it is the school",
    "User": "a person may work at several schools; Membership ties them to each",
    "AuditHead": "one row for the whole trail, which is global (see audit/service.py)",
    "RecoveryCode": "belongs to a person's authenticator, which serves all their schools",
    "FailedAttempt": "throttling by email hash and address, before any school is known",
}
# Routes that come from libraries rather than Haven's views.
LIBRARY_ENDPOINTS: set[str] = set()


def test_every_route_declares_who_may_call_it(settings):
    app = create_app(settings, run_dispatcher=False)
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in LIBRARY_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if not isinstance(getattr(view, "haven_access", None), Access):
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == []


async def test_every_record_table_belongs_to_a_school(app):
    unscoped = [
        name for name, model in Tortoise.apps["haven"].items()
        if "school" not in model._meta.fields_map and name not in NOT_SCHOOL_SCOPED
    ]
    assert unscoped == []


async def test_no_model_docstring_contains_a_semicolon(app):
    # Tortoise turns docstrings into table comments, and its SQLite migration runner
    # splits statements on ';' (see the first commit).
    offenders = [name for name, model in Tortoise.apps["haven"].items()
                 if ";" in (inspect.getdoc(model) or "")]
    assert offenders == []


def test_every_package_under_backend_is_in_the_wheel():
    import tomllib

    root = Path(__file__).parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(root / "backend").parts)
        for path in (root / "backend" / "haven").rglob("__init__.py")
    }
    assert on_disk <= listed


@pytest.mark.parametrize("folder", ["pwa", "service-worker"])
def test_the_front_end_has_no_inline_script_or_style(folder):
    root = Path(__file__).parents[1] / folder
    for page in root.rglob("*.html"):
        text = page.read_text()
        assert "<script>" not in text and " style=" not in text and "<style" not in text, page
        assert "javascript:" not in text, page
    for script in root.rglob("*.js"):
        text = script.read_text()
        assert "eval(" not in text and "new Function(" not in text, script
        assert ".innerHTML" not in text, script
