"""Mutation testing of the modules whose mistakes users cannot see (`make mutate`).

mutmut changes the code in small ways (a ``<`` for a ``<=``, a dropped argument, a string
changed) and runs the tests once for every change ("mutant"); a mutant no test notices
("survived") is a gap in the tests, unless it cannot change behaviour ("equivalent": those
are listed with the reason in tests/equivalent-mutants.txt, so a new survivor stands out).

The modules are tested in groups, each against the test files that exercise it, in a folder
of its own under .mutants/ (mutmut keeps its results there, so a second run only tests the
functions that changed). Within a group mutmut runs, for each mutant, only the tests that
reached the mutated function, fastest first, stopping at the first failure. A mutant that
makes mypy --strict fail is caught by `make test` too, so mypy sorts those out first.

    make mutate                      every group, then the report
    make mutate GROUPS="fileio spec" only these groups
    make mutate BUDGET=30            at most 30 minutes a group (run again to go on)
    python scripts/mutate.py --list  the groups, their modules and tests
    python scripts/mutate.py --report   the results so far, per module, without running
    python scripts/mutate.py --recheck spec   the survivors again, after writing tests
    python scripts/mutate.py verify --only '*verdict*'   only these mutants, this time

A survivor (or a mutant mutmut maps to no test) is then run against all the group's test
files (not only those mutmut saw reach its function: a fixture built once for several tests
hides them, and mutmut does not trace old tests again for a new function), and counts as
killed when one fails. The report gives each module's mutants by outcome (killed; caught by mypy; survived;
equivalent, that is listed in tests/equivalent-mutants.txt; not checked yet) and its score
(killed out of those tested), then every survivor not listed, with the command that shows
its change. The exit status is 1 when there is such a survivor (or a mutant no test reaches,
or one not checked yet).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutants"
EQUIVALENTS = ROOT / "tests" / "equivalent-mutants.txt"
# What the tests read besides bundler/ and tests/ (mutmut copies them beside the mutants).
ALSO_COPY = ["samples", "letter_templates", "schemas", "scripts", "README.md"]
LINKED = ["bundler", "tests", *ALSO_COPY, "pyproject.toml"]


@dataclass(frozen=True)
class Group:
    modules: tuple[str, ...]  # paths, or folders ending in /*
    tests: tuple[str, ...]
    # Only these functions' mutants (mutmut's names, * as a wildcard); all when empty.
    functions: tuple[str, ...] = ()
    # Tests left out: they run the toolkit in another process, which never sees a mutant.
    deselect: tuple[str, ...] = ()


GROUPS: dict[str, Group] = {
    "fileio": Group(("bundler/fileio.py",), (
        "tests/test_fileio.py", "tests/test_bundle_cli.py", "tests/test_letters_cli.py",
        "tests/test_audit.py", "tests/test_evidence_add.py")),
    "paths": Group(("bundler/paths.py",), (
        "tests/test_paths.py", "tests/test_hostile_yaml_and_paths.py",
        "tests/test_verify_sources.py", "tests/test_evidence_add.py",
        "tests/test_evidence_files.py")),
    "dates": Group(("bundler/dates.py",), (
        "tests/test_dates.py", "tests/test_case_validate.py", "tests/test_cli_smoke.py")),
    "spec": Group(("bundler/bundle/spec.py",), (
        "tests/test_bundle_plan.py", "tests/test_bundle_cli.py", "tests/test_bundle_audit.py", "tests/test_bundle_build.py",
        "tests/test_hostile_yaml_and_paths.py", "tests/test_bundle_audience.py",
        "tests/test_bundle_case_audience.py")),
    "plan": Group(("bundler/bundle/plan.py",), (
        "tests/test_bundle_plan.py", "tests/test_bundle_build.py",
        "tests/test_bundle_supplement.py")),
    "stamp": Group(("bundler/bundle/stamp.py",), (
        "tests/test_bundle_stamp.py", "tests/test_bundle_pagesize.py",
        "tests/test_bundle_build.py", "tests/test_verify.py")),
    "workdays": Group(("bundler/letters/workdays.py",), (
        "tests/test_letters_workdays.py", "tests/test_letters_render.py",
        "tests/test_letters_cli.py")),
    # The date logic of letter contexts: the dates a letter prints, the due dates it sets,
    # and the date checks that refuse a letter (the rest of the module is wording).
    "letterdates": Group(("bundler/letters/context.py",), (
        "tests/test_letter_dates.py", "tests/test_letters_workdays.py", "tests/test_letters_render.py",
        "tests/test_letters_cli.py", "tests/test_case_records.py"), tuple(
        f"bundler.letters.context.x_{function}__mutmut_*" for function in (
            "uk_date", "uk_day_and_date", "_next_revisit", "_warn_if_not_working_day",
            "_not_before_findings", "consent_refusal", "_must_follow", "recorded_letter_date",
            "_information_request", "_information_reminder", "_revisit_notice"))),
    "validate": Group(("bundler/case/validate.py",), (
        "tests/test_case_validate.py", "tests/test_case_cross_checks.py",
        "tests/test_case_records.py", "tests/test_dates.py",
        "tests/test_evidence_files.py", "tests/test_cli_warnings.py",
        "tests/test_validate_evidence.py")),
    "audit": Group(("bundler/audit/*",), (
        "tests/test_audit.py", "tests/test_audit_anchor.py", "tests/test_audit_cli.py",
        "tests/test_audit_concurrency.py", "tests/test_audit_proof.py",
        "tests/test_audit_records.py", "tests/test_audit_tamper.py",
        "tests/test_bundle_audit.py", "tests/test_evidence_add.py",
        "tests/test_evidence_retire.py")),
    # What `bundle verify` reports: its checks and the served-bundle reader.
    "verify": Group(("bundler/bundle/verify.py", "bundler/bundle/served.py"), (
        "tests/test_verify.py", "tests/test_verify_cli.py", "tests/test_verify_sources.py",
        "tests/test_verify_own_bundles.py", "tests/test_verify_as_seen.py",
        "tests/test_bundle_supplement.py", "tests/test_bundle_sign.py"), deselect=(
        "tests/test_verify_as_seen.py::test_recipient_with_the_oldest_allowed_pypdf",)),
    # verify's "as seen" comparison (rendered pages against the sources).
    "compare": Group(("bundler/bundle/compare.py", "bundler/bundle/pixels.py"), (
        "tests/test_verify_as_seen.py", "tests/test_verify.py"), deselect=(
        "tests/test_verify_as_seen.py::test_recipient_with_the_oldest_allowed_pypdf",)),
}

_RESULT = re.compile(r"^\s*(\S+): (.+)$")


def _config(group: Group) -> str:
    """pyproject.toml for the group's folder: the project's, with the group's [tool.mutmut]."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"\n\[tool\.mutmut\]\n(?:[^\[].*\n|\n)*", "\n", text)
    tests = [path for path in group.tests if (ROOT / path).exists()]
    deselected = [arg for test in group.deselect for arg in ("--deselect", test)]

    def strings(values: list[str] | tuple[str, ...]) -> str:
        return "[" + ", ".join(f'"{value}"' for value in values) + "]"

    return text + (
        "\n[tool.mutmut]\n"
        'source_paths = ["bundler"]\n'
        f"only_mutate = {strings(group.modules)}\n"
        f"also_copy = {strings(ALSO_COPY)}\n"
        f"pytest_add_cli_args_test_selection = {strings(tests)}\n"
        f"pytest_add_cli_args = {strings(['-p', 'no:cacheprovider', *deselected])}\n"
        'type_check_command = ["mypy", "bundler", "--no-warn-unused-ignores", "--output", '
        '"json"]\n'
    )


