"""`bundler bundle sign` and the signature checks of `bundler bundle verify`, offline: a test
PKI made during the session and a time-stamping authority on 127.0.0.1 (tests/pki.py).

What a recipient checks is checked here the way they would: the verify lines, pdfsig
(poppler) for the signature panel, `openssl ts -verify` for the detached timestamp, hashlib
for the byte prefix. Tampering is done the way an opponent would: incremental updates
written with pypdf, a byte appended.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfWriter
from pypdf.annotations import Highlight, Text
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from bundler.cli import cli
from tests import bundle_fixtures as fx
from tests.pki import LocalTsa, Pki
from tests.test_bundle_cli import write_spec


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bundle with its sidecars, built once for the module."""
    folder = tmp_path_factory.mktemp("built")
    fx.make_text_pdf(folder / "a.pdf", "AWORD", 2)
    fx.make_text_pdf(folder / "b.pdf", "BWORD", 1)
    spec = write_spec(folder, [("a.pdf", "First"), ("b.pdf", "Second")])
    code, _out, err = run("bundle", "build", str(spec), "-o", str(folder / "out" / "bundle.pdf"),
                          "--date", "2026-03-01")
    assert code == 0, err
    return folder


@pytest.fixture
def bundle(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built bundle (and its sources) to sign and damage."""
    target = tmp_path / "case"
    shutil.copytree(built, target)
    return target / "out" / "bundle.pdf"


def sign(bundle: Path, pki: Pki, *extra: str, out: Path | None = None) -> tuple[int, str, str]:
    signed = out or bundle.with_name("bundle-signed.pdf")
    return run("bundle", "sign", str(bundle), "-o", str(signed), "--key", str(pki.signer_key),
               "--cert", str(pki.signer_cert), "--chain", str(pki.root), *extra)


@pytest.fixture
def signed(bundle: Path, pki: Pki, tsa: LocalTsa) -> Path:
    code, _out, err = sign(bundle, pki, "--tsa", tsa.url)
    assert code == 0, err
    return bundle.with_name("bundle-signed.pdf")


def verify(pdf: Path, *extra: str) -> tuple[int, dict[str, str], str]:
    """Exit code, each check's line by name, and the verdict."""
    code, out, _err = run("bundle", "verify", str(pdf), *extra)
    lines = out.strip().splitlines()
    checks = {line.split(":", 1)[0][6:]: line for line in lines[:-1]}
    return code, checks, lines[-1]


def incremental(pdf: Path, change: object) -> None:
    """Apply ``change(writer)`` to ``pdf`` as an incremental update, as an annotating tool
    (or an opponent) would."""
    original = pdf.read_bytes()
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    change(writer)  # type: ignore[operator]
    buffer = io.BytesIO()
    writer.write(buffer)
    assert buffer.getvalue().startswith(original)
    pdf.write_bytes(buffer.getvalue())


# --------------------------------------------------------------------------- signing


def test_signed_bundle_verifies_with_the_test_ca_showing_signer_and_time(
    bundle: Path, signed: Path, pki: Pki
) -> None:
    original = bundle.read_bytes()
    data = signed.read_bytes()
    assert data.startswith(original) and len(data) > len(original)
    sidecar = signed.with_name("bundle-signed.pdf.sha256").read_text()
    assert sidecar == f"{hashlib.sha256(data).hexdigest()}  bundle-signed.pdf\n"

    code, checks, verdict = verify(signed, "--trust", str(pki.root))
    assert code == 0, checks
    assert verdict.startswith(f"VERIFIED: {signed}: all 13 checks passed: its signature is "
                              "intact and its signer trusted, so it is the bundle they signed")
    assert "intact: PAdES B-T signature" in checks["signature"]
    assert "Evidence Team, organisation Wessex Borough Council" in checks["signer"]
    assert "chains to Test Root CA, Test PKI (given with --trust)" in checks["trust"]
    assert "valid at the signing time" in checks["certificate validity"]
    assert "from the timestamp of the time-stamping authority Test Time-Stamping Authority, " \
           "Test PKI" in checks["signing time"]
    digest = hashlib.sha256(original).hexdigest()
    assert f"its first {len(original):,} bytes, SHA-256 {digest}" in checks["coverage"]
    assert checks["after signing"].endswith("nothing: the file ends where the signature ends")
    assert checks["stamps"].startswith("PASS")


def test_pdf_readers_show_the_signer(signed: Path) -> None:
    """poppler's pdfsig reads the signature as any PDF reader's signature panel does."""
    shown = subprocess.run(["pdfsig", "-nocert", str(signed)], capture_output=True, text=True,
                           check=False).stdout
    assert "Signer Certificate Common Name: Evidence Team" in shown
    assert "Signature Validation: Signature is Valid." in shown
    assert "Signature Type: ETSI.CAdES.detached" in shown
    assert "Total document signed" in shown


def test_without_trust_the_signer_is_not_trusted_and_the_verdict_says_so(signed: Path) -> None:
    code, checks, verdict = verify(signed)
    assert code == 1
    assert checks["trust"] == (
        "FAIL  trust: the signer Evidence Team, Wessex Borough Council is not trusted: its "
        "certificate does not chain to a trust anchor: give the CA certificate the sender "
        "publishes with --trust, if you trust it")
    assert verdict == (f"NOT VERIFIED: {signed}: 2 of 13 checks failed (trust, signing time): "
                       "do not rely on it")
    # the timestamp's authority is not trusted either, so the time is not relied on
    assert checks["signing time"].startswith("FAIL  signing time:")
    assert "which is not trusted" in checks["signing time"]


def test_openssl_verifies_the_detached_timestamp(signed: Path, pki: Pki) -> None:
    tsr = signed.with_name("bundle-signed.pdf.tsr")
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(tsr), "-data", str(signed),
         "-CAfile", str(pki.root)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout
    # ...and it is about this file: another file's bytes fail
    other = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(tsr), "-data", str(signed.with_name("bundle.pdf")),
         "-CAfile", str(pki.root)], capture_output=True, text=True, check=False)
    assert other.returncode != 0


