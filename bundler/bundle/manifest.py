"""The bundle manifest: what went into a bundle and everything needed to rebuild it.

This model is the contract `bundler bundle verify` checks against. It is written beside
the bundle as ``OUT.manifest.json`` (sorted keys, 2-space indent, trailing newline) and the
same bytes are attached inside the PDF as ``manifest.json``; their SHA-256 is printed on the
integrity certificate. It cannot contain the bundle's own hash (that would be circular):
``OUT.pdf.sha256`` carries that.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FIT_A4 = "fit-a4"  # BuildOptions.page_size: pages not A4 fitted onto A4 sheets
MANIFEST_VERSION = 5  # the newest this toolkit reads: 2 adds ``supplement_to``, 3 ``audience``,
# 4 ``volume``, 5 ``core``
SUPPLEMENT_MANIFEST_VERSION = 2  # written by supplements only, so other bundles keep their bytes
AUDIENCE_MANIFEST_VERSION = 3  # written by bundles built for an audience only
VOLUME_MANIFEST_VERSION = 4  # written by the volumes of a set only
CORE_MANIFEST_VERSION = 5  # written by core bundles only


class ToolInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str


class BuildOptions(BaseModel):
    """Every choice that shapes the bytes, so a rebuild can reproduce them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    numbering: str = Field(description="continuous | sectioned")
    build_date: dt.date
    build_date_from: str = Field(description="option | spec | SOURCE_DATE_EPOCH | today")
    source_kind: str = Field(description="spec | case-bundle-yaml | case-derived")
    spec: str = Field(description="The spec file's name, or 'case records' when derived.")
    spec_sha256: str | None = Field(description="SHA-256 of the spec file (None when derived).")
    stamp_font: str
    stamp_font_size: float
    stamp_label_font: str | None = Field(
        default=None, description="The page label's font (bold, at the bottom right); None in "
        "bundles built before it was printed apart from the rest of the stamp.")
    stamp_label_font_size: float | None = None
    stamp_band_points: float
    stamp_hash_chars: int
    page_size_front_matter: str = "A4"
    ocr: bool = Field(
        default=False,
        description="Pages without text were given an invisible text layer by OCR "
        "(tesseract; --ocr). Written only when true, so other bundles keep their bytes.",
    )
    ocr_references: list[str] = Field(
        default_factory=list,
        description="The references OCR restores where it misread their digits as letters "
        "(the bundle's reference, the case's residents R01...). Written only with ocr.",
    )
    page_size: str | None = Field(
        default=None,
        description="fit-a4: pages that are not A4 were fitted onto A4 sheets (scaled to fit, "
        "never enlarged, centred; a profile requiring A4). Written only when set.",
    )


class ManifestSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    title: str
    first_page: int
    last_page: int
    first_label: str
    last_label: str


