"""Reading references right in recognised text: the case's own references and the word "I".

Tesseract's LSTM engine reads the sample's scanned consent forms well (about 94% of their
words) but misreads exactly what an officer searches for: the resident reference ``R01``
becomes ``ROI`` or ``RO1`` (zero and one read as the letters O and I), and the pronoun ``I``,
a plain upright stroke in sans-serif type, becomes ``|``. Its own remedy, ``--user-patterns``
and ``--user-words``, is not applied by the LSTM engine (tesseract-ocr/tesseract#403, #960:
the user dictionary is only loaded for the legacy engine), and neither rendering at 400 dpi,
another page segmentation mode (4, 6, 11), sharpening nor thresholding changed the words found
by more than 2 in 173 or read a reference right (measured, ``benchmarks/ocr_bench.py``).

So the recognised words are corrected where the correction is certain, before the text layer
goes into the bundle:

* a reference the case uses (its residents' ``R01``..., the review's reference, the bundle's
  reference) is restored where a word holds it with digits read as their look-alike letters
  (``ROI``, ``RO1``, ``R0l``, ``WBC-SHR-2O26-O14``); any ``R`` followed by two to four digits
  (the pattern of a resident reference) likewise, when at least one digit was read as a digit;
* a ``|`` standing alone as a word is the pronoun ``I``.

Only characters are exchanged, never added or removed, so every word keeps its place and width
on the page. Tesseract's text-only page draws each word as ``[ <UTF-16BE hex> ] TJ``; only
those strings are rewritten. What the page shows is untouched (the text layer is invisible).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# What tesseract reads in place of a digit, in the fonts of forms and handwriting.
_AS_DIGIT = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "]": "1", "[": "1",
    "i": "1", "!": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6",
}
_RESIDENT = re.compile(r"(?<![A-Za-z0-9])R([0-9OoDQIl|\]\[i!ZzSsBG]{2,4})(?![A-Za-z0-9])")
_WORD = re.compile(rb"\[\s*<([0-9A-Fa-f]+)>\s*\]\s*TJ")
_PRONOUN = re.compile(r"^\|(?=$|['\u2019][a-z]+$|[.,;:!?]$)")


@dataclass(frozen=True)
class Vocabulary:
    """The references a bundle's recognised text should read right (the case's and the
    bundle's own), recorded in the manifest so a rebuild corrects the same way."""

    references: tuple[str, ...] = ()

    def correct(self, word: str) -> str:
        """``word`` with what OCR misread put right (same length, same place)."""
        fixed = _PRONOUN.sub("I", word)
        for reference in self.references:
            fixed = _restore(fixed, reference)
        return _RESIDENT.sub(_resident, fixed)


def vocabulary(references: Iterable[str]) -> Vocabulary:
    """A vocabulary of the references that can be misread (those holding a digit), longest
    first so a review reference is restored before a resident's inside it."""
    found = sorted({ref for ref in references if any(ch.isdigit() for ch in ref)},
                   key=lambda ref: (-len(ref), ref))
    return Vocabulary(tuple(found))


def _restore(word: str, reference: str) -> str:
    """Each stretch of ``word`` that reads as ``reference`` with digits misread as letters,
    standing alone (not inside a longer word), replaced by ``reference``."""
    size = len(reference)
    if len(word) < size:
        return word
    out = word
    start = 0
    while start + size <= len(out):
        piece = out[start:start + size]
        if piece != reference and _misread(piece, reference) and _alone(out, start, size):
            out = out[:start] + reference + out[start + size:]
            start += size
        else:
            start += 1
    return out


def _misread(piece: str, reference: str) -> bool:
    """Whether ``piece`` is ``reference`` with some digits read as look-alike characters
    (and nothing else different)."""
    for seen, meant in zip(piece, reference, strict=True):
        if seen == meant:
            continue
        if not (meant.isdigit() and _AS_DIGIT.get(seen) == meant):
            return False
    return True


def _alone(word: str, start: int, size: int) -> bool:
    """Whether ``word[start:start + size]`` stands alone: no letter or digit touches it, nor
    a hyphenated lower-case word ("ROI-based" is a word; "RO1-RO3" two references)."""
    before = word[start - 1] if start > 0 else ""
    after = word[start + size] if start + size < len(word) else ""
    if before.isalnum() or after.isalnum():
        return False
    joined = word[start + size + 1] if after == "-" and start + size + 1 < len(word) else ""
    return not joined.islower()


def _resident(found: re.Match[str]) -> str:
    digits = found.group(1)
    if not any(ch.isdigit() for ch in digits):  # "ROI" alone may be a word: the case's list
        return found.group(0)                      # of residents decides (see correct)
    return "R" + "".join(_AS_DIGIT.get(ch, ch) for ch in digits)


def correct_layer(content: bytes, words: Vocabulary) -> tuple[bytes, int]:
    """Tesseract's text-only page content with each word corrected; and how many changed."""
    changed = 0

    def fix(found: re.Match[bytes]) -> bytes:
        nonlocal changed
        raw = found.group(1)
        if len(raw) % 4:
            return found.group(0)
        try:
            text = bytes.fromhex(raw.decode("ascii")).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return found.group(0)
        word = text.rstrip()
        fixed = words.correct(word)
        if fixed == word or len(fixed) != len(word):
            return found.group(0)
        changed += 1
        encoded = (fixed + text[len(word):]).encode("utf-16-be").hex().encode("ascii")
        start, end = found.span(1)
        whole = found.group(0)
        offset = found.start(0)
        return whole[: start - offset] + encoded + whole[end - offset:]

    return _WORD.sub(fix, content), changed
