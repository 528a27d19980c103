"""The review's records as Pydantic models: the single source of truth.

Field names follow the guidance's own terms (DLUHC, "Guidance on Local Authority
Interventions to Improve Quality in Supported Housing", July 2022), and every
model and field cites its paragraph. The JSON Schemas in ``schemas/`` are
exported from these classes.

Validation happens in two layers:

* field-level: types, enums, formats and unknown keys (``extra="forbid"``);
* rules: the cross-field checks a careful officer makes (a due date before the
  request, a licence that has ended, a file that is missing). Each model lists
  its rules in ``rule_problems``; an after-validator raises one error per record
  carrying every broken rule, so ``bundler.case.validate`` can report each one
  at its exact location, and library callers of ``model_validate`` get them too.
  A record's own rules run only once its fields are valid.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]

# --------------------------------------------------------------------------- rule machinery


@dataclass(frozen=True)
class RuleContext:
    """What the rules need to know beyond the record itself."""

    case_dir: Path | None = None
    review_date: dt.date | None = None
    scheme_ids: frozenset[str] = frozenset()
    today: dt.date | None = None
    """Nothing recorded as having happened may be later, whatever the review date says."""


def _context_from(info: ValidationInfo) -> RuleContext | None:
    ctx = info.context
    if isinstance(ctx, dict):
        rule_ctx = ctx.get("rules")
        if isinstance(rule_ctx, RuleContext):
            return rule_ctx
    return None


class Record(BaseModel):
    """Base for every record: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
        use_enum_values=False,
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        """Yield (location relative to this record, message) for each broken rule: an
        *error*, a record that is impossible or contradictory, which blocks outputs."""
        return iter(())

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        """Yield (location relative to this record, message) for each *finding* the record
        holds: a fact the review found (a licence expired, a document dated after it was
        received). Findings are valid records, shown as notes, and never block outputs."""
        return iter(())

    @model_validator(mode="after")
    def _enforce_rules(self, info: ValidationInfo) -> Any:
        rule_ctx = _context_from(info) or RuleContext()
        problems = [(_loc_text(loc), message) for loc, message in self.rule_problems(rule_ctx)]
        if problems:
            # One error per record carries all its broken rules; the error's location tells
            # the caller where the record is, and "problems" where in it each rule broke.
            raise PydanticCustomError(
                "case_rule",
                "{message}",
                {"message": problems[0][1], "at": problems[0][0], "problems": json.dumps(problems)},
            )
        return self


def collect_notes(record: BaseModel, ctx: RuleContext, at: Loc = ()) -> list[tuple[Loc, str]]:
    """Every finding (``rule_notes``) of ``record`` and the records inside it, located from
    the file's root, in field order."""
    found: list[tuple[Loc, str]] = []
    if isinstance(record, Record):
        found.extend(((*at, *loc), message) for loc, message in record.rule_notes(ctx))
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, BaseModel):
            found.extend(collect_notes(value, ctx, (*at, name)))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found.extend(collect_notes(item, ctx, (*at, name, index)))
    return found


def _loc_text(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _date_text(value: dt.date) -> str:
    return value.isoformat()


# --------------------------------------------------------------------------- small types

_PARENT_PART = ".."


def _case_path_format(value: str) -> str:
    """A path relative to the case folder, in POSIX form; raises when it is not one."""
    if not value:
        raise PydanticCustomError("case_path", "a file path is required here")
    if "\\" in value:
        raise PydanticCustomError(
            "case_path", "use forward slashes in file paths, e.g. evidence/visit-notes.txt"
        )
    path = PurePosixPath(value)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value):
        raise PydanticCustomError(
            "case_path",
            "give the path relative to the case folder, e.g. evidence/visit-notes.txt, "
            "not an absolute path",
        )
    if _PARENT_PART in path.parts:
        raise PydanticCustomError(
            "case_path", "the file must be inside the case folder ('..' is not allowed)"
        )
    return path.as_posix()


def _check_case_path(value: str, info: ValidationInfo) -> str:
    """Format checks always; existence checks when validating inside a case folder."""
    relative = _case_path_format(value)
    ctx = _context_from(info)
    if ctx is not None and ctx.case_dir is not None:
        problem = _file_problem(ctx.case_dir, value)
        if problem:
            raise PydanticCustomError("case_file", "{problem}", {"problem": problem})
    return relative


def _file_problem(case_dir: Path, name: str) -> str | None:
    """Why ``name`` is not a usable file inside ``case_dir``, or None."""
    target = case_dir / name
    try:
        resolved = target.resolve()
        root = case_dir.resolve()
    except OSError:
        return f"cannot read {name}"
    if not resolved.is_relative_to(root):
        return f"{name} points outside the case folder; copy the file into the case folder"
    if not target.exists():
        return f"file not found: {name}; add it to the case folder or correct the path"
    if not target.is_file():
        return f"{name} is a folder, not a file; name the file itself"
    return None


def _check_case_folder(value: str, info: ValidationInfo) -> str:
    """A folder's path relative to the case folder: the same format rules as a file's and,
    inside a case folder, it must exist and be a folder."""
    relative = _case_path_format(value)
    ctx = _context_from(info)
    if ctx is not None and ctx.case_dir is not None:
        target = ctx.case_dir / relative
        if not target.resolve().is_relative_to(ctx.case_dir.resolve()):
            raise PydanticCustomError(
                "case_file", "{name} points outside the case folder", {"name": relative}
            )
        if not target.is_dir():
            raise PydanticCustomError(
                "case_file",
                "folder not found: {name}; create it inside the case folder or correct the path",
                {"name": relative},
            )
    return relative


CaseFile = Annotated[
    str,
    AfterValidator(_check_case_path),
    Field(
        description="A file's path relative to the case folder, with forward slashes "
        "(e.g. evidence/provider/85h-model-licence-agreement.pdf). It must exist and stay "
        "inside the case folder (para 146: findings rest on documented evidence).",
        examples=["evidence/site-visit/visit-notes.txt"],
    ),
]

Postcode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
        description="UK postcode in capitals, e.g. WX4 2QT.",
    ),
]

ResidentRef = Annotated[
    str,
    Field(
        pattern=r"^R[0-9]{2,4}$",
        description="Pseudonymous resident reference such as R01: residents' records are "
        "special-category data, so the toolkit refers to them by reference wherever a name "
        "is not needed.",
    ),
]

SchemeId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Short identifier for a scheme, lower case with hyphens, e.g. nettlebank-house.",
    ),
]

NonEmptyText = Annotated[str, Field(min_length=1)]


def _not_after_today(
    ctx: RuleContext, when: dt.date | None, loc: Loc, what: str
) -> Iterator[tuple[Loc, str]]:
    if when is not None and ctx.today is not None and when > ctx.today:
        yield loc, (
            f"{what} {_date_text(when)} is after today ({_date_text(ctx.today)}); record only "
            "what has happened: check the date"
        )


def _not_after_review(
    ctx: RuleContext, when: dt.date | None, loc: Loc, what: str
) -> Iterator[tuple[Loc, str]]:
    """A date of something that happened: not after today, nor after the review date."""
    if when is not None and ctx.today is not None and when > ctx.today:
        yield from _not_after_today(ctx, when, loc, what)
    elif when is not None and ctx.review_date is not None and when > ctx.review_date:
        yield loc, (
            f"{what} {_date_text(when)} is after the review date {_date_text(ctx.review_date)}; "
            "record only what has happened, or move the review date on"
        )


PageRanges = Annotated[
    str,
    Field(
        pattern=r"^[1-9][0-9]*(-[1-9][0-9]*)?(, ?[1-9][0-9]*(-[1-9][0-9]*)?)*$",
        description="Pages of the file, counting its first page as 1: '3', '2-3' or '1, 4-5'.",
        examples=["2-3"],
    ),
]


def page_numbers(ranges: str) -> list[tuple[int, int]]:
    """'1, 4-5' -> [(1, 1), (4, 5)]."""
    found = []
    for part in ranges.split(","):
        first, _, last = part.strip().partition("-")
        found.append((int(first), int(last or first)))
    return found


