"""Hostile YAML and symbolic links: refused with FILE:LINE (exit 4), never a traceback,
memory bounded, and no file outside the spec's or case's folder ever read or written.

Issue 17's reproductions: an alias bomb in a spec and case.yaml, ``!!python/name:os.system``,
a symbolic link to a folder outside the spec's folder (``sub/escape/secret.txt``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.cli import cli
from bundler.yamlio import MAX_ALIASES, MAX_DEPTH, parse_yaml_text

ROOT = Path(__file__).resolve().parent.parent

SPEC_HEAD = "reference: HB-TEST-1\ntitle: Test bundle\n"
SPEC_ONE = SPEC_HEAD + textwrap.dedent("""\
    sections:
      - label: A
        title: Evidence
        documents:
          - file: {file}
            title: The document
    """)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def alias_bomb(levels: int) -> str:
    """The "billion laughs": each level repeats the one before nine times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- YAML


def test_python_tag_in_a_spec_is_refused_on_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-1\ntitle: !!python/name:os.system\nsections: []\n")
    code, out, err = run("bundle", "build", str(spec), "-o", str(tmp_path / "out.pdf"))
    assert code == 4, err
    assert err.startswith(
        f"error: {spec}:2: yaml: the tag !!python/name:os.system is not allowed (these files "
        "hold plain text, numbers, dates, lists and fields); remove it\n"
    )
    assert "Traceback" not in out + err
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("value", ["!!str 3", "!custom x", "! x", "!!binary aGk=",
                                   "!!python/object/apply:os.system [ls]", "!!set {a, b}"])
def test_every_tag_is_refused(value: str) -> None:
    from bundler.yamlio import YamlSyntaxError

    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_text(f"a: 1\nb: {value}\n", Path("x.yaml"))
    assert caught.value.problem.line == 2
    assert "is not allowed" in caught.value.problem.message


def test_a_few_aliases_are_still_read() -> None:
    document = parse_yaml_text("base: &b {title: T}\none: *b\ntwo: *b\n", Path("x.yaml"))
    assert document.data == {"base": {"title": "T"}, "one": {"title": "T"}, "two": {"title": "T"}}


def test_aliases_beyond_the_budget_are_refused_on_the_alias_line() -> None:
    from bundler.yamlio import YamlSyntaxError

    text = "a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(MAX_ALIASES + 1))
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_text(text, Path("x.yaml"))
    assert caught.value.problem.line == MAX_ALIASES + 2
    assert f"more than {MAX_ALIASES} aliases" in caught.value.problem.message


def test_a_doubling_chain_within_the_alias_budget_is_refused_by_its_size() -> None:
    """Few aliases can still stand for millions of values (each level doubles the last)."""
    from bundler.yamlio import YamlSyntaxError

    text = "a0: &a0 [" + ", ".join(["x"] * 100) + "]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 20))
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_text(text, Path("x.yaml"))
    assert "more than 200,000 values" in caught.value.problem.message


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_is_refused_not_a_recursion_error(shape: str) -> None:
    from bundler.yamlio import YamlSyntaxError

    if shape == "flow":
        text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    else:
        text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 200 + "x: 1\n"
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_text(text, Path("x.yaml"))
    assert f"nested more than {MAX_DEPTH} levels deep" in caught.value.problem.message


