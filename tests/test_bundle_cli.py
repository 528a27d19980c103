"""`bundler bundle build` through the CLI: exit codes, exact one-line errors, nothing left
behind on failure, refusal without --force, build-date precedence, long indexes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bundler.cli import cli
from tests import awkward
from tests import bundle_fixtures as fx
from tests.limits import file_size_limit, hashes


def write_spec(folder: Path, files: list[tuple[str, str]], extra: str = "",
               doc_extra: dict[str, str] | None = None) -> Path:
    lines = ["reference: HB-TEST-1", "title: Test bundle", *filter(None, [extra]), "sections:",
             "  - label: A", "    title: Evidence", "    documents:"]
    for name, title in files:
        lines += [f"      - file: {name}", f"        title: {title}"]
        if doc_extra and name in doc_extra:
            lines.append(f"        {doc_extra[name]}")
    spec = folder / "bundle.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bundle", "build", *args])
    return result.exit_code, result.stdout, result.stderr


def outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def good(tmp_path: Path) -> Path:
    fx.make_text_pdf(tmp_path / "a.pdf", "AWORD", 2)
    fx.make_text_pdf(tmp_path / "b.pdf", "BWORD", 1)
    return write_spec(tmp_path, [("a.pdf", "First"), ("b.pdf", "Second")])


def test_build_prints_one_line_summary(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "bundle.pdf"
    code, stdout, stderr = run(str(good), "-o", str(out), "--date", "2026-03-01")
    assert code == 0, stderr
    pages = len(PdfReader(out).pages)
    assert stdout == f"Wrote {pages} pages from 2 documents to {out}\n"
    assert outputs(out.parent) == ["bundle.manifest.json", "bundle.pdf", "bundle.pdf.sha256"]


def test_refuses_to_overwrite_without_force_and_leaves_it_untouched(
    good: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "bundle.pdf"
    assert run(str(good), "-o", str(out), "--date", "2026-03-01")[0] == 0
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    code, _stdout, stderr = run(str(good), "-o", str(out), "--date", "2026-04-01")
    assert code == 6
    assert stderr.splitlines()[0] == f"error: {out}: already exists; nothing was changed"
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before
    code, _stdout, stderr = run(str(good), "-o", str(out), "--date", "2026-04-01", "--force")
    assert code == 0, stderr
    manifest = json.loads((out.parent / "bundle.manifest.json").read_text())
    assert manifest["build_date"] == "2026-04-01"


def test_failed_build_leaves_earlier_outputs_untouched(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "bundle.pdf"
    assert run(str(good), "-o", str(out), "--date", "2026-03-01")[0] == 0
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    write_spec(tmp_path, [("a.pdf", "First"), ("gone.pdf", "Missing")])
    code, _stdout, stderr = run(str(good), "-o", str(out), "--force")
    assert code == 3, stderr
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before


def test_disk_filling_while_writing_over_an_earlier_build_leaves_it_byte_identical(
    good: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "bundle.pdf"
    assert run(str(good), "-o", str(out), "--date", "2026-03-01")[0] == 0
    before = hashes(out.parent)
    assert sorted(before) == ["bundle.manifest.json", "bundle.pdf", "bundle.pdf.sha256"]
    # The new bundle is larger than the old one, so the disk "fills" part-way through it,
    # after the earlier bundle's size (and well after the manifest's and sidecar's).
    fx.make_text_pdf(tmp_path / "c.pdf", "CWORD", 30)
    write_spec(tmp_path, [("a.pdf", "First"), ("b.pdf", "Second"), ("c.pdf", "Third")])
    with file_size_limit(out.stat().st_size):
        code, stdout, stderr = run(str(good), "-o", str(out), "--force", "--date", "2026-03-01")
    assert (code, stdout, stderr.splitlines()[0]) == (
        11, "", f"error: {out}: cannot write here (File too large)")
    assert hashes(out.parent) == before


@pytest.mark.parametrize(
    "maker, code, says",
    [
        (None, 3, "gone.pdf: file not found"),
        (awkward.make_truncated_pdf, 4, "bad.pdf:"),
        (awkward.make_encrypted_pdf, 5, "bad.pdf: the PDF is locked with a password"),
        (awkward.make_jpeg_named_pdf, 4, "bad.pdf:"),
        (awkward.make_empty, 4, "bad.pdf:"),
    ],
)
def test_bad_input_stops_with_one_line_naming_the_file(
    tmp_path: Path, maker: object, code: int, says: str
) -> None:
    fx.make_text_pdf(tmp_path / "a.pdf", "AWORD", 1)
    name = "gone.pdf" if maker is None else "bad.pdf"
    if maker is not None:
        maker(tmp_path / name)  # type: ignore[operator]
    spec = write_spec(tmp_path, [("a.pdf", "Fine"), (name, "Broken")])
    out = tmp_path / "out" / "bundle.pdf"
    exit_code, stdout, stderr = run(str(spec), "-o", str(out))
    assert exit_code == code, stderr
    first = stderr.splitlines()[0]
    assert first.startswith("error: ") and says in first, first
    assert "Traceback" not in stderr and stdout == ""
    assert outputs(out.parent) == []  # nothing written, no temporary files left


def test_spec_problems_are_listed_with_file_and_line(tmp_path: Path) -> None:
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-1\ntitle: T\nsection: []\n", encoding="utf-8")
    code, _stdout, stderr = run(str(spec), "-o", str(tmp_path / "o.pdf"))
    assert code == 4
    lines = stderr.splitlines()
    assert lines[0] == f"error: {spec}:1: sections: this field is required; add it"
    assert lines[1] == f"{spec}:3: section: unknown field 'section'; did you mean 'sections'?"


def test_impossible_date_in_spec_is_reported_on_its_line(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "a.pdf", "AWORD", 1)
    spec = tmp_path / "bundle.yaml"
    spec.write_text(
        "reference: HB-1\ntitle: T\nsections:\n  - label: A\n    title: S\n    documents:\n"
        "      - file: a.pdf\n        title: A\n        date: 2026-02-30\n",
        encoding="utf-8",
    )
    code, _stdout, stderr = run(str(spec), "-o", str(tmp_path / "o.pdf"))
    assert code == 4
    assert stderr.splitlines()[0] == (
        f'error: {spec}:9: sections[1].documents[1].date: "2026-02-30" is not a real date; '
        "write it as YYYY-MM-DD, e.g. 2026-03-01"
    )
    assert not (tmp_path / "o.pdf").exists()


def test_password_from_spec_opens_a_locked_pdf(tmp_path: Path) -> None:
    awkward.make_encrypted_pdf(tmp_path / "locked.pdf", user_password="s3cret")
    spec = write_spec(tmp_path, [("locked.pdf", "Locked")],
                      doc_extra={"locked.pdf": "password: s3cret"})
    out = tmp_path / "out" / "bundle.pdf"
    code, _stdout, stderr = run(str(spec), "-o", str(out), "--date", "2026-03-01")
    assert code == 0, stderr
    manifest_text = (out.parent / "bundle.manifest.json").read_text()
    assert "s3cret" not in manifest_text
    assert json.loads(manifest_text)["documents"][0]["password_used"] is True
    assert not PdfReader(out).is_encrypted


def test_owner_locked_pdf_is_included_with_a_warning(tmp_path: Path) -> None:
    awkward.make_owner_locked_pdf(tmp_path / "owner.pdf")
    spec = write_spec(tmp_path, [("owner.pdf", "Owner locked")])
    code, _stdout, stderr = run(str(spec), "-o", str(tmp_path / "out" / "b.pdf"))
    assert code == 0, stderr
    assert "warning: owner.pdf:" in stderr


def test_duplicate_warning_reaches_stderr(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "a.pdf", "AWORD", 1)
    shutil.copyfile(tmp_path / "a.pdf", tmp_path / "copy.pdf")
    spec = write_spec(tmp_path, [("a.pdf", "One"), ("copy.pdf", "Two")])
    code, _stdout, stderr = run(str(spec), "-o", str(tmp_path / "out" / "b.pdf"))
    assert code == 0
    assert "warning: copy.pdf is identical to a.pdf" in stderr


def test_build_date_precedence(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def built_date(*args: str) -> tuple[str, str]:
        out = tmp_path / "o" / "b.pdf"
        code, _o, stderr = run(str(good), "-o", str(out), "--force", *args)
        assert code == 0, stderr
        manifest = json.loads((out.parent / "b.manifest.json").read_text())
        return manifest["build_date"], manifest["options"]["build_date_from"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert built_date() == ("2026-01-01", "SOURCE_DATE_EPOCH")
    assert built_date("--date", "2026-05-05") == ("2026-05-05", "option")
    text = good.read_text().replace("title: Test bundle", "title: Test bundle\ndate: 2026-02-02")
    good.write_text(text)
    assert built_date() == ("2026-02-02", "spec")
    assert built_date("--date", "2026-05-05") == ("2026-05-05", "option")


def test_long_index_wraps_over_pages_and_every_link_lands(tmp_path: Path) -> None:
    files = []
    for number in range(1, 71):
        fx.make_text_pdf(tmp_path / f"d{number:02d}.pdf", f"W{number:02d}X", 1)
        title = f"Document {number} " + "with a long descriptive title " * (1 + number % 3)
        files.append((f"d{number:02d}.pdf", title.strip()))
    spec = write_spec(tmp_path, files)
    out = tmp_path / "out" / "bundle.pdf"
    code, _stdout, stderr = run(str(spec), "-o", str(out), "--numbering", "sectioned",
                                "--date", "2026-03-01")
    assert code == 0, stderr
    manifest = json.loads((out.parent / "bundle.manifest.json").read_text())
    assert manifest["front_matter_pages"] >= 3  # cover and a multi-page index
    reader = PdfReader(out)
    targets = [page for page, _dest in fx.front_links(reader, manifest["front_matter_pages"])]
    assert targets == [d["first_page"] for d in manifest["documents"]] + [
        manifest["certificate_first_page"]]
    words = fx.words_by_page(out)
    for doc in manifest["documents"]:
        number = int(doc["source"][1:3])
        assert f"W{number:02d}X1" in words[doc["first_page"] - 1].text
    front = manifest["front_matter_pages"]
    assert list(reader.page_labels[:front]) == ["i", "ii", "iii", "iv", "v", "vi"][:front]


def test_internal_links_follow_their_pages_and_bare_fields_are_printed(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "first.pdf", "FIRSTWORD", 3)
    fx.make_internal_link_pdf(tmp_path / "linked.pdf")
    fx.make_unpainted_form_pdf(tmp_path / "bare.pdf")
    spec = write_spec(tmp_path, [("first.pdf", "First"), ("linked.pdf", "Linked"),
                                 ("bare.pdf", "Bare form")])
    out = tmp_path / "out" / "bundle.pdf"
    code, _stdout, stderr = run(str(spec), "-o", str(out), "--date", "2026-03-01")
    assert code == 0, stderr
    assert "warning: bare.pdf: a form field had no drawn appearance" in stderr
    manifest = json.loads((out.parent / "bundle.manifest.json").read_text())
    linked, bare = manifest["documents"][1], manifest["documents"][2]
    reader = PdfReader(out)
    [annot] = reader.pages[linked["first_page"] - 1]["/Annots"]
    target = reader.get_page_number(annot.get_object()["/Dest"][0].get_object())
    assert target == linked["first_page"]  # 0-based: the document's second page
    words = fx.words_by_page(out)
    assert "UNPAINTED77" in words[bare["first_page"] - 1].text
