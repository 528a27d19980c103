"""The signature checks of `bundler bundle verify` on a signed bundle (`bundler bundle sign`).

Lines added to the report, in order:

* ``signature``: the signature is intact (its CMS signature matches the signed bytes);
* ``signer``: who signed, by name and organisation, as their certificate says;
* ``trust``: the signer's certificate chains to a trust anchor (``--trust`` files, plus
  the system's trust store); without one the signer is *not trusted* and this fails;
* ``certificate validity``: the certificate was valid when the bundle was signed (the
  timestamp's time; without a timestamp, now, since nothing else proves the time);
* ``signing time``: the time in the timestamp token, and the authority that vouches for it;
* ``coverage``: the signature covers the whole file up to its own placeholder, ending where
  its revision ends, and that revision adds only the signature to the bundle as built;
* ``after signing``: what later incremental updates change (``bundler.bundle.revisions``),
  and any bytes after the end: added comments pass (judges annotate bundles), changes to
  page content, metadata or structure fail by name, and so do trailing bytes.

Nothing here relies on pyHanko's overall verdict, which accepts some later changes (an
/Info edit, trailing bytes): coverage and later revisions are examined here. pyHanko checks
the cryptography and builds the certificate paths. Every other check of the report then
reads the signed revision (``SignedBundle.revision``), not whatever was appended.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from bundler.bundle.revisions import Change, ChangeKind, changes_since
from bundler.bundle.served import Check, is_signed
from bundler.pki.timestamp import trust_problem, utc_words
from bundler.pki.trust import (
    SIGNER_KEY_USAGE,
    TrustAnchors,
    describe,
    organisation,
    trust_anchors,
    usage_problem,
)

logger = logging.getLogger(__name__)

_EOF = re.compile(rb"startxref\s+(\d+)\s*%%EOF(\r\n|\r|\n)?")
# What signing itself adds to a bundle (pyHanko's update): the signature field on a page,
# the form that lists it, the catalogue entries that declare it, and /Info's dates.
_SIGNING_CATALOG_KEYS = frozenset({"/AcroForm", "/Extensions", "/Version"})
_SIGNING_INFO_KEYS = frozenset({"/ModDate", "/Producer"})
_SHOWN = 4  # changes named in one line before "and N more"
_EOF_ATTEMPTS = 8  # %%EOF markers tried from the end of the file


@dataclass
class SignedBundle:
    """The signature's checks, and the bytes the other checks should read."""

    checks: list[Check] = field(default_factory=list)
    revision: bytes | None = None  # the signed revision (None: read the file as it is)
    bundle_sha256: str | None = None  # the bundle as built: the bytes before signing
    # SHA-256 of the file's first bytes -> what they are (as built, as signed), for the
    # file hash check: a sidecar or --sha256 given for either matches, saying so
    earlier: dict[str, str] = field(default_factory=dict)


def check_signature(pdf: Path, trust: Sequence[Path] = ()) -> SignedBundle | None:
    """The signature checks of a signed bundle; None for an unsigned one (unless ``trust``
    was given: a recipient expecting a signature is told there is none)."""
    data = pdf.read_bytes()
    if not is_signed(data):
        return _unsigned(trust)
    anchors = trust_anchors(trust)
    opened = _open(data)
    if opened is None:
        return SignedBundle([Check("signature", False, "the file's signature cannot be read: "
                                   "the PDF is damaged")])
    reader, signatures = opened
    if not signatures:
        return _unsigned(trust)
    return _Checker(data, reader, signatures[0], anchors).run()


def _unsigned(trust: Sequence[Path]) -> SignedBundle | None:
    if not trust:
        return None
    return SignedBundle([Check("signature", False, "the bundle is not signed (--trust was "
                               "given, so a signature was expected): ask the sender for the "
                               "signed bundle")])


