"""The command is installed and behaves like a well-mannered command-line tool."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler import __version__
from bundler import schemas as schemas_module
from bundler.cli import cli
from bundler.schemas import SCHEMAS, default_schema_dir

from .conftest import SAMPLE


def test_python_dash_m_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bundler", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "validate" in result.stdout and "checklist" in result.stdout


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"bundler, version {__version__}"


def test_console_script_validates_the_sample() -> None:
    exe = str(Path(sys.executable).parent / "bundler") if (Path(sys.executable).parent / "bundler").exists() else shutil.which("bundler")
    assert exe, "the bundler console script is not installed"
    result = subprocess.run([exe, "validate", str(SAMPLE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "valid: review WBC-SHR-2026-014" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["validat", str(SAMPLE)])
    assert result.exit_code == 2
    assert "No such command 'validat'" in result.stderr


def _a_bug(_target: Path) -> list[Path]:
    raise ZeroDivisionError("division by zero")


def test_a_bug_is_one_plain_line_and_exit_70(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setattr(schemas_module, "write_schemas", _a_bug)
    result = CliRunner().invoke(cli, ["schemas", "--out", str(tmp_path)])
    assert (result.exit_code, result.stdout, result.stderr.splitlines()) == (70, "", [
        "error: unexpected internal problem (ZeroDivisionError); nothing was written",
        "  what to do: Run the same command again with `bundler --debug ...` and send the "
        "output to the toolkit's maintainers."])


def test_debug_shows_the_bug_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(schemas_module, "write_schemas", _a_bug)
    result = CliRunner().invoke(cli, ["--debug", "schemas", "--out", str(tmp_path)])
    assert (type(result.exception), result.stderr) == (ZeroDivisionError, "")


def test_debug_prints_the_traceback_from_the_command_line(tmp_path: Path) -> None:
    """A real process: with --debug the traceback reaches the terminal (and Python's exit
    status 1); without it, exit 70 and no traceback."""
    command = [sys.executable, "-c", "import sys\nfrom bundler import schemas\n"
               "def bug(target):\n    raise ZeroDivisionError('injected')\n"
               "schemas.write_schemas = bug\nfrom bundler.cli import main\nsys.argv[0] = 'bundler'\n"
               "main()", "schemas", "--out", str(tmp_path)]
    plain = subprocess.run(command, capture_output=True, text=True, check=False)
    debug = subprocess.run([*command[:3], "--debug", *command[3:]], capture_output=True,
                           text=True, check=False)
    assert (plain.returncode, "Traceback" in plain.stderr) == (70, False)
    assert (debug.returncode, debug.stderr.splitlines()[0], debug.stderr.splitlines()[-1]) == (
        1, "Traceback (most recent call last):", "ZeroDivisionError: injected")


def test_schemas_check_passes_on_the_committed_schemas() -> None:
    result = CliRunner().invoke(cli, ["schemas", "--check"])
    assert (result.exit_code, result.stdout) == (
        0, f"All schemas in {default_schema_dir()} are up to date.\n")


def test_schemas_check_names_each_stale_file_and_changes_nothing(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["schemas", "--out", str(tmp_path)]).exit_code == 0
    first, second = sorted(SCHEMAS)[:2]
    (tmp_path / first).write_text("{}\n", encoding="utf-8")
    (tmp_path / second).unlink()
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    result = CliRunner().invoke(cli, ["schemas", "--check", "--out", str(tmp_path)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, f"{tmp_path / first}: out of date with the models\n"
        f"{tmp_path / second}: out of date with the models\n",
        "Run `bundler schemas` to regenerate them.\n")
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in tmp_path.iterdir()} == before
