"""Starting a case folder (``bundler case new``) and a resident's file (``bundler resident new``).

The files written validate at once and say, section by section, what goes there and
which paragraph of the guidance asks for it, so an officer fills them in rather than
writing YAML from the schema. Every value the toolkit cannot know is written as a
placeholder (``bundler.case.placeholders``): ``bundler validate`` notes each one
still there, and nothing invented is ever presented as a fact.

Sections are taken from the models in order, so a section added to the records later
appears in new files with its own description until it is given a comment here.
The files are written with ruamel's round-trip writer, so later edits (by hand, or by
the web app) keep the comments.

The functions here are what the CLI and the web app call; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bundler.case.models import Case, Resident
from bundler.case.placeholders import PLACEHOLDER, PLACEHOLDER_POSTCODE, fill_in, placeholders
from bundler.errors import BadInput, InputNotFound, OutputExists
from bundler.fileio import write_text_atomic
from bundler.schemas import default_schema_dir
from bundler.yamlio import parse_yaml_text, read_yaml
from bundler.yamlmodel import Problem, validate_document

CASE_FILE = "case.yaml"
RESIDENTS_DIR = "residents"
EVIDENCE_DIR = "evidence"

# What goes in each section of case.yaml, and its paragraph (first line of the comment).
CASE_SECTIONS: dict[str, str] = {
    "review": "The review: the council and its review team, why this scheme was chosen, when it "
    "opened, and the review date: the date these records are complete to (paras 76-82).",
    "organisations": "The provider and every other organisation involved (landlord, support "
    "provider, managing agent), with their roles and responsibilities (para 85 a-b).",
    "schemes": "Each scheme reviewed: residents, visits, findings and recommendations name a "
    "scheme by its id (para 85 c-d).",
    "information_request": "The request for information sent to the provider and what arrived: "
    "requested_date, due_date, sent_to, how_to_respond, reminders, and one entry per para 85 "
    "item with its status and files (paras 84-85). `bundler letter information-request` writes "
    "the letter.",
    "site_visits": "Each visit to a scheme: date, scheme, officers, staff spoken to, what was "
    "seen, hazards (and their inspection), photos and notes (paras 87-88).",
    "referral_review": "How referrals into the scheme are accepted and declined, and what staff "
    "and residents said about it (paras 89-93).",
    "findings": "The answers to the three para 110 questions for each scheme, each with its "
    "conclusion, summary and the evidence it rests on (paras 110, 146).",
    "recommendations": "What the provider is asked to do, with acknowledge-by and complete-by "
    "dates, the finding each addresses, and its progress or dispute (paras 111-118, 144).",
    "follow_up_visits": "Revisits to check progress on the recommendations (para 119).",
    "referrals": "Referrals and escalations to other agencies (Housing Benefit decision maker, "
    "Regulator of Social Housing, safeguarding adults board, private sector housing, planning, "
    "fire and rescue, police, CQC): date, what and why, reference, response.",
    "documents": "Titles and dates for evidence files, printed in bundles (optional).",
}

RESIDENT_SECTIONS: dict[str, str] = {
    "reference": "The resident's pseudonymous reference: never their name (special-category "
    "data). The file is named after it.",
    "scheme": "The id of the scheme the resident lives in (from case.yaml).",
    "cohorts": "The cohorts the resident belongs to (para 85 d), e.g. [care_leavers].",
    "consent": "The resident's answer to the consent form, statement by statement, how it was "
    "given, the signed form, and any withdrawal (para 97). `bundler letter resident-consent` "
    "writes the letter and form.",
    "disclosures": "A recorded legal basis for sharing this resident's data where their consent "
    "does not cover it (UK GDPR Art. 9).",
    "housing_benefit": "The resident's Housing Benefit claim: the exempt-accommodation decision "
    "and any appeal.",
    "interview": "The person-centred interview: date, officer, notes file (paras 94-98).",
    "evidence": "The individual evidence checklist (paras 98-100): fill in each item as it is "
    "seen; leave out an item that is missing (`bundler checklist` reports it).",
    "correspondence": "Name and room for letters to the resident only; never in bundles, file "
    "names or logs.",
    "documents": "Titles and dates for this resident's evidence files, printed in bundles "
    "(optional).",
}


@dataclass(frozen=True)
class NewCase:
    """What ``bundler case new`` (or the web app's form) knows about a review at its start."""

    reference: str
    authority: str | None = None
    schemes: tuple[str, ...] = ()
    provider: str | None = None
    lead_officer: str | None = None
    opened: dt.date | None = None  # default: today


@dataclass(frozen=True)
class Written:
    path: Path
    folders: tuple[Path, ...] = field(default=())
    placeholders: int = 0  # values still to fill in


# --------------------------------------------------------------------------- helpers


def scheme_id(name: str) -> str:
    """A scheme id from its name: 'Nettlebank House' -> 'nettlebank-house'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug or "scheme"


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _writer() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 96
    return yaml


def schema_reference(folder: Path, schema: str) -> str:
    """The ``yaml-language-server`` line naming ``schema`` for a file written in ``folder``."""
    target = default_schema_dir() / schema
    try:
        relative = Path(os.path.relpath(target, folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        relative = target.as_uri()
    return f"yaml-language-server: $schema={relative}"


def _comment_lines(text: str, width: int = 94) -> str:
    """Wrap ``text`` for a YAML comment block."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _empty_value(info: FieldInfo) -> Any:
    """What an unfilled optional section is written as: [] for lists, else empty."""
    if info.default_factory is list:
        return _flow([])
    factory = info.default_factory
    if isinstance(factory, type) and issubclass(factory, BaseModel):
        return CommentedMap((name, _empty_value(sub)) for name, sub in factory.model_fields.items())
    if info.default is None or not info.is_required():
        return None
    raise TypeError(f"no way to write the required field {info} empty")


def _sections(
    model: type[BaseModel], filled: dict[str, Any], comments: dict[str, str]
) -> CommentedMap:
    """Every field of ``model`` in order: the filled ones, the rest empty; each commented."""
    data = CommentedMap()
    for name, info in model.model_fields.items():
        data[name] = filled[name] if name in filled else _empty_value(info)
        comment = comments.get(name) or info.description or ""
        if comment:
            data.yaml_set_comment_before_after_key(name, before="\n" + _comment_lines(comment), indent=0)
    return data


def _render(data: CommentedMap, header: list[str]) -> str:
    data.yaml_set_start_comment("\n".join(
        line if line.startswith("yaml-language-server") else _comment_lines(line)
        for line in header
    ))
    buffer = io.StringIO()
    _writer().dump(data, buffer)
    return buffer.getvalue()


def _check(model: type[BaseModel], text: str, path: Path) -> None:
    """Refuse (before writing) a file that would not validate: e.g. a bad reference."""
    problems: list[Problem] = []
    validate_document(model, parse_yaml_text(text, path), str(path), problems)
    if problems:
        first = problems[0]
        raise BadInput(
            f"{first.field}: {first.message}" if first.field else first.message,
            "Correct the value given, then run the command again.",
        )


# --------------------------------------------------------------------------- case.yaml


def _review(details: NewCase, today: dt.date) -> CommentedMap:
    opened = details.opened or today
    lead = details.lead_officer or fill_in("the lead officer's name")
    authority = CommentedMap()
    authority["name"] = details.authority or fill_in("the council's name")
    authority["team"] = fill_in("the team's name as letters show it")
    address = CommentedMap()
    address["lines"] = _flow([fill_in("the council's address")])
    address["town"] = fill_in("post town")
    address["postcode"] = PLACEHOLDER_POSTCODE
    authority["address"] = address
    authority["complaints"] = fill_in(
        "a confidential way for residents to complain or give feedback, in plain words "
        "(para 141)")
    authority.yaml_add_eol_comment("the council, as letters and bundles show it", "name")
    review = CommentedMap()
    review["reference"] = details.reference
    review["authority"] = authority
    officer = CommentedMap()
    officer["name"] = lead
    review["team"] = [officer]
    review["lead_officer"] = lead
    review["basis"] = "indicators_of_poor_quality"
    review["opened"] = opened
    # a new date object: the same one twice would be written as a YAML anchor and alias
    review["review_date"] = dt.date.fromordinal(max(opened, today).toordinal())
    review.yaml_add_eol_comment("the review team (paras 76-79), each with name, role, email, "
                                "phone", "team")
    review.yaml_add_eol_comment("must be one of the team", "lead_officer")
    review.yaml_add_eol_comment("check: indicators_of_poor_quality or sample_check (para 82)",
                                "basis")
    review.yaml_add_eol_comment("the date these records are complete to: move it on as the "
                                "review goes on", "review_date")
    return review


def _scheme(name: str, ident: str) -> CommentedMap:
    scheme = CommentedMap()
    scheme["id"] = ident
    scheme["name"] = name
    address = CommentedMap()
    address["lines"] = _flow([fill_in("the scheme's street address")])
    address["town"] = fill_in("post town")
    address["postcode"] = PLACEHOLDER_POSTCODE
    scheme["address"] = address
    scheme["area"] = fill_in("the ward or district")
    scheme["cohorts"] = _flow(["other"])
    scheme.yaml_add_eol_comment("the short name residents and visits use", "id")
    scheme.yaml_add_eol_comment("check: the cohorts housed (young_people, care_leavers, "
                                "prison_leavers, mental_ill_health, ...)", "cohorts")
    return scheme


def _schemes(names: tuple[str, ...]) -> list[CommentedMap]:
    if not names:
        return [_scheme(fill_in("the scheme's name"), "scheme-1")]
    seen: dict[str, int] = {}
    schemes = []
    for name in names:
        base = scheme_id(name)
        seen[base] = seen.get(base, 0) + 1
        ident = base if seen[base] == 1 else f"{base}-{seen[base]}"
        schemes.append(_scheme(name, ident))
    return schemes


def case_yaml(details: NewCase, *, folder: Path, today: dt.date) -> str:
    """The text of a new ``case.yaml`` for a case folder at ``folder``."""
    provider = CommentedMap()
    provider["name"] = details.provider or fill_in("the provider's name")
    provider["roles"] = _flow(["provider"])
    provider.yaml_add_eol_comment("add landlord, support_provider, managing_agent as they apply",
                                  "roles")
    filled = {
        "review": _review(details, today),
        "organisations": [provider],
        "schemes": _schemes(details.schemes),
    }
    data = _sections(Case, filled, CASE_SECTIONS)
    header = [
        schema_reference(folder, Case.SCHEMA_NAME),
        f"Supported housing review {details.reference}, started with `bundler case new` on "
        f"{today.isoformat()}.",
        f'Replace each "{PLACEHOLDER}" (and the postcode {PLACEHOLDER_POSTCODE}) and check each '
        "value marked check. Dates are YYYY-MM-DD.",
        "`bundler validate` checks these records and notes what is still to fill in; "
        "`bundler checklist` lists what is outstanding.",
    ]
    return _render(data, header)


def create_case(case_dir: Path, details: NewCase, *, today: dt.date | None = None) -> Written:
    """Write ``case_dir/case.yaml`` (and the residents/ and evidence/ folders).

    Refuses (OutputExists) a folder that already holds a case.yaml, and (BadInput) details
    that would not validate, such as a reference with spaces; nothing is written then.
    """
    when = today or dt.date.today()
    path = case_dir / CASE_FILE
    if path.exists():
        raise OutputExists(
            f"{path}: already exists; nothing was changed",
            "Choose a new folder for the new case.",
        )
    if case_dir.exists() and not case_dir.is_dir():
        raise BadInput(f"{case_dir}: is a file, not a folder", "Choose a new folder for the case.")
    text = case_yaml(details, folder=case_dir, today=when)
    _check(Case, text, path)
    folders = (case_dir / RESIDENTS_DIR, case_dir / EVIDENCE_DIR)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return Written(path, folders, sum(1 for _ in placeholders(parse_yaml_text(text, path).data)))


# --------------------------------------------------------------------------- residents/REF.yaml


def case_scheme_ids(case_dir: Path) -> list[str]:
    """The scheme ids in ``case_dir/case.yaml``, in order (read without validating)."""
    path = case_dir / CASE_FILE
    if not case_dir.is_dir():
        raise InputNotFound.for_path(case_dir, "case folder")
    if not path.is_file():
        raise InputNotFound(
            f"{case_dir}: not a case folder (it has no {CASE_FILE})",
            "Check the folder's name, or start a case there with `bundler case new`.",
        )
    data = read_yaml(path).data
    schemes = data.get("schemes") if isinstance(data, dict) else None
    if not isinstance(schemes, list):
        return []
    return [str(s["id"]) for s in schemes if isinstance(s, dict) and isinstance(s.get("id"), str)]


def resident_yaml(reference: str, scheme: str, *, folder: Path) -> str:
    """The text of a new ``residents/REF.yaml``."""
    filled: dict[str, Any] = {
        "reference": reference,
        "scheme": scheme,
        "cohorts": _flow([]),
        "consent": _consent_not_asked(),
    }
    data = _sections(Resident, filled, RESIDENT_SECTIONS)
    header = [
        schema_reference(folder, Resident.SCHEMA_NAME),
        f"Resident {reference}, started with `bundler resident new`. Refer to the resident by "
        "reference everywhere; their name goes only under correspondence.",
    ]
    return _render(data, header)


def _consent_not_asked() -> CommentedMap:
    consent = CommentedMap()
    consent["method"] = "not_asked"
    consent.yaml_add_eol_comment("written, verbal or declined once the resident has answered",
                                 "method")
    return consent


def create_resident(case_dir: Path, reference: str, *, scheme: str | None = None) -> Written:
    """Write ``case_dir/residents/REF.yaml`` for a resident of ``scheme``.

    ``scheme`` may be left out when the case has one scheme. Raises InputNotFound (no
    case), BadInput (a reference that is not R01-style, an unknown scheme), OutputExists.
    """
    if not re.fullmatch(r"R[0-9]{2,4}", reference):
        raise BadInput(
            f"{reference}: not a resident reference",
            "Residents are known by a reference such as R01 (R and two to four digits), never "
            "by name.",
        )
    schemes = case_scheme_ids(case_dir)
    if scheme is None:
        if len(schemes) != 1:
            raise BadInput(
                f"{case_dir}: the case has {len(schemes)} schemes; say which the resident "
                "lives in",
                f"Add --scheme ID, one of: {', '.join(schemes) or '(none yet)'}.",
            )
        scheme = schemes[0]
    elif scheme not in schemes:
        raise BadInput(
            f"--scheme {scheme}: no scheme with that id in {case_dir / CASE_FILE}",
            f"Use one of: {', '.join(schemes) or '(none yet: add the scheme to case.yaml)'}.",
        )
    folder = case_dir / RESIDENTS_DIR
    path = folder / f"{reference}.yaml"
    if path.exists():
        raise OutputExists(
            f"{path}: already exists; nothing was changed",
            "Choose another reference (each resident has one file).",
        )
    folder.mkdir(parents=True, exist_ok=True)
    text = resident_yaml(reference, scheme, folder=folder)
    _check(Resident, text, path)
    write_text_atomic(path, text)
    return Written(path, (folder,), sum(1 for _ in placeholders(parse_yaml_text(text, path).data)))
