"""Word documents through LibreOffice headless: text, parallel runs, failures."""

from __future__ import annotations

import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from bundler.errors import ConversionFailed, MissingTool
from bundler.evidence import identify, render_pdf
from bundler.libreoffice import (
    SOFFICE_ENV,
    convert_several,
    convert_with_libreoffice,
    libreoffice_version,
    normalise_pdf,
)
from tests import awkward


def test_docx_converts_and_its_text_is_in_the_pdf(tmp_path: Path) -> None:
    path = awkward.make_docx(tmp_path / "plan.docx")
    rendition = render_pdf(identify(path, "evidence/plan.docx"), workdir=tmp_path / "w")
    assert rendition.converter == "libreoffice"
    assert rendition.tool_versions == {"LibreOffice": libreoffice_version()}
    text = awkward.pdf_text(rendition.pdf)
    assert "Tenancy support plan" in text
    for name in awkward.NAMES:
        assert name in text
    # LibreOffice's lock and temporary files never appear beside the evidence.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.docx", "w"]


def test_version_is_reported() -> None:
    version = libreoffice_version()
    assert version is not None
    assert version.split(".")[0].isdigit()


def test_tagged_pdf_is_produced(tmp_path: Path) -> None:
    out = convert_with_libreoffice(awkward.make_docx(tmp_path / "t.docx"), tmp_path / "o")
    root = PdfReader(out).trailer["/Root"]
    assert "/StructTreeRoot" in root
    plain = convert_with_libreoffice(tmp_path / "t.docx", tmp_path / "p", tagged=False)
    assert "/StructTreeRoot" not in PdfReader(plain).trailer["/Root"]