class ManifestDocument(BaseModel):
    """One document, in bundle order (issue 3's fields plus number, converter, pages, stamp)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int | str = Field(description="Document number in the bundle: 1, 2... or A1, A2...")
    title: str
    date: dt.date | None
    received: dt.date | None = Field(default=None,
                                     description="The date the council received it.")
    section: str
    source: str = Field(description="Path as written, relative to the spec's or case's folder.")
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    source_size: int
    media_type: str = Field(description="Detected from the file's content.")
    converter: str = Field(description="pdf | image | libreoffice | email | text")
    password_used: bool = Field(description="A password from the spec was needed to open it.")
    pages: int
    first_page: int = Field(description="1-based physical page in the bundle.")
    last_page: int
    first_label: str
    last_label: str
    stamp: str = Field(description="The stamp printed on the document's first page.")
    fitted: str | None = Field(
        default=None,
        description="Its pages that were not A4 and how they were fitted onto A4 (written "
        "when the build fitted pages onto A4).")


class PageLabelRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start_page: int = Field(description="1-based physical page where the range starts.")
    style: str = Field(description="decimal | lower-roman | none (the label is the prefix "
                       "alone: a withheld document's placeholder)")
    prefix: str
    first_number: int


class EarlierDocument(BaseModel):
    """A document already served in an earlier bundle of the chain (never moved or repeated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int | str
    section: str
    source: str
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    first_label: str
    last_label: str


class SupplementOf(BaseModel):
    """The bundle a supplementary bundle follows, and every document already served."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1, description="This is supplementary bundle N to the reference.")
    file: str = Field(description="The earlier bundle's file name as it was given.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the earlier PDF.")
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$",
                                 description="SHA-256 of the earlier bundle's manifest.")
    last_label: str = Field(
        description="The earlier bundle's last label in the numbering the supplement continues: "
        "its last page for a main bundle numbered continuously (certificate included), else its "
        "last document page."
    )
    documents: list[EarlierDocument] = Field(
        description="Every document served before, in the main bundle and each earlier "
        "supplement, in order: their pages keep their numbers, so numbering continues after.",
    )


class RedactionRecord(BaseModel):
    """One line of the redaction log: never the text removed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: int | str
    source: str
    page: str = Field(description="The page's label in the bundle.")
    kind: str = Field(description="The kind of data removed: name, telephone number, ...")
    reason: str = Field(description="Reason code printed on the boxes.")
    boxes: int
    method: str = Field(description="removed from the page | page re-rendered | annotation "
                        "removed | marked (the tribunal's bundle: outlined, not removed)")
    basis: str | None = Field(default=None, description="Legal basis recorded, if any.")


class WithheldRecord(BaseModel):
    """A document this edition leaves out, with the one page that keeps its numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: int | str
    source: str
    pages: str = Field(description="The page labels it has in the unedited bundle.")
    reason: str
    why: str = Field(description="In words, residents by reference only.")
    basis: str | None = None


class AudienceRecord(BaseModel):
    """Who the bundle is for, and everything its edition changed (issue 9)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    audience: str = Field(description="tribunal | provider | internal | appeal:REF")
    edition: str = Field(description="edited (redacted for its reader) | unedited")
    rules: list[str] = Field(description="What was redacted, in words (never the terms).")
    reasons: dict[str, str] = Field(description="Every reason code used, and its meaning.")
    redactions: list[RedactionRecord]
    withheld: list[WithheldRecord]
    parties_withheld: list[int | str] = Field(
        default_factory=list,
        description="Unedited (tribunal) bundles: documents the parties' bundles withhold.")
    log_pages: int = Field(default=0, description="Pages of the redaction log, between the "
                           "last document and the certificate (labelled log-1...).")
    check: str = Field(description="What the build checked could not be extracted.")


class CitedRecord(BaseModel):
    """A document (and pages of it) a finding, recommendation or event rests on (para 146)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="The file cited, as the records name it.")
    pages: str | None = Field(
        default=None, pattern=r"^[1-9][0-9]*(-[1-9][0-9]*)?(, ?[1-9][0-9]*(-[1-9][0-9]*)?)*$",
        description="The pages of the file cited ('2-3'); the whole file when absent.")
    quote: str | None = Field(default=None, description="The passage quoted from those pages.")
    bundle_pages: str = Field(
        default="", description="Where the cited pages are in this bundle, as page labels "
        "('23\u201324, 27'); empty when the file is not in this bundle.")


class FindingRecord(BaseModel):
    """One row of the table "Findings and the evidence they rest on" (paras 110-118, 146)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="finding (a para 110 answer) | recommendation")
    id: str = Field(description="F1, REC-1 ...")
    scheme: str | None = Field(default=None, description="The scheme the row is shown under "
                               "(findings: one row per scheme an answer covers).")
    heading: str = Field(description="The question answered, or the recommendation.")
    answer: str = Field(description="Yes, Partly or No; a recommendation's status and dates.")
    summary: str = Field(description="The answer in plain words; what a recommendation "
                         "addresses.")
    evidence: list[CitedRecord]


class EventRecord(BaseModel):
    """One event of the chronology, from the case records or the audit log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    event: str
    evidence: list[CitedRecord] = Field(default_factory=list)
class SetDocument(BaseModel):
    """A document of a set of volumes, as the index in volume 1 lists it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int | str
    section: str
    section_title: str
    title: str
    date: dt.date | None
    source: str
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    volume: int = Field(ge=1, description="The volume holding it.")
    first_page: int = Field(description="1-based page in its volume's file.")
    first_label: str
    last_label: str


class VolumeOf(BaseModel):
    """Set on each volume of a bundle split into volumes (--max-pages, --max-mb)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1, description="This is volume N ...")
    of: int = Field(ge=1, description="... of this many.")
    set_manifest: str = Field(description="The set's manifest file, beside the volumes.")
    files: list[str] = Field(description="Every volume's file name, in order.")
    first_number: int = Field(ge=1, description="The number of this volume's first page: "
                              "numbering runs on from the volume before.")
    max_pages: int | None = Field(description="The page limit each volume keeps to.")
    max_mb: float | None = Field(description="The size limit each volume keeps to (MB).")
    index: list[SetDocument] = Field(
        description="Volume 1 only: every document of the set, as its index lists them.")


class SetVolume(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the volume.")
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$",
                                 description="SHA-256 of the manifest inside the volume.")
    pages: int
    first_label: str
    last_label: str
    documents: int


class CoreDocument(BaseModel):
    """A document of a core bundle, and where its pages are in the main bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    main_number: int | str = Field(description="Its document number in the main bundle.")
    main_labels: list[str] = Field(min_length=1,
                                   description="Each of its pages' labels in the main bundle.")


