"""A bundle too large for a court's upload portal or e-mail, split into volumes.

`bundle build ... --max-pages N` and/or `--max-mb M` write ``OUT-vol1.pdf``,
``OUT-vol2.pdf``... instead of ``OUT.pdf``:

* documents are never split between volumes unless one alone is over the limit; then it
  is split at page boundaries into parts titled "(pages 1-950 of 2,400)", and the build says so;
* numbering runs on across the set (continuous numbering): volume 2's cover carries the
  number after volume 1's last page, and document numbers run on too;
* volume 1 holds the index of every volume: an entry for a document in another volume
  gives its pages and volume, and links to that file at that page (a remote go-to, which
  viewers that open local files follow);
* each volume is a bundle in its own right, with its own cover, stamps, bookmarks,
  certificate and manifest (``OUT-volN.manifest.json``, ``OUT-volN.pdf.sha256``), so
  `bundle verify OUT-vol2.pdf` checks it alone; each manifest records its place in the set;
* one manifest describes the set (``OUT.manifest.json``: every volume's file, SHA-256,
  manifest hash and pages, and every document), with ``OUT.sha256`` holding every volume's
  hash for ``sha256sum -c``; `bundle verify --volumes` checks the set and names a missing or
  extra volume.

Volumes are laid out with the same functions as any bundle (``build._write_bundle`` over
``plan``, ``frontmatter`` and ``assemble``); this module only decides what goes where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bundler.errors import BadInput, InputNotFound, OutputFailed
from bundler.fileio import StagedOutputs, refuse_overwrite

if TYPE_CHECKING:  # the manifest's models imported where used: `bundle verify` asks
    # ``holds_set`` of every bundle before verifying it, and must not wait for pydantic
    from bundler.bundle.build import BuildResult, _Prepared, _Ready, _Source
    from bundler.bundle.manifest import SetDocument, VolumeOf
    from bundler.bundle.plan import Numbering
    from bundler.bundle.served import Check

_MB = 1024 * 1024
_SIZE_MARGIN = 0.92  # a volume's estimated size is kept this far under --max-mb
_COVER_PAGES = 1  # a later volume's front matter: its cover
_STAMP_BYTES = 600  # what stamping adds to a page (its stamp, its objects), about


@dataclass(frozen=True)
class VolumeLimits:
    max_pages: int | None = None
    max_mb: float | None = None

    def describe(self) -> str:
        parts = [f"{self.max_pages:,} pages" if self.max_pages else "",
                 f"{self.max_mb:g} MB" if self.max_mb else ""]
        return " and ".join(filter(None, parts))


@dataclass(frozen=True)
class VolumePart:
    """How one volume is laid out: what `build._layout` needs beyond a plain bundle."""

    number: int
    count: int
    files: tuple[str, ...]
    set_manifest: str
    first_number: int
    first_document: int
    limits: VolumeLimits
    # volume 1 only: the documents of the later volumes, to number them in the index
    later: tuple[tuple[_Later, ...], ...] = ()

    def note_pages(self, labels: Sequence[str]) -> str:
        from bundler.bundle.plan import label_span

        return label_span(labels[0], labels[-1]) if labels else ""

    def index(self, plan: Any, spec: Any, prepared: Sequence[_Prepared]
              ) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]], list[SetDocument]]:
        """Volume 1's index of the whole set: rows for ``index_sections``, each row's
        (volume, 1-based page in its file), and the documents as the manifests record them.
        """
        from bundler.bundle.manifest import SetDocument

        rows: list[tuple[Any, ...]] = []
        where: list[tuple[int, int]] = []
        documents: list[SetDocument] = []
        doc_specs = [doc for section in spec.sections for doc in section.documents]
        titles = {section.label: section.title for section in spec.sections}
        for doc, item, planned in zip(doc_specs, prepared, plan.documents, strict=True):
            rows.append((planned.section, str(planned.number), doc.date, doc.title,
                         planned.first_label, planned.last_label, item.sha256,
                         item.fitted.description if item.fitted else ""))
            where.append((1, planned.first_page))
            documents.append(SetDocument(
                number=planned.number, section=planned.section,
                section_title=titles.get(planned.section, ""), title=doc.title,
                date=doc.date, source=doc.file, source_sha256=item.sha256, volume=1,
                first_page=planned.first_page, first_label=planned.first_label,
                last_label=planned.last_label))
        number = self.first_number + plan.total_pages  # the next volume's first page
        doc_number = self.first_document + len(plan.documents)
        for volume, later in enumerate(self.later, start=2):
            page = _COVER_PAGES + 1
            label = number + _COVER_PAGES
            for entry in later:
                first, last = str(label), str(label + entry.pages - 1)
                rows.append((entry.section, str(doc_number), entry.date, entry.title,
                             f"vol {volume}: {first}", last, entry.sha256, ""))
                where.append((volume, page))
                documents.append(SetDocument(
                    number=doc_number, section=entry.section,
                    section_title=entry.section_title, title=entry.title,
                    date=entry.date, source=entry.source, source_sha256=entry.sha256,
                    volume=volume, first_page=page, first_label=first, last_label=last))
                label += entry.pages
                page += entry.pages
                doc_number += 1
            number = label + (later[0].certificate_pages if later else 1)
        return rows, where, documents

    def record(self, documents: list[SetDocument]) -> VolumeOf:
        from bundler.bundle.manifest import VolumeOf

        return VolumeOf(number=self.number, of=self.count, set_manifest=self.set_manifest,
                        files=list(self.files), first_number=self.first_number,
                        max_pages=self.limits.max_pages, max_mb=self.limits.max_mb,
                        index=documents)


@dataclass(frozen=True)
class _Later:
    """A document of a later volume, as volume 1's index numbers it."""

    section: str
    section_title: str
    title: str
    date: dt.date | None
    source: str
    sha256: str
    pages: int
    certificate_pages: int  # of its volume (the same on each of its documents)