class Citation(Record):
    """A passage of a document a finding or recommendation rests on (para 146)."""

    file: CaseFile
    pages: PageRanges | None = Field(
        default=None, description="The pages the passage is on; the whole file when omitted."
    )
    quote: str | None = Field(
        default=None,
        min_length=1,
        max_length=600,
        description="A short passage quoted from those pages, as it appears there.",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.pages is None:
            return
        for first, last in page_numbers(self.pages):
            if last < first:
                yield ("pages",), (
                    f"the page range {first}-{last} runs backwards; write it as {last}-{first}"
                )


Cited = Annotated[
    CaseFile | Citation,
    Field(
        description="Evidence cited: a file's path, or {file, pages, quote} to point at the "
        "pages (and a short passage) the point rests on (para 146)."
    ),
]


def cited_file(entry: str | Citation) -> str:
    """The file a citation names."""
    return entry if isinstance(entry, str) else entry.file


class DocumentRecord(Record):
    """What a document in the case folder is: its own title and date, and when it arrived.

    Bundles print this title and these dates for the document instead of deriving them
    from where the file is named in the records."""

    file: CaseFile
    title: NonEmptyText = Field(
        max_length=200,
        description="The document's own title (its heading), e.g. 'Referral and assessment "
        "pathway'; never the wording of the request it answers.",
    )
    date: dt.date | None = Field(default=None, description="The date the document bears.")
    received: dt.date | None = Field(
        default=None, description="The date the council received it."
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the document's date")
        yield from _not_after_review(ctx, self.received, ("received",), "the date received")

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.date is not None and self.received is not None and self.date > self.received:
            yield ("date",), (
                f"{self.file} is dated {_date_text(self.date)}, after it was received on "
                f"{_date_text(self.received)}; check both dates"
            )


def _catalogue_problems(documents: list[DocumentRecord]) -> Iterator[tuple[Loc, str]]:
    seen: dict[str, int] = {}
    for index, entry in enumerate(documents):
        if entry.file in seen:
            yield ("documents", index, "file"), (
                f"{entry.file} is described twice (also entry {seen[entry.file] + 1}); keep one"
            )
        seen.setdefault(entry.file, index)


# --------------------------------------------------------------------------- enums


class OrganisationRole(StrEnum):
    """Roles of organisations involved in a scheme (para 85 a-b)."""

    PROVIDER = "provider"
    LANDLORD = "landlord"
    SUPPORT_PROVIDER = "support_provider"
    MANAGING_AGENT = "managing_agent"
    CARE_PROVIDER = "care_provider"
    OTHER = "other"


class Cohort(StrEnum):
    """Cohorts a scheme houses (para 85 d)."""

    YOUNG_PEOPLE = "young_people"
    CARE_LEAVERS = "care_leavers"
    PRISON_LEAVERS = "prison_leavers"
    MENTAL_ILL_HEALTH = "mental_ill_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    DOMESTIC_ABUSE = "domestic_abuse"
    HOMELESSNESS = "homelessness"
    LEARNING_DISABILITIES = "learning_disabilities"
    PHYSICAL_DISABILITIES = "physical_disabilities"
    OLDER_PEOPLE = "older_people"
    REFUGEES = "refugees"
    VETERANS = "veterans"
    OTHER = "other"


class ReviewBasis(StrEnum):
    """Why the scheme was chosen for review (para 82)."""

    INDICATORS_OF_POOR_QUALITY = "indicators_of_poor_quality"
    SAMPLE_CHECK = "sample_check"


class Para85Item(StrEnum):
    """The information a council may request from a provider (para 85 a-i, with the
    examples the guidance lists under (i) as separate items so each can be tracked)."""

    A_ORGANISATIONS = "a_organisations"
    B_RESPONSIBILITIES = "b_responsibilities"
    C_SCHEME_ADDRESSES = "c_scheme_addresses"
    D_COHORTS = "d_cohorts"
    E_SUPPORT_FUNDING = "e_support_funding"
    F_SATISFACTION_FORMS = "f_satisfaction_forms"
    G_SITE_DESCRIPTION = "g_site_description"
    H_OCCUPANCY_AGREEMENT = "h_occupancy_agreement"
    I_SUPPORT_DESCRIPTION = "i_support_description"
    I_MISSION_STATEMENTS = "i_mission_statements"
    I_EXAMPLE_SUPPORT_PLANS = "i_example_support_plans"
    I_ONSITE_AND_SIGNPOSTED = "i_onsite_and_signposted_support"
    I_EXPERIENCE = "i_experience"
    I_STAFFING_STRUCTURE = "i_staffing_structure"
    I_TRAINING_AND_DBS = "i_training_and_dbs"
    I_CASELOADS = "i_caseloads"
    I_POLICIES = "i_policies"
    I_EXAMPLE_DOCUMENTATION = "i_example_documentation"
    I_QUALITY_STANDARDS = "i_quality_standards"

    @property
    def paragraph(self) -> str:
        """The guidance reference, e.g. "para 85(h)"."""
        return f"para 85({self.value[0]})"

    @property
    def plain_words(self) -> str:
        """What the item is, in plain words for letters and checklists."""
        return PARA85_PLAIN_WORDS[self]


PARA85_PLAIN_WORDS: dict[Para85Item, str] = {
    Para85Item.A_ORGANISATIONS: "the name of the provider and of every other organisation "
    "involved, such as the landlord, support provider and managing agent",
    Para85Item.B_RESPONSIBILITIES: "the responsibilities of each organisation involved",
    Para85Item.C_SCHEME_ADDRESSES: "the area and address of each of your schemes",
    Para85Item.D_COHORTS: "the groups of people (cohorts) each scheme houses",
    Para85Item.E_SUPPORT_FUNDING: "evidence of a separate funding stream for support",
    Para85Item.F_SATISFACTION_FORMS: "resident satisfaction forms, completed anonymously",
    Para85Item.G_SITE_DESCRIPTION: "a description of the site, with photographs if possible, "
    "why it was chosen and how it is maintained",
    Para85Item.H_OCCUPANCY_AGREEMENT: "your model occupancy agreement (licence or tenancy)",
    Para85Item.I_SUPPORT_DESCRIPTION: "a description of the support you provide and how you "
    "make sure it is delivered",
    Para85Item.I_MISSION_STATEMENTS: "your mission statement",
    Para85Item.I_EXAMPLE_SUPPORT_PLANS: "example support plans, with personal details removed",
    Para85Item.I_ONSITE_AND_SIGNPOSTED: "what support is provided on site and what is "
    "signposted to other services",
    Para85Item.I_EXPERIENCE: "the previous experience of the provider and its staff",
    Para85Item.I_STAFFING_STRUCTURE: "your staffing structure",
    Para85Item.I_TRAINING_AND_DBS: "the training given to support workers and evidence of "
    "DBS checks",
    Para85Item.I_CASELOADS: "support workers' caseload sizes",
    Para85Item.I_POLICIES: "relevant policies, such as your safeguarding policy",
    Para85Item.I_EXAMPLE_DOCUMENTATION: "example documents, such as risk and needs "
    "assessments, your standard referral process and occupancy agreement",
    Para85Item.I_QUALITY_STANDARDS: "any quality or accreditation standards you are working "
    "towards",
}


class ItemStatus(StrEnum):
    """Where a requested item stands (para 85)."""

    NOT_REQUESTED = "not_requested"
    OUTSTANDING = "outstanding"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    DECLINED = "declined"


class Conclusion(StrEnum):
    """The answer to each para 110 question."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Para110Question(StrEnum):
    """The three questions the findings answer for each scheme (para 110)."""

    SUPPORT_TAILORED = "support_tailored"
    DEPICTION_ACCURATE = "depiction_accurate"
    DIGNITY_AND_INDEPENDENCE = "dignity_and_independence"


class RecommendationStatus(StrEnum):
    """Progress of a recommendation (paras 117-119, and para 144 for disputes)."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class DisputeOutcome(StrEnum):
    """How a provider's dispute of a recommendation ended (para 144)."""

    PENDING = "pending"
    UPHELD = "upheld"
    """The council keeps the recommendation as it was."""
    AMENDED = "amended"
    """The council changed the recommendation (its text records the amended form)."""
    WITHDRAWN = "withdrawn"
    """The council withdrew the recommendation."""


class Agency(StrEnum):
    """Agencies a review refers matters to or escalates them to."""

    HB_DECISION_MAKER = "hb_decision_maker"
    REGULATOR_OF_SOCIAL_HOUSING = "regulator_of_social_housing"
    SAFEGUARDING_ADULTS_BOARD = "safeguarding_adults_board"
    PRIVATE_SECTOR_HOUSING = "private_sector_housing"
    PLANNING = "planning"
    FIRE_AND_RESCUE = "fire_and_rescue"
    POLICE = "police"
    CQC = "cqc"
    OTHER = "other"

    @property
    def plain_words(self) -> str:
        return AGENCY_WORDS[self]


AGENCY_WORDS: dict[Agency, str] = {
    Agency.HB_DECISION_MAKER: "the Housing Benefit decision maker",
    Agency.REGULATOR_OF_SOCIAL_HOUSING: "the Regulator of Social Housing",
    Agency.SAFEGUARDING_ADULTS_BOARD: "the safeguarding adults board",
    Agency.PRIVATE_SECTOR_HOUSING: "private sector housing (HMO and property licensing)",
    Agency.PLANNING: "planning",
    Agency.FIRE_AND_RESCUE: "the fire and rescue service",
    Agency.POLICE: "the police",
    Agency.CQC: "the Care Quality Commission",
    Agency.OTHER: "another agency",
}


class ConsentMethod(StrEnum):
    """How the resident answered the request for consent (para 97)."""

    WRITTEN = "written"
    VERBAL = "verbal"
    """Consent given in words where written consent was not possible; the reason is recorded."""
    DECLINED = "declined"
    NOT_ASKED = "not_asked"
    """Not asked yet (a resident just added with `bundler resident new`): nothing is asked
    about them, and the checklist says to ask."""


class ConsentStatement(StrEnum):
    """Each statement the consent form asks the resident to agree to, or not (para 97)."""

    INTERVIEW = "interview"
    RECORDS = "records"
    SHARE_WITH_PROVIDER = "share_with_provider"
    USE_IN_PROCEEDINGS = "use_in_proceedings"

    @property
    def text(self) -> str:
        """The statement exactly as the consent form prints it."""
        return CONSENT_STATEMENT_TEXT[self]


CONSENT_STATEMENT_TEXT: dict[ConsentStatement, str] = {
    ConsentStatement.INTERVIEW: "I agree to talk to the council's review team about the "
    "support I get.",
    ConsentStatement.RECORDS: "I agree that the review team can look at my records: my licence "
    "or tenancy agreement, my assessments, my referral and my support plan.",
    ConsentStatement.SHARE_WITH_PROVIDER: "I agree that the review team can tell my provider "
    "what I said, without my name.",
    ConsentStatement.USE_IN_PROCEEDINGS: "I agree that my records can be used as evidence in a "
    "Housing Benefit appeal or other legal proceedings about my home. If it is someone else's "
    "appeal, my name will be taken out.",
}
"""The consent form's statements (para 97): the ``resident-consent`` letter prints exactly
these, in this order, and ``residents/<REF>.yaml`` records the answer to each."""


class DataKind(StrEnum):
    """Kinds of a resident's data, for deciding who may see them (para 97, UK GDPR Art. 9)."""

    RECORDS = "records"
    """Documents about the resident: licence, assessments, referral, support plan, reviews."""
    INTERVIEW = "interview"
    """The notes of what the resident said, in their words."""
    VIEWS = "views"
    """What the resident said, reported without their name (findings, summaries)."""
    IDENTITY = "identity"
    """Anything that identifies the resident: name, room, date of birth."""


class HbDecisionKind(StrEnum):
    """The Housing Benefit decision on whether the home is exempt accommodation."""

    EXEMPT = "exempt"
    NOT_EXEMPT = "not_exempt"
    UNDER_REVIEW = "under_review"


class Appellant(StrEnum):
    """Who brought a Housing Benefit appeal."""

    RESIDENT = "resident"
    LANDLORD = "landlord"
    PROVIDER = "provider"
    OTHER = "other"


class SendMethod(StrEnum):
    """How a letter was sent."""

    EMAIL = "email"
    POST = "post"
    HAND = "hand"
    OTHER = "other"


class LetterKind(StrEnum):
    """The six letters (paras 84-85, 97, 110-119)."""

    INFORMATION_REQUEST = "information-request"
    INFORMATION_REMINDER = "information-reminder"
    RESIDENT_CONSENT = "resident-consent"
    FINDINGS = "findings"
    RESIDENT_OUTCOME = "resident-outcome"
    REVISIT_NOTICE = "revisit-notice"

    @property
    def for_residents(self) -> bool:
        """Resident letters are made one per resident and named ``<kind>-<REF>.docx``."""
        return self in (LetterKind.RESIDENT_CONSENT, LetterKind.RESIDENT_OUTCOME)

    @property
    def template_name(self) -> str:
        return f"{self.value}.docx"

    @property
    def heading(self) -> str:
        """The letter's title, also written into the document's properties."""
        return LETTER_TITLES[self]

    @property
    def context_model(self) -> type[BaseModel]:
        """What the letter's template receives (``bundler.letters.context``)."""
        from bundler.letters.context import context_model_for

        return context_model_for(self)


LETTER_TITLES = {
    LetterKind.INFORMATION_REQUEST: "Request for information",
    LetterKind.INFORMATION_REMINDER: "Reminder: information still needed",
    LetterKind.RESIDENT_CONSENT: "Taking part in a review of your support",
    LetterKind.FINDINGS: "Findings and recommendations",
    LetterKind.RESIDENT_OUTCOME: "What we have asked your provider to do",
    LetterKind.REVISIT_NOTICE: "Notice of a follow-up visit",
}


class VisitStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class AgreementKind(StrEnum):
    """Occupancy agreement type (para 98)."""

    LICENCE = "licence"
    TENANCY = "tenancy"


class AssessmentKind(StrEnum):
    """Assessment forms on a resident's file (para 98)."""

    NEEDS = "needs"
    RISK = "risk"
    INITIAL = "initial"


# --------------------------------------------------------------------------- case.yaml parts


class Address(Record):
    """A postal address, as it would be printed in a window envelope."""

    lines: list[NonEmptyText] = Field(
        min_length=1, max_length=5, description="Street lines, e.g. ['14 Nettlebank Road']."
    )
    town: NonEmptyText = Field(description="Post town.")
    postcode: Postcode


class Contact(Record):
    """A named person to contact."""

    name: NonEmptyText
    role: str | None = Field(default=None, description="Job title.")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^[0-9 +()-]{6,20}$")


class Officer(Contact):
    """A member of the review team (paras 76-79)."""


class Authority(Record):
    """The local authority carrying out the review, as it appears on letters and bundles."""

    name: NonEmptyText = Field(description="E.g. Wrexley Borough Council.")
    team: NonEmptyText = Field(description="The team's name on letters.")
    address: Address
    phone: str | None = Field(default=None, pattern=r"^[0-9 +()-]{6,20}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    complaints: NonEmptyText = Field(
        description="A confidential way for residents to complain or give feedback, "
        "in plain words (para 141)."
    )
    legal_basis: str | None = Field(
        default=None,
        description="The council's own statement of the legal basis it relies on to request "
        "information; printed in the information request. The toolkit never invents it.",
    )
    letter_templates: Annotated[str, AfterValidator(_check_case_folder)] | None = Field(
        default=None,
        description="A folder of the council's own letter templates (information-request.docx "
        "and so on), relative to the case folder, used instead of the toolkit's; "
        "`bundler letter --templates DIR` overrides it.",
        examples=["templates/letters"],
    )


class Review(Record):
    """The review itself: who is doing it, why, and the date its records are complete to."""

    reference: NonEmptyText = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$",
        description="The council's reference for the review, e.g. WBC-SHR-2026-014.",
    )
    authority: Authority
    team: list[Officer] = Field(
        min_length=1, description="The review team (paras 76-79): multidisciplinary officers."
    )
    lead_officer: NonEmptyText = Field(description="Name of the team member who leads; must be in team.")
    basis: ReviewBasis = Field(description="Why this scheme was chosen (para 82).")
    opened: dt.date = Field(description="The date the review started.")
    review_date: dt.date = Field(
        description="The date these records are complete to. Nothing recorded as having "
        "happened may be later, and each resident's licence or tenancy must be current on it."
    )
    support_plan_review_months: int = Field(
        default=6,
        ge=1,
        le=24,
        description="How often the council expects providers to review support plans; the "
        "checklist flags plans not reviewed within this many months (paras 98-100).",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_today(ctx, self.opened, ("opened",), "the date the review opened")
        if ctx.today is not None and self.review_date > ctx.today:
            yield ("review_date",), (
                f"the review date {_date_text(self.review_date)} is after today "
                f"({_date_text(ctx.today)}); it is the date the records are complete to, so "
                "it cannot be in the future: check the date"
            )
        if self.opened > self.review_date:
            yield ("opened",), (
                f"the review opened {_date_text(self.opened)}, after its review date "
                f"{_date_text(self.review_date)}; check both dates"
            )
        names = [officer.name for officer in self.team]
        if self.lead_officer not in names:
            yield ("lead_officer",), (
                f"{self.lead_officer!r} is not in the review team; add them to team or "
                "correct the name"
            )


class Organisation(Record):
    """An organisation involved in the scheme and its responsibilities (para 85 a-b)."""

    name: NonEmptyText
    roles: list[OrganisationRole] = Field(min_length=1)
    responsibilities: list[NonEmptyText] = Field(
        default_factory=list, description="What this organisation is responsible for (para 85 b)."
    )
    address: Address | None = None
    contact: Contact | None = None


class Scheme(Record):
    """A scheme: a building or group of homes (para 85 c-d)."""

    id: SchemeId
    name: NonEmptyText
    address: Address
    area: NonEmptyText = Field(description="The area (ward or district) the scheme is in (para 85 c).")
    cohorts: list[Cohort] = Field(min_length=1, description="Cohorts housed (para 85 d).")
    bedspaces: int | None = Field(default=None, ge=1, le=500)


class Reminder(Record):
    """A reminder sent for outstanding items."""

    date: dt.date
    new_due_date: dt.date

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the reminder date")
        if self.new_due_date < self.date:
            yield ("new_due_date",), (
                f"the new due date {_date_text(self.new_due_date)} is before the reminder "
                f"was sent ({_date_text(self.date)})"
            )


class InformationItem(Record):
    """One para 85 item: whether it was requested and what arrived."""

    item: Para85Item
    requested: bool = Field(description="Whether this item was asked for (para 84: only what is relevant).")
    status: ItemStatus
    detail: str | None = Field(
        default=None, description="Anything specific asked for under this item, in plain words."
    )
    received_date: dt.date | None = None
    files: list[CaseFile] = Field(default_factory=list, description="The files received.")
    notes: str | None = None

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        received = self.status in (ItemStatus.RECEIVED, ItemStatus.PARTLY_RECEIVED)
        if not self.requested and self.status is not ItemStatus.NOT_REQUESTED:
            yield ("status",), (
                f"status is {self.status.value} but requested is false; set requested: true "
                "or status: not_requested"
            )
        if self.requested and self.status is ItemStatus.NOT_REQUESTED:
            yield ("status",), "requested is true, so status cannot be not_requested"
        if received and not self.files:
            yield ("files",), (
                f"status is {self.status.value} but no file is named; list the files received"
            )
        if received and self.received_date is None:
            yield ("received_date",), "give the date the item arrived"
        if not received and self.files:
            yield ("status",), (
                f"files are listed but status is {self.status.value}; set status to "
                "received or partly_received"
            )
        yield from _not_after_review(ctx, self.received_date, ("received_date",), "received date")

    def status_on(self, day: dt.date) -> ItemStatus:
        """The item's status as it stood on ``day``: what arrived later was still outstanding."""
        arrived = self.status in (ItemStatus.RECEIVED, ItemStatus.PARTLY_RECEIVED)
        if arrived and self.received_date is not None and self.received_date > day:
            return ItemStatus.OUTSTANDING
        return self.status


class InformationRequest(Record):
    """The request for information sent to the provider (paras 84-85)."""

    requested_date: dt.date = Field(description="The date the request was sent.")
    due_date: dt.date = Field(description="The date by which the provider was asked to reply.")
    sent_to: Contact = Field(description="The provider's contact the request went to.")
    how_to_respond: NonEmptyText = Field(
        description="How the provider should send the information (e.g. by e-mail to the team)."
    )
    reminders: list[Reminder] = Field(default_factory=list)
    items: list[InformationItem] = Field(min_length=1)

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.due_date < self.requested_date:
            yield ("due_date",), (
                f"the due date {_date_text(self.due_date)} is before the request date "
                f"{_date_text(self.requested_date)}"
            )
        yield from _not_after_review(ctx, self.requested_date, ("requested_date",), "the request date")
        seen: dict[Para85Item, int] = {}
        for index, entry in enumerate(self.items):
            if entry.item in seen:
                yield ("items", index, "item"), (
                    f"{entry.item.value} is listed twice (also item {seen[entry.item] + 1}); "
                    "keep one entry per item"
                )
            seen.setdefault(entry.item, index)
            if entry.received_date is not None and entry.received_date < self.requested_date:
                yield ("items", index, "received_date"), (
                    f"received {_date_text(entry.received_date)}, before the request was "
                    f"sent on {_date_text(self.requested_date)}"
                )
        for index, reminder in enumerate(self.reminders):
            if reminder.date < self.requested_date:
                yield ("reminders", index, "date"), "a reminder cannot be sent before the request"

    def outstanding_on(self, day: dt.date) -> list[InformationItem]:
        """The requested items not yet (fully) received on ``day``."""
        waiting = (ItemStatus.OUTSTANDING, ItemStatus.PARTLY_RECEIVED)
        return [e for e in self.items if e.requested and e.status_on(day) in waiting]

    def received_on(self, day: dt.date) -> list[InformationItem]:
        """The requested items received in full by ``day``."""
        return [e for e in self.items if e.requested and e.status_on(day) is ItemStatus.RECEIVED]

    def due_on(self, day: dt.date) -> dt.date:
        """The latest due date set by ``day``: the request's, or a reminder's sent by then."""
        return max(
            [self.due_date, *(r.new_due_date for r in self.reminders if r.date <= day)]
        )


class StaffConversation(Record):
    """A conversation with staff on the site visit (para 87)."""

    name: NonEmptyText
    role: NonEmptyText
    summary: NonEmptyText = Field(
        description="What they said about policies and whether they feel equipped (para 87)."
    )


class HazardInspection(Record):
    """The detailed inspection of a hazard seen on the site visit (para 88)."""

    date: dt.date
    by: NonEmptyText = Field(description="Who inspected, e.g. 'Private Sector Housing Team'.")
    outcome: NonEmptyText = Field(description="What the inspection found and what follows.")
    files: list[CaseFile] = Field(default_factory=list, description="The inspection report.")


class Hazard(Record):
    """An obvious hazard seen on the light-touch inspection (para 88)."""

    description: NonEmptyText
    location: NonEmptyText
    full_inspection_required: bool = Field(
        description="Whether a detailed inspection follows (para 88)."
    )
    referred_to: str | None = Field(default=None, description="Who the hazard was referred to.")
    inspection: HazardInspection | None = Field(
        default=None,
        description="The detailed inspection that followed (para 88); the hazard's checklist "
        "item clears once it is recorded.",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.inspection is not None:
            yield from _not_after_review(
                ctx, self.inspection.date, ("inspection", "date"), "the inspection date"
            )


class SiteVisit(Record):
    """The site visit (paras 87-88)."""

    date: dt.date
    scheme: SchemeId
    officers: list[NonEmptyText] = Field(min_length=1)
    staff_spoken_to: list[StaffConversation] = Field(default_factory=list)
    accommodation_observations: list[NonEmptyText] = Field(
        default_factory=list, description="Light-touch, informal inspection notes (para 88)."
    )
    hazards: list[Hazard] = Field(default_factory=list)
    photos: list[CaseFile] = Field(default_factory=list)
    notes_file: CaseFile | None = None

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the visit date")
        if ctx.scheme_ids and self.scheme not in ctx.scheme_ids:
            yield ("scheme",), f"no scheme with id {self.scheme!r}; use one of the ids under schemes"
        for index, hazard in enumerate(self.hazards):
            if hazard.inspection is not None and hazard.inspection.date < self.date:
                yield ("hazards", index, "inspection", "date"), (
                    f"the inspection on {_date_text(hazard.inspection.date)} is before the "
                    f"visit that found the hazard ({_date_text(self.date)})"
                )


class ReferralReview(Record):
    """How referrals are accepted and declined, and the experience of them (paras 89-93)."""

    how_referrals_are_accepted: NonEmptyText
    how_referrals_are_declined: NonEmptyText
    staff_experience: str | None = None
    resident_experience: str | None = None
    documents: list[CaseFile] = Field(
        default_factory=list, description="Referral pathway and needs-assessment documents (para 91)."
    )


FindingId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9-]+$", description="E.g. F1: recommendations name it.")
]


class Answer(Record):
    """A finding: the answer to one para 110 question for one or more schemes, with the
    evidence it rests on (para 146)."""

    id: FindingId
    question: Para110Question
    schemes: list[SchemeId] = Field(
        default_factory=list,
        description="The scheme(s) this answer is about; every scheme in the case when omitted.",
    )
    conclusion: Conclusion
    summary: NonEmptyText = Field(description="The conclusion in plain words, for the findings letter.")
    evidence: list[Cited] = Field(
        min_length=1,
        description="The documents (and pages) the conclusion rests on (para 146).",
    )
    residents: list[ResidentRef] = Field(
        default_factory=list, description="Residents whose interviews support it, by reference."
    )


class Findings(Record):
    """The overall assessment once all planned reviews are done (para 110): for each scheme,
    an answer to each of the three questions. One answer may cover several schemes."""

    date: dt.date
    answers: list[Answer] = Field(
        min_length=1,
        description="The para 110 answers: support_tailored (is the support tailored to the "
        "resident's needs, as the resident says and as the provider and referrer set out?), "
        "depiction_accurate (has the provider accurately depicted the support it delivers?) "
        "and dignity_and_independence (are residents treated with compassion, dignity and "
        "respect, moving towards greater independence?), each naming its scheme(s).",
    )
    provider_inexperienced: bool = Field(
        default=False,
        description="Whether to offer the provider support to improve (paras 113-114).",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the findings date")
        ids: dict[str, int] = {}
        answered: dict[tuple[str, Para110Question], int] = {}
        for index, answer in enumerate(self.answers):
            if answer.id in ids:
                yield ("answers", index, "id"), (
                    f"finding id {answer.id!r} is used twice (also answer {ids[answer.id] + 1})"
                )
            ids.setdefault(answer.id, index)
            for scheme in answer.schemes or sorted(ctx.scheme_ids):
                key = (scheme, answer.question)
                if key in answered:
                    yield ("answers", index, "schemes"), (
                        f"{answer.question.value} is answered twice for {scheme} (also answer "
                        f"{answered[key] + 1}); keep one answer per scheme and question"
                    )
                answered.setdefault(key, index)

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        for scheme in sorted(ctx.scheme_ids):
            missing = [q.value for q in Para110Question if not self.answers_for(scheme, q)]
            if missing:
                yield ("answers",), (
                    f"the findings do not yet answer {', '.join(missing)} for {scheme} (para 110)"
                )

    def answers_for(self, scheme: str, question: Para110Question) -> list[Answer]:
        return [
            answer
            for answer in self.answers
            if answer.question is question and (not answer.schemes or scheme in answer.schemes)
        ]


class Dispute(Record):
    """The provider's dispute of a recommendation (para 144) and how it ended."""

    date: dt.date = Field(description="When the provider disputed it.")
    grounds: NonEmptyText = Field(description="The provider's grounds, in brief.")
    outcome: DisputeOutcome = DisputeOutcome.PENDING
    outcome_date: dt.date | None = None
    outcome_note: str | None = Field(default=None, description="The council's reasons.")
    files: list[CaseFile] = Field(
        default_factory=list, description="The provider's dispute and the council's reply."
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the dispute date")
        yield from _not_after_review(ctx, self.outcome_date, ("outcome_date",), "the outcome date")
        pending = self.outcome is DisputeOutcome.PENDING
        if pending and self.outcome_date is not None:
            yield ("outcome",), "an outcome date is given, so the outcome cannot be pending"
        if not pending and self.outcome_date is None:
            yield ("outcome_date",), f"the outcome is {self.outcome.value}: give its date"
        if self.outcome_date is not None and self.outcome_date < self.date:
            yield ("outcome_date",), (
                f"the outcome date {_date_text(self.outcome_date)} is before the dispute "
                f"({_date_text(self.date)})"
            )


class Recommendation(Record):
    """A recommendation to the provider with its dates (paras 111-118)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$", description="E.g. REC-1.")]
    recommendation: NonEmptyText = Field(description="What the provider should do, in plain words.")
    schemes: list[SchemeId] = Field(
        default_factory=list,
        description="The scheme(s) it concerns; else those of the findings it addresses, else "
        "every scheme (para 112: results are logged by scheme).",
    )
    addresses: list[FindingId] = Field(
        default_factory=list, description="Ids of the findings (para 110 answers) it addresses."
    )
    evidence: list[Cited] = Field(
        default_factory=list, description="The documents (and pages) it rests on (para 146)."
    )
    acknowledge_by: dt.date = Field(description="Date by which the provider acknowledges it (para 117).")
    complete_by: dt.date = Field(
        description="Date by which the provider completes and evidences the action (para 117)."
    )
    status: RecommendationStatus
    acknowledged_on: dt.date | None = None
    completed_on: dt.date | None = None
    evidence_of_completion: list[CaseFile] = Field(default_factory=list)
    dispute: Dispute | None = Field(default=None, description="Para 144.")

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.complete_by <= self.acknowledge_by:
            yield ("complete_by",), (
                f"complete_by {_date_text(self.complete_by)} must be after acknowledge_by "
                f"{_date_text(self.acknowledge_by)}"
            )
        acknowledged = self.status in (RecommendationStatus.ACKNOWLEDGED, RecommendationStatus.COMPLETED)
        if acknowledged and self.acknowledged_on is None:
            yield ("acknowledged_on",), f"status is {self.status.value}: give the date it was acknowledged"
        if self.status is RecommendationStatus.COMPLETED:
            if self.completed_on is None:
                yield ("completed_on",), "status is completed: give the date it was completed"
            if not self.evidence_of_completion:
                yield ("evidence_of_completion",), (
                    "status is completed: name the file(s) that evidence it (para 117)"
                )
        elif self.completed_on is not None:
            yield ("status",), "completed_on is given, so status should be completed"
        dispute = self.dispute
        if self.status is RecommendationStatus.DISPUTED and dispute is None:
            yield ("dispute",), "status is disputed: record the dispute (date, grounds) (para 144)"
        if dispute is not None:
            pending = dispute.outcome is DisputeOutcome.PENDING
            if pending and self.status is not RecommendationStatus.DISPUTED:
                yield ("status",), (
                    "the dispute's outcome is pending, so status should be disputed"
                )
            if not pending and self.status is RecommendationStatus.DISPUTED:
                yield ("status",), (
                    f"the dispute ended ({dispute.outcome.value}), so status cannot still be "
                    "disputed; set the status the recommendation has now"
                )
            withdrawn = dispute.outcome is DisputeOutcome.WITHDRAWN
            if withdrawn and self.status is not RecommendationStatus.WITHDRAWN:
                yield ("status",), "the dispute ended with the recommendation withdrawn: set status: withdrawn"
        yield from _not_after_review(ctx, self.acknowledged_on, ("acknowledged_on",), "acknowledged_on")
        yield from _not_after_review(ctx, self.completed_on, ("completed_on",), "completed_on")

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if not self.addresses:
            yield ("addresses",), (
                f"{self.id} does not say which finding it addresses; add addresses: [F1] "
                "(the id of the para 110 answer)"
            )


class FollowUpVisit(Record):
    """A revisit to check progress on the recommendations (para 119)."""

    planned_date: dt.date
    status: VisitStatus
    schemes: list[SchemeId] = Field(
        default_factory=list,
        description="The scheme(s) visited; else those of its recommendations, else every scheme.",
    )
    done_date: dt.date | None = None
    recommendations: list[str] = Field(
        default_factory=list, description="Ids of the recommendations to check (para 119)."
    )
    notes: str | None = None
    files: list[CaseFile] = Field(default_factory=list)

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.status is VisitStatus.DONE and self.done_date is None:
            yield ("done_date",), "status is done: give the date of the visit"
        if self.status is not VisitStatus.DONE and self.done_date is not None:
            yield ("status",), "done_date is given, so status should be done"
        yield from _not_after_review(ctx, self.done_date, ("done_date",), "the visit date")


class AgencyReply(Record):
    """A reply received from an agency, or the outcome of a referral."""

    date: dt.date
    summary: NonEmptyText
    files: list[CaseFile] = Field(default_factory=list)


class AgencyReferral(Record):
    """A matter referred or escalated to another agency (e.g. para 88 hazards; paras 142-145)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$", description="E.g. RF-1.")]
    date: dt.date = Field(description="When it was referred.")
    agency: Agency
    agency_name: str | None = Field(
        default=None,
        min_length=1,
        description="The agency's own name (required for agency: other), e.g. 'Wrexley Fire "
        "and Rescue Service'.",
    )
    schemes: list[SchemeId] = Field(default_factory=list, description="The scheme(s) concerned.")
    residents: list[ResidentRef] = Field(
        default_factory=list, description="Residents concerned, by reference only."
    )
    what: NonEmptyText = Field(description="What was referred.")
    why: NonEmptyText = Field(description="Why it was referred.")
    paragraph: str | None = Field(
        default=None, description="The guidance paragraph it rests on, e.g. 'para 88'."
    )
    reference: str | None = Field(default=None, min_length=1, description="The agency's reference.")
    response_due: dt.date | None = None
    response: AgencyReply | None = Field(default=None, description="The agency's reply.")
    outcome: AgencyReply | None = Field(
        default=None, description="How the referral ended; it stays open until recorded."
    )
    files: list[CaseFile] = Field(default_factory=list, description="The referral sent.")

    @property
    def agency_text(self) -> str:
        return self.agency_name or self.agency.plain_words

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the referral date")
        if self.agency is Agency.OTHER and not self.agency_name:
            yield ("agency_name",), "agency is other: give the agency's name in agency_name"
        if self.response_due is not None and self.response_due < self.date:
            yield ("response_due",), (
                f"the response was due {_date_text(self.response_due)}, before the referral "
                f"on {_date_text(self.date)}"
            )
        for name, reply in (("response", self.response), ("outcome", self.outcome)):
            if reply is None:
                continue
            yield from _not_after_review(ctx, reply.date, (name, "date"), f"the {name} date")
            if reply.date < self.date:
                yield (name, "date"), (
                    f"the {name} on {_date_text(reply.date)} is before the referral on "
                    f"{_date_text(self.date)}"
                )


class Case(Record):
    """``case.yaml``: one review's records (paras 76-119), for one or more schemes."""

    SCHEMA_NAME: ClassVar[str] = "case.schema.json"

    review: Review
    organisations: list[Organisation] = Field(
        min_length=1,
        description="The provider and every organisation involved, with roles (para 85 a-b).",
    )
    schemes: list[Scheme] = Field(min_length=1, description="The scheme(s) reviewed (para 85 c-d).")
    information_request: InformationRequest | None = Field(
        default=None, description="The request to the provider and what arrived (paras 84-85)."
    )
    site_visits: list[SiteVisit] = Field(default_factory=list, description="Paras 87-88.")
    referral_review: ReferralReview | None = Field(default=None, description="Paras 89-93.")
    findings: Findings | None = Field(default=None, description="Para 110.")
    recommendations: list[Recommendation] = Field(default_factory=list, description="Paras 111-118.")
    follow_up_visits: list[FollowUpVisit] = Field(default_factory=list, description="Para 119.")
    referrals: list[AgencyReferral] = Field(
        default_factory=list,
        description="Referrals and escalations to other agencies: the Housing Benefit decision "
        "maker, the Regulator of Social Housing, the safeguarding adults board, private sector "
        "housing, planning, fire and rescue, police, CQC, others.",
    )
    documents: list[DocumentRecord] = Field(
        default_factory=list,
        description="What scheme-level documents are: each file's own title and date, and when "
        "it was received (residents' documents are described in their own files).",
    )

    @property
    def provider(self) -> Organisation:
        """The organisation with the provider role (exactly one, checked by the rules)."""
        for organisation in self.organisations:
            if OrganisationRole.PROVIDER in organisation.roles:
                return organisation
        raise LookupError("no provider")  # unreachable for a validated case

    def scheme_ids(self) -> list[str]:
        return [scheme.id for scheme in self.schemes]

    def recommendation_schemes(self, rec: Recommendation) -> list[str]:
        """The schemes a recommendation concerns: its own, else its findings', else all."""
        if rec.schemes:
            return list(rec.schemes)
        found: list[str] = []
        if self.findings is not None:
            for answer in self.findings.answers:
                if answer.id in rec.addresses:
                    found.extend(answer.schemes or self.scheme_ids())
        return list(dict.fromkeys(found)) or self.scheme_ids()

    def visit_schemes(self, visit: FollowUpVisit) -> list[str]:
        """The schemes a follow-up visit covers: its own, else its recommendations', else all."""
        if visit.schemes:
            return list(visit.schemes)
        by_id = {rec.id: rec for rec in self.recommendations}
        found = [
            scheme
            for rec_id in visit.recommendations
            if rec_id in by_id
            for scheme in self.recommendation_schemes(by_id[rec_id])
        ]
        return list(dict.fromkeys(found)) or self.scheme_ids()

    def scheme_name(self, scheme_id: str) -> str:
        return next((s.name for s in self.schemes if s.id == scheme_id), scheme_id)

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        providers = [
            index
            for index, organisation in enumerate(self.organisations)
            if OrganisationRole.PROVIDER in organisation.roles
        ]
        if not providers:
            yield ("organisations",), "no organisation has the provider role; add roles: [provider]"
        for index in providers[1:]:
            yield ("organisations", index, "roles"), (
                "more than one organisation has the provider role; give it to one only"
            )
        seen_schemes: set[str] = set()
        for index, scheme in enumerate(self.schemes):
            if scheme.id in seen_schemes:
                yield ("schemes", index, "id"), f"scheme id {scheme.id!r} is used twice"
            seen_schemes.add(scheme.id)
        yield from self._scheme_references(seen_schemes)
        finding_ids = {answer.id for answer in self.findings.answers} if self.findings else set()
        rec_ids: set[str] = set()
        for index, rec in enumerate(self.recommendations):
            if rec.id in rec_ids:
                yield ("recommendations", index, "id"), f"recommendation id {rec.id!r} is used twice"
            rec_ids.add(rec.id)
            if self.findings and rec.acknowledge_by < self.findings.date:
                yield ("recommendations", index, "acknowledge_by"), (
                    f"acknowledge_by {_date_text(rec.acknowledge_by)} is before the findings "
                    f"date {_date_text(self.findings.date)}"
                )
            for at, finding in enumerate(rec.addresses):
                if finding not in finding_ids:
                    yield ("recommendations", index, "addresses", at), (
                        f"no finding with id {finding!r} under findings.answers"
                    )
            if self.findings and rec.dispute and rec.dispute.date < self.findings.date:
                yield ("recommendations", index, "dispute", "date"), (
                    f"disputed on {_date_text(rec.dispute.date)}, before the findings were "
                    f"made ({_date_text(self.findings.date)})"
                )
        for index, visit in enumerate(self.follow_up_visits):
            for rec_index, rec_id in enumerate(visit.recommendations):
                if rec_id not in rec_ids:
                    yield ("follow_up_visits", index, "recommendations", rec_index), (
                        f"no recommendation with id {rec_id!r}"
                    )
        if self.recommendations and self.findings is None:
            yield ("recommendations",), "recommendations need findings (para 110); add findings"
        referral_ids: set[str] = set()
        for index, referral in enumerate(self.referrals):
            if referral.id in referral_ids:
                yield ("referrals", index, "id"), f"referral id {referral.id!r} is used twice"
            referral_ids.add(referral.id)
        yield from _catalogue_problems(self.documents)

    def _scheme_references(self, known: set[str]) -> Iterator[tuple[Loc, str]]:
        """Every scheme named by findings, recommendations, visits and referrals exists."""
        named: list[tuple[Loc, list[str]]] = []
        if self.findings is not None:
            named.extend(
                (("findings", "answers", index, "schemes"), answer.schemes)
                for index, answer in enumerate(self.findings.answers)
            )
        named.extend(
            (("recommendations", index, "schemes"), rec.schemes)
            for index, rec in enumerate(self.recommendations)
        )
        named.extend(
            (("follow_up_visits", index, "schemes"), visit.schemes)
            for index, visit in enumerate(self.follow_up_visits)
        )
        named.extend(
            (("referrals", index, "schemes"), referral.schemes)
            for index, referral in enumerate(self.referrals)
        )
        for loc, schemes in named:
            for at, scheme in enumerate(schemes):
                if scheme not in known:
                    yield (*loc, at), (
                        f"no scheme with id {scheme!r}; use one of the ids under schemes"
                    )


# --------------------------------------------------------------------------- residents/<REF>.yaml


class ConsentStatements(Record):
    """The resident's answer to each statement on the consent form (para 97)."""

    interview: bool = Field(description=CONSENT_STATEMENT_TEXT[ConsentStatement.INTERVIEW])
    records: bool = Field(description=CONSENT_STATEMENT_TEXT[ConsentStatement.RECORDS])
    share_with_provider: bool = Field(
        description=CONSENT_STATEMENT_TEXT[ConsentStatement.SHARE_WITH_PROVIDER]
    )
    use_in_proceedings: bool = Field(
        description=CONSENT_STATEMENT_TEXT[ConsentStatement.USE_IN_PROCEEDINGS]
    )

    def agreed(self) -> frozenset[ConsentStatement]:
        return frozenset(s for s in ConsentStatement if getattr(self, s.value))


class Withdrawal(Record):
    """The resident withdrew their consent, wholly or in part (para 97)."""

    date: dt.date
    statements: list[ConsentStatement] = Field(
        default_factory=list,
        description="The statements withdrawn; every statement when omitted.",
    )
    note: str | None = Field(default=None, description="How it was withdrawn (no personal detail).")

    def withdrawn(self) -> frozenset[ConsentStatement]:
        return frozenset(self.statements) if self.statements else frozenset(ConsentStatement)


class Consent(Record):
    """The resident's consent to the individual review, statement by statement (para 97)."""

    method: ConsentMethod = Field(
        description="written (a signed form), verbal (where written consent was not possible, "
        "with the reason) or declined."
    )
    date: dt.date | None = Field(
        default=None, description="When consent was given (or declined)."
    )
    form_file: CaseFile | None = Field(default=None, description="The signed consent form.")
    reason_not_written: str | None = Field(
        default=None,
        min_length=1,
        description="Verbal consent: why written consent was not possible (para 97: 'where "
        "possible').",
    )
    statements: ConsentStatements | None = Field(
        default=None,
        description="What the resident agreed to, statement by statement (written and verbal).",
    )
    withdrawn: Withdrawal | None = Field(default=None, description="A later withdrawal.")

    def agreed_on(self, day: dt.date) -> frozenset[ConsentStatement]:
        """The statements agreed and not withdrawn on ``day``."""
        if self.method is ConsentMethod.DECLINED or self.statements is None:
            return frozenset()
        if self.date is None or self.date > day:
            return frozenset()
        agreed = self.statements.agreed()
        if self.withdrawn is not None and self.withdrawn.date <= day:
            agreed -= self.withdrawn.withdrawn()
        return agreed

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        method = self.method
        if method in (ConsentMethod.DECLINED, ConsentMethod.NOT_ASKED):
            said = (
                "was declined" if method is ConsentMethod.DECLINED else "is recorded as not asked"
            )
            if self.statements is not None and self.statements.agreed():
                yield ("statements",), (
                    f"consent {said}, yet statements are agreed; set method: written or "
                    "verbal, or set every statement to false"
                )
            if self.form_file is not None:
                yield ("form_file",), (
                    f"consent {said}, yet a signed form is named; set method: written, "
                    "or remove form_file"
                )
            if self.withdrawn is not None:
                yield ("withdrawn",), f"consent {said}, so there is nothing to withdraw"
        else:
            if self.date is None:
                yield ("date",), f"{method.value} consent needs the date it was given"
            if self.statements is None:
                yield ("statements",), (
                    "record the answer to each statement of the consent form (interview, "
                    "records, share_with_provider, use_in_proceedings: true or false)"
                )
        if method is ConsentMethod.WRITTEN and self.form_file is None:
            yield ("form_file",), "written consent needs the signed form's file"
        if method is ConsentMethod.VERBAL:
            if not self.reason_not_written:
                yield ("reason_not_written",), (
                    "verbal consent: say why written consent was not possible (para 97)"
                )
            if self.form_file is not None:
                yield ("form_file",), (
                    "a signed form is named, so the consent is written: set method: written"
                )
        if method is ConsentMethod.WRITTEN and self.reason_not_written:
            yield ("reason_not_written",), (
                "consent is written, so there is no reason it was not written; remove it or "
                "set method: verbal"
            )
        yield from _not_after_review(ctx, self.date, ("date",), "the consent date")
        withdrawal = self.withdrawn
        if withdrawal is not None:
            yield from _not_after_review(ctx, withdrawal.date, ("withdrawn", "date"), "the withdrawal date")
            if self.date is not None and withdrawal.date < self.date:
                yield ("withdrawn", "date"), (
                    f"withdrawn on {_date_text(withdrawal.date)}, before consent was given on "
                    f"{_date_text(self.date)}"
                )
            agreed = self.statements.agreed() if self.statements else frozenset()
            for index, statement in enumerate(withdrawal.statements):
                if statement not in agreed:
                    yield ("withdrawn", "statements", index), (
                        f"{statement.value} was not agreed, so it cannot be withdrawn"
                    )

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.method is ConsentMethod.DECLINED:
            when = f" on {_date_text(self.date)}" if self.date else ""
            yield ("method",), (
                f"consent declined{when}: the resident is not interviewed and nothing is asked "
                "about them (para 97)"
            )
        if self.withdrawn is not None:
            withdrawn = self.withdrawn.withdrawn()
            what = (
                "every statement"
                if withdrawn == frozenset(ConsentStatement)
                else ", ".join(s.value for s in ConsentStatement if s in withdrawn)
            )
            yield ("withdrawn",), (
                f"consent withdrawn on {_date_text(self.withdrawn.date)} for {what} (para 97)"
            )


AudienceName = Annotated[
    str,
    Field(
        pattern=r"^(tribunal|provider|internal|appeal:[A-Za-z0-9][A-Za-z0-9/_.-]*)$",
        description="Who reads it: tribunal (the judge's full bundle), provider, appeal:REF "
        "(the parties to one Housing Benefit appeal: its reference, or the appellant "
        "resident's, e.g. appeal:R01), or internal (the review team).",
        examples=["appeal:R01", "tribunal"],
    ),
]


class Disclosure(Record):
    """A recorded legal basis for disclosing the resident's data to an audience their
    consent does not cover (e.g. UK GDPR Art. 9(2)(f), legal claims): who decided, when."""

    audience: AudienceName
    kinds: list[DataKind] = Field(
        default_factory=list,
        description="The kinds of data it covers (records, interview, views, identity); all "
        "when omitted.",
    )
    basis: NonEmptyText = Field(description="The legal basis, e.g. 'UK GDPR Art. 9(2)(f) (legal claims)'.")
    decided_by: NonEmptyText = Field(description="Who decided, e.g. the council's data protection officer.")
    decided_on: dt.date
    note: str | None = None

    def covers(self) -> frozenset[DataKind]:
        return frozenset(self.kinds) if self.kinds else frozenset(DataKind)

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.decided_on, ("decided_on",), "the decision date")


class HbDecision(Record):
    """The Housing Benefit decision on the claim (exempt accommodation or not)."""

    kind: HbDecisionKind
    date: dt.date
    note: str | None = None


class HbAppeal(Record):
    """An appeal against the Housing Benefit decision to the First-tier Tribunal (Social
    Entitlement Chamber); a bundle can be built for its parties (audience appeal:REF)."""

    reference: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$",
            description="The appeal's reference, e.g. the tribunal's SC number.",
        ),
    ]
    appellant: Appellant = Field(description="Who appealed.")
    appellant_name: str | None = Field(
        default=None,
        min_length=1,
        description="The appellant's name when it is not the resident (e.g. the landlord).",
    )
    lodged: dt.date = Field(description="When the appeal was lodged.")
    hearing_date: dt.date | None = Field(
        default=None, description="The tribunal's hearing date (may be after the review date)."
    )
    outcome: str | None = Field(default=None, min_length=1)
    outcome_date: dt.date | None = None

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.lodged, ("lodged",), "the date the appeal was lodged")
        yield from _not_after_review(ctx, self.outcome_date, ("outcome_date",), "the outcome date")
        if self.hearing_date is not None and self.hearing_date < self.lodged:
            yield ("hearing_date",), (
                f"the hearing on {_date_text(self.hearing_date)} is before the appeal was lodged "
                f"({_date_text(self.lodged)})"
            )
        if self.appellant is Appellant.OTHER and not self.appellant_name:
            yield ("appellant_name",), "appellant is other: give their name in appellant_name"
        if (self.outcome is None) != (self.outcome_date is None):
            yield ("outcome_date" if self.outcome else "outcome",), (
                "give both the outcome and its date, or neither"
            )


