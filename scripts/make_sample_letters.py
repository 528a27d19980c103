"""Write the letters the sample review sent, as the toolkit writes them, and record them as sent.

The sample case records the letters a real review would have sent by its review date:
the information request, the consent letters, the reminder, the findings and the
residents' outcome letters. This script writes each one on its own date into
``samples/nettlebank-road/letters/`` (Word and PDF, through LibreOffice), which records it
in the case's ``letters.yaml``, then records when and how it was sent, as an officer would
with ``bundler letter sent``. Run it after changing the sample's records or the letter
templates, and commit the letters and letters.yaml with them:

    .venv/bin/python scripts/make_sample_letters.py

Each letter is true on its own date (a reminder lists what was outstanding then), so the
records must already hold what happened before each date. The records are checked as of
the sample's review date (the date they are complete to), as an officer writing the
letters now, with --date, would have them checked.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundler.case.letterlog import record_sent  # noqa: E402
from bundler.case.models import LetterKind, SendMethod  # noqa: E402
from bundler.letters.generate import LetterOptions, generate_letters  # noqa: E402
from bundler.yamlio import read_yaml  # noqa: E402

CASE = ROOT / "samples" / "nettlebank-road"
OUT = CASE / "letters"
D = dt.date.fromisoformat

# (kind, the letter's date, sent on, how)
SENT = [
    (LetterKind.INFORMATION_REQUEST, D("2026-09-01"), D("2026-09-01"), SendMethod.EMAIL),
    (LetterKind.RESIDENT_CONSENT, D("2026-09-21"), D("2026-09-22"), SendMethod.HAND),
    (LetterKind.INFORMATION_REMINDER, D("2026-10-06"), D("2026-10-06"), SendMethod.EMAIL),
    (LetterKind.FINDINGS, D("2026-10-21"), D("2026-10-21"), SendMethod.EMAIL),
    (LetterKind.RESIDENT_OUTCOME, D("2026-10-21"), D("2026-10-22"), SendMethod.POST),
]


def main() -> int:
    today = D(str(read_yaml(CASE / "case.yaml").data["review"]["review_date"]))
    if OUT.exists():
        shutil.rmtree(OUT)
    (CASE / "letters.yaml").unlink(missing_ok=True)
    for kind, letter_date, sent_on, method in SENT:
        options = LetterOptions(kind=kind, case_dir=CASE, out_dir=OUT, pdf=True,
                                letter_date=letter_date, today=today, force=True)
        for written in generate_letters(options):
            recipient = written.resident or "provider"
            record_sent(CASE, kind, recipient, sent_on, method, letter_date=letter_date)
            print(f"{written.docx.relative_to(ROOT)}: sent {sent_on} by {method.value}")
    # The sample's audit log is not part of the fictional case (it is never committed).
    for path in CASE.glob("audit.jsonl*"):
        path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
