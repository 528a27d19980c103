"""Records that hold what a review finds (issue 8): findings shown as notes and never
blocking, consent with its scope, several schemes, disputes, referrals, Housing Benefit,
letters true on their own date. Read back as an officer reads them: validate's lines,
the checklist, the letters' text, the bundle's pages."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bundler.case.consent import Audience, may_disclose
from bundler.case.models import CONSENT_STATEMENT_TEXT, ConsentStatement, DataKind, Resident
from bundler.case.validate import load_valid_case
from bundler.cli import cli
from bundler.errors import UsageError

from .conftest import SAMPLE
from .letters_helpers import all_text, open_docx, table_rows

AS_OF = "2026-11-20"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) and return the 1-based line where it starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def notes(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": note: " in line]


def checklist(case: Path, as_of: str = AS_OF) -> list[dict[str, object]]:
    result = run("checklist", str(case), "--as-of", as_of, "--json")
    assert result.exit_code == 0, result.output
    items: list[dict[str, object]] = json.loads(result.stdout)["outstanding"]
    return items


# --------------------------------------------------------------------------- findings vs errors


def test_an_expired_licence_is_a_finding_that_blocks_nothing(sample_case: Path, tmp_path: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    line = edit(resident, "    start_date: 2025-11-03\n",
                "    start_date: 2025-11-03\n    end_date: 2026-10-31\n") + 1

    result = run("validate", str(sample_case))
    assert result.exit_code == 0, result.output
    expected = (f"{resident}:{line}: note: evidence.occupancy_agreement.end_date: R01: the licence "
                "expired on 2026-10-31; no current agreement is on file (para 98)")
    assert expected in result.stdout.splitlines()

    items = checklist(sample_case)
    assert any(i["subject"] == "R01" and "licence expired on 2026-10-31" in str(i["item"])
               and str(i["action"]).startswith("Ask the provider for the resident's current licence")
               for i in items)

    letters = tmp_path / "letters"
    assert run("letter", "findings", str(sample_case), "-o", str(letters)).exit_code == 0
    built = run("bundle", "build", str(sample_case), "-o", str(tmp_path / "b.pdf"),
                "--date", AS_OF)
    assert built.exit_code == 0, built.output
    manifest = json.loads((tmp_path / "b.manifest.json").read_text(encoding="utf-8"))
    assert "evidence/residents/R01/licence.pdf" in [d["source"] for d in manifest["documents"]]


def test_an_impossible_record_is_still_an_error(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    edit(resident, "    start_date: 2025-11-03\n", "    start_date: 2025-11-03\n    end_date: 2025-10-01\n")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any(line.endswith("evidence.occupancy_agreement.end_date: the end date is before the start date")
               for line in result.stdout.splitlines())


def test_validate_json_lists_notes_apart_from_problems(sample_case: Path) -> None:
    result = run("validate", str(sample_case), "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["problems"] == []
    assert report["notes"] and all({"file", "line", "field", "message"} <= set(n) for n in report["notes"])


# --------------------------------------------------------------------------- consent scope


def _resident(consent: str, extra: str = "") -> Resident:
    text = "reference: R09\nscheme: nettlebank-house\nconsent:\n" + consent + extra
    from bundler.yamlio import parse_yaml_text

    data = parse_yaml_text(text, Path("R09.yaml")).data
    return Resident.model_validate_json(json.dumps(data), strict=True)


WRITTEN = """  method: written
  date: 2026-09-29
  form_file: evidence/x.pdf
  statements: {interview: true, records: true, share_with_provider: false, use_in_proceedings: true}
