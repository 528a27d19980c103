"""Supplementary bundles (`bundler bundle build --supplement-to EARLIER.pdf`): late additions
never move pages already cited.

A main bundle is built and some of its pages "cited"; two documents are added to the spec and
a supplement is built. Read back as a recipient would: the main bundle is untouched, the
supplement holds only the new documents, its numbers continue from the main bundle's last
document page, its own pages cannot be mistaken for the main bundle's, and it verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from bundler.bundle.build import BuildResult, _continuation, build_bundle, rebuild_bundle
from bundler.bundle.manifest import EarlierDocument, Manifest, SupplementOf
from bundler.bundle.plan import Continuation, Numbering, SectionInput, plan_bundle
from bundler.bundle.verify import verify_bundle
from bundler.cli import cli
from bundler.errors import BadInput, InputNotFound
from tests import bundle_fixtures as fx

REFERENCE = "HB-APPEAL-2026-0142"
MAIN_DATE = dt.date(2026, 3, 1)
SUPP_DATE = dt.date(2026, 4, 15)

MAIN_SPEC = f"""\
reference: {REFERENCE}
title: Riverside House, Housing Benefit appeal bundle
sections:
  - label: A
    title: Scheme-level review
    documents:
      - file: evidence/agreement.pdf
        title: Model occupancy agreement
      - file: evidence/plan.pdf
        title: Site plan
  - label: B
    title: Resident R01
    documents:
      - file: evidence/support-plan.pdf
        title: Support plan
"""
# The late additions: one in an existing section, one in a new section.
ADDED = """\
      - file: evidence/late-review.pdf
        title: Support plan review (late)
  - label: C
    title: Provider correspondence
    documents:
      - file: evidence/late-letter.pdf
        title: Provider's letter (late)
"""
SECOND = """\
      - file: evidence/later-still.pdf
        title: Provider's second letter
"""
WORDS = {  # file -> (word, pages)
    "agreement.pdf": ("AGREEWORD", 2),
    "plan.pdf": ("PLANWORD", 1),
    "support-plan.pdf": ("SUPPWORD", 3),
    "late-review.pdf": ("LATEREVIEW", 2),
    "late-letter.pdf": ("LATELETTER", 1),
    "later-still.pdf": ("LATERSTILL", 2),
}


def make_case(folder: Path) -> Path:
    (folder / "evidence").mkdir(parents=True)
    for name, (word, pages) in WORDS.items():
        fx.make_text_pdf(folder / "evidence" / name, word, pages)
    spec = folder / "bundle.yaml"
    spec.write_text(MAIN_SPEC, encoding="utf-8")
    return spec


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(result: BuildResult) -> dict:  # type: ignore[type-arg]
    return json.loads(result.manifest.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def footer_labels(pdf: Path) -> list[str]:
    """The label stamped in each page's footer band, as pdftotext sees it."""
    return [fx.footer(page).label.text for page in fx.words_by_page(pdf)]


def link_targets(pdf: Path, front_pages: int) -> list[int]:
    reader = PdfReader(pdf)
    targets = []
    for page in reader.pages[:front_pages]:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link":
                targets.append(reader.get_page_number(annot["/Dest"][0].get_object()) + 1)
    return targets


@dataclass(frozen=True)
class Chain:
    spec: Path
    main: BuildResult
    main_sha: str
    cited: dict[str, str]  # page label -> the text a tribunal cited on it
    supp: BuildResult
    supp2: BuildResult


def _build_chain(root: Path, numbering: str) -> Chain:
    spec = make_case(root / "case")
    out = root / "out"
    main = build_bundle(spec, out / "main.pdf", numbering=numbering, build_date=MAIN_DATE)
    main_sha = sha(main.pdf)
    labels = list(PdfReader(main.pdf).page_labels)
    texts = [page.text for page in fx.words_by_page(main.pdf)]
    cited = dict(zip(labels, texts, strict=True))
    spec.write_text(MAIN_SPEC + ADDED, encoding="utf-8")
    supp = build_bundle(spec, out / "supplement-1.pdf", build_date=SUPP_DATE,
                        supplement_to=main.pdf)
    spec.write_text(MAIN_SPEC + ADDED + SECOND, encoding="utf-8")
    supp2 = build_bundle(spec, out / "supplement-2.pdf", build_date=SUPP_DATE,
                         supplement_to=supp.pdf)
    return Chain(spec, main, main_sha, cited, supp, supp2)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return _build_chain(tmp_path_factory.mktemp("supplement"), "continuous")