def test_a_byte_appended_fails_naming_it(signed: Path, pki: Pki) -> None:
    signed.write_bytes(signed.read_bytes() + b"\n")
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == ("FAIL  after signing: changed after signing: 1 byte(s) "
                                       "after the end of the PDF")
    assert checks["signature"].startswith("PASS")  # the signed bytes are untouched


def test_junk_appended_past_pyhankos_search_window_fails_too(signed: Path, pki: Pki) -> None:
    signed.write_bytes(signed.read_bytes() + b"x" * 5000 + b"\nstartxref\n0\n%%EOF\n")
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == ("FAIL  after signing: changed after signing: 5,019 "
                                       "byte(s) after the end of the PDF")


def test_an_info_change_in_an_incremental_update_fails_naming_it(signed: Path, pki: Pki) -> None:
    incremental(signed, lambda writer: writer.add_metadata({"/Title": "A different bundle"}))
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == ("FAIL  after signing: changed after signing: metadata: "
                                       "document information (/Info): /Title")
    assert checks["signature"].startswith("PASS")


def test_a_page_content_change_in_an_incremental_update_fails_naming_the_page(
    signed: Path, pki: Pki
) -> None:
    def overwrite(writer: PdfWriter) -> None:
        page = writer.pages[2]
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 30 Tf 100 400 Td (FORGED) Tj ET")
        page[NameObject("/Contents")] = writer._add_object(stream)

    incremental(signed, overwrite)
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == ("FAIL  after signing: changed after signing: page "
                                       "content: page 3: /Contents changed")
    # every other check reads the bundle as signed, so the stamps still pass
    assert checks["stamps"].startswith("PASS")


def test_a_content_stream_rewritten_in_place_fails_naming_the_page(
    signed: Path, pki: Pki
) -> None:
    def rewrite(writer: PdfWriter) -> None:
        contents = writer.pages[3].get_contents()
        assert contents is not None
        contents.set_data(contents.get_data().replace(b"BWORD", b"XWORD"))
        writer.pages[3].replace_contents(contents)

    incremental(signed, rewrite)
    _code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert checks["after signing"].startswith("FAIL  after signing: changed after signing: "
                                              "page content: page 4")


