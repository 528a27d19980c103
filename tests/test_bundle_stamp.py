"""Stamp geometry and the ASCII85 fast path (pure functions)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bundler.bundle.assemble import ascii85_decode
from bundler.bundle.stamp import BAND, apply, content_matrix, page_geometry, stamp_text


@given(st.binary(max_size=2000))
def test_ascii85_decode_round_trips(data: bytes) -> None:
    encoded = base64.a85encode(data, adobe=True, wrapcol=75)
    assert ascii85_decode(encoded) == data
    assert ascii85_decode(base64.a85encode(data)) == data  # without <~ ~> and with z groups


def test_ascii85_rejects_what_is_not_ascii85() -> None:
    with pytest.raises(ValueError):
        ascii85_decode(b"<~abc\x7f~>")


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_content_shrinks_into_the_area_above_the_band(rotate: int) -> None:
    geometry = page_geometry((0, 0, 600, 800), (50, 40, 550, 780), rotate)
    to_display = _inverse(geometry.display_to_user)
    matrix = content_matrix(geometry)
    x0, y0, x1, y1 = geometry.box
    for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        u, v = apply(to_display, *apply(matrix, *corner))
        assert -1e-6 <= u <= geometry.width + 1e-6
        assert BAND - 1e-6 <= v <= geometry.height + 1e-6


def test_display_size_swaps_for_quarter_turns() -> None:
    assert (page_geometry((0, 0, 600, 800), None, 90).width,
            page_geometry((0, 0, 600, 800), None, 90).height) == (800, 600)
    assert page_geometry((0, 0, 600, 800), None, 180).width == 600


def test_stamp_text_format() -> None:
    assert stamp_text("A3", "HB-1", "A1", "ab" * 32) == "A3  HB-1  doc A1  sha256:abababababab"


def _inverse(m: tuple[float, float, float, float, float, float]) -> tuple[float, ...]:
    from bundler.bundle.stamp import invert

    return invert(m)