@pytest.fixture(scope="module")
def sectioned(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return _build_chain(tmp_path_factory.mktemp("supplement-sectioned"), "sectioned")


@pytest.fixture
def copy(chain: Chain, tmp_path: Path) -> Path:
    """A private copy of the case folder and its bundles, free to change."""
    target = tmp_path / "copy"
    shutil.copytree(chain.spec.parent.parent, target)
    return target


# --------------------------------------------------------------------------- earlier pages


def test_the_main_bundle_and_every_cited_page_are_untouched(chain: Chain) -> None:
    assert sha(chain.main.pdf) == chain.main_sha
    labels = list(PdfReader(chain.main.pdf).page_labels)
    texts = [page.text for page in fx.words_by_page(chain.main.pdf)]
    assert dict(zip(labels, texts, strict=True)) == chain.cited
    # e.g. "see page 5" still finds the site plan
    main = manifest_of(chain.main)
    plan_doc = next(d for d in main["documents"] if d["source"] == "evidence/plan.pdf")
    assert "PLANWORD1" in chain.cited[plan_doc["first_label"]]


def test_the_supplement_holds_only_the_new_documents(chain: Chain) -> None:
    supp = manifest_of(chain.supp)
    assert [d["source"] for d in supp["documents"]] == ["evidence/late-review.pdf",
                                                       "evidence/late-letter.pdf"]
    text = " ".join(page.text for page in fx.words_by_page(chain.supp.pdf))
    for word in ("AGREEWORD", "PLANWORD", "SUPPWORD"):
        assert word not in text
    for doc in supp["documents"]:
        word, pages = WORDS[Path(doc["source"]).name]
        assert doc["pages"] == pages
        for offset in range(pages):
            page_text = fx.words_by_page(chain.supp.pdf)[doc["first_page"] - 1 + offset].text
            assert f"{word}{offset + 1}" in page_text


def test_numbers_continue_after_the_main_bundles_last_page(chain: Chain) -> None:
    main, supp = manifest_of(chain.main), manifest_of(chain.supp)
    # continuous numbers are physical pages of the main bundle, its certificate included:
    # a supplement starts after them, so no number is ever used twice
    last = main["pages"]
    assert int(main["documents"][-1]["last_label"]) < last
    review, letter = supp["documents"]
    assert (review["first_label"], review["last_label"]) == (str(last + 1), str(last + 2))
    assert (letter["first_label"], letter["last_label"]) == (str(last + 3), str(last + 3))
    assert [d["number"] for d in supp["documents"]] == [4, 5]  # documents 1-3 are served
    main_labels = set(PdfReader(chain.main.pdf).page_labels)
    supp_labels = list(PdfReader(chain.supp.pdf).page_labels)
    assert not main_labels & set(supp_labels)  # no page number of the main bundle is reused


def test_the_supplements_own_pages_are_labelled_apart(chain: Chain) -> None:
    supp = manifest_of(chain.supp)
    labels = list(PdfReader(chain.supp.pdf).page_labels)
    front = supp["front_matter_pages"]
    assert labels[:front] == ["S1-i", "S1-ii"][:front]
    own = labels[:front] + labels[supp["certificate_first_page"] - 1:]
    assert all(label.startswith("S1-") for label in own)
    assert own == [f"S1-{r}" for r in ("i", "ii", "iii", "iv", "v")[: len(own)]]


@pytest.mark.parametrize("which", ["supp", "supp2"])
def test_page_labels_equal_the_stamps(chain: Chain, which: str) -> None:
    result: BuildResult = getattr(chain, which)
    labels = list(PdfReader(result.pdf).page_labels)
    assert footer_labels(result.pdf) == labels
    assert len(labels) == manifest_of(result)["pages"] == result.pages


def test_document_stamps_carry_number_and_hash(chain: Chain) -> None:
    words = fx.words_by_page(chain.supp.pdf)
    for doc in manifest_of(chain.supp)["documents"]:
        for page_number in range(doc["first_page"], doc["last_page"] + 1):
            details = fx.footer(words[page_number - 1]).details
            assert f"{REFERENCE} doc {doc['number']} sha256:{doc['source_sha256'][:12]}" in details


def test_index_links_land_on_each_documents_first_page(chain: Chain) -> None:
    supp = manifest_of(chain.supp)
    assert link_targets(chain.supp.pdf, supp["front_matter_pages"]) == [
        d["first_page"] for d in supp["documents"]] + [supp["certificate_first_page"]]
    index = fx.words_by_page(chain.supp.pdf)[1].text
    assert "Support plan review (late)" in index and "Provider's letter (late)" in index
    assert "Model occupancy agreement" not in index


def test_cover_and_certificate_cite_the_earlier_bundles_hashes(chain: Chain) -> None:
    texts = fx.page_texts(chain.supp.pdf)
    cover = " ".join(texts[0].split())
    assert f"Supplementary bundle 1 to {REFERENCE}" in cover
    squashed_cover = "".join(texts[0].split())
    main_sha, main_manifest_sha = chain.main_sha, sha(chain.main.manifest)
    assert main_sha in squashed_cover and main_manifest_sha in squashed_cover
    assert "main.pdf" in cover
    certificate = "".join(texts[-1].split())
    assert main_sha in certificate and main_manifest_sha in certificate
    supp = manifest_of(chain.supp)
    recorded = supp["supplement_to"]
    main = manifest_of(chain.main)
    assert recorded["number"] == 1
    assert recorded["file"] == "main.pdf"
    assert recorded["sha256"] == main_sha
    assert recorded["manifest_sha256"] == main_manifest_sha
    assert recorded["last_label"] == str(main["pages"])
    assert [d["source"] for d in recorded["documents"]] == [
        d["source"] for d in main["documents"]]
    assert supp["manifest_version"] == 2
    assert "supplement_to" not in main and main["manifest_version"] == 1
    assert "supplementary bundle 1" in PdfReader(chain.supp.pdf).metadata["/Title"]


def test_manifest_round_trips_through_its_model(chain: Chain) -> None:
    data = chain.supp.manifest.read_bytes()
    assert Manifest.model_validate_json(data).to_json_bytes() == data


# --------------------------------------------------------------------------- verify


def test_verify_passes_and_says_it_is_a_supplement(chain: Chain) -> None:
    report = verify_bundle(chain.supp.pdf, record_audit=False)
    assert report.ok, report.lines()
    names = [check.name for check in report.checks]
    assert names == ["file hash", "manifest", "supplement", "certificate", "page count",
                     "page labels", "stamps"]
    supplement = next(line for line in report.lines() if line.startswith("PASS  supplement:"))
    assert "supplementary bundle 1 to main.pdf" in supplement
    assert "beside it has that SHA-256" in supplement


def test_verify_passes_with_sources_and_the_rebuild_is_byte_identical(chain: Chain) -> None:
    report = verify_bundle(chain.supp.pdf, sources=chain.spec.parent, record_audit=False)
    assert report.ok, report.lines()
    rebuild = next(check for check in report.checks if check.name == "rebuild")
    assert "byte-for-byte identical" in rebuild.detail


def test_rebuild_bundle_reproduces_the_supplement(chain: Chain, tmp_path: Path) -> None:
    recorded = Manifest.model_validate_json(chain.supp2.manifest.read_bytes())
    again = rebuild_bundle(recorded, chain.spec.parent, tmp_path / "supplement-2.pdf")
    assert again.pdf.read_bytes() == chain.supp2.pdf.read_bytes()
    assert again.manifest.read_bytes() == chain.supp2.manifest.read_bytes()


def test_verify_fails_when_the_bundle_beside_it_is_not_the_one_it_supplements(
    copy: Path,
) -> None:
    main = copy / "out" / "main.pdf"
    main.write_bytes(main.read_bytes() + b"\n% changed\n")
    report = verify_bundle(copy / "out" / "supplement-1.pdf", record_audit=False)
    assert not report.ok
    failed = [check.name for check in report.failed]
    assert failed == ["supplement"]
    assert "not the bundle it supplements" in report.failed[0].detail


def test_a_forged_earlier_file_name_fails_the_certificate_and_never_crashes(copy: Path) -> None:
    from tests.test_verify import _replace_embedded_manifest

    pdf = copy / "out" / "supplement-1.pdf"
    sidecar = copy / "out" / "supplement-1.manifest.json"
    forged = sidecar.read_bytes().replace(b'"file": "main.pdf"', b'"file": "../../etc/passwd"')
    assert forged != sidecar.read_bytes()
    _replace_embedded_manifest(pdf, forged)
    sidecar.write_bytes(forged)
    (copy / "out" / "supplement-1.pdf.sha256").write_text(f"{sha(pdf)}  supplement-1.pdf\n")
    report = verify_bundle(pdf, record_audit=False)
    assert [check.name for check in report.failed] == ["certificate"]
    assert "not beside it" in {c.name: c.detail for c in report.checks}["supplement"]


def test_verify_without_the_earlier_bundle_still_passes_and_says_so(copy: Path) -> None:
    (copy / "out" / "main.pdf").unlink()
    report = verify_bundle(copy / "out" / "supplement-1.pdf", record_audit=False)
    assert report.ok, report.lines()
    assert "not beside it, so not compared" in {
        c.name: c.detail for c in report.checks}["supplement"]


# --------------------------------------------------------------------------- chains


def test_a_supplement_to_a_supplement_continues_from_it(chain: Chain) -> None:
    supp, supp2 = manifest_of(chain.supp), manifest_of(chain.supp2)
    [doc] = supp2["documents"]
    assert doc["source"] == "evidence/later-still.pdf"
    last = int(supp["documents"][-1]["last_label"])
    assert (doc["first_label"], doc["last_label"]) == (str(last + 1), str(last + 2))
    assert doc["number"] == 6
    labels = list(PdfReader(chain.supp2.pdf).page_labels)
    assert labels[0] == "S2-i" and labels[-1].startswith("S2-")
    recorded = supp2["supplement_to"]
    assert recorded["number"] == 2 and recorded["file"] == "supplement-1.pdf"
    assert recorded["sha256"] == sha(chain.supp.pdf)
    assert [d["source"] for d in recorded["documents"]] == [
        "evidence/agreement.pdf", "evidence/plan.pdf", "evidence/support-plan.pdf",
        "evidence/late-review.pdf", "evidence/late-letter.pdf"]
    cover = " ".join(fx.page_texts(chain.supp2.pdf)[0].split())
    assert f"Supplementary bundle 2 to {REFERENCE}" in cover
    report = verify_bundle(chain.supp2.pdf, sources=chain.spec.parent, record_audit=False)
    assert report.ok, report.lines()


# --------------------------------------------------------------------------- sectioned


def test_sectioned_numbers_continue_within_sections_and_new_sections_start_at_1(
    sectioned: Chain,
) -> None:
    main, supp = manifest_of(sectioned.main), manifest_of(sectioned.supp)
    last_b = next(d for d in main["documents"] if d["section"] == "B")
    assert (last_b["number"], last_b["last_label"]) == ("B1", "B3")
    review, letter = supp["documents"]
    assert (review["number"], review["first_label"], review["last_label"]) == ("B2", "B4", "B5")
    assert (letter["number"], letter["first_label"], letter["last_label"]) == ("C1", "C1", "C1")
    labels = list(PdfReader(sectioned.supp.pdf).page_labels)
    assert labels == footer_labels(sectioned.supp.pdf)
    front = supp["front_matter_pages"]
    assert labels[:front][0] == "S1-i"
    assert labels[front:supp["certificate_first_page"] - 1] == ["B4", "B5", "C1"]
    assert labels[-1].startswith("S1-")
    cover = " ".join(fx.page_texts(sectioned.supp.pdf)[0].split())
    assert "Pages continue after A3, B3 in their sections (no earlier page moves)" in cover
    [doc2] = manifest_of(sectioned.supp2)["documents"]
    assert (doc2["number"], doc2["first_label"], doc2["last_label"]) == ("C2", "C2", "C3")
    for result in (sectioned.supp, sectioned.supp2):
        report = verify_bundle(result.pdf, sources=sectioned.spec.parent, record_audit=False)
        assert report.ok, report.lines()


def test_plan_continuation_labels_are_contiguous_and_prefixed() -> None:
    sections = [SectionInput("A", "a", (2, 1)), SectionInput("D", "d", (1,))]
    plan = plan_bundle(sections, front_pages=2, certificate_pages=2,
                       numbering=Numbering.SECTIONED,
                       continuation=Continuation("S3-", sections=(("A", 8, 4),)))
    assert plan.labels == ("S3-i", "S3-ii", "A8", "A9", "A10", "D1", "S3-iii", "S3-iv")
    assert [d.number for d in plan.documents] == ["A4", "A5", "D1"]
    plan = plan_bundle([SectionInput("A", "a", (1, 2))], front_pages=1, certificate_pages=1,
                       continuation=Continuation("S1-", next_page=40, next_document=12))
    assert plan.labels == ("S1-i", "40", "41", "42", "S1-ii")
    assert [d.number for d in plan.documents] == [12, 13]


_sections_pages = st.lists(
    st.tuples(st.sampled_from("ABCD"), st.lists(st.integers(1, 9), min_size=1, max_size=4)),
    min_size=1, max_size=4, unique_by=lambda item: item[0])


@given(_sections_pages, _sections_pages, st.sampled_from(list(Numbering)),
       st.integers(1, 3), st.integers(1, 3))
def test_no_supplement_page_takes_the_label_of_a_served_document_page(
    main_pages: list[tuple[str, list[int]]], late_pages: list[tuple[str, list[int]]],
    numbering: Numbering, front: int, cert: int,
) -> None:
    main = plan_bundle([SectionInput(label, label, tuple(p)) for label, p in main_pages],
                       front_pages=front, certificate_pages=cert, numbering=numbering)
    served = SupplementOf(
        number=1, file="main.pdf", sha256="0" * 64, manifest_sha256="0" * 64,
        last_label=main.documents[-1].last_label,
        documents=[EarlierDocument(number=d.number, section=d.section, source=f"{d.number}.pdf",
                                   source_sha256="0" * 64, first_label=d.first_label,
                                   last_label=d.last_label) for d in main.documents])
    supplement = plan_bundle([SectionInput(label, label, tuple(p)) for label, p in late_pages],
                             front_pages=front, certificate_pages=cert, numbering=numbering,
                             continuation=_continuation(served, numbering))
    cited = {main.labels[page - 1] for d in main.documents
             for page in range(d.first_page, d.last_page + 1)}
    assert not cited & set(supplement.labels)
    assert len(set(supplement.labels)) == supplement.total_pages
    assert not {str(d.number) for d in main.documents} & {
        str(d.number) for d in supplement.documents}
    own = supplement.labels[:front] + supplement.labels[supplement.certificate_first_page - 1:]
    assert all(label.startswith("S1-") for label in own)
    if numbering is Numbering.CONTINUOUS:
        first = int(main.documents[-1].last_label) + 1
        document_labels = supplement.labels[front:supplement.certificate_first_page - 1]
        assert document_labels == tuple(str(n) for n in range(first, first +
                                                                len(document_labels)))


# --------------------------------------------------------------------------- refusals


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bundle", "build", *args])
    return result.exit_code, result.stdout, result.stderr


def outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cli_builds_a_supplement_and_says_so(copy: Path) -> None:
    out = copy / "out" / "supplement-again.pdf"
    main = copy / "out" / "main.pdf"
    code, stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o", str(out),
                               "--supplement-to", str(main), "--date", "2026-05-01")
    assert code == 0, stderr
    assert stdout.endswith(f"(supplementary bundle 1 to {main})\n")
    # documents 1-3 are in main.pdf; supplement-1 and -2 are not given, so 4 to 6 are new
    assert [d["source"] for d in json.loads(
        (copy / "out" / "supplement-again.manifest.json").read_text())["documents"]] == [
        "evidence/late-review.pdf", "evidence/late-letter.pdf", "evidence/later-still.pdf"]


