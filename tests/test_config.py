import pytest

from haven.config import load_settings
from haven.errors import ConfigError


def _load(monkeypatch, **variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def test_the_defaults_need_nothing_set(monkeypatch, tmp_path):
    settings = _load(monkeypatch, HAVEN_DATA_DIR=str(tmp_path))
    assert settings.database_url == f"sqlite://{tmp_path / 'haven.sqlite3'}"
    assert settings.workers == 1 and settings.bind == "127.0.0.1:8000"
    assert settings.cookie_name == "haven_session" and not settings.is_https


def test_postgresql_urls_are_accepted_in_either_spelling(monkeypatch):
    settings = _load(monkeypatch, HAVEN_DATABASE_URL="postgresql://h@127.0.0.1/haven")
    assert settings.database_url == "postgres://h@127.0.0.1/haven" and not settings.is_sqlite


@pytest.mark.parametrize(
    "variable, value",
    [
        ("HAVEN_DATABASE_URL", "mysql://root@localhost/haven"),
        ("HAVEN_PUBLIC_URL", "haven.school.uk"),
        ("HAVEN_BIND", "8000"),
        ("HAVEN_WORKERS", "many"),
        ("HAVEN_WORKERS", "0"),
        ("HAVEN_SMTP_PORT", "99999"),
        ("HAVEN_SMTP_TLS", "sometimes"),
        ("HAVEN_VAPID_SUBJECT", "dsl@school.uk"),
        ("HAVEN_LOG_LEVEL", "chatty"),
        ("HAVEN_PUBLIC_URL", "http://haven.oakfield.sch.uk"),
        ("HAVEN_SMTP_TIMEOUT_SECONDS", "300"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(monkeypatch, variable, value):
    with pytest.raises(ConfigError) as raised:
        _load(monkeypatch, **{variable: value})
    assert raised.value.message.startswith(f"{variable}: ")
    assert "\n" not in raised.value.message


def test_it_refuses_several_workers_on_sqlite(monkeypatch):
    with pytest.raises(ConfigError, match="HAVEN_WORKERS: SQLite allows one server process"):
        _load(monkeypatch, HAVEN_WORKERS="4")


def test_several_workers_are_fine_on_postgresql(monkeypatch):
    settings = _load(monkeypatch, HAVEN_WORKERS="4",
                     HAVEN_DATABASE_URL="postgres://haven@127.0.0.1/haven")
    assert settings.workers == 4


def test_https_turns_on_the_host_prefixed_cookie(monkeypatch):
    settings = _load(monkeypatch, HAVEN_PUBLIC_URL="https://haven.oakfield.sch.uk/")
    assert settings.public_url == "https://haven.oakfield.sch.uk"
    assert settings.cookie_name == "__Host-haven" and settings.is_https


def test_settings_can_come_from_a_dot_env_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HAVEN_BIND=0.0.0.0:9000\n")
    assert load_settings().bind == "0.0.0.0:9000"


def test_a_plain_http_address_is_only_for_this_machine(monkeypatch):
    with pytest.raises(ConfigError, match="HAVEN_PUBLIC_URL: use https://"):
        _load(monkeypatch, HAVEN_PUBLIC_URL="http://192.0.2.10:8000")
    assert _load(monkeypatch, HAVEN_PUBLIC_URL="http://localhost:8000").public_url


def test_an_smtp_password_is_never_sent_in_clear_over_the_network(monkeypatch):
    with pytest.raises(ConfigError, match="HAVEN_SMTP_TLS: 'none' would send the SMTP password"):
        _load(monkeypatch, HAVEN_SMTP_HOST="mail.oakfield.sch.uk", HAVEN_SMTP_USER="haven",
              HAVEN_SMTP_TLS="none")
    local = _load(monkeypatch, HAVEN_SMTP_HOST="127.0.0.1", HAVEN_SMTP_TLS="none")
    assert local.smtp_tls == "none"
