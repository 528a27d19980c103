"""`bundler bundle verify` as a recipient uses it: an intact bundle passes every check, and
each kind of change (a source file, the bundle's bytes, the sidecar manifest, a missing
source) fails the right check and names what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler.bundle import build as build_module
from bundler.bundle.build import build_bundle
from bundler.bundle.manifest import library_versions
from bundler.bundle.served import first_differing_field
from bundler.bundle.stamp import page_geometry, prefix_bytes
from bundler.bundle.verify import VerifyReport, verify_bundle
from bundler.errors import ChecksFailed
from tests import awkward
from tests import bundle_fixtures as fx

DATE = dt.date(2026, 3, 1)
REFERENCE = "HB-APPEAL-2026-0142"
SPEC = f"""\
reference: {REFERENCE}
title: Riverside House, Housing Benefit appeal bundle
authority: Fictional Borough Council
officer: A. Officer
sections:
  - label: A
    title: Scheme-level review
    documents:
      - file: evidence/text.pdf
        title: Model occupancy agreement
        date: 2026-01-10
      - file: evidence/landscape.pdf
        title: Site plan (landscape)
      - file: evidence/rot90.pdf
        title: Rotated scan
  - label: B
    title: Provider information received against para 85
    documents:
      - file: evidence/form.pdf
        title: Consent form (filled)
      - file: evidence/photo.jpg
        title: Photograph of the communal kitchen
      - file: evidence/visit-note.txt
        title: Site visit note
      - file: evidence/locked.pdf
        title: Support funding agreement (sent locked)
        password: s3cret
"""
SOURCES = ("evidence/text.pdf", "evidence/landscape.pdf", "evidence/rot90.pdf",
           "evidence/form.pdf", "evidence/photo.jpg", "evidence/visit-note.txt",
           "evidence/locked.pdf")
BASIC_CHECKS = ["file hash", "manifest", "certificate", "page count", "page labels", "stamps"]
SOURCE_CHECKS = [*BASIC_CHECKS, "sources", "other files", "library versions", "rebuild"]
INFO_LINES = ["other files", "library versions"]  # information: always printed INFO


def make_sources(folder: Path) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    fx.make_text_pdf(evidence / "text.pdf", "TEXTWORD", 2)
    fx.make_landscape_pdf(evidence / "landscape.pdf")
    fx.make_rotated_pdf(evidence / "rot90.pdf", 90)
    fx.make_form_pdf(evidence / "form.pdf")
    awkward.make_jpeg(evidence / "photo.jpg", (400, 300))
    (evidence / "visit-note.txt").write_text("Site visit note\nKitchen and lounge seen; fire doors closed.\n", encoding="utf-8")
    awkward.make_encrypted_pdf(evidence / "locked.pdf")
    spec = folder / "bundle.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROOT/case (spec and sources) and ROOT/out/bundle.pdf with its two sidecars."""
    root = tmp_path_factory.mktemp("verify")
    spec = make_sources(root / "case")
    build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE)
    return root