class HousingBenefit(Record):
    """The resident's Housing Benefit claim, its exempt-accommodation decision and any appeal."""

    claim_reference: Annotated[
        str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$", description="E.g. HB-204417.")
    ]
    decision: HbDecision | None = None
    appeal: HbAppeal | None = None

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.decision is not None:
            yield from _not_after_review(ctx, self.decision.date, ("decision", "date"), "the decision date")
            if self.appeal is not None and self.appeal.lodged < self.decision.date:
                yield ("appeal", "lodged"), (
                    f"the appeal was lodged {_date_text(self.appeal.lodged)}, before the "
                    f"decision it appeals ({_date_text(self.decision.date)})"
                )

    def rule_notes(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.appeal is not None and self.decision is None:
            yield ("appeal",), "an appeal is recorded but not the decision it appeals; add decision"


class Interview(Record):
    """The person-centred interview with the resident (paras 94-98)."""

    date: dt.date
    officer: NonEmptyText
    notes_file: CaseFile | None = None

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the interview date")


class OccupancyAgreement(Record):
    """A signed, current licence or tenancy agreement (para 98)."""

    kind: AgreementKind
    signed: bool
    start_date: dt.date
    end_date: dt.date | None = Field(default=None, description="Empty for a periodic agreement.")
    file: CaseFile

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.start_date, ("start_date",), "the start date")
        if self.end_date is not None and self.end_date < self.start_date:
            yield ("end_date",), "the end date is before the start date"

    def current_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class Assessment(Record):
    """A needs, risk or initial assessment form (para 98)."""

    kind: AssessmentKind
    date: dt.date
    file: CaseFile

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the assessment date")