def _open(data: bytes) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]] | None:
    """pyHanko's reader and the signatures, read up to the last %%EOF marker it can use.

    pyHanko looks for the marker only in the file's last kilobyte, and junk appended after
    it may end in a marker of its own: the last few markers are tried, latest first. What
    follows the real end is reported by the after-signing check, never ignored.
    """
    position = len(data)
    for _attempt in range(_EOF_ATTEMPTS):
        position = data.rfind(b"%%EOF", 0, position)
        if position < 0:
            return None
        end = position + 5
        end += next((len(eol) for eol in (b"\r\n", b"\n", b"\r") if data.startswith(eol, end)), 0)
        try:
            reader = PdfFileReader(io.BytesIO(data[:end]), strict=False)
            return reader, list(reader.embedded_regular_signatures)
        except Exception as exc:  # pyHanko raises many kinds on damaged files
            logger.debug("cannot read the PDF up to byte %d", end, exc_info=exc)
    return None


def revision_end(data: bytes, reader: PdfFileReader, revision: int) -> int | None:
    """The end of ``revision``: after the ``startxref N %%EOF`` that follows its xref."""
    meta = reader.xrefs.get_xref_container_info(revision)
    found = _EOF.search(data, meta.end_location)
    if found is None or int(found.group(1)) != meta.declared_startxref:
        return None
    return found.end()


