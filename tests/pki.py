"""A test PKI made while the tests run (no private key is ever committed), and a local
RFC 3161 time-stamping authority served on 127.0.0.1 for the test session.

``make_pki(folder)`` writes, all issued by one "Test Root CA":

* ``signer``: the council's document-signing certificate (Wessex Borough Council),
  as PEM key and certificate, an encrypted PEM key, and a passphrase-protected .p12;
* ``expired``: the same kind of certificate, expired a year ago;
* ``not-signing``: a certificate whose key usage is key encipherment only;
* ``tsa``: the time-stamping authority's certificate (extended key usage timeStamping).

``LocalTsa`` answers time-stamp requests with pyHanko's own test timestamper (a real
RFC 3161 token signed by the TSA key above) and, at other paths, fails on purpose:
``/http-error`` (HTTP 500), ``/rejection`` (status rejection), ``/not-a-tsa`` (an HTML page).
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

PASSPHRASE = "correct horse battery staple"
_USAGES = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
           "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")


@dataclass(frozen=True)
class Pki:
    folder: Path
    root: Path  # CA certificate (PEM): what a recipient gives with --trust
    signer_key: Path
    signer_cert: Path
    signer_key_encrypted: Path  # PEM key protected by PASSPHRASE
    signer_p12: Path  # key + certificate + root, protected by PASSPHRASE
    passphrase_file: Path
    wrong_passphrase_file: Path
    expired_key: Path
    expired_cert: Path
    not_signing_key: Path
    not_signing_cert: Path
    tsa_key: Path
    tsa_cert: Path


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                 issuer_key: rsa.RSAPrivateKey, *, ca: bool = False,
                 usages: tuple[str, ...] = (), purposes: list[x509.ObjectIdentifier] | None = None,
                 start: dt.datetime | None = None, end: dt.datetime | None = None,
                 ) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start or now - dt.timedelta(days=1))
        .not_valid_after(end or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.KeyUsage(**{name: name in usages for name in _USAGES}),
                       critical=True)
    )
    if purposes:
        builder = builder.add_extension(x509.ExtendedKeyUsage(purposes), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey, passphrase: str | None = None) -> bytes:
    protection: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             protection)


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    root_key = _key()
    root_name = _name("Test Root CA", "Test PKI")
    root = _certificate(root_name, root_key, root_name, root_key, ca=True,
                        usages=("key_cert_sign", "crl_sign"))
    signer_key = _key()
    signer = _certificate(_name("Evidence Team", "Wessex Borough Council"), signer_key,
                          root_name, root_key, usages=("digital_signature", "content_commitment"))
    now = dt.datetime.now(dt.UTC)
    expired_key = _key()
    expired = _certificate(_name("Old Seal", "Wessex Borough Council"), expired_key, root_name,
                           root_key, usages=("digital_signature", "content_commitment"),
                           start=now - dt.timedelta(days=800), end=now - dt.timedelta(days=365))
    other_key = _key()
    not_signing = _certificate(_name("Mail Encryption", "Wessex Borough Council"), other_key,
                               root_name, root_key, usages=("key_encipherment",))
    tsa_key = _key()
    tsa = _certificate(_name("Test Time-Stamping Authority", "Test PKI"), tsa_key, root_name,
                       root_key, usages=("digital_signature",),
                       purposes=[ExtendedKeyUsageOID.TIME_STAMPING])

    def write(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    p12 = pkcs12.serialize_key_and_certificates(
        b"council-seal", signer_key, signer, [root],
        serialization.BestAvailableEncryption(PASSPHRASE.encode()))
    return Pki(
        folder=folder,
        root=write("root.pem", _pem(root)),
        signer_key=write("signer.key.pem", _key_pem(signer_key)),
        signer_cert=write("signer.cert.pem", _pem(signer)),
        signer_key_encrypted=write("signer.key.encrypted.pem", _key_pem(signer_key, PASSPHRASE)),
        signer_p12=write("signer.p12", p12),
        passphrase_file=write("passphrase.txt", PASSPHRASE.encode() + b"\n"),
        wrong_passphrase_file=write("wrong-passphrase.txt", b"tr0ub4dor&3\n"),
        expired_key=write("expired.key.pem", _key_pem(expired_key)),
        expired_cert=write("expired.cert.pem", _pem(expired)),
        not_signing_key=write("not-signing.key.pem", _key_pem(other_key)),
        not_signing_cert=write("not-signing.cert.pem", _pem(not_signing)),
        tsa_key=write("tsa.key.pem", _key_pem(tsa_key)),
        tsa_cert=write("tsa.cert.pem", _pem(tsa)),
    )


class LocalTsa:
    """An RFC 3161 time-stamping authority on 127.0.0.1 (an OS-chosen port), in a thread."""

    def __init__(self, pki: Pki) -> None:
        root = asn1_x509.Certificate.load(_der(pki.root))
        cert = asn1_x509.Certificate.load(_der(pki.tsa_cert))
        key = serialization.load_pem_private_key(pki.tsa_key.read_bytes(), None)
        key_info = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key_info,
                                        certs_to_embed=SimpleCertificateStore.from_certs([root]))
        self.requests = 0
        stamper, counter = self.stamper, self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 16))
                counter.requests += 1
                if self.path == "/http-error":
                    self.send_error(500, "Internal Server Error")
                    return
                if self.path == "/not-a-tsa":
                    self._reply(b"<html>welcome</html>", "text/html")
                    return
                if self.path == "/rejection":
                    # TimeStampResp ::= SEQUENCE { status PKIStatusInfo } (no token)
                    status = tsp.PKIStatusInfo({"status": "rejection",
                                                "status_string": ["policy not supported"]})
                    body = status.dump()
                    self._reply(b"\x30" + bytes([len(body)]) + body,
                                "application/timestamp-reply")
                    return
                answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body))
                self._reply(answer.dump(), "application/timestamp-reply")

            def _reply(self, data: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output clean

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def at(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> LocalTsa:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _der(pem_file: Path) -> bytes:
    return x509.load_pem_x509_certificate(pem_file.read_bytes()).public_bytes(
        serialization.Encoding.DER)
