"""The whole journey in a real browser: headless Chromium (Debian's) driven by Playwright,
against `bundler serve` started as an officer starts it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.web.browser import chromium, copy_samples, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

LONG = 240_000  # ms: LibreOffice and bundle builds on a busy 2-core machine


def test_the_officers_journey(tmp_path: Path) -> None:
    cases = copy_samples(tmp_path)
    case_dir = cases / "nettlebank-road"
    problems: list[str] = []
    with serving(cases) as server, chromium() as browser:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        # (a form refused for its mistakes is answered 400 on purpose, and Chromium logs that)
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and "status of 400" not in m.text else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        # (a request cut short by the next navigation, or turned into a download, is ERR_ABORTED)
        page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED"
                else problems.append(f"failed: {r.url} {r.failure}"))

        # the address printed at launch opens the register; the token leaves the address bar
        page.goto(server.url)
        assert "token" not in page.url
        assert page.title() == "Register of reviews – Supported housing reviews"
        assert "WBC-SHR-2026-014" in page.locator("table.app-register").inner_text()
        # GOV.UK Frontend's JavaScript ran (module scripts allowed by the CSP)
        assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")

        # start a review, then add its first resident
        page.get_by_role("button", name="Start a review").click()
        page.fill("#folder", "wbc-shr-2027-001")
        page.fill("#reference", "WBC-SHR-2027-001")
        page.fill("#authority", "Wrexley Borough Council")
        page.fill("#schemes", "Alder Court")
        page.get_by_role("button", name="Start the review").click()
        page.get_by_role("heading", name="WBC-SHR-2027-001").wait_for()
        assert (cases / "wbc-shr-2027-001" / "case.yaml").is_file()
        page.fill("#reference", "R01")
        page.get_by_role("button", name="Add the resident").click()
        page.wait_for_url("**/wbc-shr-2027-001/residents/R01/consent")
        assert page.title().startswith("Consent – R01")
        assert (cases / "wbc-shr-2027-001" / "residents" / "R01.yaml").is_file()
        page.goto(server.base + "/")
        assert "WBC-SHR-2027-001" in page.locator("table.app-register").inner_text()
        row = page.locator("table.app-register tbody tr", has_text="WBC-SHR-2026-014")

        # open the sample case, then a resident's evidence record
        row.get_by_role("link", name="WBC-SHR-2026-014").click()
        page.get_by_role("heading", name="WBC-SHR-2026-014").wait_for()
        page.locator('a[href$="/residents/R03/evidence"]').click()
        page.wait_for_url("**/residents/R03/evidence")
        assert page.title().startswith("Evidence – R03")

        # the checklist before: R02 has no risk assessment
        checklist = f"{server.base}/cases/nettlebank-road/checklist?as_of=2026-11-20"
        page.goto(checklist)
        before = page.locator("table.app-checklist").inner_text()
        assert "no risk assessment on file" in before

        # upload the assessment by the file input (what a drop fills), into R02's folder
        page.goto(f"{server.base}/cases/nettlebank-road/evidence")
        source = case_dir / "evidence/residents/R01/risk-assessment.pdf"
        page.set_input_files('input[name="files"]', [str(source)])
        page.fill("#folder", "residents/R02")
        page.get_by_role("button", name="Add to the case").click()
        assert "Added 1 file to the case" in page.locator(".govuk-notification-banner").inner_text()
        added = case_dir / "evidence/residents/R02/risk-assessment.pdf"
        assert added.read_bytes() == source.read_bytes()

        # record it in R02's evidence checklist through the generated form
        page.goto(f"{server.base}/cases/nettlebank-road/residents/R02/evidence")
        page.get_by_role("button", name=re.compile("^Add (a|another) assessment$")).click()
        page.get_by_text("Not saved yet").wait_for()
        count = page.locator('input[name="_count:evidence.assessments"]').get_attribute("value")
        last = int(count or "1") - 1
        page.check(f'input[name="evidence.assessments[{last}].kind"][value="risk"]')
        page.fill(f'input[name="evidence.assessments[{last}].date"]', "2026-31-01")
        page.fill(f'input[name="evidence.assessments[{last}].file"]',
                  "evidence/residents/R02/risk-assessment.pdf")
        page.get_by_role("button", name="Save", exact=True).click()
        # the same message as validate, in the summary (a link to the field) and beside it
        summary = page.locator(".govuk-error-summary")
        assert '"2026-31-01" is not a real date' in summary.inner_text()
        summary.get_by_role("link").first.click()
        assert page.evaluate("document.activeElement.name") == f"evidence.assessments[{last}].date"
        page.fill(f'input[name="evidence.assessments[{last}].date"]', "2026-01-31")
        page.get_by_role("button", name="Save", exact=True).click()
        assert "Saved." in page.locator(".govuk-notification-banner").inner_text()
        assert "risk-assessment.pdf" in (case_dir / "residents/R02.yaml").read_text()

        # the checklist after: the item has gone
        page.goto(checklist)
        after = page.locator("table.app-checklist").inner_text()
        assert after.count("no risk assessment on file") == before.count("no risk assessment on file") - 1

        # a letter: written through LibreOffice, with live progress, then previewed
        page.goto(f"{server.base}/cases/nettlebank-road/letters")
        page.check("#kind-findings")
        page.get_by_role("button", name="Write the letter").click()
        page.wait_for_selector("#job-output", timeout=LONG)
        assert "Wrote out/letters/findings.pdf" in page.locator("#job-output").inner_text()
        page.get_by_role("link", name="Preview findings.pdf").click()
        frame = page.locator("iframe.app-preview")
        assert frame.get_attribute("src") == "/cases/nettlebank-road/files/out/letters/findings.pdf"

        # a bundle: built with live progress, downloaded with its two small files
        page.goto(f"{server.base}/cases/nettlebank-road/bundles")
        page.fill("#date", "2026-11-20")
        page.get_by_role("button", name="Build the bundle").click()
        page.wait_for_selector("#job-output", timeout=LONG)
        assert re.search(r"Wrote \d+ pages from \d+ documents to out/bundle.pdf",
                         page.locator("#job-output").inner_text())
        with page.expect_download() as info:
            page.get_by_role("link", name="Download bundle.pdf", exact=True).click()
        bundle = tmp_path / "downloaded.pdf"
        info.value.save_as(bundle)
        with page.expect_download() as info:
            page.get_by_role("link", name="Download bundle.pdf.sha256").click()
        sidecar = tmp_path / "bundle.pdf.sha256"
        info.value.save_as(sidecar)
        assert sidecar.read_text().split()[0] == hashlib.sha256(bundle.read_bytes()).hexdigest()

        # verify it as a recipient would: drop the bundle and its sidecar on the Verify page
        received = tmp_path / "received"
        received.mkdir()
        (received / "bundle.pdf").write_bytes(bundle.read_bytes())
        (received / "bundle.pdf.sha256").write_bytes(sidecar.read_bytes())
        page.get_by_role("link", name="Verify a bundle").click()
        page.set_input_files('input[name="bundle"]', str(received / "bundle.pdf"))
        page.set_input_files('input[name="sidecars"]', str(received / "bundle.pdf.sha256"))
        page.get_by_role("button", name="Verify", exact=True).click()
        page.wait_for_selector("#job-output", timeout=LONG)
        lines = page.locator("#job-output").inner_text().splitlines()
        assert lines[0].startswith("PASS  file hash:")
        assert lines[-1].startswith("VERIFIED: bundle.pdf: all")
        assert page.locator(".govuk-panel__title").inner_text() == "VERIFIED"

        # the audit history shows all of it
        page.goto(f"{server.base}/cases/nettlebank-road/audit")
        history = page.locator("table").inner_text()
        for action in ("evidence added", "record saved", "letter generated", "bundle built"):
            assert action in history
        context.close()
    assert problems == []  # no CSP violation, script error or failed request on any page