@pytest.fixture
def root(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of the pristine bundle and sources, free to change."""
    target = tmp_path / "copy"
    shutil.copytree(pristine, target)
    return target


def bundle(root: Path) -> Path:
    return root / "out" / "bundle.pdf"


def by_name(report: VerifyReport) -> dict[str, tuple[bool, str]]:
    return {check.name: (check.passed, check.detail) for check in report.checks}


def manifest_of(root: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(  # type: ignore[no-any-return]
        (root / "out" / "bundle.manifest.json").read_text(encoding="utf-8"))


def flip_byte(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- intact


def test_intact_bundle_passes_every_check_without_sources(pristine: Path) -> None:
    report = verify_bundle(bundle(pristine))
    assert [check.name for check in report.checks] == BASIC_CHECKS
    assert report.ok, report.lines()
    lines = report.lines()
    for line in lines[:-1]:
        assert re.match(r"^PASS  [a-z ]+: \S", line), line
    assert lines[-1] == (
        f"VERIFIED: {bundle(pristine)}: all 6 checks passed: consistent with itself only: "
        "whoever changed it could have changed the files beside it too, so only a SHA-256 the "
        "sender gave you another way (--sha256 HEX) or its source files (--sources DIR) prove "
        "it is the bundle the sender made")
    details = by_name(report)
    digest = hashlib.sha256(bundle(pristine).read_bytes()).hexdigest()
    assert details["file hash"][1] == f"SHA-256 {digest} matches the sidecar bundle.pdf.sha256"
    manifest = manifest_of(pristine)
    document_pages = sum(doc["pages"] for doc in manifest["documents"])
    assert f"all {document_pages} document pages" in details["stamps"][1]
    report.raise_for_problems()  # does not raise


def test_intact_bundle_passes_every_check_with_sources(pristine: Path) -> None:
    report = verify_bundle(bundle(pristine), sources=pristine / "case")
    assert [check.name for check in report.checks] == SOURCE_CHECKS
    assert report.ok, report.lines()
    details = by_name(report)
    assert details["sources"][1].startswith(f"all {len(SOURCES)} source files")
    assert details["other files"][1] == (f"every file in {pristine / 'case'} is in the bundle "
                                         "(apart from its spec, case records and outputs)")
    assert details["library versions"][1].startswith("this computer has the versions the "
                                                     "bundle records (")
    assert details["rebuild"][1].endswith("byte-for-byte identical")
    lines = report.lines()
    assert [line.split("  ")[0] for line in lines[:-1]] == [
        "INFO" if name in INFO_LINES else "PASS" for name in SOURCE_CHECKS]
    assert lines[-1] == (f"VERIFIED: {bundle(pristine)}: all 8 checks passed: every page is "
                         f"what the source files in {pristine / 'case'} make, as the rebuild "
                         "shows")


def test_renamed_bundle_without_sidecars_still_rebuilds_identically(root: Path) -> None:
    sent = root / "received" / "HB appeal bundle.pdf"
    sent.parent.mkdir()
    shutil.move(bundle(root), sent)
    report = verify_bundle(sent, sources=root / "case")
    assert report.ok, report.lines()
    details = by_name(report)
    assert details["file hash"][1].startswith("no sidecar HB appeal bundle.pdf.sha256 and no "
                                              "--sha256 given, so not compared")
    assert "no sidecar HB appeal bundle.manifest.json" in details["manifest"][1]


def test_sha256_option_is_compared_when_there_is_no_sidecar(root: Path) -> None:
    digest = hashlib.sha256(bundle(root).read_bytes()).hexdigest()
    (root / "out" / "bundle.pdf.sha256").unlink()
    good = verify_bundle(bundle(root), sha256=digest.upper())
    assert good.ok and by_name(good)["file hash"][1] == f"SHA-256 {digest} matches --sha256"
    wrong = "0" * 64
    bad = verify_bundle(bundle(root), sha256=wrong)
    assert by_name(bad)["file hash"] == (
        False, f"differs from --sha256 (given {wrong[:12]}, the file is {digest[:12]})")
    assert [check.name for check in bad.failed] == ["file hash"]


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize("source", SOURCES)
def test_one_changed_byte_in_any_source_is_caught_and_named(root: Path, source: str) -> None:
    path = root / "case" / source
    flip_byte(path, path.stat().st_size // 2)
    report = verify_bundle(bundle(root), sources=root / "case")
    assert not report.ok
    assert [check.name for check in report.failed] == ["sources", "rebuild"]
    details = by_name(report)
    assert details["sources"][1] == f"changed since the bundle was built: {source}"
    assert details["rebuild"][1].startswith("not attempted: 1 source file(s)")
    assert report.lines()[-1].startswith("NOT VERIFIED: ")
    with pytest.raises(ChecksFailed) as raised:
        report.raise_for_problems()
    assert (raised.value.message, raised.value.hint) == (
        f"{report.bundle}: 2 check(s) failed; first: sources: changed since the bundle was "
        f"built: {source}",
        "Do not rely on this bundle: ask the sender for the bundle as built and its sidecar "
        "files, and run `bundler bundle verify` again.")


def test_every_changed_source_is_named_in_the_manifest_order(root: Path) -> None:
    for source in ("evidence/form.pdf", "evidence/text.pdf"):
        path = root / "case" / source
        flip_byte(path, path.stat().st_size // 2)
    report = verify_bundle(bundle(root), sources=root / "case")
    order = [doc["source"] for doc in manifest_of(root)["documents"]]
    changed = sorted(("evidence/form.pdf", "evidence/text.pdf"), key=order.index)
    assert by_name(report)["sources"] == (
        False, f"changed since the bundle was built: {changed[0]}, {changed[1]}")
    (root / "case" / "evidence" / "photo.jpg").unlink()
    report = verify_bundle(bundle(root), sources=root / "case")
    assert by_name(report)["sources"] == (
        False, f"changed since the bundle was built: {changed[0]}, {changed[1]}; missing from "
        f"{root / 'case'}: evidence/photo.jpg")


def test_missing_sources_are_named(root: Path) -> None:
    (root / "case" / "evidence" / "photo.jpg").unlink()
    (root / "case" / "evidence" / "rot90.pdf").unlink()
    report = verify_bundle(bundle(root), sources=root / "case")
    assert by_name(report)["sources"] == (
        False, f"missing from {root / 'case'}: evidence/rot90.pdf, evidence/photo.jpg")


# --------------------------------------------------------------------------- the bundle


def _landscape_prefix(root: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    """Offset of the landscape page's own stamp prefix stream in the bundle, and its doc."""
    from reportlab.lib.pagesizes import A4, landscape

    width, height = landscape(A4)
    prefix = prefix_bytes(page_geometry((0, 0, width, height), None, 0))
    data = bundle(root).read_bytes()
    # this geometry's prefix: the landscape page's, then the photograph's (each document has
    # its own; the landscape plan comes first)
    assert data.count(prefix) == 2
    doc = next(d for d in manifest_of(root)["documents"]
               if d["source"] == "evidence/landscape.pdf")
    return data.index(prefix) + prefix.index(b" cm") - 1, doc


def test_changed_byte_in_a_content_stream_is_caught_and_located(root: Path) -> None:
    position, doc = _landscape_prefix(root)
    flip_byte(bundle(root), position)  # a digit of the shrink matrix
    report = verify_bundle(bundle(root), sources=root / "case")
    assert [check.name for check in report.failed] == ["file hash", "rebuild"]
    # the stream is the landscape document's own (the photograph of that size has another)
    detail = by_name(report)["rebuild"][1]
    assert detail.startswith(
        f"differs from the rebuild from the sources, first at document {doc['number']} "
        f"(evidence/landscape.pdf), page {doc['first_label']}: what it shows differs: "), detail
    assert detail.endswith("; 1 page(s) differ, in 1 document(s)")


def test_changed_byte_outside_the_pages_is_caught(root: Path) -> None:
    data = bundle(root).read_bytes()
    position = data.index(b"/Producer (supported") + len(b"/Producer (")
    flip_byte(bundle(root), position)
    report = verify_bundle(bundle(root), sources=root / "case")
    assert [check.name for check in report.failed] == ["file hash", "rebuild"]
    assert by_name(report)["rebuild"][1] == (
        "differs from the rebuild from the sources, first at the document: the document "
        "information (title, author...) differs from the rebuild's (first at "
        "information./Producer)")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_in_the_bundle_fails_the_file_hash(
    pristine: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    original = bundle(pristine).read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]),
                      label="value")
    folder = tmp_path_factory.mktemp("byte")
    for name in ("bundle.pdf.sha256", "bundle.manifest.json"):
        shutil.copyfile(pristine / "out" / name, folder / name)
    changed = bytearray(original)
    changed[position] = value
    (folder / "bundle.pdf").write_bytes(bytes(changed))
    report = verify_bundle(folder / "bundle.pdf")  # never raises: the sidecar says it changed
    assert not report.ok
    assert report.checks[0].name == "file hash" and not report.checks[0].passed


