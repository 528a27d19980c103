"""Docs that run: the CLI reference matches --help, and the README covers every command."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _reference_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    module = _reference_module()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == module.render(), "run `python scripts/cli_reference.py` and commit docs/cli.md"


def test_readme_mentions_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    def documented(path: str) -> bool:
        # the six letter kinds are documented together under `bundler letter KIND`
        if path.startswith("bundler letter ") and "bundler letter KIND" in readme:
            return f"`{path.rsplit(' ', 1)[1]}`" in readme or path in readme
        return path in readme

    missing = [path for path in _reference_module().command_paths() if not documented(path)]
    assert missing == [], f"document these commands in the README: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:400]
    assert "make demo" in head and "make test" in head


def test_readme_exit_code_table_matches_the_code() -> None:
    from bundler.errors import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", readme, flags=re.MULTILINE))
    assert sorted(int(code) for code in table) == sorted(int(code) for code in ExitCode)


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
