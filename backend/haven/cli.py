"""The `haven` command. Errors are one readable line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable

from haven import __version__
from haven.config import Settings, load_settings
from haven.errors import HavenError

log = logging.getLogger("haven")


def _run_with_database(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    """Open the database, run `work`, and always close it (an open SQLite connection
    thread would otherwise keep the process alive after an error)."""
    from haven.db import close_database, open_database
    from haven.keys import load_service_keys

    load_service_keys(settings.data_dir)

    async def run():
        await open_database(settings.database_url)
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(run())


# --- commands ---------------------------------------------------------------------------


def _migrate(settings: Settings) -> list[str]:
    from haven.db import migrate

    try:
        return asyncio.run(migrate(settings.database_url))
    except OSError as error:  # refused, unknown host, timed out
        raise _unreachable(settings, error) from None


def _unreachable(settings: Settings, error: Exception) -> HavenError:
    first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return HavenError(f"cannot reach the database {_safe_url(settings)}: {first_line}")


def cmd_init(settings: Settings, _args) -> None:
    from haven.keys import ensure_keys

    created = ensure_keys(settings.data_dir)
    applied = _migrate(settings)
    for name in created:
        print(f"created {settings.data_dir / name}")
    print(f"database ready ({len(applied)} migrations applied): {_safe_url(settings)}")


def cmd_migrate(settings: Settings, _args) -> None:
    applied = _migrate(settings)
    if applied:
        print("applied: " + ", ".join(applied))
    else:
        print("the database is up to date")


def cmd_serve(settings: Settings, args) -> int:
    from haven.server import serve

    if args.workers is not None or args.bind is not None:
        overrides = {"workers": args.workers, "bind": args.bind}
        settings = load_settings(
            **{**settings.model_dump(), **{k: v for k, v in overrides.items() if v is not None}}
        )
    _check_ready_to_serve(settings)
    return serve(settings)


def _check_ready_to_serve(settings: Settings) -> None:
    from haven.db import pending_migrations, ping
    from haven.keys import load_secret_key, load_service_keys

    load_secret_key(settings.data_dir)
    load_service_keys(settings.data_dir)
    try:
        _run_with_database(settings, ping)
    except Exception as error:  # name the database, not a confusing migration message
        raise _unreachable(settings, error) from None
    pending = asyncio.run(pending_migrations(settings.database_url))
    if pending:
        raise HavenError(
            f"the database needs {len(pending)} migration(s) ({pending[0]} first): "
            "run `haven migrate` (or `haven init` for a new database)"
        )


def cmd_demo(settings: Settings, args) -> int:
    from haven.demo import DEMO_PASSWORD, seed_demo_school

    cmd_init(settings, args)
    school, logins = _run_with_database(settings, lambda: seed_demo_school(settings))
    print()
    address = f"http://{args.bind}" if args.bind else settings.public_url
    print(f"Demo school: {school.name}. Sign in at {address} with:")
    for email, roles in logins:
        print(f"  {email:<28} {roles}")
    print(f"  password for all of them: {DEMO_PASSWORD}")
    print()
    return cmd_serve(settings, args)


def cmd_school_add(settings: Settings, args) -> None:
    from haven.schools.service import add_school

    school = _run_with_database(settings, lambda: add_school(args.name, args.slug))
    print(f"added school {school.name} ({school.slug})")


def cmd_user_add(settings: Settings, args) -> None:
    from haven.accounts.service import add_user
    from haven.schools.service import find_school

    password = _read_password()

    async def work():
        school = await find_school(args.school)
        user = await add_user(school, args.email, args.name, password, args.role,
                              must_change_password=args.temporary)
        return user, school

    user, school = _run_with_database(settings, work)
    print(f"{user.email} has the roles {', '.join(args.role)} at {school.name}")


def _read_password() -> str:
    """The password from standard input: typed at a prompt, or piped by a script."""
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise HavenError("the two passwords differ")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def cmd_import_pupils(settings: Settings, args) -> None:
    from pathlib import Path

    from haven.pupils.importer import column_map, import_pupils
    from haven.schools.service import find_school

    try:
        content = Path(args.file).read_bytes()
    except OSError as error:
        raise HavenError(f"cannot read {args.file}: {error.strerror}") from None
    mapping = column_map(args.map)

    async def work():
        school = await find_school(args.school)
        return await import_pupils(school, content, mapping=mapping, dry_run=args.dry_run,
                                   skip_bad_rows=args.skip_bad_rows, full=not args.partial)

    report = _run_with_database(settings, work)
    for problem in report.errors:
        print(f"line {problem.row}, {problem.field}: {problem.message}")
    print(f"{report.created} new, {report.updated} changed, {report.unchanged} unchanged, "
          f"{report.marked_left} marked as left"
          + (" (dry run: nothing changed)" if report.dry_run else ""))
    if report.errors and not args.skip_bad_rows:
        raise HavenError(f"{len(report.errors)} bad row(s): nothing imported "
                         "(fix them, or use --skip-bad-rows)")


def cmd_import_photos(settings: Settings, args) -> None:
    from pathlib import Path

    from haven.incidents.files import Store
    from haven.pupils.photos import import_folder
    from haven.schools.service import find_school

    folder = Path(args.folder)
    if not folder.is_dir():
        raise HavenError(f"{args.folder} is not a folder")

    async def work():
        return await import_folder(await find_school(args.school), folder, Store.of(settings))

    report = _run_with_database(settings, work)
    for name in report["unknown_upn"]:
        print(f"{name}: no pupil with this UPN")
    for problem in report["refused"]:
        print(problem)
    print(f"{report['imported']} photos imported, {len(report['unknown_upn'])} unmatched, "
          f"{len(report['refused'])} refused")


def cmd_audit_verify(settings: Settings, _args) -> None:
    from haven.audit.service import verify_chain

    report = _run_with_database(settings, verify_chain)
    if not report.ok:
        raise HavenError(f"audit trail broken at row {report.first_bad_id}: {report.problem}")
    print(f"audit trail intact: {report.rows} rows")


def cmd_report_trust(settings: Settings, args) -> None:
    from pathlib import Path

    from haven.reports.trust import produce

    content = _run_with_database(settings, lambda: produce(args.from_, args.to, args.format))
    if args.output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        Path(args.output).write_bytes(content)
    except OSError as error:
        raise HavenError(f"cannot write {args.output}: {error.strerror}") from None
    print(f"trust report ({args.format}) written to {args.output}", file=sys.stderr)


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _safe_url(settings: Settings) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url)
    if parts.password:
        return settings.database_url.replace(f":{parts.password}@", ":***@")
    return settings.database_url


# --- parsing ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="haven", description="Haven: safeguarding records for schools."
    )
    parser.add_argument("--version", action="version", version=f"haven {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "init", help="create the database and keys in the data folder (never overwrites)"
    ).set_defaults(run=cmd_init)
    commands.add_parser("migrate", help="upgrade the database in place").set_defaults(
        run=cmd_migrate
    )
    for name, run, text in (
        ("serve", cmd_serve, "serve Haven with Hypercorn"),
        ("demo", cmd_demo, "init, add a demo school with pupils and staff, then serve"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--workers", type=int, help="server processes (PostgreSQL only)")
        command.add_argument("--bind", help="HOST:PORT to listen on (default HAVEN_BIND)")
        command.set_defaults(run=run)

    school = commands.add_parser("school", help="manage schools").add_subparsers(
        dest="school_command", required=True, metavar="ACTION"
    )
    add_school = school.add_parser("add", help="add a school")
    add_school.add_argument("name")
    add_school.add_argument("--slug", required=True, help="short name used in addresses")
    add_school.set_defaults(run=cmd_school_add)

    user = commands.add_parser("user", help="manage staff accounts").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    add_user = user.add_parser(
        "add", help="add a user (the password is read from standard input)"
    )
    add_user.add_argument("email")
    add_user.add_argument("--name", required=True)
    add_user.add_argument(
        "--role", action="append", required=True, help="staff, dsl, slt or admin; repeatable"
    )
    add_user.add_argument("--school", help="school slug (may be left out while there is one)")
    add_user.add_argument("--temporary", action="store_true",
                          help="the user must choose a new password when they first sign in")
    add_user.set_defaults(run=cmd_user_add)

    importing = commands.add_parser("import", help="import from the school's MIS")
    importing = importing.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    pupils = importing.add_parser("pupils", help="upsert pupils from a CSV export, by UPN")
    pupils.add_argument("file", metavar="FILE.csv")
    pupils.add_argument("--school", help="school slug (may be left out while there is one)")
    pupils.add_argument("--map", help="column map: haven (default), sims, arbor or JSON")
    pupils.add_argument("--dry-run", action="store_true", help="report, change nothing")
    pupils.add_argument("--skip-bad-rows", action="store_true",
                        help="import the good rows even when some are bad")
    pupils.add_argument("--partial", action="store_true",
                        help="the file is not the whole roll: do not mark others as left")
    pupils.set_defaults(run=cmd_import_pupils)
    photos = importing.add_parser("photos", help="pupils' photos from a folder of UPN.jpg files")
    photos.add_argument("folder", metavar="FOLDER")
    photos.add_argument("--school", help="school slug (may be left out while there is one)")
    photos.set_defaults(run=cmd_import_photos)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    audit.add_parser(
        "verify", help="check the hash chain; exits 1 naming the first bad row"
    ).set_defaults(run=cmd_audit_verify)

    report = commands.add_parser("report", help="reports made on the server").add_subparsers(
        dest="report_command", required=True, metavar="WHICH"
    )
    trust = report.add_parser(
        "trust", help="every school's and the whole trust's anonymous figures (audited)"
    )
    trust.add_argument("--from", dest="from_", type=_day, required=True, metavar="YYYY-MM-DD",
                       help="first day, inclusive")
    trust.add_argument("--to", type=_day, required=True, metavar="YYYY-MM-DD",
                       help="last day, inclusive")
    trust.add_argument("--format", choices=("csv", "pdf", "json"), default="csv")
    trust.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    trust.set_defaults(run=cmd_report_trust)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The database, keys and uploads are for the haven user's eyes only.
    os.umask(0o077)
    try:
        settings = load_settings()
        logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(message)s")
        status = args.run(settings, args)
    except HavenError as error:  # APIError (e.g. a refused password) is one too
        print(f"haven: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # anything unforeseen: still one line, details in the log
        log.debug("unexpected error", exc_info=error)
        print(f"haven: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