def _prepare(name: str, group: Group) -> Path:
    """The group's folder: links to the project's files, and its own pyproject.toml."""
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = folder / entry
        if entry == "pyproject.toml":
            config = _config(group)
            if not link.exists() or link.read_text(encoding="utf-8") != config:
                link.write_text(config, encoding="utf-8")
        elif not link.is_symlink():
            link.symlink_to(ROOT / entry, target_is_directory=True)
    return folder


def _results(folder: Path, mutmut: str) -> dict[str, str]:
    shown = subprocess.run([mutmut, "results", "--all", "true"], cwd=folder,
                           capture_output=True, text=True, check=True).stdout
    return {match[1]: match[2] for line in shown.splitlines() if (match := _RESULT.match(line))}


def equivalents() -> dict[str, str]:
    """Mutant name -> why it cannot change behaviour (tests/equivalent-mutants.txt)."""
    found: dict[str, str] = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            mutant, _, reason = line.partition(" ")
            found[mutant] = reason.strip()
    return found


def _module(mutant: str) -> str:
    """bundler.fileio.x_sha256_file__mutmut_3 -> bundler.fileio (methods: xǁClassǁname)."""
    return mutant.rsplit(".", 1)[0]


def _selected(group: Group, results: dict[str, str]) -> dict[str, str]:
    """The results of the group's mutants (of its functions only, when it names them)."""
    return {mutant: status for mutant, status in results.items()
            if not group.functions
            or any(fnmatch.fnmatchcase(mutant, pattern) for pattern in group.functions)}