def _run_limited(args: list[str], limit_mb: int) -> subprocess.CompletedProcess[str]:
    """Run ``bundler ARGS`` in a child whose address space is capped at ``limit_mb``."""

    def cap() -> None:
        size = limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return subprocess.run(
        [sys.executable, "-m", "bundler", *args],
        capture_output=True, text=True, timeout=120, preexec_fn=cap, check=False,
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_alias_bomb_in_a_spec_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Nine levels are 9**9 (387 million) strings once expanded: a MemoryError traceback
    before. Refused as it is read, inside a 600 MB address space."""
    spec = tmp_path / "bundle.yaml"
    spec.write_text(SPEC_HEAD + alias_bomb(9))
    result = _run_limited(["bundle", "build", str(spec), "-o", str(tmp_path / "o.pdf")], 600)
    assert result.returncode == 4, result.stderr
    assert result.stderr.startswith(f"error: {spec}:"), result.stderr
    assert "values (counting every value an alias repeats)" in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_alias_bomb_in_case_yaml_is_refused_in_bounded_memory(sample_case: Path) -> None:
    case_file = sample_case / "case.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8") + alias_bomb(9), encoding="utf-8")
    for command in (["validate", str(sample_case)],
                    ["bundle", "build", str(sample_case), "-o", str(sample_case / "o.pdf")]):
        result = _run_limited(command, 600)
        assert result.returncode == 4, result.stderr
        assert f"{case_file}:" in result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_python_tag_in_a_resident_file_is_exit_4_for_every_command(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R02.yaml"
    resident.write_text(resident.read_text(encoding="utf-8")
                        + "extra: !!python/object/apply:os.system [touch pwned]\n",
                        encoding="utf-8")
    line = resident.read_text(encoding="utf-8").count("\n")
    expected = f"{resident}:{line}: yaml: the tag !!python/object/apply:os.system is not allowed"
    code, out, _err = run("validate", str(sample_case))
    assert code == 4
    assert out.startswith(expected)
    code, _out, err = run("bundle", "build", str(sample_case), "-o", str(sample_case / "o.pdf"))
    assert code == 4
    assert err.startswith(f"error: {expected}")
    assert not (sample_case / "pwned").exists()


def test_oversized_yaml_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    from bundler.yamlio import MAX_BYTES

    spec = tmp_path / "bundle.yaml"
    with spec.open("wb") as handle:
        handle.write(SPEC_HEAD.encode())
        handle.truncate(MAX_BYTES + 10)
    code, _out, err = run("bundle", "build", str(spec), "-o", str(tmp_path / "o.pdf"))
    assert code == 4
    assert f"{spec}:1: {spec}: is over 16 MB, too large for a YAML record" in err


# --------------------------------------------------------------------------- folders


@pytest.fixture
def escape(tmp_path: Path) -> Path:
    """A spec folder whose sub/escape is a symbolic link to a folder outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET OUTSIDE THE FOLDER\n")
    spec_dir = tmp_path / "spec"
    (spec_dir / "sub").mkdir(parents=True)
    (spec_dir / "sub" / "escape").symlink_to("../../outside", target_is_directory=True)
    (spec_dir / "link.txt").symlink_to("../outside/secret.txt")
    (spec_dir / "inner").mkdir()
    (spec_dir / "inner" / "note.txt").write_text("a note inside\n")
    (spec_dir / "alias").symlink_to("inner", target_is_directory=True)
    return spec_dir


@pytest.mark.parametrize(("name", "link"), [("sub/escape/secret.txt", "sub/escape"),
                                            ("link.txt", "link.txt")])
def test_symbolic_link_out_of_the_spec_folder_is_refused(escape: Path, name: str,
                                                         link: str) -> None:
    spec = escape / "bundle.yaml"
    spec.write_text(SPEC_ONE.format(file=name))
    out = escape.parent / "out" / "bundle.pdf"
    code, stdout, err = run("bundle", "build", str(spec), "-o", str(out))
    assert code == 4, stdout + err
    assert err.startswith(
        f"error: {spec}: {name}: leads outside the folder {escape} ({link} is a symbolic link "
        "that leads out of it)\n")
    assert not out.parent.exists()


def test_symbolic_link_that_stays_inside_is_followed(escape: Path) -> None:
    spec = escape / "bundle.yaml"
    spec.write_text(SPEC_ONE.format(file="alias/note.txt"))
    out = escape.parent / "out" / "bundle.pdf"
    code, _stdout, err = run("bundle", "build", str(spec), "-o", str(out), "--date", "2026-03-01")
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "a note inside" in text


def test_case_records_cannot_reach_outside_through_a_linked_folder(sample_case: Path,
                                                                    tmp_path: Path) -> None:
    """Evidence named in a resident's file, and the resident file itself, through links."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    real = sample_case / "evidence" / "residents" / "R01"
    for item in real.iterdir():
        (outside / item.name).write_bytes(item.read_bytes())
    (outside / "licence.pdf").write_bytes((real / "licence.pdf").read_bytes())
    for item in real.iterdir():
        item.unlink()
    real.rmdir()
    real.symlink_to(outside, target_is_directory=True)
    code, out, _err = run("validate", str(sample_case))
    assert code == 1
    assert "points outside the case folder" in out
    code, _out, _err = run("bundle", "build", str(sample_case), "-o", str(tmp_path / "b.pdf"))
    assert code == 1
    assert not (tmp_path / "b.pdf").exists()

    moved = tmp_path / "R03.yaml"
    resident = sample_case / "residents" / "R03.yaml"
    moved.write_bytes(resident.read_bytes())
    resident.unlink()
    resident.symlink_to(moved)
    code, out, _err = run("validate", str(sample_case))
    assert code == 4
    assert (f"{resident}:1: residents/R03.yaml: leads outside the case folder "
            "(residents/R03.yaml is a symbolic link that leads out of it)") in out


def test_evidence_add_never_writes_through_a_link_out_of_the_case(sample_case: Path,
                                                                   tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample_case / "evidence" / "drop").symlink_to(outside, target_is_directory=True)
    source = tmp_path / "new.txt"
    source.write_text("new evidence\n")
    code, _out, err = run("evidence", "add", str(sample_case), str(source), "--as", "drop/new.txt")
    assert code == 4, err
    assert err.startswith(f"error: {source}: cannot go into {sample_case / 'evidence' / 'drop'}, "
                          "which is a link, not a folder\n")
    assert list(outside.iterdir()) == []
    log = sample_case / "audit.jsonl"
    assert not log.exists() or log.read_bytes() == b""


def test_letter_templates_folder_named_by_the_case_cannot_lead_out(sample_case: Path,
                                                                    tmp_path: Path) -> None:
    outside = tmp_path / "templates-elsewhere"
    outside.mkdir()
    (outside / "findings.docx").write_bytes((ROOT / "letter_templates" / "findings.docx")
                                            .read_bytes())
    (sample_case / "templates").mkdir()
    (sample_case / "templates" / "findings.docx").symlink_to(outside / "findings.docx")
    case_file = sample_case / "case.yaml"
    text = case_file.read_text(encoding="utf-8")
    marker = "  authority:\n"
    assert marker in text
    case_file.write_text(text.replace(marker, marker + "    letter_templates: templates\n", 1),
                         encoding="utf-8")
    code, _out, err = run("letter", "findings", str(sample_case), "-o", str(tmp_path / "letters"))
    assert code == 4, err
    assert ("templates/findings.docx: leads outside the case folder (templates/findings.docx "
            "is a symbolic link that leads out of it)") in err
    assert not (tmp_path / "letters").exists()


def test_verify_sources_never_reads_through_a_link_out_of_the_folder(tmp_path: Path) -> None:
    """A bundle built honestly; then its sources folder gets a link where a folder was.
    verify --sources must refuse to hash the file the link leads to."""
    import shutil

    spec_dir = tmp_path / "spec"
    (spec_dir / "sub" / "real").mkdir(parents=True)
    (spec_dir / "sub" / "real" / "note.txt").write_text("visit note\n")
    spec = spec_dir / "bundle.yaml"
    spec.write_text(SPEC_ONE.format(file="sub/real/note.txt"))
    out = tmp_path / "out" / "bundle.pdf"
    code, _out, err = run("bundle", "build", str(spec), "-o", str(out), "--date", "2026-03-01")
    assert code == 0, err
    outside = tmp_path / "outside"
    shutil.move(spec_dir / "sub" / "real", outside)
    (spec_dir / "sub" / "real").symlink_to(outside, target_is_directory=True)
    code, stdout, _err = run("bundle", "verify", str(out), "--sources", str(spec_dir))
    assert code == 1
    assert "named outside the sources folder (refused): sub/real/note.txt" in stdout


def test_inside_refuses_every_way_out(tmp_path: Path) -> None:
    from bundler.errors import BadInput
    from bundler.paths import inside

    (tmp_path / "folder" / "sub").mkdir(parents=True)
    (tmp_path / "folder" / "loop").symlink_to("loop")
    (tmp_path / "folder" / "up").symlink_to("..", target_is_directory=True)
    folder = tmp_path / "folder"
    assert inside(folder, "sub/../sub/x.txt") == folder / "sub" / ".." / "sub" / "x.txt"
    assert inside(folder, "./sub/new.txt") == folder / "sub" / "new.txt"
    for name, message in [
        ("/etc/passwd", "/etc/passwd: is not a path inside the spec's folder"),
        ("C:/Windows/win.ini", "C:/Windows/win.ini: is not a path inside the spec's folder"),
        ("sub/../../x", "sub/../../x: leads outside the spec's folder ('..' leads out of it)"),
        ("up/secret", "up/secret: leads outside the spec's folder (up is a symbolic link that "
                      "leads out of it)"),
        ("loop/x", "loop/x: cannot be followed inside the spec's folder (RuntimeError)"),
    ]:
        with pytest.raises(BadInput) as caught:
            inside(folder, name)
        assert caught.value.message == message