def test_a_changed_earlier_file_is_refused_naming_it(copy: Path) -> None:
    (copy / "case" / "evidence" / "plan.pdf").write_bytes(fx.text_pdf_bytes("NEWPLAN", 1))
    before = outputs(copy / "out")
    code, stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                               str(copy / "out" / "s.pdf"), "--supplement-to",
                               str(copy / "out" / "main.pdf"))
    assert code == 4
    assert stdout == ""
    first, hint = stderr.splitlines()[:2]
    assert first == (f"error: evidence/plan.pdf: has changed since it was served as document 2 "
                     f"(pages 5) of {copy / 'out' / 'main.pdf'}")
    assert "new file name" in hint
    assert outputs(copy / "out") == before


def test_a_changed_file_from_an_earlier_supplement_is_refused(copy: Path) -> None:
    (copy / "case" / "evidence" / "late-letter.pdf").write_bytes(fx.text_pdf_bytes("X", 1))
    with pytest.raises(BadInput, match=r"^evidence/late-letter\.pdf: has changed since it was "
                       r"served as document 5 \(pages 12\) of a bundle .*supplement-2\.pdf "
                       "supplements$"):
        build_bundle(copy / "case" / "bundle.yaml", copy / "out" / "s.pdf",
                     supplement_to=copy / "out" / "supplement-2.pdf")