class Referral(Record):
    """Information about the resident's referral to the organisation (para 98)."""

    date: dt.date
    referred_by: NonEmptyText = Field(description="The referring agency, e.g. leaving care team.")
    file: CaseFile

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the referral date")


class PlanReview(Record):
    """A provider's review of the support plan (para 98)."""

    date: dt.date
    file: CaseFile


class SupportPlan(Record):
    """The outcome-based support plan and the provider's reviews of it (paras 98-100)."""

    outcome_based: bool = Field(description="Whether the plan sets outcomes (para 98).")
    start_date: dt.date
    file: CaseFile
    reviews: list[PlanReview] = Field(default_factory=list)

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.start_date, ("start_date",), "the plan's start date")
        previous: dt.date | None = None
        for index, review in enumerate(self.reviews):
            if review.date <= self.start_date:
                yield ("reviews", index, "date"), (
                    f"review dated {_date_text(review.date)} is not after the plan started "
                    f"({_date_text(self.start_date)})"
                )
            if previous is not None and review.date < previous:
                yield ("reviews", index, "date"), "list reviews in date order, oldest first"
            previous = review.date
            yield from _not_after_review(ctx, review.date, ("reviews", index, "date"), "the review date")

    @property
    def last_reviewed(self) -> dt.date:
        return self.reviews[-1].date if self.reviews else self.start_date


