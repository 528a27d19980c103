"""Every page of the app over HTTP, read back as the officer or the recipient would."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

from click.testing import CliRunner

from bundler.cli import cli
from tests.web.conftest import csrf, wait_for_job


def _text(html: str) -> str:
    """The page's words, without tags, as a reader sees them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _audit(case_dir: Path) -> list[dict]:  # type: ignore[type-arg]
    path = case_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --------------------------------------------------------------------------- register, report


def test_home_page_lists_the_sample_case_with_its_overdue_count(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/?as_of=2026-11-20")
    assert page.status_code == 200
    text = _text(page.text)
    assert "WBC-SHR-2026-014" in text and "Nettlebank House" in text
    assert "Brackenfold Support CIC" in text and "Priya Marchetti" in text
    assert re.search(r'govuk-table__cell--numeric"><strong class="govuk-tag govuk-tag--red">7<', page.text)
    assert "314 days overdue" in text  # R02's support plan, first in the deadlines list
    assert text.index("314 days overdue") < text.index("16 days overdue")


def test_register_filters_and_downloads_match_the_cli(client, cases: Path) -> None:  # type: ignore[no-untyped-def]
    kept = _text(client.get("/", params={"provider": "Brackenfold Support CIC"}).text)
    assert "WBC-SHR-2026-014" in kept
    gone = _text(client.get("/", params={"provider": "Someone Else"}).text)
    assert "WBC-SHR-2026-014" not in gone and "No case folders match" in gone
    assert client.get("/", params={"stage": "no-such-stage"}).status_code == 400
    web = client.get("/register.json", params={"as_of": "2026-11-20"}).json()
    cli_out = CliRunner().invoke(cli, ["register", str(cases), "--json", "--as-of", "2026-11-20"])
    assert web == json.loads(cli_out.stdout)
    rows = list(csv.DictReader(io.StringIO(client.get("/register.csv").text)))
    assert rows[0]["reference"] == "WBC-SHR-2026-014"


def test_an_edit_made_with_the_cli_shows_on_reload(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = client.get("/").text
    assert "Nettlebank House" in before and "Nettlebank Court" not in before
    case = case_dir / "case.yaml"
    case.write_text(case.read_text().replace("name: Nettlebank House", "name: Nettlebank Court"))
    page = client.get("/").text
    # the scheme's name everywhere it is shown (other records' text may still mention the house)
    assert "Nettlebank Court" in page and page.count("Nettlebank House") < before.count("Nettlebank House")


def test_members_report_page_and_pdf(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/report", params={"from": "2026-01-01", "to": "2026-11-20"})
    text = _text(page.text)
    assert "1 January 2026 to 20 November 2026" in text
    assert "1 reviews done (findings made)" in text
    assert "<svg" in page.text and 'role="img"' in page.text
    pdf = client.get("/report.pdf", params={"from": "2026-01-01", "to": "2026-11-20"})
    assert pdf.headers["content-type"] == "application/pdf"
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True,
                           check=True).stdout.decode()
    assert "Nettlebank House" in words
    bad = client.get("/report", params={"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 400
    assert "error: the period ends (2026-04-01) before it starts (2026-05-01)" in _text(bad.text)


# --------------------------------------------------------------------------- forms


def _form_values(html: str) -> dict[str, list[str]]:
    """What a browser would post for the form as shown: inputs, checked boxes, selections."""
    form = html[html.index('<form method="post"'):]
    values: dict[str, list[str]] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag)
        kind = re.search(r'type="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag:
            continue
        if kind and kind.group(1) == "file":
            continue
        values.setdefault(name.group(1), []).append(_unescape(value.group(1) if value else ""))
    for name, body in re.findall(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', form, re.S):
        values.setdefault(name, []).append(_unescape(body))
    for name, body in re.findall(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values.setdefault(name, []).append(_unescape(chosen.group(1) if chosen else ""))
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _post(client, url: str, values: dict[str, list[str]], action: str = "save"):  # type: ignore[no-untyped-def]
    data = {k: vs for k, vs in values.items() if k != "_action"}
    data["_action"] = [action]
    return client.post(url, data=data)


def test_a_form_saves_into_the_yaml_keeping_comments_and_records_it(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    url = "/cases/nettlebank-road/residents/R01/consent"
    resident = case_dir / "residents" / "R01.yaml"
    before = resident.read_text()
    values = _form_values(client.get(url).text)
    assert values["consent.date"] == ["2026-09-29"]
    values["consent.date"] = ["2026-09-28"]
    response = _post(client, url, values)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?saved=1"
    after = resident.read_text()
    # exactly one line changed: comments, order and every other value kept as written
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("  date: 2026-09-29", "  date: 2026-09-28")]
    [entry] = _audit(case_dir)
    assert entry["action"] == "record_saved"
    assert entry["details"]["file"] == "residents/R01.yaml"
    assert entry["details"]["section"] == "consent"
    assert entry["details"]["replaced_sha256"] == hashlib.sha256(before.encode()).hexdigest()
    assert entry["outputs"][0]["sha256"] == hashlib.sha256(after.encode()).hexdigest()
    assert "Saved" in client.get(response.headers["location"]).text
    # the CLI agrees the records are valid
    assert CliRunner().invoke(cli, ["validate", str(case_dir)]).exit_code == 0


def test_a_form_shows_validates_messages_beside_the_field_and_saves_nothing(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    url = "/cases/nettlebank-road/residents/R01/consent"
    resident = case_dir / "residents" / "R01.yaml"
    before = resident.read_bytes()
    values = _form_values(client.get(url).text)
    values["consent.date"] = ["2026-02-30"]
    values["consent.form_file"] = ["evidence/residents/R01/nothing.pdf"]
    response = _post(client, url, values)
    assert response.status_code == 400
    assert resident.read_bytes() == before and _audit(case_dir) == []
    html = response.text
    assert "<title>Error: " in html
    summary = html[html.index("govuk-error-summary"):html.index("</ul>", html.index("govuk-error-summary"))]
    # validate's own words, for the same file with the same values
    broken = case_dir.parent / "broken"
    import shutil

    shutil.copytree(case_dir, broken)
    text = (broken / "residents/R01.yaml").read_text()
    (broken / "residents/R01.yaml").write_text(text.replace("date: 2026-09-29\n  form_file: evidence/residents/R01/consent-form.pdf",
                                                            "date: 2026-02-30\n  form_file: evidence/residents/R01/nothing.pdf", 1))
    lines = CliRunner().invoke(cli, ["validate", str(broken)]).stdout.splitlines()
    messages = [line.split(": ", 2)[2] for line in lines if "R01.yaml" in line]
    assert len(messages) == 2
    for message in messages:
        assert _unescape(message) in _unescape(summary) or message in _unescape(html)
        assert re.search(r'href="#f-consent-(date|form-file)"', summary)
    assert 'id="f-consent-date-error"' in html and 'govuk-input--error' in html
    # the value typed is shown again for correcting
    assert 'value="2026-02-30"' in html


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    url = "/cases/nettlebank-road/residents/R01/consent"
    values = _form_values(client.get(url).text)
    resident = case_dir / "residents" / "R01.yaml"
    resident.write_text(resident.read_text().replace("officer: Priya Marchetti", "officer: Tomasz Ellery"))
    changed = resident.read_bytes()
    values["consent.date"] = ["2026-09-28"]
    response = _post(client, url, values)
    assert response.status_code == 409
    assert "changed since you opened it; nothing was saved" in _text(response.text)
    assert resident.read_bytes() == changed


def test_add_and_remove_parts_of_a_record(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    url = "/cases/nettlebank-road/residents/R01/evidence"
    values = _form_values(client.get(url).text)
    assert values["_count:evidence.assessments"] == ["2"]
    added = _post(client, url, values, action="add:evidence.assessments")
    assert added.status_code == 200 and "Not saved yet" in added.text
    values = _form_values(added.text)
    assert values["_count:evidence.assessments"] == ["3"]
    values["evidence.assessments[2].kind"] = ["initial"]
    values["evidence.assessments[2].date"] = ["2025-11-01"]
    values["evidence.assessments[2].file"] = ["evidence/residents/R01/referral.pdf"]
    assert _post(client, url, values).status_code == 303
    text = (case_dir / "residents/R01.yaml").read_text()
    assert "    - kind: initial\n      date: 2025-11-01\n      file: evidence/residents/R01/referral.pdf\n" in text
    # remove the first assessment: the others move up, nothing else changes
    values = _form_values(client.get(url).text)
    removed = _post(client, url, values, action="remove:evidence.assessments[0]")
    values = _form_values(removed.text)
    assert values["_count:evidence.assessments"] == ["2"]
    assert _post(client, url, values).status_code == 303
    text = (case_dir / "residents/R01.yaml").read_text()
    assessments = text.split("  assessments:\n")[1].split("  referral:\n")[0]
    assert "needs-assessment.pdf" not in assessments and "risk-assessment.pdf" in assessments
    # an optional part: remove the interview, then add it back
    interview = "/cases/nettlebank-road/residents/R03/interview"
    values = _form_values(client.get(interview).text)
    page = _post(client, interview, values, action="remove:interview")
    assert "Not recorded." in page.text
    assert _post(client, interview, _form_values(page.text)).status_code == 303
    assert "\ninterview:" not in (case_dir / "residents/R03.yaml").read_text()
    assert _post(client, interview, {"_sha256": _form_values(client.get(interview).text)["_sha256"],
                                     "csrf_token": [csrf(client)]}, action="remove:nothing").status_code == 400


def test_every_section_of_every_record_renders_and_saves_unchanged(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Opening a form and pressing Save changes nothing in the file."""
    from bundler.case.edit import case_record, resident_references
    from bundler.case.models import Resident
    from bundler.web.routes import _sections

    pages = [f"/cases/nettlebank-road/records/{slug}" for slug, _t, _n in _sections(case_record().model)]
    for ref in resident_references(case_dir):
        pages += [f"/cases/nettlebank-road/residents/{ref}/{slug}" for slug, _t, _n in _sections(Resident)]
    before = {p.name: p.read_bytes() for p in [case_dir / "case.yaml", *(case_dir / "residents").iterdir()]}
    for url in pages:
        values = _form_values(client.get(url).text)
        response = _post(client, url, values)
        assert response.status_code == 303, (url, _text(response.text)[:500])
    after = {p.name: p.read_bytes() for p in [case_dir / "case.yaml", *(case_dir / "residents").iterdir()]}
    assert after == before
    assert len(_audit(case_dir)) == len(pages)


# --------------------------------------------------------------------------- case pages


def test_case_page_checklist_and_audit(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    text = _text(client.get("/cases/nettlebank-road").text)
    assert "valid: review WBC-SHR-2026-014, 2 schemes, 4 residents" in text
    checklist = _text(client.get("/cases/nettlebank-road/checklist?as_of=2026-11-20").text)
    assert "no risk assessment on file" in checklist
    case = case_dir / "case.yaml"
    case.write_text(case.read_text().replace("opened: 2026-08-24", "opened: 2026-02-30"))
    broken = _text(client.get("/cases/nettlebank-road").text)
    assert "The records have 1 problem" in broken
    assert '"2026-02-30" is not a real date' in _unescape(broken)
    assert client.get("/cases/nettlebank-road/checklist").status_code == 400
    assert "Nothing recorded yet" in client.get("/cases/nettlebank-road/audit").text


def test_evidence_upload_of_several_files(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = (case_dir / "evidence/residents/R01/licence.pdf").read_bytes()
    response = client.post(
        "/cases/nettlebank-road/evidence",
        data={"csrf_token": csrf(client), "folder": "residents/R03"},
        files=[("files", ("support-plan.pdf", pdf, "application/pdf")),
               ("files", ("notes.txt", b"visit notes\n", "text/plain")),
               ("files", ("../../escape.txt", b"x\n", "text/plain"))],
    )
    assert response.status_code == 200
    assert (case_dir / "evidence/residents/R03/support-plan.pdf").read_bytes() == pdf
    assert (case_dir / "evidence/residents/R03/escape.txt").exists()  # the name, not the path
    assert not (case_dir.parent / "escape.txt").exists()
    entries = _audit(case_dir)
    assert [e["action"] for e in entries] == ["evidence_added"] * 3
    assert entries[0]["outputs"][0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    # the log names each input as the officer's computer named it, never the server's
    # temporary copy
    assert [e["inputs"][0]["path"] for e in entries] == [
        "uploaded: support-plan.pdf", "uploaded: notes.txt", "uploaded: escape.txt"]
    assert entries[0]["inputs"][0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    again = client.post("/cases/nettlebank-road/evidence",
                        data={"csrf_token": csrf(client), "folder": "residents/R03"},
                        files={"files": ("notes.txt", b"other\n", "text/plain")})
    assert again.status_code == 400
    assert "already exists; nothing was changed" in _text(again.text)
    assert (case_dir / "evidence/residents/R03/notes.txt").read_bytes() == b"visit notes\n"
    none = client.post("/cases/nettlebank-road/evidence", data={"csrf_token": csrf(client)})
    assert "no file was chosen" in none.text


def test_evidence_checked_by_content_all_or_nothing(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A file whose content is not what its name says is refused, naming it, and then
    nothing of the same upload is added (as `bundler evidence add`)."""
    docx = (case_dir / "evidence/provider/85c-scheme-addresses.docx").read_bytes()
    pdf = (case_dir / "evidence/residents/R01/licence.pdf").read_bytes()
    response = client.post(
        "/cases/nettlebank-road/evidence",
        data={"csrf_token": csrf(client), "folder": "residents/R02"},
        files=[("files", ("tenancy.pdf", docx, "application/pdf")),
               ("files", ("good.pdf", pdf, "application/pdf")),
               ("files", ("photo.jpg", b"not a picture at all", "image/jpeg"))],
    )
    assert response.status_code == 400
    text = _unescape(_text(response.text))
    assert "2 problems: nothing was added" in text
    assert "tenancy.pdf" in text and "photo.jpg" in text and "good.pdf" not in text.split("problems")[1].split("Evidence")[0]
    assert "/tmp/" not in text  # named as the officer's computer named them
    assert not (case_dir / "evidence/residents/R02/good.pdf").exists()
    assert _audit(case_dir) == []


def test_evidence_retire_keeps_the_file_and_the_reason(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    client.post("/cases/nettlebank-road/evidence", data={"csrf_token": csrf(client)},
                files={"files": ("wrong.txt", b"the wrong resident's notes\n", "text/plain")})
    response = client.post("/cases/nettlebank-road/evidence/retire",
                           data={"csrf_token": csrf(client), "file": "evidence/wrong.txt",
                                 "reason": "belongs to another case"})
    assert response.status_code == 200
    assert "Retired evidence/wrong.txt" in _text(response.text)
    assert not (case_dir / "evidence/wrong.txt").exists()
    kept = list((case_dir / "evidence/.retired").rglob("wrong*.txt"))
    assert [k.read_bytes() for k in kept] == [b"the wrong resident's notes\n"]
    assert _audit(case_dir)[-1]["action"] == "evidence_retired"
    no_reason = client.post("/cases/nettlebank-road/evidence/retire",
                            data={"csrf_token": csrf(client), "file": "evidence/site-visit/kitchen.jpg"})
    assert no_reason.status_code == 400 and (case_dir / "evidence/site-visit/kitchen.jpg").exists()
    assert client.post("/cases/nettlebank-road/evidence/retire",
                       data={"csrf_token": csrf(client), "file": "../case.yaml",
                             "reason": "x"}).status_code == 404


# --------------------------------------------------------------------------- letters, bundles, verify


def test_letter_bundle_and_verification(client, case_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = csrf(client)
    started = client.post("/cases/nettlebank-road/letters",
                          data={"csrf_token": token, "kind": "findings"})
    assert started.status_code == 303
    done = wait_for_job(client, started.headers["location"])
    assert "Wrote out/letters/findings.docx" in done and "Wrote out/letters/findings.pdf" in done
    letter = case_dir / "out/letters/findings.pdf"
    words = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "WBC-SHR-2026-014" in words
    preview = client.get("/cases/nettlebank-road/preview/out/letters/findings.pdf").text
    assert '<iframe class="app-preview" src="/cases/nettlebank-road/files/out/letters/findings.pdf"' in preview
    again = client.post("/cases/nettlebank-road/letters", data={"csrf_token": token, "kind": "findings"})
    failed = wait_for_job(client, again.headers["location"])
    assert "already exists" in failed and "It could not be done" in failed

    built = client.post("/cases/nettlebank-road/bundles",
                        data={"csrf_token": token, "name": "bundle.pdf", "numbering": "continuous",
                              "date": "2026-11-20"})
    done = wait_for_job(client, built.headers["location"])
    assert re.search(r"Wrote \d+ pages from \d+ documents to out/bundle.pdf", done)
    pdf = client.get("/cases/nettlebank-road/files/out/bundle.pdf?download=1")
    assert pdf.headers["content-disposition"].startswith("attachment")
    sidecar = client.get("/cases/nettlebank-road/files/out/bundle.pdf.sha256?download=1").text
    assert sidecar.split()[0] == hashlib.sha256(pdf.content).hexdigest()
    assert "bundle.pdf" in client.get("/cases/nettlebank-road/bundles").text

    checked = client.post("/cases/nettlebank-road/bundles/verify",
                          data={"csrf_token": token, "bundle": "out/bundle.pdf"})
    result = wait_for_job(client, checked.headers["location"])
    assert "VERIFIED" in result and "NOT VERIFIED" not in result

    # a recipient: the bundle, its two small files and the sources as a zip
    manifest = client.get("/cases/nettlebank-road/files/out/bundle.manifest.json?download=1").content
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(case_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("bundle."):  # letters are sources
                zipped.write(path, f"nettlebank-road/{path.relative_to(case_dir).as_posix()}")
    response = client.post("/verify", data={"csrf_token": token},
                           files=[("bundle", ("bundle.pdf", pdf.content, "application/pdf")),
                                  ("sidecars", ("bundle.pdf.sha256", sidecar.encode(), "text/plain")),
                                  ("sidecars", ("bundle.manifest.json", manifest, "application/json")),
                                  ("sources_zip", ("sources.zip", archive.getvalue(), "application/zip"))])
    web = wait_for_job(client, response.headers["location"])
    lines = re.search(r'<pre class="app-output" id="job-output">(.*?)</pre>', web, re.S).group(1)  # type: ignore[union-attr]
    # exactly the lines the CLI prints for the same bundle and sources
    cli_out = CliRunner().invoke(cli, ["bundle", "verify", str(case_dir / "out/bundle.pdf"),
                                       "--sources", str(case_dir)])
    expected = cli_out.stdout.replace(str(case_dir / "out/bundle.pdf"), "bundle.pdf")
    expected = expected.replace(str(case_dir), "SOURCES")
    got = _unescape(lines)
    got = re.sub(r"/tmp/bundler-web-[^/\s]+/sources/nettlebank-road", "SOURCES", got)
    assert [line.split(":")[0] for line in got.splitlines()] == [
        line.split(":")[0] for line in expected.splitlines()]
    assert got.splitlines()[-1].startswith("VERIFIED: bundle.pdf: all")

    # a changed byte: NOT VERIFIED, each failing check named
    damaged = bytearray(pdf.content)
    damaged[len(damaged) // 2] ^= 0x01
    response = client.post("/verify", data={"csrf_token": token},
                           files=[("bundle", ("bundle.pdf", bytes(damaged), "application/pdf")),
                                  ("sidecars", ("bundle.pdf.sha256", sidecar.encode(), "text/plain"))])
    web = wait_for_job(client, response.headers["location"])
    assert "NOT VERIFIED" in web and "FAIL" in web


def test_verify_refuses_what_is_not_a_bundle(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf(client)
    response = client.post("/verify", data={"csrf_token": token},
                           files={"bundle": ("bundle.pdf", b"PK\x03\x04 not a pdf", "application/pdf")})
    assert response.status_code == 400
    assert "error: bundle.pdf: not a PDF (by its content)" in _text(response.text)
    response = client.post("/verify", data={"csrf_token": token})
    assert "no bundle was chosen" in response.text
    bad_zip = client.post("/verify", data={"csrf_token": token},
                          files=[("bundle", ("b.pdf", b"%PDF-1.4\n", "application/pdf")),
                                 ("sources_zip", ("s.zip", b"not a zip", "application/zip"))])
    assert bad_zip.status_code == 400 and "not a readable zip file" in bad_zip.text


def test_unknown_job_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/jobs/nothing").status_code == 404


def test_a_bundle_edition_for_one_audience(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    token = csrf(client)
    page = client.get("/cases/nettlebank-road/bundles").text
    assert '<option value="provider">provider: the provider</option>' in page
    refused = client.post("/cases/nettlebank-road/bundles",
                          data={"csrf_token": token, "audience": "appeal:*"})
    assert refused.status_code == 400
    assert "error: audience appeal:*: appeal:* names every appeal: build for one" in _text(refused.text)
    built = client.post("/cases/nettlebank-road/bundles",
                        data={"csrf_token": token, "name": "provider", "audience": "provider",
                              "date": "2026-11-20"})
    done = _unescape(wait_for_job(client, built.headers["location"]))
    assert re.search(r"Wrote \d+ pages from \d+ documents for provider to out/provider.pdf", done)
    cli_out = CliRunner().invoke(cli, ["bundle", "verify", str(case_dir / "out/provider.pdf")])
    assert cli_out.exit_code == 0, cli_out.stdout


def test_start_a_review_and_add_a_resident(client, cases: Path) -> None:  # type: ignore[no-untyped-def]
    token = csrf(client)
    assert 'href="/start"' in client.get("/").text
    assert "Start the review" in client.get("/start").text
    started = client.post("/start", data={
        "csrf_token": token, "folder": "wbc-shr-2027-001", "reference": "WBC-SHR-2027-001",
        "authority": "Wrexley Borough Council", "schemes": "Alder Court\nBirch House",
        "provider": "Harrowgate Living Ltd", "lead_officer": "Priya Marchetti",
        "opened": "2026-11-02"})
    assert started.status_code == 303
    assert started.headers["location"] == "/cases/wbc-shr-2027-001"
    case_dir = cases / "wbc-shr-2027-001"
    assert CliRunner().invoke(cli, ["validate", str(case_dir)]).exit_code == 0
    assert "WBC-SHR-2027-001" in _text(client.get("/").text)
    page = _text(client.get("/cases/wbc-shr-2027-001").text)
    assert "valid: review WBC-SHR-2027-001, 2 schemes, 0 residents" in page
    for folder, reference, message in [
        ("wbc-shr-2027-001", "WBC-SHR-2027-002", "a folder of that name is already there"),
        ("../outside", "WBC-SHR-2027-003", "not a plain folder name"),
        ("fine-name", "has spaces", "has spaces"),
    ]:
        refused = client.post("/start", data={"csrf_token": token, "folder": folder,
                                                  "reference": reference})
        assert refused.status_code == 400, folder
        assert message in _unescape(_text(refused.text))
    assert not (cases.parent / "outside").exists() and not (cases / "fine-name" / "case.yaml").exists()

    added = client.post("/cases/wbc-shr-2027-001/residents/new",
                        data={"csrf_token": token, "reference": "R01", "scheme": "birch-house"})
    assert added.status_code == 303
    assert added.headers["location"] == "/cases/wbc-shr-2027-001/residents/R01/consent"
    assert "scheme: birch-house" in (case_dir / "residents/R01.yaml").read_text()
    assert CliRunner().invoke(cli, ["validate", str(case_dir)]).exit_code == 0
    bad = client.post("/cases/wbc-shr-2027-001/residents/new",
                      data={"csrf_token": token, "reference": "Łukasz"})
    assert bad.status_code == 400
    assert "not a resident reference" in _unescape(bad.text)
    assert sorted(p.name for p in (case_dir / "residents").iterdir()) == ["R01.yaml"]


def test_a_case_folder_named_new_is_reachable(client, cases: Path) -> None:  # type: ignore[no-untyped-def]
    """Any plain folder name is a case's address: the start page lives elsewhere."""
    token = csrf(client)
    started = client.post("/start", data={
        "csrf_token": token, "folder": "new", "reference": "WBC-SHR-2027-009",
        "authority": "Wrexley Borough Council", "schemes": "Alder Court",
        "provider": "Harrowgate Living Ltd", "lead_officer": "Priya Marchetti",
        "opened": "2026-11-02"})
    assert started.headers["location"] == "/cases/new"
    assert "valid: review WBC-SHR-2027-009" in _text(client.get("/cases/new").text)
    assert 'href="/cases/new"' in client.get("/").text


LABELLED_PAGES = ["/", "/report", "/verify", "/start", "/cases/nettlebank-road",
                  "/cases/nettlebank-road/checklist", "/cases/nettlebank-road/evidence",
                  "/cases/nettlebank-road/letters", "/cases/nettlebank-road/bundles",
                  "/cases/nettlebank-road/records/review",
                  "/cases/nettlebank-road/records/information_request",
                  "/cases/nettlebank-road/records/findings",
                  "/cases/nettlebank-road/residents/R01/consent",
                  "/cases/nettlebank-road/residents/R01/evidence"]


def test_every_form_control_has_a_label_and_ids_are_unique(client) -> None:  # type: ignore[no-untyped-def]
    """WCAG 2.2 (1.3.1, 3.3.2, 4.1.2): a label for each control, one element per id, and an
    error summary that links only to ids on the page."""
    for url in LABELLED_PAGES:
        html = client.get(url).text
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (url, sorted({i for i in ids if ids.count(i) > 1}))
        labels = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if re.search(r'type="(hidden|submit)"', tag) or 'aria-hidden="true"' in tag:
                continue
            control = re.search(r'\sid="([^"]+)"', tag)
            assert control and control.group(1) in labels, (url, tag)
        for target in re.findall(r'href="#([^"]+)"', html):
            assert target in ids, (url, target)
