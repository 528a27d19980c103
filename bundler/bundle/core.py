"""Core bundles (`bundle build ... --core`): the documents a hearing turns on, in a bundle
of their own whose every page carries both its own number and its page in the main bundle.

The judiciary's 2021 guidance and PD 27A ask for a core bundle where the main bundle is
large: the few documents the judge must read, made the same way as the main bundle. Built
with the main bundle, from the same converted documents, so they are the same pages:

* ``--core 3,7,B2`` (document numbers as the main bundle's index gives them) or
  ``--core evidence/a.pdf,evidence/b.pdf`` (files as the spec or case records name them), or
  ``--core`` alone in a case folder: every document the findings and recommendations cite
  as their evidence (para 146), in the main bundle's order;
* written beside the main bundle as ``OUT-core.pdf`` with its own manifest and hash
  (``OUT-core.manifest.json``, ``OUT-core.pdf.sha256``); its cover, index, bookmarks and
  certificate are its own, numbered as the main bundle is (continuous from 1, or sectioned);
* every document page's stamp prints its core label then, in brackets, its label in the
  main bundle (``12 (main 245)``); the index gives each document's pages in the main bundle
  under its title; the manifest records the main bundle (file, SHA-256, manifest hash) and
  each page's main label, so `bundle verify` checks the stamps, and with the main bundle
  beside it, that those are the main bundle's numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bundler.bundle.manifest import CoreDocument, CoreOf, Manifest
from bundler.bundle.plan import label_span
from bundler.bundle.stamp import core_label
from bundler.errors import BadInput

if TYPE_CHECKING:
    from bundler.bundle.served import Check

CITED = ""  # --core given alone: the documents the findings cite


def core_path(out: Path) -> Path:
    """OUT-core.pdf beside OUT.pdf."""
    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".pdf" else out.name
    return out.with_name(f"{stem}-core.pdf")


def cited_files(case_dir: Path | None) -> list[str]:
    """Every file the case's findings and recommendations cite, in the order cited."""
    if case_dir is None:
        raise BadInput("--core without a list takes the documents the findings cite, and "
                       "this bundle is not built from a case folder",
                       "Name the core documents: --core 3,7 (document numbers) or --core "
                       "evidence/a.pdf,evidence/b.pdf.")
    from bundler.case.models import cited_file
    from bundler.case.validate import load_valid_case

    case = load_valid_case(case_dir).case
    cited: list[str] = []
    if case.findings is not None:
        for answer in case.findings.answers:
            cited += [cited_file(entry) for entry in answer.evidence]
    for recommendation in case.recommendations:
        cited += [cited_file(entry) for entry in recommendation.evidence]
    if not cited:
        raise BadInput(f"{case_dir}: no findings or recommendations cite evidence yet, so "
                       "there is no core bundle to make",
                       "Record the findings' evidence, or name the core documents: --core 3,7.")
    return list(dict.fromkeys(cited))


def select_core(selection: str, main: Manifest, case_dir: Path | None) -> list[int]:
    """Positions (in the main bundle) of the core documents, in the main bundle's order."""
    numbers = {str(doc.number).lower(): position for position, doc in enumerate(main.documents)}
    files = {doc.source: position for position, doc in enumerate(main.documents)}
    if selection == CITED:
        wanted = cited_files(case_dir)
        missing = [name for name in wanted if name not in files]
        if missing:
            raise BadInput(f"the findings cite {', '.join(missing[:5])}, which the bundle does "
                           "not hold, so the core bundle would lack "
                           f"{'it' if len(missing) == 1 else 'them'}",
                           "Add the file(s) to the bundle, or name the core documents: "
                           "--core 3,7.")
        return sorted({files[name] for name in wanted})
    chosen: set[int] = set()
    for item in (part.strip() for part in selection.split(",")):
        if not item:
            continue
        found = numbers.get(item.lower(), files.get(item))
        if found is None:
            raise BadInput(f"--core {item!r} is neither a document number in the bundle nor "
                           "a file it holds",
                           "Give document numbers as the index shows them (3, B2) or files as "
                           "the spec names them, separated by commas.")
        chosen.add(found)
    if not chosen:
        raise BadInput("--core names no documents",
                       "Give document numbers (--core 3,7) or leave the list out in a case "
                       "folder to take the documents the findings cite.")
    return sorted(chosen)


