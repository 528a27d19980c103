"""Warnings from the libraries underneath reach the user as one plain line, not Python's form."""

from __future__ import annotations

import warnings

import pytest
from click.testing import CliRunner

from bundler import cli as cli_module


def test_third_party_warning_is_one_plain_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def noisy(_case_dir: object, **_options: object) -> object:
        warnings.warn("Corrupt EXIF data.  Expecting to read 2 bytes but only got 0.", UserWarning, stacklevel=1)
        raise cli_module.BundlerError("stop here", "")

    monkeypatch.setattr("bundler.case.validate.validate_case", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        saved = warnings.showwarning
        try:
            result = CliRunner().invoke(cli_module.cli, ["validate", "anything"])
        finally:
            warnings.showwarning = saved
    assert result.stderr.splitlines()[0] == (
        "warning: Corrupt EXIF data.  Expecting to read 2 bytes but only got 0."
    )
    assert "UserWarning" not in result.stderr