def test_an_added_annotation_is_reported_but_passes(signed: Path, pki: Pki) -> None:
    def annotate(writer: PdfWriter) -> None:
        writer.add_annotation(2, Text(text="See para 12", rect=(50, 550, 200, 650)))
        writer.add_annotation(3, Highlight(rect=(50, 700, 300, 720), quad_points=ArrayObject(
            [FloatObject(v) for v in (50, 720, 300, 720, 50, 700, 300, 700)])))

    incremental(signed, annotate)
    code, checks, verdict = verify(signed, "--trust", str(pki.root))
    assert code == 0, checks
    assert "matches the sidecar bundle-signed.pdf.sha256 for the bundle as signed" in \
        checks["file hash"]
    assert checks["after signing"] == (
        "PASS  after signing: 2 comment(s) added after signing (not part of the signed bundle; "
        "the checks below read the bundle as signed): page 3: Text; page 4: Highlight")
    assert verdict.startswith("VERIFIED")


def test_an_added_link_is_not_a_comment(signed: Path, pki: Pki) -> None:
    def link(writer: PdfWriter) -> None:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
            NameObject("/A"): DictionaryObject({
                NameObject("/S"): NameObject("/URI"),
                NameObject("/URI"): TextStringObject("https://example.org/")})})
        writer.add_annotation(2, annotation)

    incremental(signed, link)
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == ("FAIL  after signing: changed after signing: structure: "
                                       "page 3: an added Link annotation (not a comment)")


def test_an_index_link_redirected_after_signing_fails(signed: Path, pki: Pki) -> None:
    def redirect(writer: PdfWriter) -> None:
        index = writer.pages[1]
        annotation = index["/Annots"][0].get_object()
        annotation[NameObject("/Dest")] = ArrayObject(
            [writer.pages[4].indirect_reference, NameObject("/Fit")])
        writer._objects[annotation.indirect_reference.idnum - 1] = annotation

    incremental(signed, redirect)
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["after signing"] == (
        "FAIL  after signing: changed after signing: structure: page 2: an annotation present "
        "when signed (Link) was changed")


def test_the_other_checks_read_the_signed_revision(signed: Path, pki: Pki) -> None:
    """A later update swapping the attached manifest changes nothing the checks read."""
    def swap(writer: PdfWriter) -> None:
        writer.add_attachment("manifest.json", b'{"forged": true}')

    incremental(signed, swap)
    code, checks, _verdict = verify(signed, "--trust", str(pki.root))
    assert code == 1
    assert checks["manifest"].startswith("PASS")
    assert checks["after signing"].startswith("FAIL  after signing: changed after signing: "
                                              "structure:")


def test_sources_rebuild_matches_the_bundle_as_built(signed: Path, pki: Pki) -> None:
    code, checks, _verdict = verify(signed, "--trust", str(pki.root), "--sources",
                                    str(signed.parent.parent))
    assert code == 0, checks
    assert checks["rebuild"].endswith("byte-for-byte identical")


def test_the_sha256_of_the_bundle_as_built_is_accepted(bundle: Path, signed: Path,
                                                       pki: Pki) -> None:
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    code, checks, _verdict = verify(signed, "--trust", str(pki.root), "--sha256", digest)
    assert code == 0
    assert checks["file hash"].endswith(
        "and --sha256 for the bundle as built, before it was signed (its first "
        f"{len(bundle.read_bytes()):,} bytes)")


def test_p12_without_tsa_gives_a_b_b_signature(bundle: Path, pki: Pki) -> None:
    out = bundle.with_name("sealed.pdf")
    code, stdout, err = run("bundle", "sign", str(bundle), "-o", str(out), "--p12",
                            str(pki.signer_p12), "--passphrase-file", str(pki.passphrase_file))
    assert code == 0, err
    assert stdout.splitlines()[0] == (f"Signed {out} as Evidence Team, Wessex Borough Council "
                                      "(PAdES B-B)")
    assert not out.with_name("sealed.pdf.tsr").exists()
    code, checks, _verdict = verify(out, "--trust", str(pki.root))
    assert code == 0, checks
    assert "PAdES B-B" in checks["signature"]
    assert "not proven: the signature has no timestamp" in checks["signing time"]
    assert "valid at the present time" in checks["certificate validity"]