def test_a_missing_earlier_file_is_refused_naming_it(copy: Path) -> None:
    (copy / "case" / "evidence" / "agreement.pdf").unlink()
    with pytest.raises(InputNotFound, match=r"^evidence/agreement\.pdf: file not found"):
        build_bundle(copy / "case" / "bundle.yaml", copy / "out" / "s.pdf",
                     supplement_to=copy / "out" / "main.pdf")


def test_nothing_new_is_refused_with_a_hint(copy: Path) -> None:
    spec = copy / "case" / "bundle.yaml"
    code, _stdout, stderr = run(str(spec), "-o", str(copy / "out" / "s.pdf"),
                                "--supplement-to", str(copy / "out" / "supplement-2.pdf"))
    assert code == 4
    first, hint = stderr.splitlines()[:2]
    assert first == (f"error: {spec}: nothing to add: every document is already in "
                     f"{copy / 'out' / 'supplement-2.pdf'} (or the bundles it supplements)")
    assert hint == ("  what to do: Add the late documents to the spec or the case records (each "
                    "under its own file name), then build the supplement again.")
    assert not (copy / "out" / "s.pdf").exists()


def test_an_earlier_pdf_not_made_by_the_toolkit_is_refused(copy: Path) -> None:
    plain = fx.make_text_pdf(copy / "plain.pdf", "PLAIN", 1)
    code, _stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                                str(copy / "out" / "s.pdf"), "--supplement-to", str(plain))
    assert code == 4
    assert stderr.splitlines()[0] == (f"error: {plain}: not a bundle made by this toolkit (it "
                                      "has no embedded manifest.json)")