def _to_run(group: Group, results: dict[str, str], recheck: bool,
            only: list[str]) -> list[str] | None:
    """The mutants to name to ``mutmut run`` (an empty list: all those not yet checked), or
    None when there is nothing to run. mutmut runs named mutants even when they have a
    result, so a group that names its functions (or a run ``only`` some) names only those
    not yet checked."""
    patterns = only or list(group.functions)

    def wanted(mutant: str) -> bool:
        return not only or any(fnmatch.fnmatchcase(mutant, pattern) for pattern in only)

    if recheck:  # after new tests: the survivors again
        survivors = [mutant for mutant, status in _selected(group, results).items()
                     if status == "survived" and mutant not in equivalents() and wanted(mutant)]
        return survivors or None
    if not patterns:
        return []
    if not results:
        return patterns
    unchecked = [mutant for mutant, status in _selected(group, results).items()
                 if status == "not checked" and wanted(mutant)]
    return unchecked or None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop mutmut and every worker it started (they share its session)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _run_group(folder: Path, names: list[str], mutmut: str, env: dict[str, str],
               children: int, budget: float | None) -> None:
    """Run mutmut in the group's folder, for at most ``budget`` seconds.

    mutmut saves each mutant's result as it comes, so a run stopped by the time budget
    keeps what it found; the next run carries on with the mutants not yet checked."""
    log = folder / "mutmut.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [mutmut, "run", "--max-children", str(children), *names], cwd=folder,
            stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            code = process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _stop(process)
            return
        except BaseException:  # interrupted or stopped: mutmut's workers go too
            _stop(process)
            raise
    if code != 0:
        raise SystemExit(f"mutmut failed (exit {code}); see {log}")


def _confirm(folder: Path, group: Group, survivors: list[str], run: bool) -> dict[str, str]:
    """Run every test file of the group against each survivor; the test that fails, by name.

    mutmut runs a mutant only against the tests it saw reach the mutated function, and a
    test that uses a fixture built once for several tests (scope="module") is not seen to
    reach what the fixture calls; nor does it trace the old tests again when a function is
    added, so the new function's mutants have "no tests". So a survivor, or a mutant with no
    tests, is run here against all the group's tests (mutmut switches a mutant on by the
    MUTANT_UNDER_TEST variable) before it counts as one.
    The answers are kept in confirmed.json beside the results, keyed by the mutant's code;
    without ``run`` only those kept are used."""
    record = folder / "confirmed.json"
    kept: dict[str, str] = json.loads(record.read_text()) if record.exists() else {}
    mutants = folder / "mutants"
    tests = [path for path in group.tests if (mutants / path).exists()]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               *(arg for test in group.deselect for arg in ("--deselect", test)), *tests]
    found: dict[str, str] = {}
    limit: float | None = None  # a mutant may loop for ever: 10 times the tests' own time
    for mutant in survivors:
        key = f"{mutant} {_code(folder, mutant)}"
        if key not in kept and run:
            if limit is None:
                started = time.monotonic()
                subprocess.run(command, cwd=mutants, capture_output=True, check=False,
                               env={**os.environ, "PYTHONPATH": str(mutants)})
                limit = max(60.0, 10 * (time.monotonic() - started))
            try:
                tested = subprocess.run(
                    command, cwd=mutants, capture_output=True, text=True, check=False,
                    timeout=limit,
                    env={**os.environ, "MUTANT_UNDER_TEST": mutant, "PYTHONPATH": str(mutants)})
            except subprocess.TimeoutExpired:  # as mutmut counts it: caught
                kept[key] = f"timeout (over {limit:.0f} s)"
            else:
                failed = re.search(r"^FAILED (\S+)", tested.stdout, re.MULTILINE)
                kept[key] = failed[1] if failed else ("" if tested.returncode == 0 else
                                                      f"pytest exit {tested.returncode}")
            record.write_text(json.dumps(kept, indent=1, sort_keys=True))
        if kept.get(key):
            found[mutant] = kept[key]
    return found


