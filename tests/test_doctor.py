"""`bundler doctor`: the versions a bundle's manifest records, the programs, and each
installed package that differs from a lock, read the way an officer or CI would read them."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.bundle.build import build_bundle
from bundler.cli import cli
from tests import awkward
from tests.outlook import MsgMessage, write_msg

ROOT = Path(__file__).resolve().parent.parent


def doctor(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def frozen_lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lock of exactly what this interpreter has installed, from `pip freeze`."""
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout
    lock = tmp_path_factory.mktemp("lock") / "frozen.lock"
    lock.write_text(freeze, encoding="utf-8")
    return lock


def _row(stdout: str, name: str) -> str:
    rows = [line for line in stdout.splitlines() if line.startswith(f"  {name} ")]
    assert len(rows) == 1, f"{name} is not listed once in:\n{stdout}"
    return rows[0]


def test_doctor_lists_every_version_a_manifest_records(tmp_path: Path, frozen_lock: Path) -> None:
    """Whatever a bundle built here records under `libraries`, doctor shows with that version."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    awkward.make_docx(evidence / "plan.docx")
    awkward.make_heic(evidence / "photo.heic", (600, 400))
    write_msg(evidence / "reply.msg", MsgMessage(
        subject="Reply", sender_name="Provider", sender_email="p@provider.example.org",
        to=[("Council", "hb@council.example.gov.uk")],
        sent=dt.datetime(2026, 3, 3, 9, 15, tzinfo=dt.UTC), body="Attached."))
    spec = tmp_path / "bundle.yaml"
    spec.write_text(
        "reference: HB-DOCTOR-1\ntitle: Versions\nsections:\n  - label: A\n    title: All\n"
        "    documents:\n" + "".join(f"      - file: evidence/{name}\n        title: {name}\n"
                                   for name in ("plan.docx", "photo.heic", "reply.msg")),
        encoding="utf-8")
    result = build_bundle(spec, tmp_path / "bundle.pdf", build_date=dt.date(2026, 3, 10), ocr=True)
    recorded = json.loads(result.manifest.read_text(encoding="utf-8"))["libraries"]
    assert {"LibreOffice", "Pillow", "extract-msg", "libheif", "pillow-heif", "pypdf",
            "reportlab", "tesseract", "tesseract-eng", "zlib"} == set(recorded)

    code, stdout, _ = doctor("--lock", str(frozen_lock))

    assert code == 0
    for name, recorded_version in recorded.items():
        assert _row(stdout, name).split()[1] == recorded_version, name


def test_doctor_shows_the_programs_own_versions(frozen_lock: Path) -> None:
    """The versions LibreOffice, tesseract and file(1) (the same libmagic) say of themselves."""
    soffice = subprocess.run([shutil.which("soffice") or "soffice", "--version"],
                             capture_output=True, text=True, check=True).stdout
    tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                               check=True)
    file_version = subprocess.run(["file", "--version"], capture_output=True, text=True,
                                  check=True).stdout

    _, stdout, _ = doctor("--lock", str(frozen_lock))

    assert _row(stdout, "LibreOffice").split()[1] in soffice.split()
    assert re.match(r"tesseract v?(\S+)", tesseract.stdout + tesseract.stderr)[1] == (  # type: ignore[index]
        _row(stdout, "tesseract").split()[1])
    assert file_version.splitlines()[0] == f"file-{_row(stdout, 'libmagic').split()[1]}"


def test_doctor_passes_when_every_locked_package_is_installed(frozen_lock: Path) -> None:
    pinned = [line for line in frozen_lock.read_text(encoding="utf-8").splitlines() if "==" in line]

    code, stdout, stderr = doctor("--lock", str(frozen_lock))

    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-2:] == [
        f"Lock: {frozen_lock} ({len(pinned)} packages for this machine)",
        f"PASS  all {len(pinned)} locked packages are installed at their locked versions",
    ]


def test_doctor_names_each_package_that_differs_from_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "old.lock"
    lock.write_text(
        "# written by hand for the test\n"
        "pypdf==0.1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
        f"reportlab=={version('reportlab')} \\\n    --hash=sha256:" + "1" * 64 + "\n"
        "    # via supported-housing-bundler (pyproject.toml)\n"
        "not-a-real-package-xyz==1.0\n"
        "colorama==0.4.6 ; sys_platform == 'win32'\n",
        encoding="utf-8")

    code, stdout, _ = doctor("--lock", str(lock))

    assert code == 1
    assert stdout.splitlines()[-4:] == [
        f"Lock: {lock} (3 packages for this machine)",
        "DIFFERS  not-a-real-package-xyz: not installed; the lock says 1.0",
        f"DIFFERS  pypdf: {version('pypdf')} is installed; the lock says 0.1.0",
        "2 of 3 locked packages differ: bundles built here may not be byte-identical to bundles "
        "built with the locked versions. To install exactly those: "
        f"pip install --require-hashes -r {lock}",
    ]
    assert _row(stdout, "pypdf").split()[2:6] == ["DIFFERS:", "the", "lock", "says"]
    assert _row(stdout, "reportlab").split()[2:4] == ["as", "locked"]


def test_doctor_json_gives_the_same_differences(tmp_path: Path) -> None:
    lock = tmp_path / "old.lock"
    lock.write_text("pypdf==0.1.0\n", encoding="utf-8")

    code, stdout, _ = doctor("--lock", str(lock), "--json")

    report = json.loads(stdout)
    assert code == 1
    assert report["differences"] == [
        {"name": "pypdf", "installed": version("pypdf"), "locked": "0.1.0"}]
    assert {"name": "pypdf", "version": version("pypdf"), "locked": "0.1.0",
            "differs": True} in report["shaping"]


def test_an_unpinned_line_in_a_lock_is_refused_naming_the_line(tmp_path: Path) -> None:
    lock = tmp_path / "loose.lock"
    lock.write_text("pypdf==7.1.1\n# a comment\npillow>=10\n", encoding="utf-8")

    code, stdout, stderr = doctor("--lock", str(lock))

    assert (code, stdout) == (4, "")
    assert stderr.splitlines()[0] == f"error: {lock}:3: not a pinned requirement (name==version)"


def test_a_missing_lock_is_exit_3(tmp_path: Path) -> None:
    code, _, stderr = doctor("--lock", str(tmp_path / "nowhere.lock"))

    assert code == 3
    assert stderr.splitlines()[0] == f"error: {tmp_path / 'nowhere.lock'}: lock file not found"


def test_the_wheel_carries_the_lock_where_doctor_finds_it(tmp_path: Path) -> None:
    """An installed toolkit (not a checkout) finds the lock it was released with."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site")
        packaged = archive.read("bundler/_requirements.lock")
    assert packaged == (ROOT / "requirements.lock").read_bytes()

    found = subprocess.run(
        [sys.executable, "-c", "from bundler.doctor import find_lock; print(find_lock())"],
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site")},
        capture_output=True, text=True, check=True).stdout

    assert found == f"{tmp_path / 'site' / 'bundler' / '_requirements.lock'}\n"