@pytest.mark.parametrize("pattern, damage", [
    (rb"\n2 0 obj\n<<\n/Type /Pages", b"\n\x00 0 obj\n<<\n/Type /Pages"),
    (rb"/Kids \[ \d+ 0 R \d+ 0 R", None),  # the second page's reference broken
])
def test_a_damaged_page_tree_fails_the_checks_and_never_crashes(
    root: Path, pattern: bytes, damage: bytes | None
) -> None:
    pdf = bundle(root)
    data = pdf.read_bytes()
    [found] = re.findall(pattern, data)
    old = found
    new = damage if damage is not None else found[:-4] + b" \x00 R"
    assert data.count(old) == 1
    pdf.write_bytes(data.replace(old, new))
    report = verify_bundle(pdf)
    assert not report.ok
    assert report.checks[0].name == "file hash" and not report.checks[0].passed
    assert "page count" in [check.name for check in report.failed]


# --------------------------------------------------------------------------- manifest


def test_changed_field_in_the_sidecar_manifest_is_named(root: Path) -> None:
    sidecar = root / "out" / "bundle.manifest.json"
    manifest = manifest_of(root)
    digest = manifest["documents"][3]["source_sha256"]
    text = sidecar.read_text(encoding="utf-8")
    assert text.count(digest) == 1
    sidecar.write_text(text.replace(digest, ("f" if digest[0] != "f" else "e") + digest[1:]),
                       encoding="utf-8")
    report = verify_bundle(bundle(root))
    assert [check.name for check in report.failed] == ["manifest"]
    assert by_name(report)["manifest"][1] == (
        "the sidecar bundle.manifest.json differs from the manifest embedded in the bundle: "
        "first differing field: documents[3].source_sha256")


