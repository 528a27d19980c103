"""Whom a recipient trusts, and how certificates are named to people.

A signature or timestamp is *trusted* when its certificate chains to a trust anchor: a CA
certificate the recipient gave with ``--trust`` (a council's own CA, or the test CA), or
one of the system's trust store (Debian's ``ca-certificates``). Checks run offline: no
certificate, revocation list or OCSP answer is fetched, so a revoked certificate is not
noticed unless the recipient leaves its CA out of the anchors (the README says so).
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InvalidCertificateError
from pyhanko_certvalidator.path import ValidationPath

# Document signing: digitalSignature or nonRepudiation, and, when the certificate limits its
# purposes (extended key usage), one that covers documents. Signing refuses what
# verification rejects: both ask ``usage_problem``.
SIGNER_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
_SIGNER_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"},
    match_all_key_usages=False,
    extd_key_usage={
        "any_extended_key_usage",
        "email_protection",
        "client_auth",  # signing smart cards often carry only this purpose
        "adobe_authentic_documents_trust",
        "microsoft_document_signing",
        "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    },
    explicit_extd_key_usage_required=False,
)


def usage_problem(cert: asn1_x509.Certificate) -> str | None:
    """None when ``cert`` may sign documents; else what it is for instead."""
    try:
        _SIGNER_USAGE.validate(cert)
    except InvalidCertificateError:
        return f"it is not for signing documents (it is for {_usages(cert)})"
    return None


def _usages(cert: asn1_x509.Certificate) -> str:
    names: list[str] = []
    if cert.key_usage_value is not None:
        names += sorted(cert.key_usage_value.native)
    if cert.extended_key_usage_value is not None:
        names += sorted(cert.extended_key_usage_value.native)
    return ", ".join(name.replace("_", " ") for name in names) or "no stated use"


_SYSTEM_STORES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
)


@dataclass(frozen=True)
class TrustAnchors:
    """The certificates a recipient trusts, and where each came from."""

    certificates: tuple[asn1_x509.Certificate, ...]
    given: frozenset[bytes]  # SHA-256 fingerprints of the --trust certificates
    system_store: str | None  # the system store's file, when one was read

    def origin(self, anchor: asn1_x509.Certificate) -> str:
        if anchor.sha256 in self.given:
            return "given with --trust"
        return "in the system's trust store"

    def anchor_of(self, path: ValidationPath | None) -> str:
        """The trust anchor a validated path ends in, and where it came from."""
        certificate = getattr(path.trust_anchor.authority, "certificate", None) if path else None
        if certificate is None:
            return "a trust anchor"
        return f"{describe(certificate)} ({self.origin(certificate)})"

    def context(self, moment: dt.datetime | None = None) -> ValidationContext:
        """A validation context over these anchors, offline, at ``moment`` (default now)."""
        return ValidationContext(
            trust_roots=list(self.certificates),
            allow_fetching=False,
            revocation_mode="soft-fail",
            moment=moment,
        )


def trust_anchors(files: Sequence[Path] = (), *, system: bool = True) -> TrustAnchors:
    """The ``--trust`` files' certificates plus (with ``system``) the system's store."""
    from bundler.pki.credentials import read_certificates

    given = [cert for path in files for cert in read_certificates(path, "trust file")]
    store = _system_store() if system else None
    others = _store_certificates(store) if store is not None else []
    return TrustAnchors(tuple(given + others), frozenset(cert.sha256 for cert in given),
                        store)


def _system_store() -> str | None:
    candidates = [*_SYSTEM_STORES, ssl.get_default_verify_paths().cafile or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _store_certificates(store: str) -> list[asn1_x509.Certificate]:
    certs: list[asn1_x509.Certificate] = []
    try:
        data = Path(store).read_bytes()
    except OSError:
        return certs
    for _kind, _headers, der in asn1_pem.unarmor(data, multiple=True):
        try:
            cert = asn1_x509.Certificate.load(der)
            cert.native  # noqa: B018 (parse now: skip one the store holds damaged)
        except ValueError:
            continue
        certs.append(cert)
    return certs


def describe(cert: asn1_x509.Certificate) -> str:
    """The certificate's holder as people name it: 'Evidence Team, Wessex Borough Council'."""
    subject = cert.subject.native
    parts = [_first(subject.get("common_name")), _first(subject.get("organization_name"))]
    named = [part for part in parts if part]
    if not named:
        return str(cert.subject.human_friendly)
    if len(named) == 2 and named[0] == named[1]:
        return named[0]
    return ", ".join(named)


def organisation(cert: asn1_x509.Certificate) -> str | None:
    return _first(cert.subject.native.get("organization_name"))


def _first(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None