def part_from_record(recorded: Any) -> VolumePart:
    """How a volume was laid out, from its manifest (to rebuild it for `verify --sources`):
    the later volumes' documents and certificate lengths come from volume 1's index."""
    volume = recorded.volume
    first = recorded.documents[0].number if recorded.documents else 1
    later: list[tuple[_Later, ...]] = []
    if volume.number == 1:
        groups: dict[int, list[SetDocument]] = {}
        for doc in volume.index:
            if doc.volume > 1:
                groups.setdefault(doc.volume, []).append(doc)
        numbers = sorted(groups)
        for position, number in enumerate(numbers):
            docs = groups[number]
            following = groups.get(numbers[position + 1]) if position + 1 < len(numbers) else None
            cert = 1
            if following and following[0].first_label.isdigit() and docs[-1].last_label.isdigit():
                cert = int(following[0].first_label) - 1 - _COVER_PAGES - int(
                    docs[-1].last_label)
            later.append(tuple(
                _Later(doc.section, doc.section_title, doc.title, doc.date, doc.source,
                       doc.source_sha256, int(doc.last_label) - int(doc.first_label) + 1, cert)
                for doc in docs))
    return VolumePart(volume.number, volume.of, tuple(volume.files), volume.set_manifest,
                      volume.first_number, first if isinstance(first, int) else 1,
                      VolumeLimits(volume.max_pages, volume.max_mb), tuple(later))


def volume_paths(out: Path, number: int) -> Path:
    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".pdf" else out.name
    return out.with_name(f"{stem}-vol{number}.pdf")


def set_paths(out: Path) -> tuple[Path, Path]:
    """OUT.manifest.json (the set's manifest) and OUT.sha256 (every volume's hash)."""
    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".pdf" else out.name
    return out.with_name(f"{stem}.manifest.json"), out.with_name(f"{stem}.sha256")


# --------------------------------------------------------------------------- partition


@dataclass
class _Volume:
    positions: list[int]  # of the prepared documents (parts included), in order
    pages: int = 0
    size: int = 0


