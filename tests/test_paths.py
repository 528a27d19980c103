"""bundler.paths.inside, called directly: the one guard every file a spec, a case or a
manifest names goes through, whatever its callers refuse before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundler.errors import BadInput
from bundler.paths import inside


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.pdf").write_bytes(b"%PDF-1.7 secret")
    spec = tmp_path / "spec"
    (spec / "sub").mkdir(parents=True)
    (spec / "sub" / "kept.pdf").write_bytes(b"%PDF-1.7 kept")
    (spec / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (spec / "near").symlink_to(spec / "sub", target_is_directory=True)
    return spec


def refusal(folder: Path, relative: str, **names: str) -> tuple[str, str | None]:
    with pytest.raises(BadInput) as raised:
        inside(folder, relative, **names)
    return raised.value.message, raised.value.hint


def test_a_path_that_climbs_out_is_refused_naming_the_dots(folder: Path) -> None:
    assert refusal(folder, "sub/../../outside/secret.pdf") == (
        "sub/../../outside/secret.pdf: leads outside the spec's folder ('..' leads out of it)",
        "Copy the file itself into the spec's folder and name the copy.")


def test_a_linked_folder_leading_out_is_refused_however_the_path_is_written(
    folder: Path,
) -> None:
    expected = ("linked is a symbolic link that leads out of it",
                "Copy the file itself into the case folder and name the copy.")
    for written in ("linked/secret.pdf", "linked\\secret.pdf", "./linked/./secret.pdf"):
        message, hint = refusal(folder, written, shown="R01's file", where="the case folder")
        assert (message, hint) == (
            f"R01's file: leads outside the case folder ({expected[0]})", expected[1])


def test_paths_that_stay_inside_are_given_back_joined_to_the_folder(folder: Path) -> None:
    assert inside(folder, "sub/kept.pdf") == folder / "sub" / "kept.pdf"
    assert inside(folder, "sub\\kept.pdf") == folder / "sub" / "kept.pdf"
    assert inside(folder, "near/kept.pdf").read_bytes() == b"%PDF-1.7 kept"
    assert inside(folder, "sub/../sub/kept.pdf") == folder / "sub" / ".." / "sub" / "kept.pdf"
    assert inside(folder, "sub/not-yet.pdf") == folder / "sub" / "not-yet.pdf"


def test_a_loop_of_links_is_refused(folder: Path) -> None:
    (folder / "loop-a").symlink_to("loop-b")
    (folder / "loop-b").symlink_to("loop-a")
    assert refusal(folder, "loop-a/x.pdf") == (
        "loop-a/x.pdf: cannot be followed inside the spec's folder (RuntimeError)",
        "Replace the symbolic links in its path with the files and folders themselves.")
