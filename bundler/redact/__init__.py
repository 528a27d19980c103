"""True redaction: what a reader must not see is removed from the file, not covered.

* ``terms``: what marks text (listed terms such as residents' names, and patterns: National
  Insurance numbers, UK telephone numbers, e-mail addresses, room numbers, dates of birth);
* ``words``: the words on each page and where they are (poppler; tesseract for pictures);
* ``strip``: removal from the page's content (glyphs, image pixels, forms);
* ``raster``: re-rendering a page as a picture with the boxes burnt in and a text layer;
* ``engine``: one document, start to finish, with its redaction log;
* ``check``: whether any term can still be extracted from a finished PDF.
"""

from bundler.redact.check import Finding, extractable
from bundler.redact.engine import Entry, Redacted, Region, Rules, mark_pdf, redact_pdf
from bundler.redact.terms import DataKind, Matcher, Pattern, Term, redact_line

__all__ = [
    "DataKind",
    "Entry",
    "Finding",
    "Matcher",
    "Pattern",
    "Redacted",
    "Region",
    "Rules",
    "Term",
    "extractable",
    "mark_pdf",
    "redact_line",
    "redact_pdf",
]
