"""The council's signing certificate and key, read and checked before anything is signed.

Given as a PKCS#12 file (``--p12``, the usual export of a certificate with its key) or as
PEM files (``--key``, ``--cert``, optional ``--chain``); a passphrase, when the file has
one, comes from a file (``--passphrase-file``) so it never appears in a command line or
shell history. Everything a signature could fail on later is refused here, by name: a
wrong or missing passphrase, a key that belongs to another certificate, a certificate
that has expired (or is not valid yet), and one whose key usage does not allow signing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from bundler.errors import BadInput, CredentialsUnusable, InputNotFound, PasswordRequired
from bundler.pki.trust import describe, usage_problem

_MAX_FILE = 1 << 20  # certificates and keys are a few kB; refuse to read anything huge
_SIGNING_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey,
                 ed448.Ed448PrivateKey, dsa.DSAPrivateKey)


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate that may sign, its private key, and the CA certificates that issued it."""

    cert: asn1_x509.Certificate
    key: asn1_keys.PrivateKeyInfo
    chain: tuple[asn1_x509.Certificate, ...]
    source: str  # the file(s) as the user named them, for messages

    @property
    def signer(self) -> str:
        return describe(self.cert)


def load_p12(path: Path, passphrase_file: Path | None = None,
             now: dt.datetime | None = None) -> SigningIdentity:
    """The identity in a PKCS#12 (.p12/.pfx) file; refuses one that cannot sign."""
    data = _read(path, "PKCS#12 file")
    passphrase = _passphrase(passphrase_file)
    try:
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018 (parsing is the check)
    except (ValueError, TypeError):
        raise BadInput(f"{path}: not a PKCS#12 (.p12/.pfx) file",
                       "Export the council's signing certificate with its private key as "
                       "a .p12 file, or give --key and --cert as PEM files.") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise _wrong_passphrase(path, passphrase_file) from None
    if key is None or cert is None:
        raise BadInput(f"{path}: holds no {'private key' if key is None else 'certificate'}",
                       "Export the certificate together with its private key (a .p12 with "
                       "both).")
    return _identity(cert, key, list(extra), str(path), now)


def load_pem(key_path: Path, cert_path: Path, chain_path: Path | None = None,
             passphrase_file: Path | None = None,
             now: dt.datetime | None = None) -> SigningIdentity:
    """The identity in PEM (or DER) key, certificate and chain files; refuses one that
    cannot sign."""
    key_data = _read(key_path, "key file")
    cert_data = _read(cert_path, "certificate file")
    chain_data = _read(chain_path, "chain file") if chain_path is not None else None
    passphrase = _passphrase(passphrase_file)
    key = _private_key(key_path, key_data, passphrase, passphrase_file)
    certs = _certificates(cert_path, cert_data)
    chain = _certificates(chain_path, chain_data) if chain_path and chain_data else []
    return _identity(certs[0], key, certs[1:] + chain,
                     f"{key_path} and {cert_path}", now)


def read_certificates(path: Path, what: str = "certificate file") -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM file (one or more) or a DER file."""
    return [_to_asn1(cert) for cert in _certificates(path, _read(path, what))]


def _read(path: Path, what: str) -> bytes:
    if not path.exists():
        raise InputNotFound(f"{path}: {what} not found",
                            "Check the path is spelt correctly.")
    if not path.is_file():
        raise BadInput(f"{path}: is a folder, not a {what}", "Give the file itself.")
    if path.stat().st_size > _MAX_FILE:
        raise BadInput(f"{path}: too large to be a {what} (over 1 MB)",
                       "Give the certificate or key file itself.")
    return path.read_bytes()


def _passphrase(passphrase_file: Path | None) -> bytes | None:
    if passphrase_file is None:
        return None
    raw = _read(passphrase_file, "passphrase file")
    # a passphrase file ends with a line break when written by an editor or `echo`
    return raw.rstrip(b"\r\n")


def _wrong_passphrase(path: Path, passphrase_file: Path | None) -> PasswordRequired:
    if passphrase_file is None:
        return PasswordRequired(f"{path}: is protected by a passphrase, and none was given",
                                "Put the passphrase in a file readable only by you and give "
                                "it with --passphrase-file FILE.")
    return PasswordRequired(f"{path}: the passphrase in {passphrase_file} is wrong",
                            "Check the passphrase file holds exactly the passphrase (one "
                            "line), then try again.")


def _private_key(path: Path, data: bytes, passphrase: bytes | None,
                 passphrase_file: Path | None) -> PrivateKeyTypes:
    pem = b"-----BEGIN" in data
    load = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    # PKCS#8 "ENCRYPTED PRIVATE KEY", or OpenSSL's older "Proc-Type: 4,ENCRYPTED"
    encrypted = pem and b"ENCRYPTED" in data[:4096]
    if encrypted and passphrase is None:
        raise _wrong_passphrase(path, passphrase_file)
    try:
        return load(data, passphrase if encrypted else None)
    except TypeError:  # a DER key that is encrypted after all
        if passphrase is None:
            raise _wrong_passphrase(path, passphrase_file) from None
        try:
            return load(data, passphrase)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise _wrong_passphrase(path, passphrase_file) from None
    except (ValueError, UnsupportedAlgorithm):
        if encrypted:
            raise _wrong_passphrase(path, passphrase_file) from None
        raise BadInput(f"{path}: not a private key file (PEM or DER)",
                       "Give the signing certificate's private key, e.g. "
                       "council-seal.key.pem.") from None


def _certificates(path: Path, data: bytes) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        certs = []
    if not certs:
        raise BadInput(f"{path}: not a certificate file (PEM or DER)",
                       "Give the certificate itself, e.g. council-seal.cert.pem.")
    return certs


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _identity(cert: x509.Certificate, key: PrivateKeyTypes | object, chain: Sequence[x509.Certificate],
              source: str, now: dt.datetime | None) -> SigningIdentity:
    if not isinstance(key, _SIGNING_KEYS):
        raise CredentialsUnusable(f"{source}: the key cannot make signatures "
                                  f"({type(key).__name__})")
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != cert.public_key().public_bytes(*public):
        raise CredentialsUnusable(f"{source}: the private key does not belong to the "
                                  f"certificate of {describe(_to_asn1(cert))}",
                                  "Give the key that was issued with this certificate (they "
                                  "come as a pair), or the .p12 file holding both.")
    asn1_cert = _to_asn1(cert)
    when = now or dt.datetime.now(dt.UTC)
    name = describe(asn1_cert)
    if cert.not_valid_after_utc < when:
        raise CredentialsUnusable(f"{source}: the certificate of {name} expired on "
                                  f"{cert.not_valid_after_utc:%Y-%m-%d}")
    if cert.not_valid_before_utc > when:
        raise CredentialsUnusable(f"{source}: the certificate of {name} is not valid until "
                                  f"{cert.not_valid_before_utc:%Y-%m-%d}")
    problem = usage_problem(asn1_cert)
    if problem is not None:
        raise CredentialsUnusable(f"{source}: the certificate of {name} cannot sign: {problem}")
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return SigningIdentity(asn1_cert, asn1_keys.PrivateKeyInfo.load(der),
                           tuple(_to_asn1(extra) for extra in chain), source)

