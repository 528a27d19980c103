"""libyaml's fast reading of plain YAML gives exactly what ruamel's reference reading gives.

bundler/yamlfast.py reads the plain files (nearly all of them) from libyaml's events and
hands everything else to ruamel. Its contract: whenever it answers, the data and every line
are what ruamel would have given; whenever ruamel would refuse the file, it does not answer.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundler import yamlio
from bundler.yamlfast import read_plain
from bundler.yamlio import YamlSyntaxError, parse_yaml_text

ROOT = Path(__file__).resolve().parents[1]


def _fast(text: str) -> Any:
    return read_plain(text, max_depth=yamlio.MAX_DEPTH, max_values=yamlio.MAX_VALUES)


def _reference(text: str) -> Any:
    """ruamel's reading: (data, lines), or the error it gives."""
    try:
        document = yamlio._parse_with_ruamel(text, Path("x.yaml"))
    except YamlSyntaxError as exc:
        return ("refused", exc.problem)
    return document.data, document.lines


def _agrees(text: str) -> bool:
    """True when the fast reader answered (and then it must agree with ruamel)."""
    fast = _fast(text)
    if fast is None:
        return False
    assert fast == _reference(text), text
    return True


def _repository_yaml() -> list[Path]:
    found = []
    for folder in ("samples", "tests", "letter_templates", "bundler"):
        found += [p for p in (ROOT / folder).rglob("*.y*ml") if "out" not in p.parts]
    return sorted(found)


def test_every_yaml_file_in_the_repository_reads_the_same_and_fast() -> None:
    files = _repository_yaml()
    assert len(files) >= 8
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        assert _agrees(text), f"{path} was not read by the fast reader"


def test_the_sample_case_reads_the_same_through_the_public_reader() -> None:
    path = ROOT / "samples" / "nettlebank-road" / "case.yaml"
    document = yamlio.read_yaml(path)
    reference = yamlio._parse_with_ruamel(path.read_text(encoding="utf-8"), path)
    assert document.data == reference.data
    assert document.lines == reference.lines
    assert document.line_of(("provider", "name")) == reference.line_of(("provider", "name"))


TRICKY_SCALARS = [
    "1", "010", "0o17", "0x1F", "0b101", "1_000", "-3", "+4", "-0", "00", ".inf", "-.Inf",
    ".nan", "1e3", "1.5", "1.", "0.1_0", "yes", "no", "on", "off", "y", "true", "True",
    "TRUE", "false", "~", "null", "Null", "", "2026-01-01", "2026-02-30", "2026-1-1",
    "2026-01-01 10:00", "2026-01-01T10:00:00Z", "12:30", "1:20", "=", "<<", "R01", "a b",
    "Smith & Sons", "50%", "x: y", "- z", "#tag", "a #b", "'q'", '"q"', "é", "日本",
]


@pytest.mark.parametrize("value", TRICKY_SCALARS)
def test_tricky_scalars_mean_the_same(value: str) -> None:
    for text in (
        f"key: {value}\n",
        f"key: '{value.replace(chr(39), chr(39) * 2)}'\n",
        f"- {value}\n- other\n",
        f"{value}: 1\n",
        f"top:\n  - {value}\n  - [{value}]\n",
    ):
        fast = _fast(text)
        if fast is not None:
            assert fast == _reference(text), text


def test_what_only_ruamel_may_judge_is_left_to_it() -> None:
    for text in (
        "a: &x 1\nb: *x\n",  # anchors and aliases (the alias-bomb limits live in ruamel)
        "a: !!python/name:os.system x\n",  # tags are refused there, on their line
        "%YAML 1.1\n---\na: yes\n",  # another YAML version
        "a: 1\na: 2\n",  # a duplicate key: ruamel names it
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1\n",  # broken: ruamel's message
        "a:\tb\n\tc: d\n",
        "? [a, b]\n: c\n",  # a key that is a list
        "1: a\n",  # a key that is a number
        "<<: {a: 1}\n",  # a merge key
        "a: b\u2028c: d\n",  # a line break libyaml counts and YAML 1.2 does not
        "",
        "[" * 200 + "]" * 200,  # nesting: ruamel's limit and message
    ):
        assert _fast(text) is None, text


def test_errors_are_ruamels_words_on_ruamels_lines() -> None:
    text = "reference: A\ntitle: one\ntitle: two\n"
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml_text(text, Path("spec.yaml"))
    assert raised.value.problem.line == 3
    assert "title: this key appears twice" in raised.value.problem.message


_SAFE_TEXT = st.text(
    alphabet=string.ascii_letters + string.digits + " -_.:/'\"#&*!%@,?|>[]{}\t\r",
    max_size=12,
)
_CLEAN_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .-/", min_size=1, max_size=12)
_SCALARS = st.one_of(st.sampled_from(TRICKY_SCALARS), _SAFE_TEXT, _CLEAN_TEXT, _CLEAN_TEXT)
_KEYS = st.one_of(
    st.sampled_from(["title", "file", "date", "R01", "a b", "yes", "1", "~"]),
    _SAFE_TEXT,
    _CLEAN_TEXT.map(str.strip).filter(bool),
)


def _block(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines += _block(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {_inline(item)}".rstrip())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                nested = _block(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
            else:
                lines.append(f"{pad}- {_inline(item)}".rstrip())
    else:
        lines.append(pad + _inline(value))
    return lines


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return str(value)


_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_KEYS, children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=st.dictionaries(_KEYS, _TREES, min_size=1, max_size=5),
    comment=st.booleans(),
    crlf=st.booleans(),
)
def test_generated_files_read_the_same(tree: dict[str, Any], comment: bool, crlf: bool) -> None:
    lines = _block(tree, 0)
    if comment:
        lines = ["# written by hand", *lines[:1], "", "  # a note", *lines[1:]]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    _agrees(text)


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=10_000),
    junk=st.text(alphabet=" -:#'\"&*!%?|>[]{}\t\r\n\\@`,\x00\x85", min_size=1, max_size=3),
)
def test_damaged_files_read_the_same_or_go_to_ruamel(position: int, junk: str) -> None:
    text = (ROOT / "samples" / "nettlebank-road" / "case.yaml").read_text(encoding="utf-8")
    at = position % len(text)
    _agrees(text[:at] + junk + text[at:])


def test_a_file_too_large_for_ruamel_is_not_read_here() -> None:
    many = "".join(f"k{i}: v\n" for i in range(yamlio.MAX_VALUES // 2))
    assert _fast(many) is None