def _code(folder: Path, mutant: str) -> str:
    """The mutant's change as mutmut shows it (so a changed function is confirmed anew)."""
    shown = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "show", mutant],
                           cwd=folder, capture_output=True, text=True, check=False).stdout
    lines = [line for line in shown.splitlines() if line[:1] in "+-"
             and not line.startswith(("+++", "---"))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help=f"groups to run (default: all): {', '.join(GROUPS)}")
    parser.add_argument("--list", action="store_true", help="list the groups and stop")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--budget", type=float, metavar="MINUTES",
                        help="stop each group after this long (what it found is kept; "
                        "the next run goes on from there)")
    parser.add_argument("--recheck", action="store_true",
                        help="run the survivors again (after writing tests to kill them)")
    parser.add_argument("--only", action="append", default=[], metavar="PATTERN",
                        help="run only the mutants matching this (mutmut's names, * as a "
                        "wildcard; repeat for more): the functions that matter most first")
    parser.add_argument("--no-confirm", action="store_true",
                        help="do not run each survivor against all the group's tests")
    parser.add_argument("--report", action="store_true",
                        help="report the results kept in .mutants/ without running anything")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so mutmut is stopped too
    if args.list:
        for name, group in GROUPS.items():
            print(f"{name}: {' '.join(group.modules)}\n    tests: {' '.join(group.tests)}")
        return 0
    unknown = [name for name in args.groups if name not in GROUPS]
    if unknown:
        parser.error(f"no group {', '.join(unknown)}; the groups: {', '.join(GROUPS)}")
    tools = Path(sys.executable).parent  # mutmut, and the mypy it runs first
    mutmut = str(tools / "mutmut")
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    known = equivalents()
    new: list[tuple[str, str, str]] = []
    unfinished: list[str] = []
    stale: list[str] = []  # listed as equivalent, but no longer a survivor of that name
    for name in args.groups or list(GROUPS):
        group = GROUPS[name]
        folder = _prepare(name, group)
        started = time.monotonic()
        ran = (folder / "mutants").is_dir()
        if not args.report:
            names = _to_run(group, _results(folder, mutmut) if ran else {}, args.recheck,
                            args.only)
            if names is not None:
                _run_group(folder, names, mutmut, env, args.children,
                           None if args.budget is None else args.budget * 60)
        elif not ran:
            print(f"{name}: not run yet")
            unfinished.append(name)
            continue
        results = _selected(group, _results(folder, mutmut))
        if not args.no_confirm:
            survivors = [mutant for mutant, status in results.items()
                         if status in ("survived", "no tests") and mutant not in known]
            for mutant, test in _confirm(folder, group, survivors, not args.report).items():
                results[mutant] = "killed"
                print(f"  {mutant}: killed by {test} (a test mutmut did not map to it)")
        print(f"{name} ({time.monotonic() - started:.0f} s):")
        for module in sorted({_module(mutant) for mutant in results}):
            counts: dict[str, int] = {}
            for mutant, status in sorted(results.items()):
                if _module(mutant) != module:
                    continue
                if status in ("survived", "no tests") and mutant in known:
                    status = "equivalent"
                counts[status] = counts.get(status, 0) + 1
                if status in ("survived", "no tests"):
                    new.append((name, mutant, status))
            caught = counts.get("killed", 0) + counts.get("timeout", 0)
            tested = caught + counts.get("survived", 0) + counts.get("no tests", 0)
            score = f"; score {100 * caught / tested:.0f}% (killed of those tested)" if tested else ""
            summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            print(f"  {module}: {sum(counts.values())} mutants: {summary}{score}")
        if any(status == "not checked" for status in results.values()):
            unfinished.append(name)
        modules = {_module(mutant) for mutant in results}
        stale.extend(f"{mutant} ({results.get(mutant, 'no such mutant')})" for mutant in known
                     if _module(mutant) in modules
                     and results.get(mutant) not in ("survived", "no tests"))
    if new:
        print(f"\n{len(new)} mutant(s) no test notices (not in {EQUIVALENTS.relative_to(ROOT)}):")
        for name, mutant, status in new:
            print(f"  {mutant}  ({status}; see it: cd .mutants/{name} && "
                  f"../../.venv/bin/mutmut show {mutant})")
    if stale:
        print(f"\nListed in {EQUIVALENTS.relative_to(ROOT)} but no longer surviving under that "
              "name (its function changed: find its new name, or remove the line):")
        for line in stale:
            print(f"  {line}")
    if unfinished:
        print(f"\nNot every mutant checked yet in: {', '.join(unfinished)} "
              "(run again to go on)")
    if new or unfinished:
        return 1
    print("\nEvery mutant is killed, or listed as equivalent with its reason.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
