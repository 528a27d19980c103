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
import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

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
        except BrokenPipeError:
            _quiet_broken_pipe()
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


class _WarningHandler(logging.Handler):
    """Shows the library's logged warnings as `warning: ...` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)


def _show_library_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Third-party warnings (e.g. Pillow on damaged EXIF) in our one-line form, not Python's."""
    click.echo(f"warning: {message}", err=True)


def _setup_logging() -> None:
    warnings.showwarning = _show_library_warning
    package_logger = logging.getLogger("bundler")
    if not any(isinstance(h, _WarningHandler) for h in package_logger.handlers):
        package_logger.addHandler(_WarningHandler(level=logging.WARNING))
    package_logger.setLevel(logging.WARNING)


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
    _setup_logging()


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


# --------------------------------------------------------------------------- audit log


@cli.command()
@click.option("--lock", "lock", type=_PATH, metavar="FILE",
              help="Compare with this lock file instead of the toolkit's own.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def doctor(lock: Path | None, as_json: bool) -> None:
    """Show the versions that shape what the toolkit makes, and which differ from its lock.

    Lists what a bundle's manifest records (pypdf, reportlab, Pillow, zlib, pillow-heif,
    libheif, extract-msg, LibreOffice, tesseract) and libmagic, then every installed Python
    package that differs from the lock. Exit 0 when all match and nothing needed is
    missing, 1 otherwise.
    """
    from bundler.doctor import diagnose

    report = diagnose(lock)
    if as_json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


def _parse_heads(
    _ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    heads = tuple(value.strip().lower() for value in values)
    for head in heads:
        if len(head) != 64 or any(ch not in "0123456789abcdef" for ch in head):
            raise click.BadParameter(
                f"{head!r} is not a head hash: copy the 64 hexadecimal characters from the "
                "bundle's manifest or certificate page",
                param=param,
            )
    return heads


@cli.group()
def audit() -> None:
    """The case's tamper-evident audit log (CASE_DIR/audit.jsonl): check it, read it."""


@audit.command("verify")
@click.argument("case_dir", type=_PATH)
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="HEX",
    callback=_parse_heads,
    help="Also check that this audit head hash, from a bundle's manifest or certificate "
    "page, is still in the log (repeatable). Catches entries cut off the end.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def audit_verify(case_dir: Path, heads: tuple[str, ...], as_json: bool) -> None:
    """Check that no entry of the audit log was edited, deleted, inserted or moved.

    Prints one PASS line when the chain is intact (exit 0); else one FAIL line per
    problem, naming the first bad entry and its line (exit 1).
    """
    from bundler.audit import verify_against_head, verify_log

    report = verify_log(case_dir)
    checks = [verify_against_head(case_dir, head, report) for head in heads]
    ok = report.ok and all(checks)
    if as_json:
        _print_json({**report.to_json(), "ok": ok, "heads": [c.to_json() for c in checks]})
    else:
        for line in report.lines():
            click.echo(line)
        for check in checks:
            click.echo(check.message)
    if not ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


@audit.command("show")
@click.argument("case_dir", type=_PATH)
@click.option("--json", "as_json", is_flag=True, help="Print every entry in full as JSON.")
def audit_show(case_dir: Path, as_json: bool) -> None:
    """Show the case's history: what the toolkit did, when (UTC), by whom, and what it wrote."""
    from bundler.audit import log_path, read_entries, render_history, verify_log

    entries = read_entries(case_dir)
    report = verify_log(case_dir)
    if as_json:
        _print_json(
            {
                "log": str(log_path(case_dir)),
                "chain_ok": report.ok,
                "entries": [entry.as_json() for entry in entries],
            }
        )
        return
    click.echo(render_history(entries))
    click.echo("")
    click.echo(report.summary())


@audit.command("repair")
@click.argument("case_dir", type=_PATH)
def audit_repair(case_dir: Path) -> None:
    """Set aside a last entry cut off by a crash, and record that in the log.

    The next recorded action does this by itself; nothing else is ever changed.
    """
    from bundler.audit import log_path, repair_log

    log = log_path(case_dir)
    repair = repair_log(case_dir)
    if repair is None:
        click.echo(f"{log}: nothing to repair: the last entry is complete")
    elif repair.completed:
        click.echo(f"{log}: line {repair.line} had lost its line ending; the entry was "
                   "complete and is kept")
    else:
        assert repair.entry is not None
        click.echo(f"{log}: line {repair.line} was cut off; its bytes were moved to "
                   f"{repair.set_aside}, recorded as entry {repair.entry.seq}")


# --------------------------------------------------------------------------- evidence intake


@cli.group()
def evidence() -> None:
    """Files received for a case, kept in CASE_DIR/evidence/."""


@evidence.command("add")
@click.argument("case_dir", type=_PATH)
@click.argument("file", type=_PATH)
@click.option(
    "--as",
    "as_path",
    metavar="RELPATH",
    help="Name to give the copy inside evidence/ (subfolders allowed), e.g. "
    "provider/tenancy-R01.pdf. Default: the file's own name.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a file of the same name (the log keeps the replaced file's SHA-256).",
)
def evidence_add(case_dir: Path, file: Path, as_path: str | None, force: bool) -> None:
    """Copy a received FILE unchanged into CASE_DIR/evidence/ and record it in the audit log.

    File names are kept in the audit log for good: name files by the resident's
    reference (R01), never by their name.
    """
    from bundler.audit import add_evidence

    added = add_evidence(case_dir, file, as_path=as_path, force=force)
    click.echo(
        f"Added {added.path} ({added.bytes} bytes, sha256 {added.sha256}); "
        f"audit entry {added.entry.seq}"
    )
    if added.replaced_sha256 is not None:
        click.echo(f"  replaced the earlier file (sha256 {added.replaced_sha256})")


# --------------------------------------------------------------------------- bundles


@cli.group()
def bundle() -> None:
    """Build (and verify) indexed, paginated, hash-stamped evidence bundles."""


@bundle.command("build")
@click.argument("source", type=_PATH)
@click.option("-o", "--output", "out", type=_PATH, required=True, metavar="OUT.pdf",
              help="The bundle to write; OUT.manifest.json and OUT.pdf.sha256 go beside it.")
@click.option("--force", is_flag=True, help="Replace an existing bundle.")
@click.option("--numbering", type=click.Choice(["continuous", "sectioned"]),
              help="Page numbers 1..N, or A1.., B1.. per section with front matter i, ii... "
              "[default: continuous; a supplement keeps the earlier bundle's]")
@click.option("--date", "build_date", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Bundle date (default: the spec's date, SOURCE_DATE_EPOCH, or today).")
@click.option("--supplement-to", "supplement_to", type=_PATH, metavar="EARLIER.pdf",
              help="Make a supplementary bundle of only the documents EARLIER.pdf (a bundle "
              "already served) does not hold, numbered on after its pages so no page already "
              "cited moves.")
@click.option("--ocr", is_flag=True,
              help="Make scanned pages searchable: pages without text get an invisible text "
              "layer read by Tesseract OCR (Debian: tesseract-ocr, tesseract-ocr-eng); what "
              "they show is unchanged. Slow: seconds per scanned page.")
def bundle_build(
    source: Path, out: Path, force: bool, numbering: str | None, build_date: dt.date | None,
    supplement_to: Path | None, ocr: bool,
) -> None:
    """Build one PDF bundle from SOURCE: a bundle spec YAML file or a case folder."""
    from bundler.bundle.build import build_bundle

    result = build_bundle(source, out, force=force, numbering=numbering,
                          build_date=build_date, progress=_progress(True),
                          supplement_to=supplement_to, ocr=ocr)
    what = "" if result.supplement is None else (
        f" (supplementary bundle {result.supplement} to {supplement_to})")
    click.echo(f"Wrote {result.pages} pages from {result.documents} documents to "
               f"{result.pdf}{what}")


def _parse_sha256(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    digest = value.strip().lower()
    if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        raise click.BadParameter(
            f"{value!r} is not a SHA-256: copy all 64 hexadecimal characters the sender gave "
            "you for the bundle", param=param)
    return digest


@bundle.command("verify")
@click.argument("pdf", type=_PATH, metavar="BUNDLE.pdf")
@click.option("--sources", type=_PATH, metavar="DIR",
              help="Folder the bundle was built from: re-hash every source and rebuild the "
              "bundle from them.")
@click.option("--sha256", "sha256", callback=_parse_sha256, metavar="HEX",
              help="The bundle's SHA-256 as the sender gave it (checked as well as "
              "BUNDLE.pdf.sha256 when that is beside the bundle).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bundle_verify(pdf: Path, sources: Path | None, sha256: str | None, as_json: bool) -> None:
    """Check a bundle without trusting its sender: its hash, manifest, pages, labels and
    stamps, and with --sources that it is what those files build.

    One PASS or FAIL line per check, then the verdict. Exit 0 when every check passed,
    1 when any failed.
    """
    from bundler.bundle.verify import verify_bundle

    report = verify_bundle(pdf, sources=sources, sha256=sha256, progress=_progress(True))
    if as_json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


# --------------------------------------------------------------------------- letters

# Kept here (not imported from bundler.letters) so `bundler --help` stays fast;
# tests check these match bundler.letters.context.LetterKind.
LETTER_KINDS = {
    "information-request": "Ask the provider for the para 85 items marked requested (paras 84-85).",
    "information-reminder": "Remind the provider of the items still outstanding, with a new due date.",
    "resident-consent": "Explain the review to each resident, with a consent form (para 97).",
    "findings": "Send the provider the para 110 findings and dated recommendations (paras 110-118).",
    "resident-outcome": "Tell each resident, briefly, what was recommended (para 115).",
    "revisit-notice": "Give the provider notice of the follow-up visit (para 119).",
}


RESIDENT_LETTERS = frozenset({"resident-consent", "resident-outcome"})


@cli.group()
def letter() -> None:
    """Write letters from a validated case as Word (and PDF) files, from templates a
    council can rebrand (letter_templates/)."""


def _letter_command(kind: str, summary: str) -> click.Command:
    @click.argument("case_dir", type=_PATH)
    @click.option("-o", "--out", "out_dir", type=_PATH, required=True, metavar="OUT_DIR",
                  help="Folder to write the letter(s) to.")
    @click.option("--pdf", is_flag=True, help="Also convert each letter to PDF (LibreOffice).")
    @click.option("--templates", type=_PATH, metavar="DIR",
                  help=f"Folder holding your own {kind}.docx (default: the case's "
                  "letter_templates setting, else the toolkit's).")
    @click.option("--resident", metavar="REF",
                  help="Only the letter for this resident, e.g. R01 (resident letters).")
    @click.option("--date", "letter_date", callback=_parse_date, metavar="YYYY-MM-DD",
                  help="The letter's date (default: the date the case records for it, else today).")
    @click.option("--force", is_flag=True, help="Replace letters already in OUT_DIR.")
    def command(case_dir: Path, out_dir: Path, pdf: bool, templates: Path | None,
                resident: str | None, letter_date: dt.date | None, force: bool) -> None:
        from bundler.letters.context import LetterKind
        from bundler.letters.generate import LetterOptions, generate_letters

        options = LetterOptions(
            kind=LetterKind(kind), case_dir=case_dir, out_dir=out_dir, pdf=pdf,
            templates=templates, resident=resident, letter_date=letter_date,
            today=dt.date.today(), force=force,
        )
        for written in generate_letters(options, progress=_progress(True)):
            click.echo(f"Wrote {written.docx} (sha256 {written.docx_sha256})")
            if written.pdf is not None:
                click.echo(f"Wrote {written.pdf} (sha256 {written.pdf_sha256})")

    written_as = (
        f"Written one per resident as {kind}-R01.docx and so on (--resident REF for one)"
        if kind in RESIDENT_LETTERS
        else f"Written as {kind}.docx"
    )
    command.__doc__ = f"{summary}\n\n{written_as}, and recorded in the case's audit log."
    return click.command(kind)(command)


for _kind, _summary in LETTER_KINDS.items():
    letter.add_command(_letter_command(_kind, _summary))


@letter.command("fields")
@click.argument("kind", type=click.Choice(list(LETTER_KINDS)))
def letter_fields(kind: str) -> None:
    """List every value a KIND letter's template can use, with what it holds.

    NAME[].FIELD is FIELD of each item in a loop such as {% for item in NAME %}
    ... {{ item.FIELD }} ... {% endfor %}; NAME.* is a group of the values listed under it."""
    from bundler.letters.checktemplate import describe_fields
    from bundler.letters.context import LetterKind

    for field in describe_fields(LetterKind(kind)):
        click.echo(f"{field.usage()}  {field.description}".rstrip())


@letter.command("check-template")
@click.argument("template", type=_PATH, metavar="FILE.docx")
@click.option("--kind", type=click.Choice(list(LETTER_KINDS)), required=True,
              help="The letter the template is for.")
def letter_check_template(template: Path, kind: str) -> None:
    """Check a letter template before use: list every variable it uses (nested ones and
    loop items included) and name each one the letter does not provide, and any syntax error."""
    from bundler.letters.checktemplate import check_template
    from bundler.letters.context import LetterKind

    report = check_template(template, LetterKind(kind))
    for name in report.variables:
        click.echo(f"uses {name}")
    if report.ok:
        click.echo(f"{template}: every variable is provided by the {kind} letter")
        return
    for problem in report.problems():
        click.echo(f"{template}: {problem}")
    count = len(report.problems())
    _error_exit(
        f"{template}: {count} problem{'s' if count != 1 else ''} for the {kind} letter",
        "Correct the names listed above in Word (the fields each letter provides are "
        "documented in bundler/letters/context.py), then check again.",
        int(ExitCode.TEMPLATE_ERROR),
    )


def _quiet_broken_pipe() -> NoReturn:
    """The reader of our output went away (``bundler ... | head``): stop quietly, as cat does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def main() -> None:
    try:
        cli(prog_name="bundler")
    except BrokenPipeError:
        _quiet_broken_pipe()


if __name__ == "__main__":  # pragma: no cover
    main()
