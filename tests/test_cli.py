"""The `haven` command, run as an operator would run it."""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

PASSWORD = "Correct-Horse-42!"


def haven(data_dir, *args, stdin="", env=None):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")},
        "HAVEN_DATA_DIR": str(data_dir),
        "HAVEN_LOG_LEVEL": "warning",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "haven.cli", *args],
        input=stdin, capture_output=True, text=True, env=environment, timeout=60,
        cwd=data_dir.parent,
    )


def assert_one_line_error(result, text):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("haven: "), result.stderr
    assert text in lines[0]


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def initialised(data_dir):
    assert haven(data_dir, "init").returncode == 0
    return data_dir


def test_init_creates_the_database_and_keys_and_never_overwrites_them(data_dir):
    first = haven(data_dir, "init")
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout and "secret_key" in first.stdout
    keys = {name: (data_dir / name).read_bytes()
            for name in ("secret_key", "audit_key", "vapid_private_key.pem")}
    assert oct((data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"

    second = haven(data_dir, "init")
    assert second.returncode == 0 and "created" not in second.stdout
    for name, content in keys.items():
        assert (data_dir / name).read_bytes() == content


def test_migrate_says_when_there_is_nothing_to_do(initialised):
    result = haven(initialised, "migrate")
    assert result.returncode == 0 and "up to date" in result.stdout


def test_a_school_and_its_staff_are_added_from_the_command_line(initialised):
    assert haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield"
                 ).returncode == 0
    added = haven(initialised, "user", "add", "dina@oakfield.example", "--name", "Dina Safeguard",
                  "--role", "staff", "--role", "dsl", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "dina@oakfield.example has the roles staff, dsl at Oakfield Academy" in added.stdout

    database = sqlite3.connect(initialised / "haven.sqlite3")
    roles = database.execute(
        "SELECT role FROM membership JOIN user ON user.id = membership.user_id "
        "WHERE email = 'dina@oakfield.example' ORDER BY role").fetchall()
    stored_hash = database.execute("SELECT password_hash FROM user").fetchone()[0]
    assert roles == [("dsl",), ("staff",)]
    assert stored_hash.startswith("$argon2id$") and PASSWORD not in stored_hash


def test_with_several_schools_the_school_must_be_named(initialised):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    haven(initialised, "school", "add", "Riverside School", "--slug", "riverside")
    result = haven(initialised, "user", "add", "rita@riverside.example", "--name", "Rita",
                   "--role", "staff", stdin=PASSWORD + "\n")
    assert_one_line_error(result, "several schools: say which with --school")
    named = haven(initialised, "user", "add", "rita@riverside.example", "--name", "Rita",
                  "--role", "staff", "--school", "riverside", stdin=PASSWORD + "\n")
    assert named.returncode == 0 and "Riverside School" in named.stdout


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["user", "add", "a@oakfield.example", "--name", "A", "--role", "head"], PASSWORD,
         "'head' is not a role"),
        (["user", "add", "not-an-email", "--name", "A", "--role", "staff"], PASSWORD,
         "is not an email address"),
        (["user", "add", "a@oakfield.example", "--name", "A", "--role", "staff"], "",
         "The password is empty"),
        (["user", "add", "a@oakfield.example", "--name", "A", "--role", "staff",
          "--school", "nowhere"], PASSWORD, "no school with the slug 'nowhere'"),
        (["school", "add", "Oakfield Again", "--slug", "oakfield"], "",
         "slug 'oakfield' already exists"),
        (["school", "add", "Bad", "--slug", "Bad Slug!"], "", "not a usable slug"),
        (["user", "add", "a@oakfield.example", "--name", "A", "--role", "staff"], "password1",
         "This password is on a list of common passwords"),
    ],
)
def test_mistakes_are_one_readable_line(initialised, args, stdin, message):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    assert_one_line_error(haven(initialised, *args, stdin=stdin + "\n"), message)


def test_adding_the_same_user_twice_is_refused(initialised):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    args = ["user", "add", "alice@oakfield.example", "--name", "Alice", "--role", "staff"]
    assert haven(initialised, *args, stdin=PASSWORD).returncode == 0
    assert_one_line_error(haven(initialised, *args, stdin=PASSWORD), "already has those roles")


def test_a_bad_setting_stops_the_command_naming_the_variable(initialised):
    result = haven(initialised, "serve", env={"HAVEN_WORKERS": "4"})
    assert_one_line_error(result, "HAVEN_WORKERS: SQLite allows one server process")
    result = haven(initialised, "serve", "--workers", "3")
    assert_one_line_error(result, "HAVEN_WORKERS: SQLite allows one server process")


def test_serve_before_init_says_what_to_do(data_dir):
    assert_one_line_error(haven(data_dir, "serve"), "run `haven init`")