@dataclass
class _Checker:
    data: bytes
    reader: PdfFileReader
    signature: EmbeddedPdfSignature
    anchors: TrustAnchors

    def run(self) -> SignedBundle:
        result = SignedBundle()
        status, proven = self._validate()
        cert = self.signature.signer_cert
        result.checks.append(self._intact(status))
        result.checks.append(Check("signer", True, _signer_words(cert)))
        result.checks.append(self._trust(status, cert))
        result.checks.append(_validity(cert, proven))
        result.checks.append(self._signing_time(status))
        coverage, end, bundle_end = self._coverage()
        result.checks.append(coverage)
        result.checks.append(self._after_signing(end))
        if bundle_end is not None:
            result.bundle_sha256 = hashlib.sha256(self.data[:bundle_end]).hexdigest()
            result.earlier[result.bundle_sha256] = (
                f"the bundle as built, before it was signed (its first {bundle_end:,} bytes)")
        if end is not None:
            result.revision = self.data[:end]
            if end < len(self.data):
                result.earlier[hashlib.sha256(result.revision).hexdigest()] = (
                    f"the bundle as signed (its first {end:,} bytes; see after signing)")
        return result

    # ------------------------------------------------------------------ cryptography

    def _validate(self) -> tuple[PdfSignatureStatus | None, dt.datetime | None]:
        """pyHanko's status, validated at the timestamp's time when a trusted token
        proves it (else now), and that proven time."""
        claimed = _token_time(self.signature)
        try:
            status = self._status(claimed)
            stamp = status.timestamp_validity
            if claimed is not None and (stamp is None or not stamp.trusted):
                status = self._status(None)
                return status, None
            return status, claimed
        except Exception as exc:  # damaged CMS: reported as broken
            logger.debug("signature validation failed", exc_info=exc)
            return None, None

    def _status(self, moment: dt.datetime | None) -> PdfSignatureStatus:
        return asyncio.run(async_validate_pdf_signature(
            self.signature,
            signer_validation_context=self.anchors.context(moment),
            ts_validation_context=self.anchors.context(),
            key_usage_settings=SIGNER_KEY_USAGE,
            skip_diff=True,  # later revisions are examined by _after_signing
        ))

    def _intact(self, status: PdfSignatureStatus | None) -> Check:
        if status is None or not (status.intact and status.valid):
            return Check("signature", False, "broken: the signed bytes were changed after "
                         "signing, or the signature is damaged")
        level = "B-T" if status.timestamp_validity is not None else "B-B"
        mechanism = str(status.pkcs7_signature_mechanism).replace("_", " ").upper()
        return Check("signature", True, f"intact: PAdES {level} signature ({mechanism}) "
                     "matches the bytes it signs")

    def _trust(self, status: PdfSignatureStatus | None, cert: asn1_x509.Certificate) -> Check:
        name = describe(cert)
        if status is None:
            return Check("trust", False, f"{name} is not trusted: the signature cannot be "
                         "checked")
        usage = usage_problem(cert)
        if usage is not None:
            return Check("trust", False, f"the signer {name} is not trusted: {usage}")
        if status.trusted:
            return Check("trust", True, f"{name}: the certificate chains to "
                         f"{self.anchors.anchor_of(status.validation_path)}; revocation not "
                         "checked (offline)")
        problem = trust_problem(status.trust_problem_indic)
        hint = (": give the CA certificate the sender publishes with --trust, if you trust it"
                if getattr(status.trust_problem_indic, "name", "") ==
                "NO_CERTIFICATE_CHAIN_FOUND" else "")
        return Check("trust", False, f"the signer {name} is not trusted: {problem}{hint}")

    def _signing_time(self, status: PdfSignatureStatus | None) -> Check:
        claimed = self.signature.self_reported_timestamp
        stamp = status.timestamp_validity if status is not None else None
        if stamp is None:
            if _token_time(self.signature) is not None:
                return Check("signing time", False, "the timestamp in the signature cannot be "
                             "checked")
            said = f"; the signer's computer gave {utc_words(claimed)}" if claimed else ""
            return Check("signing time", True, "not proven: the signature has no timestamp "
                         f"(signed without --tsa){said}")
        tsa = describe(stamp.signing_cert)
        if not (stamp.intact and stamp.valid):
            return Check("signing time", False, f"the timestamp from {tsa} does not match the "
                         "signature, or is damaged")
        if not stamp.trusted:
            return Check("signing time", False, f"{utc_words(stamp.timestamp)} according to a "
                         f"timestamp from {tsa}, which is not trusted: "
                         f"{trust_problem(stamp.trust_problem_indic)}")
        return Check("signing time", True, f"{utc_words(stamp.timestamp)}, from the timestamp of "
                     f"the time-stamping authority {tsa}")

    # ------------------------------------------------------------------ bytes

    def _coverage(self) -> tuple[Check, int | None, int | None]:
        """The coverage check, the signed revision's end, and the bundle-as-built's end."""
        byte_range = [int(value) for value in self.signature.byte_range
                      if isinstance(value, int)]
        placeholder = len(self.signature.pkcs7_content) * 2 + 2
        size = len(self.data)
        if len(byte_range) != 4 or byte_range[0] != 0:
            return Check("coverage", False, "the signature's byte range is not one "
                         "contiguous span from the start of the file"), None, None
        _start, first, second, length = byte_range
        gap = self.data[first:second]
        if (second - first != placeholder or not gap.startswith(b"<") or not gap.endswith(b">")
                or second + length > size):
            return Check("coverage", False, "the signature leaves out bytes other than its own "
                         f"placeholder (it skips bytes {first} to {second})"), None, None
        end = second + length
        revision = self.signature.signed_revision
        expected = revision_end(self.data, self.reader, revision)
        if expected != end or any(
                self.reader.xrefs.get_xref_container_info(earlier).end_location > end
                for earlier in range(revision + 1)):
            return Check("coverage", False, f"the signature ends at byte {end}, not where its "
                         "revision of the file ends"), None, None
        bundle_end = (revision_end(self.data, self.reader, revision - 1)
                      if revision > 0 else None)
        extra = [change for change in changes_since(self.reader, revision - 1, revision)
                 if not _made_by_signing(change)] if revision > 0 else []
        if extra:
            return Check("coverage", False, "the signature's own update changes more than "
                         f"adding the signature: {_listed(extra)}"), end, bundle_end
        built = ""
        if bundle_end is not None:
            digest = hashlib.sha256(self.data[:bundle_end]).hexdigest()
            built = (f": the bundle as built (its first {bundle_end:,} bytes, SHA-256 "
                     f"{digest}) and the signature")
        return Check("coverage", True, f"the signature covers the whole file up to its own "
                     f"placeholder, bytes 0 to {end:,}{built}"), end, bundle_end

    def _after_signing(self, end: int | None) -> Check:
        if end is None:
            return Check("after signing", False, "not examined: the signature's coverage is "
                         "not standard (see coverage)")
        try:
            changes = changes_since(self.reader, self.signature.signed_revision)
        except Exception as exc:  # a damaged update
            logger.debug("later revisions cannot be read", exc_info=exc)
            return Check("after signing", False, "the updates after the signature cannot be "
                         "read: the file was changed after signing")
        problems = [change for change in changes if change.kind is not ChangeKind.ANNOTATION]
        comments = [change for change in changes if change.kind is ChangeKind.ANNOTATION]
        last = revision_end(self.data, self.reader, self.reader.xrefs.total_revisions - 1)
        trailing = len(self.data) - (last if last is not None else end)
        words = [f"{_kind_words(change)}: {change.what}" for change in problems]
        if trailing > 0:
            words.append(f"{trailing:,} byte(s) after the end of the PDF")
        elif trailing < 0 or last is None:
            words.append("the end of the file is damaged")
        if words:
            return Check("after signing", False, "changed after signing: " + _joined(words))
        if comments:
            return Check("after signing", True, f"{len(comments)} comment(s) added after signing"
                         f" (not part of the signed bundle; the checks below read the bundle as "
                         f"signed): {_listed(comments)}")
        if end == len(self.data):
            return Check("after signing", True, "nothing: the file ends where the signature ends")
        return Check("after signing", True, "later updates change nothing a reader sees")