def test_reformatted_sidecar_manifest_is_caught(root: Path) -> None:
    sidecar = root / "out" / "bundle.manifest.json"
    sidecar.write_text(json.dumps(manifest_of(root), sort_keys=True), encoding="utf-8")
    report = verify_bundle(bundle(root))
    assert by_name(report)["manifest"] == (False, (
        "the sidecar bundle.manifest.json differs from the manifest embedded in the bundle: "
        "same content, written differently (its SHA-256 no longer matches the certificate)"))


def test_sidecar_manifest_that_is_not_json_is_caught(root: Path) -> None:
    (root / "out" / "bundle.manifest.json").write_text("{\n  oops\n", encoding="utf-8")
    report = verify_bundle(bundle(root))
    assert by_name(report)["manifest"][1].endswith(
        "it is not valid JSON (line 2: Expecting property name enclosed in double quotes)")


def test_first_differing_field() -> None:
    assert first_differing_field({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3]}) == "b[1]"
    assert first_differing_field({"a": [1]}, {"a": [1, 2]}) == "a[1]"
    assert first_differing_field({"a": 1}, {"a": 1, "z": 2}) == "z"
    assert first_differing_field({"x": {"y": 1}}, {"x": {"y": 1}}) is None
    assert first_differing_field({"x": 1}, {"x": 1.0}) == "x"


# --------------------------------------------------------------------------- versions


def test_recorded_versions_are_information_and_rebuild_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_sources(tmp_path / "case")
    real = library_versions

    def older(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**real(extra), "pypdf": "0.0.1"}

    monkeypatch.setattr(build_module, "library_versions", older)
    built = build_bundle(spec, tmp_path / "out" / "bundle.pdf", build_date=DATE)
    monkeypatch.undo()
    report = verify_bundle(built.pdf, sources=tmp_path / "case")
    assert report.ok, report.lines()
    details = by_name(report)
    installed = real()["pypdf"]
    assert details["library versions"][1] == (
        f"this computer has other versions than the bundle records (pypdf 0.0.1 -> "
        f"{installed}); the rebuild is compared in full all the same")
    # the rebuild says it was made with the recorded versions, so nothing else differs
    assert details["rebuild"][1].endswith("byte-for-byte identical")


# --------------------------------------------------------------------------- audit


def test_verification_is_recorded_in_the_case_audit_log(root: Path) -> None:
    from bundler.audit import AuditAction, read_entries, record, verify_log

    case = root / "case"
    record(case, AuditAction.EVIDENCE_ADDED, inputs=[case / "evidence" / "text.pdf"])
    report = verify_bundle(bundle(root), sources=case)
    assert report.ok, report.lines()
    entries = read_entries(case)
    assert [entry.action for entry in entries] == [AuditAction.EVIDENCE_ADDED,
                                                   AuditAction.BUNDLE_VERIFIED]
    last = entries[-1].as_json()
    assert last["details"] == {"checks_failed": "0", "reference": REFERENCE,
                               "result": "verified", "sources_given": "yes"}
    assert [item["sha256"] for item in last["inputs"]] == [report.sha256]
    assert verify_log(case).ok


def test_nothing_is_recorded_without_an_audit_log(root: Path) -> None:
    verify_bundle(bundle(root), sources=root / "case")
    assert not (root / "case" / "audit.jsonl").exists()
    assert not (root / "out" / "audit.jsonl").exists()
    assert not (root / "audit.jsonl").exists()


def test_sample_case_bundle_verifies_against_its_case_folder(sample_case: Path) -> None:
    from bundler.audit import AuditAction, read_entries, record

    record(sample_case, AuditAction.EVIDENCE_ADDED, inputs=[sample_case / "case.yaml"])
    built = build_bundle(sample_case, sample_case / "out" / "bundle.pdf", build_date=DATE)
    before = len(read_entries(sample_case))
    report = verify_bundle(built.pdf, sources=sample_case)
    assert report.ok, report.lines()
    converters = {doc["converter"] for doc in json.loads(built.manifest.read_bytes())[
        "documents"]}
    assert {"pdf", "image", "email", "text", "libreoffice"} <= converters
    # the rebuild records nothing; the verification records one entry
    assert [e.action for e in read_entries(sample_case)[before:]] == [
        AuditAction.BUNDLE_VERIFIED]


