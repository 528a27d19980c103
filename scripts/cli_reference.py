"""Generate docs/cli.md from the commands' own --help text.

Run `python scripts/cli_reference.py` after changing a command; tests/test_docs.py
fails when docs/cli.md is out of date or a command is missing from the README.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundler.cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "cli.md"


def commands(group: click.Command, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from commands(group.commands[name], (*path, name))


def help_text(path: tuple[str, ...], command: click.Command) -> str:
    ctx = click.Context(
        command,
        info_name=" ".join(path),
        terminal_width=100,
        max_content_width=100,
        help_option_names=["-h", "--help"],
    )
    return command.get_help(ctx)


def render() -> str:
    parts = [
        "# Command reference\n",
        "Generated from each command's `--help` by `scripts/cli_reference.py`; do not edit by hand.\n",
    ]
    for path, command in commands(cli, ("bundler",)):
        parts.append(f"\n## `{' '.join(path)}`\n\n```\n{help_text(path, command).rstrip()}\n```\n")
    return "".join(parts)


def command_paths() -> list[str]:
    return [" ".join(path) for path, command in commands(cli, ("bundler",)) if not isinstance(command, click.Group)]


if __name__ == "__main__":
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
