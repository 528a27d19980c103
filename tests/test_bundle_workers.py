"""`bundle build --workers N`: documents are prepared by N processes, and the bundle, its
manifest, the warnings and the errors are the same whatever N is."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pytest
from PIL import Image
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from bundler.bundle.build import build_bundle
from bundler.bundle.prepare import in_workers, worker_count
from bundler.errors import BadInput
from tests import awkward

DATE = dt.date(2026, 3, 1)


def _letterhead_pdf(path: Path, pages: int, ascii85: bool, seed: int) -> None:
    """Pages sharing one picture and one font, as reportlab writes letters."""
    picture = io.BytesIO()
    Image.new("RGB", (120, 40), (seed * 20 % 256, 90, 160)).save(picture, "PNG")
    head = ImageReader(io.BytesIO(picture.getvalue()))
    saved = rl_config.useA85
    rl_config.useA85 = 1 if ascii85 else 0
    try:
        c = canvas.Canvas(str(path), pagesize=A4, invariant=True)
        for number in range(1, pages + 1):
            c.drawImage(head, 56, 770, width=120, height=40)
            c.setFont("Helvetica", 11)
            c.drawString(56, 700, f"Letter {seed} page {number} WORD{seed}X{number}")
            c.showPage()
        c.save()
    finally:
        rl_config.useA85 = saved


def _case(folder: Path, broken: bool = False) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    entries: list[tuple[str, str]] = []
    for seed in range(14):
        name = f"letter{seed:02d}.pdf"
        _letterhead_pdf(evidence / name, 1 + seed % 4, seed % 2 == 0, seed)
        entries.append((name, ""))
    awkward.make_owner_locked_pdf(evidence / "locked.pdf")  # a warning
    awkward.make_encrypted_pdf(evidence / "secret.pdf", user_password="s3cret")
    entries += [("locked.pdf", ""), ("secret.pdf", "        password: s3cret\n")]
    awkward.make_jpeg(evidence / "photo.jpg", orientation=6)
    awkward.make_screenshot(evidence / "screen.png", "PNG")
    awkward.make_utf8_text(evidence / "notes.txt")
    entries += [("photo.jpg", ""), ("screen.png", ""), ("notes.txt", "")]
    if broken:
        awkward.make_pdf_missing_content(evidence / "broken.pdf")
        entries.insert(9, ("broken.pdf", ""))
    lines = ["reference: WORKERS-1", "title: Workers", "sections:", "  - label: A",
             "    title: Everything", "    documents:"]
    for name, extra in entries:
        lines.append(f"      - file: evidence/{name}\n        title: Document {name}\n{extra}")
    spec = folder / "bundle.yaml"
    spec.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
    return spec


def _build(spec: Path, out: Path, workers: int | None,
           caplog: pytest.LogCaptureFixture) -> tuple[bytes, bytes, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bundler"):
        result = build_bundle(spec, out, build_date=DATE, workers=workers)
    warnings = [record.getMessage() for record in caplog.records]
    return result.pdf.read_bytes(), result.manifest.read_bytes(), warnings


def test_one_and_two_workers_make_the_same_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.bundle import build

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    pools: list[int] = []

    def counted(prepare, jobs, workers):  # type: ignore[no-untyped-def]
        pools.append(workers)
        return in_workers(prepare, jobs, workers)

    monkeypatch.setattr(build, "in_workers", counted)
    spec = _case(tmp_path / "case")
    one = _build(spec, tmp_path / "one" / "bundle.pdf", 1, caplog)
    two = _build(spec, tmp_path / "two" / "bundle.pdf", 2, caplog)
    assert pools == [2]  # the second build's documents were prepared by two processes
    default = _build(spec, tmp_path / "default" / "bundle.pdf", None, caplog)
    assert one[0] == two[0] == default[0]
    assert one[1] == two[1] == default[1]
    assert one[2] == two[2] == default[2]
    assert any("locked.pdf" in warning and "owner password" in warning for warning in one[2])
    text = awkward.pdf_text(tmp_path / "two" / "bundle.pdf")
    for seed in range(14):
        assert f"WORD{seed}X1" in text


def test_a_broken_document_fails_the_same_way_with_workers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = _case(tmp_path / "case", broken=True)
    messages = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}" / "bundle.pdf"
        with pytest.raises(BadInput) as caught:
            build_bundle(spec, out, build_date=DATE, workers=workers)
        messages.append((str(caught.value), caught.value.hint, caught.value.exit_code))
        assert not out.parent.exists() or not any(out.parent.iterdir())
    assert messages[0] == messages[1]
    assert messages[0][0].startswith("evidence/broken.pdf: ")


def test_worker_count() -> None:
    assert worker_count(None, 500) == 1  # one process unless asked
    assert worker_count(1, 500) == 1
    assert worker_count(2, 500) in (1, 2)  # 1 where no process can be forked
    assert worker_count(3, 2) in (1, 2)  # never more than documents


def test_workers_from_the_command_line(tmp_path: Path) -> None:
    """`--workers 2` on the command line: the same bundle as `--workers 1`."""
    from click.testing import CliRunner

    from bundler.cli import cli

    spec = _case(tmp_path / "case")
    built = []
    for workers in ("1", "2"):
        out = tmp_path / workers / "bundle.pdf"
        result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(out),
                                          "--date", "2026-03-01", "--workers", workers])
        assert result.exit_code == 0, result.output
        built.append(out.read_bytes())
    assert built[0] == built[1]