def _partition(pages: Sequence[int], sizes: Sequence[int], limits: VolumeLimits,
               index_pages: int, certificate_pages: Callable[[int], int]) -> list[_Volume]:
    """Documents in order into volumes, each within the limits with its cover, index
    (volume 1) and certificate; a new volume starts when the next document would not fit."""
    volumes: list[_Volume] = [_Volume([])]
    max_bytes = limits.max_mb * _MB * _SIZE_MARGIN if limits.max_mb else None
    for position, (count, size) in enumerate(zip(pages, sizes, strict=True)):
        current = volumes[-1]
        front = _COVER_PAGES + (index_pages if len(volumes) == 1 else 0)
        total = front + current.pages + count + certificate_pages(len(current.positions) + 1)
        over_pages = limits.max_pages is not None and total > limits.max_pages
        over_size = max_bytes is not None and current.size + size > max_bytes
        if current.positions and (over_pages or over_size):
            volumes.append(_Volume([]))
            current = volumes[-1]
        current.positions.append(position)
        current.pages += count
        current.size += size
    return volumes


def _room(limits: VolumeLimits, index_pages: int, first: bool) -> int | None:
    """Document pages one volume can hold (None: no page limit)."""
    if limits.max_pages is None:
        return None
    return limits.max_pages - _COVER_PAGES - (index_pages if first else 0) - 2


