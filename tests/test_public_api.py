"""Everything the package promises in __all__ can be imported from it."""

from __future__ import annotations

import importlib

import pytest

import bundler


@pytest.mark.parametrize("name", bundler.__all__)
def test_public_name_resolves(name: str) -> None:
    assert getattr(bundler, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        bundler.no_such_thing  # noqa: B018


def test_library_never_imports_click() -> None:
    import pathlib

    package = pathlib.Path(bundler.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "cli.py" and "import click" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert importlib.import_module("bundler.cli").click is not None