def test_json_report_lists_the_signature_checks(signed: Path, pki: Pki) -> None:
    code, out, _err = run("bundle", "verify", str(signed), "--trust", str(pki.root), "--json")
    assert code == 0
    names = [check["name"] for check in json.loads(out)["checks"]]
    assert names[:8] == ["file hash", "signature", "signer", "trust", "certificate validity",
                         "signing time", "coverage", "after signing"]


def test_unsigned_bundle_with_trust_is_told_it_is_not_signed(bundle: Path, pki: Pki) -> None:
    code, checks, _verdict = verify(bundle, "--trust", str(pki.root))
    assert code == 1
    assert checks["signature"].startswith("FAIL  signature: the bundle is not signed")


def test_unsigned_bundle_without_trust_has_no_signature_lines(bundle: Path) -> None:
    code, checks, _verdict = verify(bundle)
    assert code == 0
    assert "signature" not in checks


def test_a_signed_bundle_can_be_supplemented(built: Path, signed: Path) -> None:
    folder = signed.parent.parent
    fx.make_text_pdf(folder / "c.pdf", "CWORD", 1)
    spec = write_spec(folder, [("a.pdf", "First"), ("b.pdf", "Second"), ("c.pdf", "Late")])
    out = folder / "out" / "supplement-1.pdf"
    code, _out, err = run("bundle", "build", str(spec), "-o", str(out), "--supplement-to",
                          str(signed), "--date", "2026-03-02")
    assert code == 0, err
    manifest = json.loads(out.with_name("supplement-1.manifest.json").read_text())
    assert manifest["supplement_to"]["sha256"] == hashlib.sha256(signed.read_bytes()).hexdigest()
    assert [doc["source"] for doc in manifest["documents"]] == ["c.pdf"]


# --------------------------------------------------------------------------- errors


def _nothing_written(bundle: Path) -> None:
    assert sorted(p.name for p in bundle.parent.iterdir()) == [
        "bundle.manifest.json", "bundle.pdf", "bundle.pdf.sha256"]


def test_wrong_passphrase_is_exit_5(bundle: Path, pki: Pki) -> None:
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")),
                          "--p12", str(pki.signer_p12), "--passphrase-file",
                          str(pki.wrong_passphrase_file))
    assert code == 5
    assert err.splitlines()[0] == (f"error: {pki.signer_p12}: the passphrase in "
                                   f"{pki.wrong_passphrase_file} is wrong")
    _nothing_written(bundle)


def test_missing_passphrase_for_an_encrypted_key_is_exit_5(bundle: Path, pki: Pki) -> None:
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")),
                          "--key", str(pki.signer_key_encrypted), "--cert", str(pki.signer_cert))
    assert code == 5
    assert err.splitlines()[0] == (f"error: {pki.signer_key_encrypted}: is protected by a "
                                   "passphrase, and none was given")
    assert "--passphrase-file" in err.splitlines()[1]


def test_encrypted_key_with_its_passphrase_signs(bundle: Path, pki: Pki) -> None:
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")),
                          "--key", str(pki.signer_key_encrypted), "--cert", str(pki.signer_cert),
                          "--passphrase-file", str(pki.passphrase_file))
    assert code == 0, err


@pytest.mark.parametrize(("key", "cert", "message"), [
    ("expired_key", "expired_cert", "the certificate of Old Seal, Wessex Borough Council expired "
     "on"),
    ("not_signing_key", "not_signing_cert", "the certificate of Mail Encryption, Wessex Borough "
     "Council cannot sign: it is not for signing documents (it is for key encipherment)"),
    ("not_signing_key", "signer_cert", "the private key does not belong to the certificate of "
     "Evidence Team, Wessex Borough Council"),
])
def test_unusable_certificates_are_exit_12(bundle: Path, pki: Pki, key: str, cert: str,
                                           message: str) -> None:
    key_path, cert_path = getattr(pki, key), getattr(pki, cert)
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")),
                          "--key", str(key_path), "--cert", str(cert_path))
    assert code == 12, err
    first = err.splitlines()[0]
    assert first.startswith(f"error: {key_path} and {cert_path}: {message}")
    _nothing_written(bundle)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_tsa_is_exit_13_naming_it_and_nothing_is_written(bundle: Path,
                                                                     pki: Pki) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/tsa"
    code, _out, err = sign(bundle, pki, "--tsa", url)
    assert code == 13
    assert err.splitlines()[0] == (f"error: {url}: the time-stamping authority could not be "
                                   "reached (connection refused); nothing was written")
    _nothing_written(bundle)