# --------------------------------------------------------------------------- forgery


def _replace_embedded_manifest(pdf: Path, new: bytes) -> None:
    """Swap the manifest attached inside ``pdf`` for ``new`` (as a forger would)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pdf))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    stream.set_data(new)
    with pdf.open("wb") as handle:
        writer.write(handle)


def test_manifest_forged_inside_and_beside_fails_the_certificate(root: Path) -> None:
    pdf = bundle(root)
    sidecar = root / "out" / "bundle.manifest.json"
    forged = sidecar.read_bytes().replace(b"Model occupancy agreement",
                                          b"Model occupancy agreement (signed)")
    _replace_embedded_manifest(pdf, forged)
    sidecar.write_bytes(forged)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    (root / "out" / "bundle.pdf.sha256").write_text(f"{digest}  bundle.pdf\n")
    report = verify_bundle(pdf, sources=root / "case")
    assert [check.name for check in report.failed] == ["certificate", "rebuild"]
    manifest = json.loads(forged)
    forged_sha = hashlib.sha256(forged).hexdigest()
    assert by_name(report)["certificate"][1] == (
        f"page {manifest['certificate_first_page']} does not show the embedded manifest's "
        f"SHA-256 {forged_sha}: the manifest was changed after the bundle was built")
    assert by_name(report)["rebuild"][1].startswith(
        "differs from the rebuild from the sources, first at page 2 (front matter): what it "
        "shows differs: ")


def test_embedded_manifest_that_is_not_a_manifest_fails(root: Path) -> None:
    pdf = bundle(root)
    _replace_embedded_manifest(pdf, b'{"manifest_version": 1, "pages": "many"}\n')
    report = verify_bundle(pdf)
    assert not report.ok
    passed, detail = by_name(report)["manifest"]
    assert not passed
    assert detail.startswith("the embedded manifest.json is not a valid manifest (")


def test_a_manifest_from_a_newer_toolkit_is_not_read_and_says_to_upgrade(root: Path) -> None:
    pdf = bundle(root)
    newer = manifest_of(root) | {"manifest_version": 99}
    _replace_embedded_manifest(pdf, json.dumps(newer).encode())
    report = verify_bundle(pdf)
    assert [check.name for check in report.failed] == ["file hash", "manifest"]
    assert by_name(report)["manifest"][1] == (
        "made by a newer version of the toolkit (manifest version 99); install the newest "
        "version to check it")


def test_a_sidecar_manifest_larger_than_any_manifest_is_not_read(root: Path) -> None:
    sidecar = root / "out" / "bundle.manifest.json"
    with sidecar.open("ab") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    report = verify_bundle(bundle(root))
    assert [check.name for check in report.failed] == ["manifest"]
    assert by_name(report)["manifest"][1] == (
        "the sidecar bundle.manifest.json is larger than any manifest (so not the one "
        "embedded in the bundle)")


def test_a_sidecar_hash_file_must_hold_a_sha256(root: Path) -> None:
    """Upper-case hex is the same hash; anything else is no hash at all."""
    pdf, sidecar = bundle(root), root / "out" / "bundle.pdf.sha256"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    sidecar.write_text(f"{digest.upper()}  bundle.pdf\n", encoding="utf-8")
    assert by_name(verify_bundle(pdf))["file hash"] == (
        True, f"SHA-256 {digest} matches the sidecar bundle.pdf.sha256")
    for text in ("", "not a hash\n", f"{digest[:-1]}  bundle.pdf\n"):
        sidecar.write_text(text, encoding="utf-8")
        report = verify_bundle(pdf)
        assert [check.name for check in report.failed] == ["file hash"]
        assert by_name(report)["file hash"][1] == (
            "the sidecar bundle.pdf.sha256 does not hold a SHA-256")


def test_a_manifest_forged_to_move_a_document_fails_its_own_page_layout(root: Path) -> None:
    """A forger moves document 2 a page on in the manifest, inside and beside the bundle:
    besides the certificate, the page count check says the pages no longer follow on."""
    pdf, sidecar = bundle(root), root / "out" / "bundle.manifest.json"
    forged = manifest_of(root)
    second = forged["documents"][1]
    second["first_page"] += 1
    data = json.dumps(forged, indent=2).encode()
    _replace_embedded_manifest(pdf, data)
    sidecar.write_bytes(data)
    report = verify_bundle(pdf)
    assert by_name(report)["page count"] == (False, (
        f"the manifest's pages for document 2 ({second['source']}) do not follow on from the "
        "one before"))
    assert {"certificate", "page count", "page labels"} <= {c.name for c in report.failed}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_changed_byte_without_sidecars_is_refused_or_reported_never_a_crash(
    pristine: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    from bundler.errors import BadInput

    original = bundle(pristine).read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]),
                      label="value")
    changed = bytearray(original)
    changed[position] = value
    pdf = tmp_path_factory.mktemp("alone") / "bundle.pdf"
    pdf.write_bytes(bytes(changed))
    try:
        report = verify_bundle(pdf)
    except BadInput:
        return  # unreadable, and nothing says what it should have been
    assert [check.name for check in report.checks][:2] == ["file hash", "manifest"]


def test_other_library_versions_still_catch_a_page_with_other_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader, PdfWriter

    spec = make_sources(tmp_path / "case")
    real = library_versions
    monkeypatch.setattr(build_module, "library_versions",
                        lambda extra=None: {**real(extra), "reportlab": "0.1"})
    built = build_bundle(spec, tmp_path / "out" / "bundle.pdf", build_date=DATE)
    monkeypatch.undo()
    doc = json.loads(built.manifest.read_bytes())["documents"][0]
    writer = PdfWriter(clone_from=PdfReader(built.pdf))
    contents = writer.pages[doc["first_page"] - 1]["/Contents"]
    original = contents[1].get_object()  # between our prefix and the stamp
    assert b"TEXTWORD1" in original.get_data()
    original.set_data(original.get_data().replace(b"TEXTWORD1", b"FORGERY01"))
    built.sidecar.unlink()
    with built.pdf.open("wb") as handle:
        writer.write(handle)
    report = verify_bundle(built.pdf, sources=tmp_path / "case")
    assert [check.name for check in report.failed] == ["rebuild"]
    detail = by_name(report)["rebuild"][1]
    assert detail.startswith(
        f"differs from the rebuild from the sources, first at document 1 ({doc['source']}), "
        f"page {doc['first_label']}: what it shows differs: "), detail
    assert detail.endswith("; 1 page(s) differ, in 1 document(s)")


def test_a_removed_page_fails_the_page_count_and_stamps(root: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    pdf = bundle(root)
    manifest = manifest_of(root)
    doc = manifest["documents"][0]  # two pages
    writer = PdfWriter(clone_from=PdfReader(pdf))
    del writer.pages[doc["first_page"]]  # its second page
    with pdf.open("wb") as handle:
        writer.write(handle)
    (root / "out" / "bundle.pdf.sha256").unlink()
    report = verify_bundle(pdf)
    details = by_name(report)
    total = manifest["pages"]
    assert details["page count"] == (
        False, f"the PDF has {total - 1} pages, the manifest says {total}")
    assert details["page labels"] == (
        False, f"not compared: the PDF has {total - 1} pages, the manifest {total}")
    passed, stamps = details["stamps"]
    assert not passed
    assert stamps.startswith(f"page {doc['last_label']} (document 1, evidence/text.pdf) is "
                             "stamped ")


def test_sectioned_bundle_passes_with_sources(tmp_path: Path) -> None:
    spec = make_sources(tmp_path / "case")
    built = build_bundle(spec, tmp_path / "out" / "bundle.pdf", numbering="sectioned",
                         build_date=DATE)
    report = verify_bundle(built.pdf, sources=tmp_path / "case")
    assert report.ok, report.lines()
    certificate_pages = json.loads(built.manifest.read_bytes())["certificate_pages"]
    assert by_name(report)["page labels"][1].endswith(
        f"labels the manifest implies (i to cert-{certificate_pages})")


def test_locked_source_without_its_spec_cannot_be_rebuilt_and_says_why(root: Path) -> None:
    (root / "case" / "bundle.yaml").unlink()  # the password lived only there
    report = verify_bundle(bundle(root), sources=root / "case")
    assert [check.name for check in report.failed] == ["rebuild"]
    assert by_name(report)["rebuild"][1] == (
        f"could not rebuild from {root / 'case'}: evidence/locked.pdf: the PDF is locked with "
        "a password (put the bundle spec bundle.yaml that gives its password in that folder)")