def test_an_unreachable_database_is_one_line(initialised):
    unreachable = {"HAVEN_DATABASE_URL": "postgres://nobody@127.0.0.1:9/haven"}
    assert_one_line_error(haven(initialised, "init", env=unreachable),
                          "cannot reach the database postgres://nobody@127.0.0.1:9/haven")
    assert_one_line_error(haven(initialised, "serve", env=unreachable),
                          "cannot reach the database postgres://nobody@127.0.0.1:9/haven")


def test_the_data_folder_is_private_to_the_haven_user(initialised):
    assert oct(initialised.stat().st_mode & 0o777) == "0o700"
    assert oct((initialised / "haven.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_audit_verify_passes_then_names_the_edited_row(initialised):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    haven(initialised, "user", "add", "alice@oakfield.example", "--name", "Alice", "--role",
          "staff", stdin=PASSWORD)
    intact = haven(initialised, "audit", "verify")
    assert intact.returncode == 0 and "audit trail intact: 2 rows" in intact.stdout

    database = sqlite3.connect(initialised / "haven.sqlite3")
    database.executescript(
        "DROP TRIGGER audit_event_no_update;"
        "UPDATE audit_event SET detail = '{}' WHERE id = 2;"
    )
    database.commit()
    assert_one_line_error(haven(initialised, "audit", "verify"),
                          "audit trail broken at row 2: its content was changed")


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return {"status": response.status}
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_several_workers_serve_one_postgresql_database(database_url, tmp_path):
    data_dir = tmp_path / "data"
    env = {"HAVEN_DATABASE_URL": database_url}
    assert haven(data_dir, "init", env=env).returncode == 0
    port = _free_port()
    environment = {**os.environ, "HAVEN_DATA_DIR": str(data_dir), "HAVEN_LOG_LEVEL": "warning",
                   **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "haven.cli", "serve", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, start_new_session=True,
    )
    try:
        assert _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)["status"] == 200
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) >= 2
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


def test_a_temporary_password_must_be_changed_at_first_sign_in(initialised):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    result = haven(initialised, "user", "add", "alice@oakfield.example", "--name", "Alice",
                   "--role", "staff", "--temporary", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    database = sqlite3.connect(initialised / "haven.sqlite3")
    assert database.execute("SELECT must_change_password FROM user").fetchone() == (1,)


def test_pupils_are_imported_from_a_csv_file(initialised, tmp_path):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    file = tmp_path / "pupils.csv"
    file.write_text("upn,first_name,last_name,date_of_birth,year_group\n"
                    "A1,Amy,Jones,01/09/2014,Year 7\nB2,Noah,Patel,bad,Year 8\n")
    dry = haven(initialised, "import", "pupils", str(file), "--dry-run", "--skip-bad-rows")
    assert dry.returncode == 0 and "1 new" in dry.stdout and "dry run" in dry.stdout
    refused = haven(initialised, "import", "pupils", str(file))
    assert "line 3, date_of_birth: 'bad' is not a date" in refused.stdout
    assert_one_line_error(refused, "1 bad row(s): nothing imported")
    done = haven(initialised, "import", "pupils", str(file), "--skip-bad-rows")
    assert done.returncode == 0 and "1 new" in done.stdout


def test_the_trust_report_is_written_to_a_file_and_audited(initialised, tmp_path):
    haven(initialised, "school", "add", "Oakfield Academy", "--slug", "oakfield")
    haven(initialised, "school", "add", "Riverside School", "--slug", "riverside")
    output = tmp_path / "trust.csv"
    result = haven(initialised, "report", "trust", "--from", "2026-01-01", "--to",
                   "2026-06-30", "--output", str(output))
    assert result.returncode == 0, result.stderr
    rows = output.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "Trust safeguarding report,2 schools"
    assert "All schools,Total,all,0,0,0," in rows
    assert "Riverside School,Total,all,0,0,0," in rows
    database = sqlite3.connect(initialised / "haven.sqlite3")
    ((school_id, actor_id, detail),) = database.execute(
        "SELECT school_id, actor_id, detail FROM audit_event WHERE action = 'report_trust'"
    ).fetchall()
    assert (school_id, actor_id) == (None, None)
    assert json.loads(detail) == {"from": "2026-01-01", "to": "2026-06-30", "format": "csv"}

    as_json = haven(initialised, "report", "trust", "--from", "2026-01-01", "--to",
                    "2026-06-30", "--format", "json")
    assert as_json.returncode == 0 and '"school": "Oakfield Academy"' in as_json.stdout


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-06-30", "--to", "2026-01-01"], "is before 'from'"),
    (["--from", "2020-01-01", "--to", "2026-01-01"], "at most five years"),
])
def test_a_trust_report_for_no_real_period_is_one_readable_line(initialised, args, message):
    assert_one_line_error(haven(initialised, "report", "trust", *args), message)