class CoreOf(BaseModel):
    """Set on a core bundle (--core): the main bundle it is the core of."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    main_file: str = Field(description="The main bundle's file name, beside the core bundle.")
    main_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    main_manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    documents: list[CoreDocument] = Field(description="In the core bundle's order.")


class VolumeSet(BaseModel):
    """The manifest of a set of volumes (OUT.manifest.json): one for the whole set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(default="volume-set", pattern="^volume-set$")
    reference: str
    title: str
    build_date: dt.date
    tool: ToolInfo
    max_pages: int | None
    max_mb: float | None
    volumes: list[SetVolume]
    documents: list[SetDocument]

    def to_json_bytes(self) -> bytes:
        return dump_json(self.model_dump(mode="json"))


class Manifest(BaseModel):
    """The manifest written beside (and inside) every bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    manifest_version: int = 1  # supplements write SUPPLEMENT_MANIFEST_VERSION
    tool: ToolInfo
    libraries: dict[str, str] = Field(
        description="Versions of the libraries that shape the bytes (pypdf, reportlab, ...)."
    )
    options: BuildOptions
    reference: str
    title: str
    authority: str | None
    officer: str | None
    build_date: dt.date
    pages: int = Field(description="Total pages in the bundle, front matter to certificate.")
    front_matter_pages: int
    certificate_first_page: int
    certificate_pages: int
    page_labels: list[PageLabelRange]
    sections: list[ManifestSection]
    documents: list[ManifestDocument]
    audit_head: str | None = Field(
        default=None,
        description="Head hash of the case's audit log when the bundle was built (None: no log).",
    )
    supplement_to: SupplementOf | None = Field(
        default=None,
        description="Set on a supplementary bundle: the earlier bundle it follows (late "
        "additions never move pages already cited).",
    )
    audience: AudienceRecord | None = Field(
        default=None,
        description="Set on a bundle built for an audience (--audience): who it is for, the "
        "redaction rules in words, the redaction log and the documents withheld.",
    )
    findings: list[FindingRecord] | None = Field(
        default=None,
        description="Set on a bundle built from a case's records that hold findings: each "
        "finding and recommendation with the bundle pages it rests on, as the table after "
        "the index prints them.",
    )
    chronology: list[EventRecord] | None = Field(
        default=None,
        description="Set on a bundle built from a case's records: the review's events, as "
        "the chronology prints them.",
    )
    volume: VolumeOf | None = Field(
        default=None,
        description="Set on each volume of a bundle split into volumes: which volume, of the "
        "set's files, where its numbers start, and (volume 1) the index of the whole set.",
    )
    core: CoreOf | None = Field(
        default=None,
        description="Set on a core bundle (--core): its main bundle and each of its pages' "
        "labels there (its stamps print both).",
    )

    def to_json_bytes(self) -> bytes:
        # bundles that are not supplements keep the bytes they had before supplements existed
        # and so do bundles built without --ocr
        exclude: dict[str, Any] = {}
        if self.supplement_to is None:
            exclude["supplement_to"] = True
        if self.audience is None:
            exclude["audience"] = True
        for name in ("findings", "chronology", "volume", "core"):
            if getattr(self, name) is None:
                exclude[name] = True
        options: set[str] = set()
        if not self.options.ocr:
            options |= {"ocr", "ocr_references"}
        if self.options.page_size is None:
            options.add("page_size")
            exclude["documents"] = {"__all__": {"fitted"}}
        if options:
            exclude["options"] = options
        return dump_json(self.model_dump(mode="json", exclude=exclude or None))


def dump_json(data: object) -> bytes:
    """Sorted keys, 2-space indent, UTF-8, trailing newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def library_versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Versions of everything that shapes a bundle's bytes."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"zlib": zlib.ZLIB_RUNTIME_VERSION}
    for name in ("pypdf", "reportlab", "Pillow"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "unknown"
    versions.update(extra or {})
    return dict(sorted(versions.items()))
