"""`bundler bundle sign`: the council's electronic seal on a bundle, and an RFC 3161 timestamp.

Hashes prove a bundle unchanged only to someone who got the hash by another route; a
signature from the council's certificate proves *who* issued it, and a timestamp from a
time-stamping authority (TSA) proves *when*. The signature is a PAdES signature made with
pyHanko: B-T with a timestamp (``--tsa``), B-B without. It is

* an *approval* signature, not a certification: later comments (judges annotate bundles)
  are allowed, and ``bundle verify`` reports them;
* an *incremental update*: the bundle as built stays a byte prefix of the signed file, so
  every hash recorded for it (its sidecar, the audit log, the certificate page) still
  checks against those first bytes.

Writes ``SIGNED.pdf``, ``SIGNED.pdf.sha256`` and, with ``--tsa``, ``SIGNED.pdf.tsr``: a
detached RFC 3161 timestamp over the signed file's SHA-256 that anyone can check with
``openssl ts -verify``. Only a bundle of this toolkit that passes ``bundle verify`` is
signed; nothing is written when anything fails (the TSA included).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from bundler.bundle.served import sidecar_hash_path
from bundler.errors import BadInput, BundlerError
from bundler.fileio import StagedOutputs, refuse_overwrite
from bundler.pki.credentials import SigningIdentity
from bundler.pki.timestamp import Timestamp, TsaClient, request_timestamp

logger = logging.getLogger(__name__)

FIELD_NAME = "CouncilSeal"
_NOT_SIGNABLE_HINT = ("Only bundles made by `bundler bundle build` can be signed: build the "
                      "bundle, check it with `bundler bundle verify`, then sign that file.")


@dataclass(frozen=True)
class SignResult:
    pdf: Path
    sidecar: Path  # SIGNED.pdf.sha256
    timestamp_file: Path | None  # SIGNED.pdf.tsr, with --tsa
    sha256: str  # of the signed file
    bundle_sha256: str  # of the bundle as built (the signed file's first bytes)
    signer: str
    level: str  # PAdES B-T or B-B
    timestamp: Timestamp | None  # the detached one (same authority as the embedded one)


def timestamp_file_of(pdf: Path) -> Path:
    return pdf.with_name(f"{pdf.name}.tsr")


def sign_bundle(
    pdf: Path,
    out: Path,
    identity: SigningIdentity,
    *,
    tsa: str | None = None,
    reason: str | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    record_audit: bool = True,
) -> SignResult:
    """Sign the bundle ``pdf`` as ``identity`` into ``out`` (see the module docstring)."""
    report = progress or (lambda _message: None)
    sidecar = sidecar_hash_path(out)
    stamp_file = timestamp_file_of(out) if tsa else None
    _check_paths(pdf, out)
    refuse_overwrite([path for path in (out, sidecar, stamp_file) if path is not None], force)
    case_dir = _case_of(pdf) if record_audit else None
    if case_dir is not None:
        from bundler.audit import check_appendable

        check_appendable(case_dir)  # before anything is signed: nothing goes unrecorded
    report("checking the bundle before signing it")
    reference = _verified_reference(pdf)
    data = pdf.read_bytes()
    report("signing" + (f" (asking {tsa} for a timestamp)" if tsa else ""))
    signed = _signed_bytes(data, identity, tsa, reason or f"Evidence bundle {reference}, as "
                           "built and checked")
    if not signed.startswith(data):  # the promise the whole design rests on
        raise BundlerError(f"{pdf}: signing changed the bundle's own bytes; nothing was written")
    digest = hashlib.sha256(signed).hexdigest()
    detached = None
    if tsa:
        report(f"asking {tsa} for the detached timestamp")
        detached = request_timestamp(tsa, bytes.fromhex(digest))
    result = SignResult(out, sidecar, stamp_file, digest, hashlib.sha256(data).hexdigest(),
                        identity.signer, "B-T" if tsa else "B-B", detached)
    with StagedOutputs() as staged:
        with staged.writer(out) as handle:
            handle.write(signed)
        with staged.writer(sidecar) as handle:
            handle.write(f"{digest}  {out.name}\n".encode())
        if stamp_file is not None and detached is not None:
            with staged.writer(stamp_file) as handle:
                handle.write(detached.response)
        if case_dir is None:
            staged.commit()
        else:  # in place only once its entry is appended, under the log's lock
            _record(case_dir, staged, pdf, result, reference)
    return result


def _case_of(pdf: Path) -> Path | None:
    from bundler.bundle.verify import case_folder

    return case_folder(pdf, None)


def _check_paths(pdf: Path, out: Path) -> None:
    if out.resolve() == pdf.resolve():
        raise BadInput(f"{out}: is the bundle itself; signing never changes the bundle as "
                       "built", "Give another name for the signed copy, e.g. "
                       "-o out/bundle-signed.pdf.")


def _verified_reference(pdf: Path) -> str:
    """The bundle's reference, once it passes `bundle verify` (sources not needed); a
    missing bundle is InputNotFound, as verify says."""
    from bundler.bundle.served import is_signed
    from bundler.bundle.verify import verify_bundle

    if pdf.is_file() and is_signed(pdf.read_bytes()):
        raise BadInput(f"{pdf}: is already signed; nothing was written",
                       "Sign the bundle as built (the unsigned .pdf), not a signed copy.")
    try:
        checked = verify_bundle(pdf, record_audit=False)
    except BadInput as exc:
        raise BadInput(f"{exc.message}; it cannot be signed", _NOT_SIGNABLE_HINT) from None
    if not checked.ok or checked.reference is None:
        first = checked.failed[0] if checked.failed else None
        why = f"{first.name}: {first.detail}" if first else "it could not be checked"
        raise BadInput(f"{pdf}: fails `bundler bundle verify` ({why}); it cannot be signed",
                       "Sign only a bundle that verifies: build it again, then sign the new "
                       "file.")
    return checked.reference


def _signed_bytes(data: bytes, identity: SigningIdentity, tsa: str | None, reason: str) -> bytes:
    signer = signers.SimpleSigner(
        signing_cert=identity.cert,
        signing_key=identity.key,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            identity.chain),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason[:200],
        certify=False,  # an approval signature: later comments stay allowed
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        signers.PdfSigner(metadata, signer, timestamper=TsaClient(tsa) if tsa else None
                          ).sign_pdf(writer, output=out)
    except BundlerError:  # the TSA's failures (ServiceFailed) among them
        raise
    except Exception as exc:  # pyHanko's own errors: a bug, or a PDF it cannot update
        logger.debug("pyHanko could not sign", exc_info=exc)
        raise BundlerError(f"the bundle could not be signed ({type(exc).__name__}: {exc}); "
                           "nothing was written") from exc
    return out.getvalue()


def _record(case_dir: Path, staged: StagedOutputs, pdf: Path, result: SignResult,
            reference: str) -> None:
    """Append ``bundle_signed`` to the case's audit log and put the signed files in place."""
    from bundler.audit import AuditAction, record_staged

    signer = "".join(ch for ch in result.signer if ch.isprintable())  # the log holds one line
    details = {"reference": reference[:200], "signer": signer[:200],
               "pades_level": result.level, "bundle_sha256": result.bundle_sha256}
    if result.timestamp is not None:
        details["timestamp"] = result.timestamp.time.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    record_staged(case_dir, AuditAction.BUNDLE_SIGNED, staged, inputs=[pdf], details=details)