def test_two_conversions_are_byte_identical(tmp_path: Path) -> None:
    path = awkward.make_docx(tmp_path / "same.docx")
    first = convert_with_libreoffice(path, tmp_path / "a")
    time.sleep(1.1)  # LibreOffice stamps the second: make sure the stamps differ
    second = convert_with_libreoffice(path, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    pages_a = [p.get_contents().get_data() for p in PdfReader(first).pages]
    pages_b = [p.get_contents().get_data() for p in PdfReader(second).pages]
    assert pages_a == pages_b


def test_normalise_keeps_length_and_blanks_stamps() -> None:
    raw = (
        b"%PDF-1.4\n1 0 obj<</CreationDate(D:20261123032352Z')>>endobj\n"
        b"trailer<</ID [ <26A9B7C095CF31FB22A148B4FEB5AB1B>\n<26A9B7C095CF31FB22A148B4FEB5AB1B> ]"
        b"\n/DocChecksum /4F739A71142FF3DDFE63F53F3575656C>>"
    )
    later = raw.replace(b"20261123032352", b"20271201101010").replace(b"26A9B7", b"FFFFFF")
    assert len(normalise_pdf(raw)) == len(raw)
    assert normalise_pdf(raw) == normalise_pdf(later)
    assert b"D:19800101000000" in normalise_pdf(raw)


def test_four_parallel_conversions_all_succeed(tmp_path: Path) -> None:
    sources = [
        awkward.make_docx(tmp_path / f"doc{n}.docx", (f"Document number {n}", "Łukasz"))
        for n in range(4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(
            pool.map(lambda src: convert_with_libreoffice(src, tmp_path / "out"), sources)
        )
    assert [p.name for p in outputs] == [f"doc{n}.pdf" for n in range(4)]
    for n, out in enumerate(outputs):
        assert f"Document number {n}" in awkward.pdf_text(out)


def test_one_process_converts_several_and_names_the_one_that_fails(tmp_path: Path) -> None:
    good = [awkward.make_docx(tmp_path / f"letter{n}.docx", (f"Letter number {n}", "Zoë"))
            for n in range(3)]
    broken = awkward.make_docx(tmp_path / "broken.docx")
    broken.write_bytes(broken.read_bytes()[:3000])
    results = convert_several(
        [(good[0], "a/letter0.docx"), (broken, "a/broken.docx"), (good[1], "a/letter1.docx"),
         (good[2], "a/letter2.docx")], tmp_path / "out", timeout=60)
    assert isinstance(results[1], ConversionFailed)
    assert str(results[1]).startswith("a/broken.docx: LibreOffice could not convert it")
    converted = [results[0], results[2], results[3]]
    assert [p.name for p in converted if isinstance(p, Path)] == [
        "letter0.pdf", "letter1.pdf", "letter2.pdf"]
    for n, out in enumerate(converted):
        assert isinstance(out, Path)
        assert f"Letter number {n}" in awkward.pdf_text(out)
    # the same bytes as converting each alone
    assert converted[1] == tmp_path / "out" / "letter1.pdf"
    alone = convert_with_libreoffice(good[1], tmp_path / "alone")
    assert alone.read_bytes() == converted[1].read_bytes()


def test_other_word_formats_convert(tmp_path: Path) -> None:
    rtf = tmp_path / "plan.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Arial;}}\f0 Support plan for Zo\'eb.\par}")
    rendition = render_pdf(identify(rtf, "plan.rtf"), workdir=tmp_path / "w")
    assert "Support plan for Zoë." in awkward.pdf_text(rendition.pdf)


def test_damaged_docx_fails_with_the_file_named(tmp_path: Path) -> None:
    path = awkward.make_docx(tmp_path / "broken.docx")
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ConversionFailed) as caught:
        convert_with_libreoffice(path, tmp_path / "o", source="evidence/broken.docx", timeout=60)
    assert str(caught.value).startswith("evidence/broken.docx: ")


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text(
        '#!/bin/sh\nif [ "$1" = --version ]; then echo "LibreOffice 7.4.0.1 fake"; exit 0; fi\n'
        f"{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_missing_libreoffice_is_missing_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "no-such-soffice"))
    with pytest.raises(MissingTool, match="LibreOffice"):
        convert_with_libreoffice(awkward.make_docx(tmp_path / "a.docx"), tmp_path / "o")
    assert libreoffice_version() is None


def test_hung_conversion_is_killed_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "child.pid"
    # The fake starts a child that would outlive a plain kill of the parent.
    fake = _fake_soffice(tmp_path, f"sleep 60 & echo $! > {pid_file}\nwait")
    monkeypatch.setenv(SOFFICE_ENV, str(fake))
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match=r"^a\.docx: LibreOffice took longer than 1"):
        convert_with_libreoffice(awkward.make_docx(tmp_path / "a.docx"), tmp_path / "o", timeout=1)
    assert time.monotonic() - started < 15
    child = int(pid_file.read_text())
    time.sleep(0.2)
    assert not _running(child)


def _running(pid: int) -> bool:
    """True if ``pid`` is alive (a killed child left as a zombie by the container's
    init, which may not reap orphans, counts as dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" not in state and "dead" not in state


def test_no_output_is_conversion_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, str(_fake_soffice(tmp_path, "exit 0")))
    with pytest.raises(ConversionFailed, match=r"^x/a\.docx: LibreOffice could not convert"):
        convert_with_libreoffice(
            awkward.make_docx(tmp_path / "a.docx"), tmp_path / "o", source="x/a.docx"
        )


def test_output_that_is_not_pdf_is_conversion_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = ('for last; do :; done\nname="$(basename "$last")"\n'
            'out="$(dirname "$last")/../out/${name%.*}.pdf"\necho oops > "$out"')
    monkeypatch.setenv(SOFFICE_ENV, str(_fake_soffice(tmp_path, body)))
    with pytest.raises(ConversionFailed, match="not a PDF"):
        convert_with_libreoffice(awkward.make_docx(tmp_path / "a.docx"), tmp_path / "o")


def test_old_binary_doc_is_identified_and_converted(tmp_path: Path) -> None:
    path = awkward.make_doc(tmp_path / "letter.doc")
    evidence = identify(path, "evidence/letter.doc")
    assert evidence.media_type == "application/msword"
    text = awkward.pdf_text(render_pdf(evidence, workdir=tmp_path / "w").pdf)
    assert "Old format letter" in text
    assert "Ελένη" in text


def test_pictures_linked_from_the_web_are_not_fetched(tmp_path: Path) -> None:
    import http.server
    import threading

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(f"GET {self.path}")
            self.send_response(404)
            self.end_headers()

        def do_OPTIONS(self) -> None:
            requests.append(f"OPTIONS {self.path}")
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/pixel.png"
        path = awkward.make_docx_with_web_picture(tmp_path / "bugged.docx", url)
        out = convert_with_libreoffice(path, tmp_path / "o")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert requests == []
    assert "Linked picture below" in awkward.pdf_text(out)


def test_missing_source_is_input_not_found(tmp_path: Path) -> None:
    from bundler.errors import InputNotFound

    with pytest.raises(InputNotFound, match=r"^letters/gone\.docx: file not found$"):
        convert_with_libreoffice(tmp_path / "gone.docx", tmp_path / "o", source="letters/gone.docx")
