"""The README must not lie: its settings table and commands match the code."""

import re
from pathlib import Path

from haven.config import Settings

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_readme_and_nothing_else():
    documented = set(re.findall(r"`(HAVEN_[A-Z_]+)`", README)) - {"HAVEN_TEST_POSTGRES_URL"}
    expected = {f"HAVEN_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_every_setting_is_in_the_example_environment_file():
    example = (ROOT / "deploy" / "haven.env.example").read_text()
    for name in Settings.model_fields:
        assert f"HAVEN_{name.upper()}=" in example, name


def test_ci_runs_the_readme_test_command_and_nothing_else():
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["exec ./scripts/test"]
    assert "```sh\n./scripts/test\n```" in README
    assert "```sh\n./scripts/demo\n```" in README