def _split_oversized(ready: _Ready, source: _Source, limits: VolumeLimits, index_pages: int,
                     work: Path, report: Callable[[str], None]) -> tuple[_Ready, _Source]:
    """Documents over the page limit on their own, split into parts at page boundaries."""
    from pypdf import PdfWriter

    from bundler.bundle.assemble import open_rendition
    from bundler.bundle.build import fitted_onto_a4

    room = _room(limits, index_pages, first=False)
    if room is None or not any(item.pages > room for item in ready.prepared):
        return ready, source
    if room < 1:
        raise BadInput(f"--max-pages {limits.max_pages}: leaves no room for documents in a "
                       "volume (each has a cover and a certificate)",
                       "Give a larger --max-pages.")
    spec = source.loaded.spec
    prepared: list[Any] = []
    readers: list[Any] = []
    layers: list[Any] = []
    sections = []
    position = 0
    for section in spec.sections:
        documents = []
        for doc in section.documents:
            item = ready.prepared[position]
            if item.pages <= room:
                documents.append(doc)
                prepared.append(item)
                readers.append(ready.open_readers[position])
                layers.append(ready.layers[position])
                position += 1
                continue
            reader = open_rendition(item.rendition_pdf, item.rendition_password)
            parts = -(-item.pages // room)
            report(f"{item.evidence_source}: {item.pages} pages, over the limit of a volume: "
                   f"split into {parts} parts at page boundaries")
            for part in range(parts):
                first, last = part * room, min(item.pages, (part + 1) * room)
                writer = PdfWriter()
                for index in range(first, last):
                    writer.add_page(reader.pages[index])
                path = work / f"part-{position:06d}-{part:03d}.pdf"
                with path.open("wb") as handle:
                    writer.write(handle)
                title = f"{doc.title} (pages {first + 1}-{last} of {item.pages:,})"
                documents.append(doc.model_copy(update={"title": title[:300]}))
                piece = dataclasses.replace(
                    item, rendition_pdf=path, rendition_password=None, pages=last - first,
                    outline=tuple((name, page - first) for name, page in item.outline
                                  if first <= page < last))
                prepared.append(fitted_onto_a4(piece, None, lambda _message: None)
                                if ready.fit_a4 else piece)
                readers.append(None)
                layers.append(tuple((page - first, layer) for page, layer in
                                    ready.layers[position] if first <= page < last))
            position += 1
        sections.append(section.model_copy(update={"documents": documents}))
    from bundler.bundle.build import _Ready as Ready

    new_spec = spec.model_copy(update={"sections": sections})
    loaded = source.loaded.model_copy(update={"spec": new_spec})
    return (Ready(prepared, readers, [], layers, ready.edition, ready.fit_a4),
            dataclasses.replace(source, loaded=loaded))


def subset_source(source: _Source, positions: Sequence[int]) -> _Source:
    """The source cut down to the documents at ``positions`` (sections kept in order)."""
    spec = source.loaded.spec
    wanted = set(positions)
    sections = []
    position = 0
    for section in spec.sections:
        kept = []
        for doc in section.documents:
            if position in wanted:
                kept.append(doc)
            position += 1
        if kept:
            sections.append(section.model_copy(update={"documents": kept}))
    loaded = source.loaded.model_copy(update={"spec": spec.model_copy(
        update={"sections": sections})})
    return dataclasses.replace(source, loaded=loaded)


# --------------------------------------------------------------------------- build


def build_set(
    source: Path,
    out: Path,
    limits: VolumeLimits,
    *,
    force: bool = False,
    numbering: str | None = None,
    build_date: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    ocr: bool = False,
    fit_a4: bool = False,
    supplement_to: Path | None = None,
    audience: str | None = None,
    strict: bool = False,
    workers: int | None = None,
) -> list[BuildResult]:
    """Build ``source`` as a set of volumes within ``limits`` (see the module's notes):
    OUT-vol1.pdf... with their sidecars, OUT.manifest.json and OUT.sha256; ``workers`` as
    for ``build_bundle``."""
    from bundler.bundle import build as b
    from bundler.bundle.plan import Numbering

    if supplement_to is not None or audience is not None:
        raise BadInput("a supplement or an audience's edition cannot yet be split into volumes",
                       "Leave out --max-pages and --max-mb for it.")
    if strict:
        raise BadInput("a set of volumes does not yet carry the findings table that --strict "
                       "checks", "Leave out --max-pages and --max-mb, or --strict.")
    if numbering not in (None, Numbering.CONTINUOUS.value):
        raise BadInput("volumes are numbered continuously across the set",
                       "Leave out --numbering sectioned when giving --max-pages or --max-mb.")
    if limits.max_pages is not None and limits.max_pages < 4:
        raise BadInput(f"--max-pages {limits.max_pages}: a volume needs room for its cover, "
                       "a document and its certificate", "Give --max-pages 4 or more.")
    from bundler.bundle.ocr import find_engine

    engine = find_engine() if ocr else None
    return _build_volumes(b, source, out, limits, force=force, build_date=build_date,
                          report=progress or (lambda _message: None), engine=engine,
                          fit_a4=fit_a4, workers=workers)


def _build_volumes(
    b: Any,
    source: Path,
    out: Path,
    limits: VolumeLimits,
    *,
    force: bool,
    build_date: dt.date | None,
    report: Callable[[str], None],
    engine: Any,
    fit_a4: bool = False,
    workers: int | None = None,
) -> list[BuildResult]:
    from bundler.bundle.plan import Numbering

    scheme = Numbering.CONTINUOUS

    set_manifest, set_hashes = set_paths(out)
    existing = sorted(out.parent.glob(f"{glob.escape(volume_paths(out, 0).name[:-9])}-vol*.pdf"))
    refuse_overwrite([set_manifest, set_hashes, *existing], force)
    case_dir = b._case_folder_of(source)
    if case_dir is not None:
        from bundler.audit import check_appendable

        check_appendable(case_dir)
    resolved = b._resolve_source(source)
    when, when_from = b.resolve_build_date(build_date, resolved.loaded.spec.date)
    with b.collector_paused(), \
            tempfile.TemporaryDirectory(prefix="bundler-volumes-") as work_dir:
        work = Path(work_dir)
        ready = b._prepare_all(resolved, work, report, None, engine, fit_a4, workers)
        count = len(ready.prepared)
        index_pages = 1 + -(-(count + 2 * len(resolved.loaded.spec.sections)) // 48)
        ready, resolved = _split_oversized(ready, resolved, limits, index_pages, work, report)
        # a document's share of a volume's size: its rendition and its pages' stamps; a
        # volume still over --max-mb once built makes the estimate larger, and they are
        # laid out again (a few times at most)
        factor = 1.0
        for attempt in range(4):
            if attempt:  # the readers the last attempt used are spent: reopen them
                ready.open_readers[:] = [None] * len(ready.open_readers)
            sizes = [int((item.rendition_pdf.stat().st_size + _STAMP_BYTES * item.pages)
                         * factor) for item in ready.prepared]
            volumes = _partition([item.pages for item in ready.prepared], sizes, limits,
                                 index_pages, _certificate_pages)
            with StagedOutputs() as staged:
                results = _write_volumes(b, resolved, ready, volumes, out, limits, work,
                                         scheme, when, when_from, engine, staged, report)
                over = _oversize(results, staged, limits)
                if over > 1.0 and any(len(v.positions) > 1 for v in volumes):
                    factor *= over * 1.05
                    report(f"a volume came out {over:.0%} of --max-mb: laying out again")
                    continue
                _write_set(staged, out, resolved, results, when, limits)
                if case_dir is None:
                    staged.commit()
                else:
                    b._record_build(case_dir, results[0], staged, scheme.value, None,
                                    engine is not None, volumes=results)
                return results
    raise OutputFailed(f"{out}: the volumes could not be kept under {limits.max_mb:g} MB",
                       "Give a larger --max-mb, or --max-pages instead.")


def _oversize(results: Sequence[BuildResult], staged: StagedOutputs,
              limits: VolumeLimits) -> float:
    """The largest volume's size as a share of --max-mb (0 without it)."""
    if not limits.max_mb:
        return 0.0
    written = dict(staged.files())
    return max(written[result.pdf].stat().st_size for result in results) / (
        limits.max_mb * _MB)


def _certificate_pages(documents: int) -> int:
    """About how many pages a certificate listing ``documents`` files takes."""
    return 1 + documents // 28


def _write_volumes(b: Any, resolved: _Source, ready: _Ready, volumes: list[_Volume], out: Path,
                   limits: VolumeLimits, work: Path, scheme: Numbering, when: dt.date,
                   when_from: str, engine: Any, staged: StagedOutputs,
                   report: Callable[[str], None]) -> list[BuildResult]:
    """Lay out every volume; later volumes first, so volume 1's index can number them."""
    files = tuple(volume_paths(out, number).name for number in range(1, len(volumes) + 1))
    set_manifest = set_paths(out)[0].name
    provenance = b.new_provenance(ready.prepared, engine)
    later: list[tuple[_Later, ...]] = []
    spec = resolved.loaded.spec
    spec_docs = [doc for section in spec.sections for doc in section.documents]
    section_of = [(section.label, section.title) for section in spec.sections
                  for _doc in section.documents]
    for number, volume in enumerate(volumes[1:], start=2):
        # its certificate's length, laid out once (numbers do not change how long it is)
        trial = VolumePart(number, len(volumes), files, set_manifest, 1, 1, limits)
        pdf_path = volume_paths(out, number)
        subset = subset_source(resolved, volume.positions)
        plan = b._layout(subset, [ready.prepared[p] for p in volume.positions], scheme, when,
                         when_from, pdf_path, b.output_paths(pdf_path)[1], None, provenance,
                         engine, None, trial).plan
        later.append(tuple(
            _Later(section_of[p][0], section_of[p][1], spec_docs[p].title, spec_docs[p].date,
                   spec_docs[p].file, ready.prepared[p].sha256, ready.prepared[p].pages,
                   plan.certificate_pages)
            for p in volume.positions))
    results: list[BuildResult] = []
    first_number = 1
    first_document = 1
    for number, volume in enumerate(volumes, start=1):
        part = VolumePart(number, len(volumes), files, set_manifest, first_number,
                          first_document, limits, tuple(later) if number == 1 else ())
        pdf_path = volume_paths(out, number)
        _pdf, manifest_path, sidecar_path = b.output_paths(pdf_path)
        report(f"volume {number} of {len(volumes)}: {len(volume.positions)} documents")
        subset = subset_source(resolved, volume.positions)
        result = b._write_bundle(subset, subset, ready.part(volume.positions), work, scheme,
                                 when, when_from, None, provenance, engine, pdf_path,
                                 manifest_path, sidecar_path, staged, report, part)
        results.append(result)
        first_number += result.pages
        first_document += result.documents
    _check_numbers(results, later, staged)
    return results


def _manifests(results: Sequence[BuildResult], staged: StagedOutputs) -> list[Any]:
    from bundler.bundle.manifest import Manifest

    written = dict(staged.files())
    return [Manifest.model_validate_json(written[result.manifest].read_bytes())
            for result in results]


def _check_numbers(results: list[BuildResult], later: list[tuple[_Later, ...]],
                   staged: StagedOutputs) -> None:
    """Volume 1's index numbered the later volumes before they were laid out: each must
    start and end where it assumed (else the index would be wrong; nothing is written)."""
    manifests = _manifests(results, staged)
    for result, manifest, items in zip(results[1:], manifests[1:], later, strict=True):
        if items and manifest.certificate_pages != items[0].certificate_pages:
            raise OutputFailed(f"{result.pdf}: its certificate took {manifest.certificate_pages} "
                               "pages, not the number the index assumed; please report this")


def _write_set(staged: StagedOutputs, out: Path, resolved: _Source,
               results: list[BuildResult], when: dt.date, limits: VolumeLimits) -> None:
    from bundler import TOOL_NAME, __version__
    from bundler.bundle.manifest import SetVolume, ToolInfo, VolumeSet

    manifests = _manifests(results, staged)
    documents = manifests[0].volume.index if manifests[0].volume is not None else []
    volumes = [
        SetVolume(number=number, file=result.pdf.name, sha256=result.sha256,
                  manifest_sha256=result.manifest_sha256, pages=result.pages,
                  first_label=str(manifest.volume.first_number if manifest.volume else 1),
                  last_label=str((manifest.volume.first_number if manifest.volume else 1)
                                 + result.pages - 1),
                  documents=result.documents)
        for number, (result, manifest) in enumerate(zip(results, manifests, strict=True),
                                                     start=1)
    ]
    spec = resolved.loaded.spec
    record = VolumeSet(reference=spec.reference, title=spec.title, build_date=when,
                       tool=ToolInfo(name=TOOL_NAME, version=__version__),
                       max_pages=limits.max_pages, max_mb=limits.max_mb, volumes=volumes,
                       documents=documents)
    manifest_path, hashes_path = set_paths(out)
    with staged.writer(manifest_path) as handle:
        handle.write(record.to_json_bytes())
    with staged.writer(hashes_path) as handle:
        handle.write("".join(f"{result.sha256}  {result.pdf.name}\n"
                             for result in results).encode())


# --------------------------------------------------------------------------- verify


def find_set(target: Path) -> Path:
    """The set manifest for ``target``: a set manifest, a folder holding one, or a volume."""
    if not target.exists():
        raise InputNotFound(f"{target}: not found", "Give a volume of the set, its folder, or "
                            "its manifest (OUT.manifest.json).")
    if target.is_dir():
        found = [path for path in sorted(target.glob("*.manifest.json"))
                 if _is_set_manifest(path)]
        if len(found) != 1:
            raise BadInput(f"{target}: holds {len(found)} sets of volumes",
                           "Give one volume of the set, or its manifest (OUT.manifest.json).")
        return found[0]
    if target.suffix.lower() == ".json":
        return target
    match = re.fullmatch(r"(.+)-vol\d+\.pdf", target.name, re.I)
    if match is None:
        raise BadInput(f"{target}: is not a volume of a set (its name does not end -volN.pdf)",
                       "Give a volume (OUT-vol1.pdf), its folder or the set's manifest.")
    return target.with_name(f"{match.group(1)}.manifest.json")


def holds_set(folder: Path) -> bool:
    """Whether ``folder`` holds the manifest of a set of volumes."""
    return folder.is_dir() and any(_is_set_manifest(path)
                                   for path in sorted(folder.glob("*.manifest.json"))[:100])


def _is_set_manifest(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b'"kind": "volume-set"' in handle.read(16 * _MB)
    except OSError:
        return False


@dataclass
class SetReport:
    """The set's own checks, then each volume's report."""

    manifest: str
    checks: list[Check]
    volumes: list[Any]  # VerifyReport of each volume present

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks) and all(
            report.ok for report in self.volumes)

    def lines(self) -> list[str]:
        out = [check.line() for check in self.checks]
        for report in self.volumes:
            out += [f"  {line}" for line in report.lines()]
        verdict = "VERIFIED" if self.ok else "NOT VERIFIED"
        failed = [check.name for check in self.checks if not check.passed] + [
            Path(report.bundle).name for report in self.volumes if not report.ok]
        tail = f" ({', '.join(failed)})" if failed else ""
        out.append(f"{verdict}: the set {self.manifest}: {len(self.volumes)} volume(s) "
                   f"checked{tail}")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"set": self.manifest, "ok": self.ok,
                "checks": [check.to_json() for check in self.checks],
                "volumes": [report.to_json() for report in self.volumes]}


def verify_set(target: Path, *, sources: Path | None = None,
               progress: Callable[[str], None] | None = None) -> SetReport:
    """Check a set of volumes: the set's manifest, every volume named in it present (a
    missing or extra volume is named), each volume's hash, and each volume as a bundle."""
    from pydantic import ValidationError

    from bundler.bundle.manifest import VolumeSet
    from bundler.bundle.served import Check, bounded_json
    from bundler.bundle.verify import verify_bundle
    from bundler.fileio import sha256_file

    path = find_set(target)
    if not path.is_file():
        raise InputNotFound(f"{path}: the set's manifest not found",
                            "It is written beside the volumes as OUT.manifest.json; ask the "
                            "sender for it.")
    try:
        record = VolumeSet.model_validate(bounded_json(path.read_bytes()[:16 * _MB + 1]))
    except (ValueError, ValidationError) as exc:
        raise BadInput(f"{path}: is not the manifest of a set of volumes ({str(exc)[:120]})",
                       "Give the set's manifest as it was sent (OUT.manifest.json).") from None
    folder = path.parent
    checks: list[Check] = []
    listed = [volume.file for volume in record.volumes]
    missing = [name for name in listed if not (folder / name).is_file()]
    stem = path.name[: -len(".manifest.json")]
    present = {p.name for p in folder.glob(f"{re.escape(stem)}-vol*.pdf")}
    extra = sorted(present - set(listed))
    problems = []
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if extra:
        problems.append(f"not in the set: {', '.join(extra)}")
    checks.append(Check("volumes", not problems,
                        "; ".join(problems) if problems else
                        f"all {len(listed)} volumes of {record.reference} are here "
                        f"({', '.join(listed)})"))
    reports = []
    numbers_ok = True
    expected = 1
    for volume in record.volumes:
        if str(expected) != volume.first_label:
            numbers_ok = False
        expected = int(volume.last_label) + 1 if volume.last_label.isdigit() else expected
        pdf = folder / volume.file
        if volume.file in missing or "/" in volume.file or "\\" in volume.file:
            continue
        if progress is not None:
            progress(f"checking {volume.file}")
        digest = sha256_file(pdf)
        if digest != volume.sha256:
            checks.append(Check(f"{volume.file} hash", False,
                                f"SHA-256 {digest[:12]}... is not the set manifest's "
                                f"{volume.sha256[:12]}..."))
        reports.append(verify_bundle(pdf, sources=sources, sha256=volume.sha256,
                                     record_audit=False))
    checks.append(Check("numbering", numbers_ok,
                        "pages are numbered on from one volume to the next (1 to "
                        f"{record.volumes[-1].last_label if record.volumes else '?'})"
                        if numbers_ok else "the volumes' page numbers do not run on"))
    return SetReport(str(path), checks, reports)


def volume_check(pdf: Path, manifest: Any) -> Check:
    """For `bundle verify` of one volume: which volume of which set it is (an INFO line)."""
    from bundler.bundle.served import Check

    volume = manifest.volume
    assert volume is not None
    return Check("volume", True, f"volume {volume.number} of {volume.of} (pages from "
                 f"{volume.first_number}); check the whole set with `bundler bundle verify "
                 f"{pdf} --volumes`", info=True)