@pytest.mark.parametrize(("path", "said"), [
    ("/http-error", "answered HTTP 500 (Internal Server Error)"),
    ("/rejection", "refused the request (rejection: policy not supported)"),
    ("/not-a-tsa", "did not answer with a time-stamp response"),
])
def test_failing_tsa_is_exit_13_and_nothing_is_written(bundle: Path, pki: Pki, tsa: LocalTsa,
                                                       path: str, said: str) -> None:
    code, _out, err = sign(bundle, pki, "--tsa", tsa.at(path))
    assert code == 13
    assert err.splitlines()[0] == (f"error: {tsa.at(path)}: the time-stamping authority {said}; "
                                   "nothing was written")
    _nothing_written(bundle)


def test_a_pdf_not_made_by_the_toolkit_is_refused(tmp_path: Path, pki: Pki) -> None:
    other = fx.make_text_pdf(tmp_path / "letter.pdf", "LETTER", 1)
    code, _out, err = sign(other, pki, out=tmp_path / "signed.pdf")
    assert code == 4
    assert err.splitlines()[0] == (f"error: {other}: not a bundle made by this toolkit (it has "
                                   "no embedded manifest.json); it cannot be signed")
    assert not (tmp_path / "signed.pdf").exists()


def test_a_missing_bundle_is_exit_3(tmp_path: Path, pki: Pki) -> None:
    code, _out, err = sign(tmp_path / "nowhere.pdf", pki, out=tmp_path / "signed.pdf")
    assert code == 3
    assert err.splitlines()[0] == f"error: {tmp_path / 'nowhere.pdf'}: bundle not found"


def test_a_changed_bundle_is_refused(bundle: Path, pki: Pki) -> None:
    bundle.write_bytes(bundle.read_bytes() + b"%")
    code, _out, err = sign(bundle, pki)
    assert code == 4
    assert err.splitlines()[0].startswith(f"error: {bundle}: fails `bundler bundle verify` "
                                          "(file hash:")


def test_a_signed_bundle_is_not_signed_again(signed: Path, pki: Pki) -> None:
    code, _out, err = sign(signed, pki, out=signed.with_name("twice.pdf"))
    assert code == 4
    assert err.splitlines()[0] == f"error: {signed}: is already signed; nothing was written"


def test_an_existing_output_is_kept_without_force(bundle: Path, pki: Pki, signed: Path) -> None:
    before = signed.read_bytes()
    code, _out, err = sign(bundle, pki)
    assert code == 6
    assert err.splitlines()[0] == f"error: {signed}: already exists; nothing was changed"
    assert signed.read_bytes() == before
    code, _out, err = sign(bundle, pki, "--force")
    assert code == 0, err


def test_credentials_must_be_given_one_way(bundle: Path, pki: Pki) -> None:
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")))
    assert code == 2
    assert "give the signing certificate" in err
    code, _out, err = run("bundle", "sign", str(bundle), "-o", str(bundle.with_name("s.pdf")),
                          "--tsa", "ftp://example.org/tsa", "--p12", str(pki.signer_p12))
    assert code == 2
    assert "is not a web address" in err


def test_signing_in_a_case_folder_is_recorded_in_its_audit_log(bundle: Path, pki: Pki,
                                                              tsa: LocalTsa) -> None:
    from bundler.audit import AuditAction, record

    case = bundle.parent.parent
    record(case, AuditAction.EVIDENCE_ADDED, inputs=[case / "a.pdf"], details={})
    code, _out, err = sign(bundle, pki, "--tsa", tsa.url)
    assert code == 0, err
    entry = json.loads((case / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert entry["action"] == "bundle_signed"
    assert entry["details"]["signer"] == "Evidence Team, Wessex Borough Council"
    assert entry["details"]["pades_level"] == "B-T"
    assert entry["details"]["bundle_sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    signed_sha = hashlib.sha256(bundle.with_name("bundle-signed.pdf").read_bytes()).hexdigest()
    assert signed_sha in {output["sha256"] for output in entry["outputs"]}
    assert run("audit", "verify", str(case))[0] == 0