def core_record(main: Manifest, main_file: str, main_sha256: str, main_manifest_sha256: str,
           positions: Sequence[int], labels: Sequence[str]) -> CoreOf:
    """The core bundle's record of the main bundle: each document's pages there."""
    return CoreOf(
        main_file=main_file, main_sha256=main_sha256,
        main_manifest_sha256=main_manifest_sha256,
        documents=[CoreDocument(
            source=main.documents[p].source, source_sha256=main.documents[p].source_sha256,
            main_number=main.documents[p].number,
            main_labels=list(labels[main.documents[p].first_page - 1:
                                    main.documents[p].last_page]))
            for p in positions])


def main_note(document: CoreDocument) -> str:
    """What the core index says under a document's title."""
    labels = document.main_labels
    pages = "page" if len(labels) == 1 else "pages"
    return (f"in the main bundle: doc {document.main_number}, {pages} "
            f"{label_span(labels[0], labels[-1])}")


def core_check(pdf: Path, manifest: Manifest) -> Check:
    """For `bundle verify` of a core bundle: its main bundle's page numbers, checked against
    the main bundle when it is beside it (its hash and manifest), else said as recorded."""
    from bundler.bundle.build import output_paths
    from bundler.bundle.served import Check, expected_labels
    from bundler.fileio import sha256_file

    core = manifest.core
    assert core is not None
    main_pdf = pdf.with_name(core.main_file)
    if not main_pdf.is_file():
        return Check("core", True, f"core bundle of {core.main_file}: its pages' numbers in "
                     "the main bundle are as its manifest records them (put the main bundle "
                     "beside it to check them)", info=True)
    if sha256_file(main_pdf) != core.main_sha256:
        return Check("core", False, f"{core.main_file} beside it is not the main bundle this "
                     "core bundle was made with (its SHA-256 differs)")
    main_manifest = output_paths(main_pdf)[1]
    try:
        data = main_manifest.read_bytes()
    except OSError:
        return Check("core", False, f"{main_manifest.name} (the main bundle's manifest) is "
                     "missing beside it")
    if hashlib.sha256(data).hexdigest() != core.main_manifest_sha256:
        return Check("core", False, f"{main_manifest.name} is not the main bundle's manifest "
                     "(its SHA-256 differs from the one recorded)")
    main = Manifest.model_validate_json(data)
    labels = expected_labels(main)
    by_hash = {doc.source_sha256: doc for doc in main.documents}
    wrong: list[str] = []
    for document in core.documents:
        there = by_hash.get(document.source_sha256)
        if there is None:
            wrong.append(f"{document.source} is not in the main bundle")
            continue
        if list(labels[there.first_page - 1:there.last_page]) != document.main_labels:
            wrong.append(f"{document.source} is on pages "
                         f"{label_span(there.first_label, there.last_label)} of the main "
                         f"bundle, not {main_note(document)}")
    if wrong:
        return Check("core", False, "; ".join(wrong[:5]))
    pages = sum(len(document.main_labels) for document in core.documents)
    return Check("core", True, f"core bundle of {core.main_file} (beside it, SHA-256 as "
                 f"recorded): all {pages} pages' main bundle numbers are that bundle's")


def shown_label(core: CoreOf | None, position: int, offset: int, label: str) -> str:
    """The label a page's stamp prints: in a core bundle, with its main bundle label."""
    if core is None or position >= len(core.documents):
        return label
    mains = core.documents[position].main_labels
    return core_label(label, mains[offset]) if offset < len(mains) else label
