"""The command is installed and behaves like a well-mannered command-line tool."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from bundler import __version__
from bundler.cli import cli

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