class EvidenceChecklist(Record):
    """The individual evidence checklist (paras 98-100). Leave an item out when it is missing:
    the checklist command reports what is outstanding."""

    occupancy_agreement: OccupancyAgreement | None = None
    assessments: list[Assessment] = Field(default_factory=list)
    referral: Referral | None = None
    support_plan: SupportPlan | None = None


class Correspondence(Record):
    """How to address letters to the resident (paras 97 and 115). Used only inside the
    letters themselves: never in file names, bundles, logs or messages. Without a name the
    letter still reaches the resident privately: addressed to their room or flat and marked
    "Private: to be opened by the addressee only"."""

    name: NonEmptyText | None = Field(
        default=None, description="The resident's name as it should appear on letters.")
    flat: str | None = Field(
        default=None,
        min_length=1,
        description="Flat or room, as it should appear above the scheme's address, e.g. Room 3.",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.name is None and self.flat is None:
            yield ("flat",), (
                "give the resident's room or flat (flat: Room 3), their name, or both, so "
                "letters reach them"
            )


class Resident(Record):
    """``residents/<REF>.yaml``: one resident's individual review (paras 94-100)."""

    SCHEMA_NAME: ClassVar[str] = "resident.schema.json"

    reference: ResidentRef
    scheme: SchemeId
    cohorts: list[Cohort] = Field(default_factory=list)
    consent: Consent
    disclosures: list[Disclosure] = Field(
        default_factory=list,
        description="Recorded legal bases for disclosures the resident's consent does not cover.",
    )
    housing_benefit: HousingBenefit | None = None
    interview: Interview | None = None
    evidence: EvidenceChecklist = Field(default_factory=EvidenceChecklist)
    correspondence: Correspondence | None = Field(
        default=None,
        description="Name and flat or room for the resident's letters (a room alone will do: "
        "the letter is marked private); without either, no letter can be addressed to them. "
        "Kept out of bundles and file names.",
    )
    documents: list[DocumentRecord] = Field(
        default_factory=list,
        description="What the resident's documents are: each file's own title and date, and "
        "when it was received.",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if ctx.scheme_ids and self.scheme not in ctx.scheme_ids:
            yield ("scheme",), f"no scheme with id {self.scheme!r} in case.yaml"
        consent, interview = self.consent, self.interview
        if (
            consent.date is not None
            and interview is not None
            and consent.method is not ConsentMethod.DECLINED
            and consent.date > interview.date
        ):
            yield ("consent", "date"), (
                f"consent is dated {_date_text(consent.date)}, after the interview on "
                f"{_date_text(interview.date)}; consent comes first (para 97)"
            )
        elif interview is not None and ConsentStatement.INTERVIEW not in consent.agreed_on(
            interview.date
        ):
            yield ("interview",), (
                f"an interview on {_date_text(interview.date)} is recorded, but the resident "
                "had not agreed to be interviewed then (consent); correct the consent or the "
                "interview (para 97)"
            )
        yield from _catalogue_problems(self.documents)


# --------------------------------------------------------------------------- letters.yaml


Sha256Text = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, lowercase hex.")]


def _letter_path_format(value: str) -> str:
    """Relative to the case folder (checked as any record's path), or absolute when the letter
    was written outside the case folder (the register still keeps its SHA-256)."""
    return value if PurePosixPath(value).is_absolute() else _case_path_format(value)


class LetterFile(Record):
    """One file of a letter as written (the Word file, the PDF)."""

    file: Annotated[str, AfterValidator(_letter_path_format)] = Field(
        description="The file's path relative to the case folder, or its absolute path when it "
        "was written outside the case folder."
    )
    sha256: Sha256Text


class LetterSent(Record):
    """When and how a letter was sent."""

    date: dt.date
    method: SendMethod = SendMethod.EMAIL
    note: str | None = None


RecipientRef = Annotated[
    str,
    Field(
        pattern=r"^(provider|R[0-9]{2,4})$",
        description="Who the letter went to: provider, or a resident's reference such as R01.",
    ),
]


class LetterRecord(Record):
    """A letter the toolkit wrote, and whether and when it was sent (para 146)."""

    kind: LetterKind
    date: dt.date = Field(description="The date the letter bears.")
    recipient: RecipientRef
    files: list[LetterFile] = Field(min_length=1)
    sent: LetterSent | None = Field(
        default=None, description="Recorded by `bundler letter sent` (or by hand) once sent."
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.sent is not None:
            yield from _not_after_review(ctx, self.sent.date, ("sent", "date"), "the date sent")
            if self.sent.date < self.date:
                yield ("sent", "date"), (
                    f"sent on {_date_text(self.sent.date)}, before the letter's own date "
                    f"{_date_text(self.date)}"
                )

    @property
    def label(self) -> str:
        to = "" if self.recipient == "provider" else f" to {self.recipient}"
        return f"{self.kind.value}{to} dated {_date_text(self.date)}"


class LetterRegister(Record):
    """``letters.yaml``: every letter written for the case, as the toolkit recorded it."""

    SCHEMA_NAME: ClassVar[str] = "letters.schema.json"

    letters: list[LetterRecord] = Field(default_factory=list)

    def sent_letters(self) -> list[LetterRecord]:
        return sorted(
            (letter for letter in self.letters if letter.sent is not None),
            key=lambda letter: (letter.date, letter.kind.value, letter.recipient),
        )