def _made_by_signing(change: Change) -> bool:
    if change.kind is ChangeKind.SIGNATURE_FIELD:
        return True
    if change.kind is ChangeKind.METADATA:
        return bool(change.keys) and change.keys <= _SIGNING_INFO_KEYS
    if change.kind is ChangeKind.STRUCTURE:
        return bool(change.keys) and change.keys <= _SIGNING_CATALOG_KEYS
    return False


def _token_time(signature: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time a signature timestamp token states (not yet checked)."""
    try:
        for token in extract_tst_data_iter(signature.signer_info, signed=False):
            value: Any = token["encap_content_info"]["content"].parsed["gen_time"].native
            return value if isinstance(value, dt.datetime) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return None


def _validity(cert: asn1_x509.Certificate, proven: dt.datetime | None) -> Check:
    when = proven or dt.datetime.now(dt.UTC)
    start, end = cert.not_valid_before, cert.not_valid_after
    span = f"valid {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    at = "the signing time" if proven else "the present time (no timestamp proves when it was signed)"
    if start <= when <= end:
        return Check("certificate validity", True, f"valid at {at}, {utc_words(when)} ({span})")
    return Check("certificate validity", False, f"not valid at {at}, {utc_words(when)} ({span})")


def _signer_words(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    name = subject.get("common_name") or describe(cert)
    name = name[0] if isinstance(name, list) else name
    org = organisation(cert)
    words = f"{name}" + (f", organisation {org}" if org else ", no organisation named")
    return f"{words} (certificate issued by {_issuer(cert)})"


def _issuer(cert: asn1_x509.Certificate) -> str:
    subject = cert.issuer.native
    parts = [subject.get("common_name"), subject.get("organization_name")]
    named = [str(part[0] if isinstance(part, list) else part) for part in parts if part]
    return ", ".join(named) or cert.issuer.human_friendly


def _kind_words(change: Change) -> str:
    return {ChangeKind.PAGE_CONTENT: "page content", ChangeKind.METADATA: "metadata",
            ChangeKind.SIGNATURE_FIELD: "structure (a signature added)"}.get(
                change.kind, "structure")


def _listed(changes: Sequence[Change]) -> str:
    return _joined([change.what for change in changes])


def _joined(words: Sequence[str]) -> str:
    shown = "; ".join(words[:_SHOWN])
    return shown + (f"; and {len(words) - _SHOWN} more" if len(words) > _SHOWN else "")