"""


@pytest.mark.parametrize(
    ("kind", "audience", "on", "allowed"),
    [
        (DataKind.RECORDS, "internal", "2026-09-01", True),
        (DataKind.RECORDS, "tribunal", "2026-09-28", False),  # before consent was given
        (DataKind.RECORDS, "tribunal", "2026-09-29", True),
        (DataKind.IDENTITY, "tribunal", "2026-10-01", True),
        (DataKind.VIEWS, "provider", "2026-10-01", False),  # share_with_provider: false
        (DataKind.INTERVIEW, "provider", "2026-10-01", False),  # interview notes never
        (DataKind.RECORDS, "appeal:SC999", "2026-10-01", True),  # another's appeal: records
        (DataKind.IDENTITY, "appeal:SC999", "2026-10-01", False),  # ...but never the name
        (DataKind.IDENTITY, "appeal:R09", "2026-10-01", True),  # their own appeal
    ],
)
def test_consent_scope_decides_each_kind_and_audience(
    kind: DataKind, audience: str, on: str, allowed: bool
) -> None:
    resident = _resident(WRITTEN)
    decision = may_disclose(resident, kind, audience, dt.date.fromisoformat(on))
    assert decision.allowed is allowed, decision.reason
    assert decision.reason.startswith("R09")


def test_withdrawal_and_recorded_legal_basis() -> None:
    resident = _resident(
        WRITTEN + "  withdrawn: {date: 2026-10-20, statements: [use_in_proceedings]}\n",
        "disclosures:\n  - audience: tribunal\n    kinds: [records]\n"
        "    basis: UK GDPR Art. 9(2)(f) (legal claims)\n    decided_by: Data Protection Officer\n"
        "    decided_on: 2026-11-02\n",
    )
    before = may_disclose(resident, DataKind.RECORDS, "tribunal", dt.date(2026, 10, 19))
    assert before.allowed and before.basis is None
    after = may_disclose(resident, DataKind.RECORDS, "tribunal", dt.date(2026, 10, 25))
    assert not after.allowed
    assert after.reason == "R09 withdrew consent to use_in_proceedings on 2026-10-20"
    based = may_disclose(resident, DataKind.RECORDS, "tribunal", dt.date(2026, 11, 2))
    assert based.allowed and based.basis is not None
    assert "Art. 9(2)(f)" in based.reason and "Data Protection Officer" in based.reason
    # The basis covers records only.
    assert not may_disclose(resident, DataKind.INTERVIEW, "tribunal", dt.date(2026, 11, 2))


def test_declined_consent_allows_nothing_outside_the_team() -> None:
    resident = _resident("  method: declined\n  date: 2026-09-30\n")
    for audience in ("tribunal", "provider", "appeal:R09"):
        decision = may_disclose(resident, DataKind.RECORDS, audience, dt.date(2026, 11, 20))
        assert not decision.allowed and decision.reason == "R09 declined consent"
    assert may_disclose(resident, DataKind.RECORDS, "internal", dt.date(2026, 11, 20))


def test_unknown_audience_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'judge' is not an audience"):
        Audience.parse("judge")
    assert str(Audience.parse("appeal:SC123/45")) == "appeal:SC123/45"


@pytest.mark.parametrize(
    ("consent", "field", "message"),
    [
        ("  method: declined\n  statements: {interview: true, records: false, share_with_provider: false, use_in_proceedings: false}\n",
         "consent.statements", "consent was declined, yet statements are agreed"),
        ("  method: verbal\n  date: 2026-09-29\n  statements: {interview: true, records: true, share_with_provider: false, use_in_proceedings: false}\n",
         "consent.reason_not_written", "say why written consent was not possible"),
        ("  method: written\n  date: 2026-09-29\n  form_file: evidence/residents/R01/consent-form.pdf\n",
         "consent.statements", "record the answer to each statement"),
        (WRITTEN.replace("evidence/x.pdf", "evidence/residents/R01/consent-form.pdf")
         + "  withdrawn: {date: 2026-10-01, statements: [share_with_provider]}\n",
         "consent.withdrawn.statements[1]", "share_with_provider was not agreed, so it cannot be withdrawn"),
    ],
)
def test_contradictory_consent_is_an_error(sample_case: Path, consent: str, field: str, message: str) -> None:
    path = sample_case / "residents" / "R01.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("consent:\n") + len("consent:\n")
    end = text.index("interview:\n")
    path.write_text(text[:start] + consent + text[end:], encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any(f": {field}: " in line and message in line for line in result.stdout.splitlines()), result.stdout


def test_a_declined_resident_is_never_chased(sample_case: Path) -> None:
    path = sample_case / "residents" / "R02.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("consent:\n")
    end = text.index("evidence:\n")
    path.write_text(text[:start] + "consent:\n  method: declined\n  date: 2026-09-30\n" + text[end:],
                    encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == 0, result.output
    assert any("R02.yaml" in line and "consent declined on 2026-09-30" in line for line in notes(result))
    items = [i for i in checklist(sample_case) if i["subject"] == "R02"]
    assert [i["item"] for i in items] == ["consent declined on 2026-09-30"]
    assert not any(str(i["action"]).startswith("Ask the provider") for i in items)


# --------------------------------------------------------------------------- the consent form


def test_consent_form_prints_exactly_the_statements(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "resident-consent", str(sample_case), "-o", str(out),
                 "--resident", "R01", "--date", "2026-09-21")
    assert result.exit_code == 0, result.output
    rows = table_rows(open_docx(out / "resident-consent-R01.docx"))
    statements = [row[0] for row in rows if row[1:] == ["\u2610", "\u2610"]]
    assert statements == [CONSENT_STATEMENT_TEXT[s] for s in ConsentStatement]
    assert rows[0] == ["", "Yes", "No"]


def test_a_consent_form_dated_after_the_signed_consent_is_refused(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "resident-consent", str(sample_case), "-o", str(out),
                 "--resident", "R01", "--date", "2026-11-20")
    assert result.exit_code == 10
    assert ("R01 signed the consent form on 2026-09-29, before this letter's date 2026-11-20; "
            "a consent form dated later would ask for consent already given") in result.stderr
    assert not out.exists() or not any(out.iterdir())
    # For everyone: written for those who have not signed, a warning naming the others.
    result = run("letter", "resident-consent", str(sample_case), "-o", str(out), "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["resident-consent-R03.docx"]  # verbal consent
    assert "warning: consent form not written: R01 signed the consent form on 2026-09-29" in result.stderr
    assert "warning: consent form not written: R04 declined consent on 2026-10-01" in result.stderr


# --------------------------------------------------------------------------- a reminder on its date


@pytest.mark.parametrize(("date", "listed"), [("2026-10-06", True), ("2026-10-25", False)])
def test_reminder_lists_what_was_outstanding_on_its_own_date(
    sample_case: Path, tmp_path: Path, date: str, listed: bool
) -> None:
    case_file = sample_case / "case.yaml"
    text = case_file.read_text(encoding="utf-8")
    start = text.index("    - item: h_occupancy_agreement")
    block = text[start: text.index("    - item:", start + 10)]
    case_file.write_text(text.replace(block, block.replace("received_date: 2026-09-15",
                                                           "received_date: 2026-10-20")), encoding="utf-8")
    out = tmp_path / "letters"
    result = run("letter", "information-reminder", str(sample_case), "-o", str(out), "--date", date)
    assert result.exit_code == 0, result.output
    text = all_text(open_docx(out / "information-reminder.docx"))
    assert ("Your model occupancy agreement (licence or tenancy)" in text) is listed
    assert "Thank you for the information you have sent so far." in text  # some had arrived


def test_a_reminder_before_anything_arrived_thanks_for_nothing(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "information-reminder", str(sample_case), "-o", str(out), "--date", "2026-09-14")
    assert result.exit_code == 0, result.output
    text = all_text(open_docx(out / "information-reminder.docx"))
    assert "Thank you for the information" not in text
    loaded = load_valid_case(sample_case)
    request = loaded.case.information_request
    assert request is not None
    for entry in request.items:
        if entry.requested:  # every requested item was outstanding on 14 September
            assert entry.item.plain_words[1:] in text, entry.item


# --------------------------------------------------------------------------- upgrade


def test_case_upgrade_rewrites_the_first_sample_keeping_comments(tmp_path: Path) -> None:
    old = Path(__file__).parent / "examples" / "v1-sample"
    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl", "*.yaml"))
    shutil.copy(old / "case.yaml", case / "case.yaml")
    (case / "residents").mkdir(exist_ok=True)
    for path in (old / "residents").glob("*.yaml"):
        shutil.copy(path, case / "residents" / path.name)

    before = run("validate", str(case))
    assert before.exit_code == 1
    said = (f"this file is in the toolkit's older form of the records; run `bundler case "
            f"upgrade {case}` to rewrite the case folder in the current form (comments are kept)")

    def first(path: Path, key: str) -> str:
        lines = path.read_text(encoding="utf-8").splitlines()
        return f"{path}:{lines.index(f'{key}:') + 1}: {key}: {said}"

    problems = [line for line in before.stdout.splitlines() if ": note: " not in line]
    assert problems == [first(case / "case.yaml", "findings")] + [
        first(case / "residents" / f"R0{n}.yaml", "consent") for n in (1, 2, 3)]

    result = run("case", "upgrade", str(case))
    assert result.exit_code == 0, result.output
    assert f"Rewrote {case / 'case.yaml'}" in result.stdout
    r01 = (case / "residents" / "R01.yaml").read_text(encoding="utf-8")
    assert "# Fictional resident: complete evidence." in r01
    assert "name: Łukasz Brennan\n" in r01 and "# for letters only; never in file names or bundles" in r01
    assert "check the signed form" in r01
    loaded = load_valid_case(case)
    for resident in loaded.residents.values():
        agreed = resident.consent.agreed_on(dt.date(2026, 11, 20))
        # The old yes/no said nothing about sharing: the upgrade never widens consent.
        assert ConsentStatement.SHARE_WITH_PROVIDER not in agreed
        assert ConsentStatement.USE_IN_PROCEEDINGS not in agreed
    assert loaded.residents["R03"].consent.method.value == "verbal"
    findings = loaded.case.findings
    assert findings is not None
    assert [(a.id, a.question.value) for a in findings.answers] == [
        ("F1", "support_tailored"), ("F2", "depiction_accurate"), ("F3", "dignity_and_independence")]
    case_text = (case / "case.yaml").read_text(encoding="utf-8")
    assert case_text.startswith("# yaml-language-server: $schema=../../schemas/case.schema.json\n")
    assert "&id" not in case_text + r01

    again = run("case", "upgrade", str(case))
    assert again.exit_code == 0
    assert "already in the current form; nothing changed" in again.stdout


# --------------------------------------------------------------------------- several schemes


def test_items_are_attributed_to_their_scheme(sample_case: Path) -> None:
    items = checklist(sample_case)
    hazards = [(i["subject"], i["schemes"]) for i in items if i["category"] == "hazard"]
    assert hazards == [("Orchard Court", ["orchard-court"])]  # Nettlebank's was inspected
    recs = {i["subject"]: i["schemes"] for i in items if i["category"] in ("recommendation", "dispute")}
    assert recs == {"REC-4": ["orchard-court"], "REC-2": ["nettlebank-house"]}
    residents = {i["subject"]: i["schemes"] for i in items if str(i["subject"]).startswith("R0")}
    assert residents["R04"] == ["orchard-court"] and residents["R02"] == ["nettlebank-house"]
    # The revisit names both schemes.
    revisit = [i for i in checklist(sample_case, "2027-01-05") if i["category"] == "revisit"]
    assert revisit[0]["subject"] == "Nettlebank House, Orchard Court"
    assert revisit[0]["schemes"] == ["nettlebank-house", "orchard-court"]
    # A scheme whose findings lack an answer is noted, naming the scheme.
    path = sample_case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    - id: F5\n")
    path.write_text(text[:start] + text[text.index("  provider_inexperienced:", start):], encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == 0, result.output
    assert any(line.endswith("note: findings.answers: the findings do not yet answer "
                             "dignity_and_independence for orchard-court (para 110)") for line in notes(result))
    # ...and a findings letter cannot yet be written.
    refused = run("letter", "findings", str(sample_case), "-o", str(sample_case / "out"))
    assert refused.exit_code == 10
    assert "the findings do not answer dignity_and_independence for Orchard Court" in refused.stderr


def test_an_inspected_hazard_clears(sample_case: Path) -> None:
    assert not any(i["category"] == "hazard" and i["schemes"] == ["nettlebank-house"]
                   for i in checklist(sample_case))
    # Before the inspection date it was still waiting.
    early = [i for i in checklist(sample_case, "2026-10-13") if i["category"] == "hazard"]
    assert {tuple(i["schemes"]) for i in early} == {("nettlebank-house",), ("orchard-court",)}  # type: ignore[arg-type]
    path = sample_case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("        inspection:\n")
    end = text.index("    photos:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert any(i["category"] == "hazard" and i["schemes"] == ["nettlebank-house"]
               for i in checklist(sample_case))


def test_a_finding_answered_twice_for_one_scheme_is_an_error(sample_case: Path) -> None:
    path = sample_case / "case.yaml"
    edit(path, "    - id: F2\n      question: depiction_accurate", "    - id: F2\n      question: support_tailored")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any(re.search(r"findings\.answers\[2\]\.schemes: support_tailored is answered twice for "
                         r"nettlebank-house \(also answer 1\)", line) for line in result.stdout.splitlines())


# --------------------------------------------------------------------------- disputes and referrals


def test_a_disputed_recommendation(sample_case: Path) -> None:
    items = [i for i in checklist(sample_case) if i["subject"] == "REC-2"]
    assert [(i["category"], i["urgency"], i["days_waiting"], i["paragraph"]) for i in items] == [
        ("dispute", "waiting", 11, "para 144")]
    table = run("checklist", str(sample_case), "--as-of", AS_OF).stdout
    assert "WAITING 11d" in table
    path = sample_case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    # A decided dispute while the status still says disputed is a contradiction.
    decided = text.replace("      files: [evidence/provider/rec-2-response.pdf]\n",
                           "      files: [evidence/provider/rec-2-response.pdf]\n      outcome: upheld\n"
                           "      outcome_date: 2026-11-16\n", 1)
    path.write_text(decided, encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any("recommendations[2].status: the dispute ended (upheld), so status cannot still be disputed"
               in line for line in result.stdout.splitlines()), result.stdout
    # ...and a disputed status with no dispute recorded is incomplete.
    start = text.index("    dispute:  # para 144\n")
    path.write_text(text[:start] + text[text.index("  - id: REC-3", start):], encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any("recommendations[2].dispute: status is disputed: record the dispute" in line
               for line in result.stdout.splitlines())


def test_open_referrals_show_days_waiting(sample_case: Path) -> None:
    items = {i["subject"]: i for i in checklist(sample_case) if i["category"] == "referral"}
    assert sorted(items) == ["RF-2", "RF-3"]  # RF-1 and RF-4 have their outcome
    rf3 = items["RF-3"]
    assert (rf3["urgency"], rf3["days_waiting"], rf3["days_overdue"]) == ("overdue", 36, 8)
    assert "Wrexley Fire and Rescue Service" in str(rf3["item"]) and "WFRS-FS-26-0917" in str(rf3["item"])
    rf2 = items["RF-2"]
    assert (rf2["urgency"], rf2["days_waiting"], rf2["days_overdue"]) == ("waiting", 49, None)
    assert str(rf2["item"]).endswith("no outcome yet; replied 2026-10-05")
    path = sample_case / "case.yaml"
    edit(path, "    agency_name: Wrexley Fire and Rescue Service\n", "")
    edit(path, "    agency: fire_and_rescue\n", "    agency: other\n")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any("referrals[3].agency_name: agency is other: give the agency's name" in line
               for line in result.stdout.splitlines())


def test_housing_benefit_appeal_records(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    r01 = loaded.residents["R01"]
    appeal = "appeal:SC068/26/01234"
    assert may_disclose(r01, DataKind.IDENTITY, appeal, dt.date(2026, 11, 20))
    assert may_disclose(r01, DataKind.RECORDS, "appeal:R01", dt.date(2026, 11, 20))
    assert not may_disclose(loaded.residents["R02"], DataKind.IDENTITY, appeal, dt.date(2026, 11, 20))
    assert not may_disclose(loaded.residents["R04"], DataKind.RECORDS, appeal, dt.date(2026, 11, 20))
    path = sample_case / "residents" / "R01.yaml"
    edit(path, "lodged: 2026-11-12", "lodged: 2026-10-30")
    result = run("validate", str(sample_case))
    assert result.exit_code == 1
    assert any("housing_benefit.appeal.lodged: the appeal was lodged 2026-10-30, before the decision "
               "it appeals (2026-11-02)" in line for line in result.stdout.splitlines())


# --------------------------------------------------------------------------- letters.yaml


def test_every_letter_written_is_recorded_and_can_be_marked_sent(sample_case: Path) -> None:
    import hashlib

    from bundler.case.letterlog import LETTERS_FILE

    register = sample_case / LETTERS_FILE
    before = register.read_text(encoding="utf-8")
    out = sample_case / "drafts"
    result = run("letter", "revisit-notice", str(sample_case), "-o", str(out), "--date", AS_OF)
    assert result.exit_code == 0, result.output
    loaded = load_valid_case(sample_case)
    letter = loaded.letters.letters[-1]
    assert (letter.kind.value, letter.date.isoformat(), letter.recipient, letter.sent) == (
        "revisit-notice", AS_OF, "provider", None)
    docx = out / "revisit-notice.docx"
    assert [(f.file, f.sha256) for f in letter.files] == [
        ("drafts/revisit-notice.docx", hashlib.sha256(docx.read_bytes()).hexdigest())]
    # The officer's comments and the earlier records are kept as they were.
    after = register.read_text(encoding="utf-8")
    assert after.startswith(before)

    early = run("letter", "sent", str(sample_case), "revisit-notice", "--on", "2026-11-19")
    assert early.exit_code == 10
    assert "it cannot have been sent on 2026-11-19" in early.stderr
    sent = run("letter", "sent", str(sample_case), "revisit-notice", "--on", AS_OF, "--by", "post")
    assert sent.exit_code == 0, sent.output
    assert sent.stdout.strip() == f"Recorded: revisit-notice dated {AS_OF}, sent {AS_OF} by post"
    sent_record = load_valid_case(sample_case).letters.letters[-1].sent
    assert sent_record is not None and sent_record.method.value == "post"
    again = run("letter", "sent", str(sample_case), "revisit-notice", "--on", AS_OF)
    assert again.exit_code == 10
    assert "no revisit-notice letter to the provider is recorded as written and not yet sent" in again.stderr
    entries = [json.loads(line) for line in (sample_case / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in entries] == ["letter_generated", "letter_sent"]
    assert entries[1]["details"]["sent"] == AS_OF
    assert [o["path"] for o in entries[1]["outputs"]] == ["letters.yaml"]
    # The toolkit's own changes to letters.yaml are outputs, not "records changed" between actions.
    assert "records changed" not in run("audit", "show", str(sample_case)).stdout
    # A letter file changed after it was written is a finding, not an error.
    docx.write_bytes(docx.read_bytes() + b"x")
    result = run("validate", str(sample_case))
    assert result.exit_code == 0
    assert any("note: letters[" in line and "drafts/revisit-notice.docx has changed since the "
               "revisit-notice letter was written" in line for line in notes(result))


def test_letter_sent_marks_the_latest_unsent_letter_unless_told_which(sample_case: Path) -> None:
    out = sample_case / "drafts"
    for date in ("2026-11-19", AS_OF):
        written = run("letter", "revisit-notice", str(sample_case), "-o", str(out / date),
                      "--date", date)
        assert written.exit_code == 0, written.output
    sent = run("letter", "sent", str(sample_case), "revisit-notice", "--on", AS_OF)
    assert sent.stdout.strip() == f"Recorded: revisit-notice dated {AS_OF}, sent {AS_OF} by email"
    wrong_date = run("letter", "sent", str(sample_case), "revisit-notice", "--on", AS_OF,
                     "--letter-date", "2026-11-18")
    assert wrong_date.exit_code == 10
    assert ("no revisit-notice letter to the provider dated 2026-11-18 is recorded as written "
            "and not yet sent") in wrong_date.stderr
    earlier = run("letter", "sent", str(sample_case), "revisit-notice", "--on", AS_OF,
                  "--letter-date", "2026-11-19", "--by", "hand")
    assert earlier.stdout.strip() == "Recorded: revisit-notice dated 2026-11-19, sent 2026-11-20 by hand"
    notices = [(letter.date.isoformat(), letter.sent and letter.sent.method.value)
               for letter in load_valid_case(sample_case).letters.letters
               if letter.kind.value == "revisit-notice"]
    assert notices == [("2026-11-19", "hand"), (AS_OF, "email")]
    # A resident's letters are found by the resident's reference, and named by it.
    r02 = run("letter", "sent", str(sample_case), "resident-outcome", "--resident", "R02",
              "--on", AS_OF)
    assert r02.exit_code == 10
    assert "no resident-outcome letter to R02 is recorded as written and not yet sent" in r02.stderr


def test_a_letter_recorded_as_sent_is_in_the_sample_with_its_hash() -> None:
    import hashlib

    loaded = load_valid_case(SAMPLE)
    sent = loaded.letters.sent_letters()
    kinds = {(letter.kind.value, letter.recipient) for letter in sent}
    assert ("information-reminder", "provider") in kinds and ("resident-consent", "R04") in kinds
    for letter in sent:
        assert letter.sent is not None and letter.sent.date >= letter.date
        for written in letter.files:
            assert hashlib.sha256((SAMPLE / written.file).read_bytes()).hexdigest() == written.sha256
