"""The `bundler` command: click only.

Each command turns its options into arguments, makes one library call, and
prints the result. Errors are translated here and nowhere else: the library
raises ``BundlerError`` subclasses, and this module prints ``error: MESSAGE``
and the hint on stderr, then exits with the error's code. Unexpected
exceptions are bugs; they show no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from bundler import __version__
from bundler.errors import BundlerError, ExitCode

_PATH = click.Path(path_type=Path)


def _error_exit(message: str, hint: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"  what to do: {hint}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """A click group that translates library errors at one boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BundlerError as exc:
            _error_exit(exc.message, exc.hint, int(exc.exit_code))
        except KeyboardInterrupt:
            _error_exit("stopped by the user; nothing was written", "", 130)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
            root = ctx.find_root()
            if root.params.get("debug"):
                raise
            _error_exit(
                f"unexpected internal problem ({type(exc).__name__}); nothing was written",
                "Run the same command again with `bundler --debug ...` and send the output "
                "to the toolkit's maintainers.",
                int(ExitCode.INTERNAL),
            )


def _progress(enabled: bool) -> Callable[[str], None]:
    """A progress callback that writes to stderr only when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        return lambda _message: None

    def report(message: str) -> None:
        click.echo(message, err=True)

    return report


def _parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a real date; write it as YYYY-MM-DD, e.g. 2026-03-01", param=param
        ) from None


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bundler")
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected problems.")
def cli(debug: bool) -> None:
    """Review supported housing: validate the case records, write letters, build and
    verify evidence bundles (DLUHC 2022 guidance)."""


# --------------------------------------------------------------------------- case records


@cli.command()
@click.argument("case_dir", type=_PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(case_dir: Path, as_json: bool) -> None:
    """Check a case folder's records (case.yaml, residents/*.yaml and the files they name).

    Prints one summary line when all is well, else every problem as FILE:LINE: field: message.
    """
    from bundler.case.validate import validate_case

    report = validate_case(case_dir)
    if as_json:
        _print_json(report.to_json())
    elif report.ok:
        click.echo(report.summary())
    else:
        for line in report.lines():
            click.echo(line)
        click.echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


@cli.command()
@click.argument("case_dir", type=_PATH)
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="Count overdue days to this date (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON for other systems.")
def checklist(case_dir: Path, as_of: dt.date | None, as_json: bool) -> None:
    """List what is still outstanding in a case, most urgent first."""
    from bundler.case.checklist import outstanding_items, render_table
    from bundler.case.validate import load_valid_case

    case = load_valid_case(case_dir)
    when = as_of or dt.date.today()
    items = outstanding_items(case, when)
    if as_json:
        _print_json(
            {"case": case.case.review.reference, "as_of": when.isoformat(),
             "outstanding": [item.model_dump(mode="json") for item in items]}
        )
    else:
        click.echo(render_table(case, items, when))


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=_PATH,
    default=None,
    help="Folder to write the JSON Schemas to (default: the project's schemas/ folder).",
)
@click.option("--check", is_flag=True, help="Only report whether the files are up to date.")
def schemas(out_dir: Path | None, check: bool) -> None:
    """Write the JSON Schemas for every file the toolkit reads or writes."""
    from bundler.schemas import default_schema_dir, stale_schemas, write_schemas

    target = out_dir or default_schema_dir()
    if check:
        stale = stale_schemas(target)
        if stale:
            for name in stale:
                click.echo(f"{target / name}: out of date with the models")
            click.echo("Run `bundler schemas` to regenerate them.", err=True)
            sys.exit(int(ExitCode.CHECKS_FAILED))
        click.echo(f"All schemas in {target} are up to date.")
        return
    written = write_schemas(target)
    click.echo(f"Wrote {len(written)} schemas to {target}")


def main() -> None:
    cli(prog_name="bundler")


if __name__ == "__main__":  # pragma: no cover
    main()