def test_an_earlier_bundle_that_fails_its_sidecar_hash_is_refused(copy: Path) -> None:
    main = copy / "out" / "main.pdf"
    main.write_bytes(main.read_bytes() + b"\n")
    code, _stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                                str(copy / "out" / "s.pdf"), "--supplement-to", str(main))
    assert code == 4
    assert stderr.splitlines()[0].startswith(
        f"error: {main}: the earlier bundle differs from the sidecar main.pdf.sha256")
    assert not (copy / "out" / "s.pdf").exists()


def test_a_missing_earlier_bundle_is_not_found(copy: Path) -> None:
    code, _stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                                str(copy / "out" / "s.pdf"), "--supplement-to",
                                str(copy / "nope.pdf"))
    assert code == 3
    assert stderr.splitlines()[0] == f"error: {copy / 'nope.pdf'}: earlier bundle not found"


def test_the_supplement_never_replaces_the_earlier_bundle(copy: Path) -> None:
    main = copy / "out" / "main.pdf"
    before = sha(main)
    code, _stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o", str(main),
                                "--supplement-to", str(main), "--force")
    assert code == 4
    assert "would replace the earlier bundle" in stderr.splitlines()[0]
    assert sha(main) == before


def test_other_numbering_than_the_earlier_bundles_is_refused(copy: Path) -> None:
    code, _stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                                str(copy / "out" / "s.pdf"), "--numbering", "sectioned",
                                "--supplement-to", str(copy / "out" / "main.pdf"))
    assert code == 4
    assert "is numbered continuous, so its supplement cannot be numbered sectioned" in stderr


