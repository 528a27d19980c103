"""The `bundler` command: click only.

Each command turns its options into arguments, makes one library call, and
prints the result. Errors are translated here and nowhere else: the library
raises ``BundlerError`` subclasses, and this module prints ``error: MESSAGE``
and the hint on stderr, then exits with the error's code. Unexpected
exceptions are bugs; they show no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import datetime as dt
import gc
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
from bundler.errors import BadInput, BundlerError, ExitCode, SeveralProblems

_PATH = click.Path(path_type=Path)


def _error_exit(message: str, hint: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"  what to do: {hint}", err=True)
    sys.exit(code)


def _several_problems_exit(exc: SeveralProblems) -> NoReturn:
    """Each problem on its own `error:` line (its hint once), then the summary."""
    hints: set[str] = set()
    for problem in exc.problems:
        click.echo(f"error: {problem.message}", err=True)
        if problem.hint and problem.hint not in hints:
            hints.add(problem.hint)
            click.echo(f"  what to do: {problem.hint}", err=True)
    _error_exit(exc.message, exc.hint, int(exc.exit_code))


class _Group(click.Group):
    """A click group that translates library errors at one boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except SeveralProblems as exc:
            _several_problems_exit(exc)
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
    from bundler.dates import parse_iso

    try:
        return parse_iso(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


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
@click.option("--evidence", "evidence_dates", is_flag=True,
              help="Also read the evidence files' own dates and note, with the file and page, "
              "an item received whose file is dated before the request, an item outstanding "
              "whose file is already in the case, and a document dated after it was received.")
def validate(case_dir: Path, as_json: bool, evidence_dates: bool) -> None:
    """Check a case folder's records (case.yaml, residents/*.yaml, letters.yaml and the
    files they name).

    Prints every error as FILE:LINE: field: message (exit 1), and every finding the records
    hold (a licence expired, consent declined) as FILE:LINE: note: ... (these never block
    letters or bundles), then one summary line.
    """
    from bundler.case.validate import validate_case

    report = validate_case(case_dir, evidence_dates=evidence_dates)
    if as_json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
        click.echo(report.summary(), err=not report.ok)
    if report.unreadable is not None:
        sys.exit(int(ExitCode.BAD_INPUT))
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


@cli.group()
def case() -> None:
    """The case folder itself."""


@case.command("new")
@click.argument("case_dir", type=_PATH)
@click.option("--reference", required=True, metavar="REF",
              help="The council's reference for the review, e.g. WBC-SHR-2027-001.")
@click.option("--authority", metavar="NAME", help="The council, e.g. 'Wrexley Borough Council'.")
@click.option("--scheme", "schemes", multiple=True, metavar="NAME",
              help="A scheme reviewed, by name (repeat for each); its id is made from the name.")
@click.option("--provider", metavar="NAME", help="The provider's name.")
@click.option("--lead-officer", metavar="NAME", help="The officer who leads the review.")
@click.option("--opened", callback=_parse_date, metavar="YYYY-MM-DD",
              help="The date the review started (default: today).")
def case_new(case_dir: Path, reference: str, authority: str | None, schemes: tuple[str, ...],
             provider: str | None, lead_officer: str | None, opened: dt.date | None) -> None:
    """Start a case folder: CASE_DIR/case.yaml, residents/ and evidence/.

    case.yaml validates from the start: each section says what goes there and which
    paragraph of the guidance asks for it, and each value the toolkit cannot know is a
    placeholder (FILL IN ..., postcode ZZ99 9ZZ) that `bundler validate` notes until it is
    filled in. Add residents with `bundler resident new` and files with `bundler evidence add`.
    """
    from bundler.case.new import NewCase, create_case

    written = create_case(case_dir, NewCase(
        reference=reference, authority=authority, schemes=schemes, provider=provider,
        lead_officer=lead_officer, opened=opened))
    click.echo(f"Wrote {written.path}")
    click.echo(f"  {written.placeholders} values to fill in; then run `bundler validate "
               f"{case_dir}`")


@cli.group()
def resident() -> None:
    """One resident's file in a case folder (residents/REF.yaml)."""


@resident.command("new")
@click.argument("case_dir", type=_PATH)
@click.argument("ref", metavar="REF")
@click.option("--scheme", metavar="ID",
              help="The id of the scheme the resident lives in (needed when the case has several).")
def resident_new(case_dir: Path, ref: str, scheme: str | None) -> None:
    """Start CASE_DIR/residents/REF.yaml for a resident known by reference REF (e.g. R01).

    The file validates from the start, with consent recorded as not asked yet, and each
    section says what goes there (paras 94-100). Never use the resident's name as REF.
    """
    from bundler.case.new import create_resident

    written = create_resident(case_dir, ref, scheme=scheme)
    click.echo(f"Wrote {written.path}")


@case.command("upgrade")
@click.argument("case_dir", type=_PATH)
def case_upgrade(case_dir: Path) -> None:
    """Rewrite a case folder made for the toolkit's first records model in the current form.

    Consent recorded as one yes/no becomes the consent form's statements (never widening
    what a resident agreed to), and the findings become answers F1-F3 for every scheme.
    Comments and everything else are kept; files already current are left alone.
    """
    from bundler.case.upgrade import upgrade_case
    from bundler.case.validate import validate_case

    result = upgrade_case(case_dir)
    for path in result.changed:
        click.echo(f"Rewrote {path}")
    if not result.changed:
        click.echo(f"{case_dir}: already in the current form; nothing changed")
    report = validate_case(case_dir)
    for line in report.lines():
        click.echo(line)
    click.echo(report.summary(), err=not report.ok)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


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


# --------------------------------------------------------------------------- installation


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
# --------------------------------------------------------------------------- every case


@cli.command()
@click.argument("cases_dir", type=_PATH)
@click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Count overdue days to this date (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="Print one row per case as CSV for a spreadsheet.")
@click.option("--json", "as_json", is_flag=True,
              help="Print every case with all its deadlines as JSON for other systems.")
def register(cases_dir: Path, as_of: dt.date | None, as_csv: bool, as_json: bool) -> None:
    """List every review under CASES_DIR (one case folder each): reference, schemes, provider,
    stage, the para 110 answers, overdue items and next deadline; then every deadline across
    all cases, overdue first.

    A case whose records do not validate is listed with its number of problems.
    """
    from bundler.register import build_register, csv_rows
    from bundler.register.text import render_register

    if as_csv and as_json:
        raise click.UsageError("give --csv or --json, not both")
    result = build_register(cases_dir, as_of or dt.date.today())
    if as_json:
        _print_json(result.to_json())
    elif as_csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows(csv_rows(result.cases))
    else:
        click.echo(render_register(result))


@cli.command("report")
@click.argument("cases_dir", type=_PATH)
@click.option("--from", "start", callback=_parse_date, metavar="YYYY-MM-DD",
              help="First day of the period (default: a year before its end).")
@click.option("--to", "end", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Last day of the period (default: today).")
@click.option("-o", "--output", "out", type=_PATH, metavar="OUT.pdf",
              help="Write the report as a PDF here (otherwise it is printed as text).")
@click.option("--force", is_flag=True, help="Replace an existing OUT.pdf.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def members_report_command(cases_dir: Path, start: dt.date | None, end: dt.date | None,
                           out: Path | None, force: bool, as_json: bool) -> None:
    """The report for members over a period: reviews opened and done, the para 110 answers,
    recommendations made, completed and overdue, hazards referred, and results by scheme
    (para 112)."""
    from bundler.register import case_states, find_cases, members_report, period
    from bundler.register.text import render_report

    today = dt.date.today()
    states = case_states(find_cases(cases_dir), None)
    report = members_report(states, period(start, end, today), today)
    if out is not None:
        from bundler.fileio import refuse_overwrite, write_bytes_atomic
        from bundler.register.pdf import report_pdf

        refuse_overwrite([out], force)
        write_bytes_atomic(out, report_pdf(report, today))
        click.echo(f"Wrote the report for {report.period.label} to {out}")
    elif as_json:
        _print_json(report.model_dump(mode="json"))
    else:
        click.echo(render_report(report))


@cli.command()
@click.argument("cases_dir", type=_PATH, default=".", required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=8470, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep the default so only this computer can connect.")
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the web browser.")
@click.option("--max-upload-mb", type=click.IntRange(1, 100_000), default=512, show_default=True,
              help="Largest upload accepted in one go, in MB.")
def serve(cases_dir: Path, port: int, host: str, open_browser: bool, max_upload_mb: int) -> None:
    """Open the officer's desk: a web app over the case folders in CASES_DIR (default: here).

    Prints the address to open, with a token that changes at every launch (set
    BUNDLER_TOKEN to choose it, for scripts). The case folders stay the records: the
    `bundler` commands and the app can be used on the same case.
    """
    from bundler.web.server import serve as run

    run(cases_dir, host=host, port=port, open_browser=open_browser,
        max_upload_mb=max_upload_mb, say=lambda line: click.echo(line, err=line.startswith("warning")))


# --------------------------------------------------------------------------- audit log


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


def _parse_tsa(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            f"{value!r} is not a web address: give the time-stamping authority's RFC 3161 "
            "address, e.g. http://timestamp.example.org/tsa", param=param)
    return value.strip()


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
@click.option(
    "--bundle",
    "bundles",
    multiple=True,
    type=_PATH,
    metavar="BUNDLE.pdf",
    help="Also check that the log records building this bundle (by its SHA-256) and that "
    "every later entry follows on from that record (repeatable). Catches the bundle's own "
    "entry, or anything after it, being cut off.",
)
@click.option("--trust", "trust", type=_PATH, multiple=True, metavar="CA.pem",
              help="A CA certificate you trust for the anchors' time-stamping authority "
              "(repeatable; the system's trust store is used too).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def audit_verify(case_dir: Path, heads: tuple[str, ...], bundles: tuple[Path, ...],
                 trust: tuple[Path, ...], as_json: bool) -> None:
    """Check that no entry of the audit log was edited, deleted, inserted or moved, that no
    entry's time goes backwards, and that every anchor (`bundler audit anchor`) still holds.

    Prints one PASS line when the chain is intact (exit 0); else one FAIL line per
    problem, naming the first bad entry and its line (exit 1).
    """
    from bundler.audit import verify_against_head, verify_bundle_recorded, verify_log
    from bundler.audit.anchor import check_anchors

    report = verify_log(case_dir)
    checks = [verify_against_head(case_dir, head, report) for head in heads]
    served = [verify_bundle_recorded(case_dir, bundle, report) for bundle in bundles]
    anchors = check_anchors(case_dir, report, trust)  # audit anchor: timestamps of heads
    ok = report.ok and all(checks) and all(served) and all(anchor.ok for anchor in anchors)
    if as_json:
        _print_json({**report.to_json(), "ok": ok, "heads": [c.to_json() for c in checks],
                     "bundles": [c.to_json() for c in served],
                     "anchors": [anchor.to_json() for anchor in anchors]})
    else:
        for line in report.lines():
            click.echo(line)
        for check in [*checks, *served]:
            click.echo(check.message)
        for anchor in anchors:
            click.echo(anchor.message)
    if not ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


@audit.command("anchor")
@click.argument("case_dir", type=_PATH)
@click.option("--tsa", required=True, callback=_parse_tsa, metavar="URL",
              help="The time-stamping authority's RFC 3161 address.")
def audit_anchor(case_dir: Path, tsa: str) -> None:
    """Timestamp the audit log's current head with a time-stamping authority, and keep the
    timestamp beside the log (audit.jsonl.anchor-N.tsr): a chain rewritten from before
    that entry then fails `bundler audit verify`."""
    from bundler.audit.anchor import anchor_log

    anchored = anchor_log(case_dir, tsa)
    if anchored.timestamp is None:
        click.echo(f"{anchored.path}: entry {anchored.seq} (head {anchored.head[:12]}) is "
                   "already anchored; nothing was changed")
        return
    click.echo(f"Anchored entry {anchored.seq} (head {anchored.head[:12]}): timestamped "
               f"{anchored.timestamp.time:%Y-%m-%d %H:%M:%S} UTC by {anchored.timestamp.tsa}; "
               f"wrote {anchored.path}")


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
    """Remove blank lines and set aside a last entry cut off by a crash, recording each
    repair in the log; then list every problem no repair can put right.

    No entry is ever changed. Exit 0 when the log verifies afterwards, else 1.
    """
    from bundler.audit import repair

    report = repair(case_dir)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


# --------------------------------------------------------------------------- evidence intake


@cli.group()
def evidence() -> None:
    """Files received for a case, kept in CASE_DIR/evidence/."""


@evidence.command("add")
@click.argument("case_dir", type=_PATH)
@click.argument("paths", nargs=-1, required=True, type=_PATH, metavar="PATH...")
@click.option(
    "--as",
    "as_path",
    metavar="RELPATH",
    help="New name for the one file or folder given, inside evidence/ (subfolders "
    "allowed), e.g. provider/tenancy-R01.pdf. Default: its own name.",
)
@click.option(
    "--into",
    metavar="FOLDER",
    help="Folder inside evidence/ to put everything in, e.g. residents/R01.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a file of the same name, or record a file that changed since it was "
    "added (the log keeps the earlier SHA-256).",
)
def evidence_add(
    case_dir: Path, paths: tuple[Path, ...], as_path: str | None, into: str | None, force: bool
) -> None:
    """Copy received files, unchanged, into CASE_DIR/evidence/ and record each in the audit log.

    PATH is a file or a folder (every file in it, in sub-folders too, in name order). Each
    file's content is checked against its name first, as the bundle build will check it;
    if any file is refused (a .pdf that is really a Word file, a damaged file, a name
    already taken), nothing is added and every refused file is named. Hidden files, links
    and Office lock files found in folders are left out and listed. Files already in
    CASE_DIR/evidence/ are recorded where they are (so `evidence add CASE CASE/evidence`
    records files put there by hand); files already added are not copied twice.

    File names are kept in the audit log for good: name files by the resident's
    reference (R01), never by their name.
    """
    from bundler.audit import add_evidence

    result = add_evidence(
        case_dir, list(paths), as_path=as_path, into=into, force=force, progress=_progress(True)
    )
    for added in result.added:
        verb = "Recorded (already in place)" if added.in_place else "Added"
        click.echo(
            f"{verb} {added.path} ({added.bytes} bytes, sha256 {added.sha256}); "
            f"audit entry {added.entry.seq}"
        )
        if added.replaced_sha256 is not None:
            click.echo(f"  replaced the earlier file (sha256 {added.replaced_sha256})")
    for same in result.already:
        click.echo(
            f"Already added {same.path} (same sha256 {same.sha256}, audit entry {same.seq}); "
            "nothing to do"
        )
    for skipped in result.skipped:
        click.echo(f"Left out {skipped}")
    if len(result.added) + len(result.already) + len(result.skipped) > 1:
        count = len(result.added)
        click.echo(
            f"{count} file{'' if count == 1 else 's'} added, {len(result.already)} already "
            f"in the case, {len(result.skipped)} left out"
        )


@evidence.command("retire")
@click.argument("case_dir", type=_PATH)
@click.argument("relpath", metavar="RELPATH")
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why the file is taken out (kept in the audit log for good, at most 200 "
    "characters: refer to residents by reference, e.g. R01).",
)
def evidence_retire(case_dir: Path, relpath: str, reason: str) -> None:
    """Take a wrong file out of the case: move it to CASE_DIR/evidence/.retired/ and record
    it, with the reason, in the audit log. Nothing is ever deleted.

    RELPATH is the file as the records name it (evidence/provider/x.pdf) or its path from
    here. The file keeps its path under .retired/ (NAME (2).pdf if that is taken). Records
    that still name it are listed: correct them, then run `bundler validate`.
    """
    from bundler.audit import retire_evidence

    retired = retire_evidence(case_dir, relpath, reason=reason)
    click.echo(
        f"Retired {case_dir / retired.case_path} to {retired.retired_to} "
        f"(sha256 {retired.sha256}); "
        f"audit entry {retired.entry.seq}"
    )
    for reference in retired.still_named_by:
        click.echo(
            f"warning: {reference}: still names {retired.case_path}; name the right file "
            "there or remove the entry",
            err=True,
        )


# --------------------------------------------------------------------------- bundles


def _parse_audience(_ctx: click.Context, param: click.Parameter,
                    value: str | None) -> str | None:
    if value is None:
        return None
    from bundler.bundle.audience import parse_audience

    try:
        return parse_audience(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


@cli.group()
def bundle() -> None:
    """Build (and verify) indexed, paginated, hash-stamped evidence bundles."""


_PROFILE_NAMES = ("general", "judiciary-2021", "pd27a", "sscs")  # tests check these match


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
@click.option("--audience", callback=_parse_audience, metavar="AUDIENCE",
              help="Build the edition for one audience: tribunal (unedited, with what the "
              "parties do not see marked), appeal:REF (the parties to one appeal), provider, "
              "or internal. Documents it may not see become one-page placeholders keeping "
              "their page numbers; what it must not see is removed; a redaction log is added.")
@click.option("--strict", is_flag=True,
              help="Refuse to build (exit 10) when a finding or recommendation cites no "
              "evidence, a document not in the bundle, or pages a document does not have, "
              "instead of warning.")
@click.option("--profile", type=click.Choice(_PROFILE_NAMES),
              help="Build for a court's or tribunal's rules (numbering, OCR of scans; pd27a "
              "fits pages that are not A4 onto A4, scaled and centred), then check the "
              "bundle against them (see `bundle check`).")
@click.option("--max-pages", type=click.IntRange(min=1), metavar="N",
              help="Split into volumes of at most N pages each (OUT-vol1.pdf, ...).")
@click.option("--max-mb", type=click.FloatRange(min=0.1), metavar="M",
              help="Split into volumes of at most M megabytes each (an upload or e-mail "
              "limit).")
@click.option("--core", "core", is_flag=False, flag_value="", default=None, metavar="DOCS",
              help="Also write OUT-core.pdf, a core bundle of the documents DOCS names "
              "(document numbers as the index gives them, or files as the spec names them, "
              "comma-separated; --core alone, for a case folder: the documents the findings "
              "and recommendations cite). Each of its pages prints its own number and its "
              "page in the main bundle.")
@click.option("--workers", type=click.IntRange(min=1, max=64), metavar="N",
              help="Processes that identify, convert, check, merge and stamp the documents at "
              "once [default: one per processor, at most 4]. The bundle is the same whatever "
              "N.")
def bundle_build(
    source: Path, out: Path, force: bool, numbering: str | None, build_date: dt.date | None,
    supplement_to: Path | None, ocr: bool, audience: str | None, profile: str | None,
    max_pages: int | None, max_mb: float | None, strict: bool, core: str | None,
    workers: int | None,
) -> None:
    """Build one PDF bundle from SOURCE: a bundle spec YAML file or a case folder; or, with
    --max-pages or --max-mb, a set of volumes.

    A bundle from a case folder opens, after the index, with the findings and the evidence
    they rest on (each cited page a link) and the chronology of the review."""
    from bundler.bundle.build import build_bundle
    from bundler.bundle.profiles import build_choices, get_profile

    rules = get_profile(profile) if profile else None
    if rules is not None:
        numbering, ocr = build_choices(rules, numbering, ocr)
    if max_pages is not None or max_mb is not None:
        from bundler.bundle.volumes import VolumeLimits, build_set

        if rules is not None and rules.numbering == "sectioned":
            raise BadInput(f"--profile {rules.name} numbers pages by section (A1, B1...), and "
                           "volumes are numbered continuously across the set",
                           f"Build the {rules.name} bundle in one file (over its page limit "
                           "only with the court's permission), or leave out --profile for "
                           "volumes.")
        if core is not None:
            raise BadInput("a core bundle cannot yet be made with a set of volumes",
                           "Build the core bundle with the bundle in one file (without "
                           "--max-pages and --max-mb), or leave out --core.")

        results = build_set(source, out, VolumeLimits(max_pages, max_mb), force=force,
                            numbering=numbering, build_date=build_date,
                            progress=_progress(True), ocr=ocr, supplement_to=supplement_to,
                            audience=audience, strict=strict,
                            fit_a4=rules is not None and rules.fit_a4, workers=workers)
        for number, volume in enumerate(results, start=1):
            _fitted_lines(volume.fitted)
            click.echo(f"Wrote volume {number} of {len(results)}: {volume.pages} pages from "
                       f"{volume.documents} documents to {volume.pdf}")
        _profile_lines(rules, [volume.pdf for volume in results])
        return
    result = build_bundle(source, out, force=force, numbering=numbering,
                          build_date=build_date, progress=_progress(True),
                          supplement_to=supplement_to, ocr=ocr, audience=audience,
                          strict=strict, fit_a4=rules is not None and rules.fit_a4, core=core,
                          workers=workers)
    _profile_lines(rules, [result.pdf] + ([result.core.pdf] if result.core else []))
    for line in result.edition:
        click.echo(line)
    _fitted_lines(result.fitted)
    what = "" if result.supplement is None else (
        f" (supplementary bundle {result.supplement} to {supplement_to})")
    edition = f" for {audience}" if audience else ""
    click.echo(f"Wrote {result.pages} pages from {result.documents} documents{edition} to "
               f"{result.pdf}{what}")
    if result.core is not None:
        click.echo(f"Wrote the core bundle: {result.core.pages} pages from "
                   f"{result.core.documents} documents to {result.core.pdf}")


def _fitted_lines(fitted: tuple[str, ...]) -> None:
    """Documents whose pages went onto A4 sheets (a profile requiring A4), and how."""
    for line in fitted:
        click.echo(f"Fitted onto A4: {line}")


def _profile_lines(rules: object, pdfs: list[Path]) -> None:
    """After a build for a profile: what `bundle check` says, on stderr, when not a PASS."""
    if rules is None:
        return
    from bundler.bundle.check import check_bundle
    from bundler.bundle.profiles import Profile

    assert isinstance(rules, Profile)
    for pdf in pdfs:
        report = check_bundle(pdf, rules)
        for result in report.results:
            if result.level.value != "PASS":
                click.echo(f"warning: {pdf.name}: {result.line()}", err=True)
        click.echo(report.verdict())


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
              help="Folder the bundle was built from: re-hash every source, rebuild the "
              "bundle from them and compare every page as a reader sees it (rendered, text, "
              "links, actions, attachments); also lists the folder's files the bundle does "
              "not use.")
@click.option("--sha256", "sha256", callback=_parse_sha256, metavar="HEX",
              help="The bundle's SHA-256 as the sender gave it by another route (letter, "
              "phone call); checked as well as BUNDLE.pdf.sha256 when that is beside it.")
@click.option("--trust", "trust", type=_PATH, multiple=True, metavar="CA.pem",
              help="A CA certificate you trust (PEM or DER; repeatable): a signed bundle's "
              "signer must chain to one of these or to the system's trust store.")
@click.option("--volumes", "volumes", is_flag=True,
              help="Check the whole set of volumes BUNDLE.pdf belongs to (or give the set's "
              "folder or OUT.manifest.json): every volume present, none extra, each verified.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bundle_verify(pdf: Path, sources: Path | None, sha256: str | None,
                  trust: tuple[Path, ...], volumes: bool, as_json: bool) -> None:
    """Check a bundle without trusting its sender: its hash, manifest, pages, labels and
    stamps; a signed bundle's signature, signer, signing time and what changed after
    signing; and with --sources that it is what those files build.

    One PASS or FAIL line per check (INFO lines only inform), then the verdict, which says
    what was proven. On its own, verify proves only that the bundle is consistent with
    itself and the files beside it (whoever changed it could change those too): a SHA-256
    the sender gave you another way (--sha256), a trusted signature, or the source files
    (--sources) prove it is the bundle the sender made. A missing BUNDLE.pdf.sha256 or
    BUNDLE.manifest.json is a warning in the verdict. Exit 0 when every check passed, 1
    when any failed.
    """
    from bundler.bundle.verify import verify_bundle
    from bundler.bundle.volumes import holds_set, verify_set

    if volumes or pdf.name.endswith(".manifest.json") or holds_set(pdf):

        checked = verify_set(pdf, sources=sources, progress=_progress(True))
        if as_json:
            _print_json(checked.to_json())
        else:
            for line in checked.lines():
                click.echo(line)
        if not checked.ok:
            sys.exit(int(ExitCode.CHECKS_FAILED))
        return
    report = verify_bundle(pdf, sources=sources, sha256=sha256, trust=trust,
                           progress=_progress(True))
    global _LEFT_AT_EXIT
    _LEFT_AT_EXIT = True
    if as_json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


@bundle.command("check")
@click.argument("pdf", type=_PATH, metavar="BUNDLE.pdf")
@click.option("--profile", type=click.Choice(_PROFILE_NAMES), default="general",
              show_default=True,
              help="The rules to check against: the judiciary's 2021 guidance on electronic "
              "court bundles, Practice Direction 27A, the Social Entitlement Chamber's "
              "practice, or this toolkit's own.")
@click.option("--max-pages", type=click.IntRange(min=1), metavar="N",
              help="The most pages the court allows (instead of the profile's limit).")
@click.option("--max-mb", type=click.FloatRange(min=0.1), metavar="M",
              help="The largest file the court accepts, in megabytes (e.g. an upload or "
              "e-mail limit).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def bundle_check(pdf: Path, profile: str, max_pages: int | None, max_mb: float | None,
                 as_json: bool) -> None:
    """Check any PDF bundle (made by this toolkit or anyone else) against a court's or
    tribunal's rules: page numbers printed on every page, page labels, a hyperlinked index,
    a bookmark per document, searchable text, opening view, page sizes, image resolution,
    size and page limits, no JavaScript or attachments, fonts embedded.

    One PASS, WARN or FAIL line per rule naming the pages concerned, then the verdict.
    Exit 0 when no rule failed, 1 when any did.
    """
    from bundler.bundle.check import check_bundle
    from bundler.bundle.profiles import get_profile, with_limits

    rules = with_limits(get_profile(profile), max_pages, max_mb)
    report = check_bundle(pdf, rules, progress=_progress(True))
    if as_json:
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(int(ExitCode.CHECKS_FAILED))


@bundle.command("sign")
@click.argument("pdf", type=_PATH, metavar="BUNDLE.pdf")
@click.option("-o", "--output", "out", type=_PATH, required=True, metavar="SIGNED.pdf",
              help="The signed bundle to write; SIGNED.pdf.sha256 (and with --tsa "
              "SIGNED.pdf.tsr) go beside it.")
@click.option("--p12", type=_PATH, metavar="FILE",
              help="The council's signing certificate with its key, as a PKCS#12 "
              "(.p12/.pfx) file.")
@click.option("--key", type=_PATH, metavar="KEY.pem", help="The signing key (PEM), with --cert.")
@click.option("--cert", type=_PATH, metavar="CERT.pem",
              help="The signing certificate (PEM), with --key.")
@click.option("--chain", type=_PATH, metavar="CHAIN.pem",
              help="The certificates that issued it (PEM), embedded so recipients can "
              "build the chain.")
@click.option("--passphrase-file", "passphrase_file", type=_PATH, metavar="FILE",
              help="A file holding the passphrase of the .p12 file or key.")
@click.option("--tsa", callback=_parse_tsa, metavar="URL",
              help="A time-stamping authority's RFC 3161 address: the signature gets its "
              "timestamp (PAdES B-T) and SIGNED.pdf.tsr is written.")
@click.option("--reason", metavar="TEXT",
              help="The reason shown in PDF readers' signature panel (default: "
              "\"Evidence bundle REFERENCE, as built and checked\").")
@click.option("--force", is_flag=True, help="Replace an existing signed bundle.")
def bundle_sign(pdf: Path, out: Path, p12: Path | None, key: Path | None, cert: Path | None,
                chain: Path | None, passphrase_file: Path | None, tsa: str | None,
                reason: str | None, force: bool) -> None:
    """Seal a bundle with the council's certificate: a PAdES signature added as an
    incremental update (the bundle as built stays the signed file's first bytes), with a
    timestamp from --tsa.

    Give the certificate as --p12 FILE, or as --key KEY.pem --cert CERT.pem. Only a bundle
    made by `bundler bundle build` that passes `bundler bundle verify` is signed.
    """
    from bundler.bundle.sign import sign_bundle
    from bundler.pki.credentials import load_p12, load_pem

    if p12 is not None and (key is not None or cert is not None):
        raise click.UsageError("give either --p12, or --key with --cert, not both")
    if p12 is not None:
        identity = load_p12(p12, passphrase_file)
    elif key is not None and cert is not None:
        identity = load_pem(key, cert, chain, passphrase_file)
    else:
        raise click.UsageError("give the signing certificate: --p12 FILE, or --key KEY.pem "
                               "with --cert CERT.pem")
    result = sign_bundle(pdf, out, identity, tsa=tsa, reason=reason, force=force,
                         progress=_progress(True))
    when = ""
    if result.timestamp is not None:
        when = (f", timestamped {result.timestamp.time:%Y-%m-%d %H:%M:%S} UTC by "
                f"{result.timestamp.tsa}")
    click.echo(f"Signed {result.pdf} as {result.signer} (PAdES {result.level}{when})")
    written = [result.sidecar] + ([result.timestamp_file] if result.timestamp_file else [])
    click.echo(f"Wrote {' and '.join(str(path) for path in written)}; the first "
               f"{pdf.stat().st_size:,} bytes are {pdf} unchanged (SHA-256 "
               f"{result.bundle_sha256})")


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
                resident: str | None, letter_date: dt.date | None, force: bool,
                bundle: Path | None = None) -> None:
        from bundler.letters.context import LetterKind
        from bundler.letters.generate import LetterOptions, generate_letters

        options = LetterOptions(
            kind=LetterKind(kind), case_dir=case_dir, out_dir=out_dir, pdf=pdf,
            templates=templates, resident=resident, letter_date=letter_date,
            today=dt.date.today(), force=force, bundle=bundle,
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
    if kind == "findings":
        command = click.option(
            "--bundle", type=_PATH, metavar="BUNDLE.pdf",
            help="The evidence bundle built from this case: each finding and recommendation "
            "then cites the bundle pages it rests on.")(command)
    return click.command(kind)(command)


for _kind, _summary in LETTER_KINDS.items():
    letter.add_command(_letter_command(_kind, _summary))


@letter.command("sent")
@click.argument("case_dir", type=_PATH)
@click.argument("kind", type=click.Choice(list(LETTER_KINDS)))
@click.option("--on", "on", callback=_parse_date, required=True, metavar="YYYY-MM-DD",
              help="The date it was sent.")
@click.option("--by", "method", type=click.Choice(["email", "post", "hand", "other"]),
              default="email", show_default=True, help="How it was sent.")
@click.option("--resident", metavar="REF", help="For a resident letter: whose, e.g. R01.")
@click.option("--letter-date", "letter_date", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Which letter, by its date (default: the latest not yet sent).")
def letter_sent(case_dir: Path, kind: str, on: dt.date, method: str, resident: str | None,
                letter_date: dt.date | None) -> None:
    """Record in letters.yaml (and the audit log) that a KIND letter written for the case was
    sent, when and how. Later letters and bundles use these records: a bundle holds the
    letters recorded as sent."""
    from bundler.case.letterlog import record_sent
    from bundler.case.models import LetterKind, SendMethod

    letter = record_sent(case_dir, LetterKind(kind), resident or "provider", on,
                         SendMethod(method), letter_date)
    click.echo(f"Recorded: {letter.label}, sent {on.isoformat()} by {method}")


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
    finally:
        if _LEFT_AT_EXIT:
            gc.freeze()  # nothing of the heap is collected again: the process ends here


# Set by a command whose outputs are all written and closed when it returns, and whose heap
# is large (``bundle verify``: pypdf's objects, reference cycles): the operating system frees
# it at exit rather than the collector, object by object (0.1 s of a 0.7 s verify). Only the
# command line (``main``) does it, not a caller of ``cli`` (tests keep collecting).
_LEFT_AT_EXIT = False


if __name__ == "__main__":  # pragma: no cover
    main()
