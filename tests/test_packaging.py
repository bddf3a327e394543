"""`pip install .` gives a wheel that carries the front end and the migrations."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (found,) = out.glob("haven-*.whl")
    return found


def test_the_wheel_carries_the_app_shell_service_worker_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "haven/pwa/index.html",
        "haven/pwa/manifest.webmanifest",
        "haven/pwa/icons/icon-512.png",
        "haven/pwa/js/app.js",
        "haven/service_worker/sw.js",
        "haven/migrations/0001_initial.py",
        "haven/cli.py",
    ):
        assert expected in names
    assert not any(name.startswith(("tests/", "haven/tests")) for name in names)


def test_the_installed_wheel_serves_its_own_copy_of_the_shell(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    probe = (
        "from haven.web.shell import Shell; s = Shell.load(); "
        "print(s.pwa_dir); print(len(s.files))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)}, timeout=60, check=True,
    )
    pwa_dir, count = result.stdout.split()
    assert Path(pwa_dir).is_relative_to(target) and int(count) > 10