def test_a_spec_for_another_reference_is_refused(copy: Path) -> None:
    spec = copy / "case" / "bundle.yaml"
    spec.write_text(spec.read_text().replace(REFERENCE, "HB-APPEAL-2026-0999"))
    with pytest.raises(BadInput, match="is for HB-APPEAL-2026-0999, but the earlier bundle"):
        build_bundle(spec, copy / "out" / "s.pdf", supplement_to=copy / "out" / "main.pdf")


def test_an_earlier_bundle_whose_manifest_beside_it_was_changed_is_refused(copy: Path) -> None:
    main = copy / "out" / "main.pdf"
    sidecar = copy / "out" / "main.manifest.json"
    sidecar.write_bytes(sidecar.read_bytes().replace(b"Site plan", b"Site plans"))
    before = outputs(copy / "out")
    code, stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                               str(copy / "out" / "s.pdf"), "--supplement-to", str(main))
    assert (code, stdout, stderr.splitlines()) == (4, "", [
        f"error: {main}: the earlier bundle's manifest: the sidecar main.manifest.json differs "
        "from the manifest embedded in the bundle: first differing field: documents[1].title",
        "  what to do: Use the earlier bundle exactly as it was served (check it with `bundler "
        "bundle verify`), with its own .pdf.sha256 and .manifest.json beside it."])
    assert outputs(copy / "out") == before


def test_an_earlier_bundle_whose_manifest_was_forged_inside_and_beside_is_refused(
    copy: Path,
) -> None:
    from tests.test_verify import _replace_embedded_manifest

    main = copy / "out" / "main.pdf"
    sidecar = copy / "out" / "main.manifest.json"
    forged = sidecar.read_bytes().replace(b"Site plan", b"Site plans")
    _replace_embedded_manifest(main, forged)
    sidecar.write_bytes(forged)
    (copy / "out" / "main.pdf.sha256").write_text(f"{sha(main)}  main.pdf\n", encoding="utf-8")
    before = outputs(copy / "out")
    code, stdout, stderr = run(str(copy / "case" / "bundle.yaml"), "-o",
                               str(copy / "out" / "s.pdf"), "--supplement-to", str(main))
    page = json.loads(forged)["certificate_first_page"]
    assert (code, stdout, stderr.splitlines()[0]) == (4, "", (
        f"error: {main}: the earlier bundle's certificate: page {page} does not show the "
        f"embedded manifest's SHA-256 {hashlib.sha256(forged).hexdigest()}: the manifest was "
        "changed after the bundle was built"))
    assert outputs(copy / "out") == before
