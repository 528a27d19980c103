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
        """Yield (location relative to this record, message) for each broken rule."""
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


def _not_after_review(
    ctx: RuleContext, when: dt.date | None, loc: Loc, what: str
) -> Iterator[tuple[Loc, str]]:
    if when is not None and ctx.review_date is not None and when > ctx.review_date:
        yield loc, (
            f"{what} {_date_text(when)} is after the review date {_date_text(ctx.review_date)}; "
            "record only what has happened, or move the review date on"
        )


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


class RecommendationStatus(StrEnum):
    """Progress of a recommendation (paras 117-119)."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


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


class StaffConversation(Record):
    """A conversation with staff on the site visit (para 87)."""

    name: NonEmptyText
    role: NonEmptyText
    summary: NonEmptyText = Field(
        description="What they said about policies and whether they feel equipped (para 87)."
    )


class Hazard(Record):
    """An obvious hazard seen on the light-touch inspection (para 88)."""

    description: NonEmptyText
    location: NonEmptyText
    full_inspection_required: bool = Field(
        description="Whether a detailed inspection follows (para 88)."
    )
    referred_to: str | None = Field(default=None, description="Who the hazard was referred to.")


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


class ReferralReview(Record):
    """How referrals are accepted and declined, and the experience of them (paras 89-93)."""

    how_referrals_are_accepted: NonEmptyText
    how_referrals_are_declined: NonEmptyText
    staff_experience: str | None = None
    resident_experience: str | None = None
    documents: list[CaseFile] = Field(
        default_factory=list, description="Referral pathway and needs-assessment documents (para 91)."
    )


class Answer(Record):
    """An answer to one para 110 question, with the evidence it rests on (para 146)."""

    conclusion: Conclusion
    summary: NonEmptyText = Field(description="The conclusion in plain words, for the findings letter.")
    evidence: list[CaseFile] = Field(
        min_length=1, description="The documents the conclusion rests on (para 146)."
    )
    residents: list[ResidentRef] = Field(
        default_factory=list, description="Residents whose interviews support it, by reference."
    )


class Findings(Record):
    """The overall assessment once all planned reviews are done (para 110)."""

    date: dt.date
    support_tailored: Answer = Field(
        description="Is the support tailored to the resident's needs, as the resident says and "
        "as the provider and referrer set out? (para 110)"
    )
    depiction_accurate: Answer = Field(
        description="Has the provider accurately depicted the support it delivers? (para 110)"
    )
    dignity_and_independence: Answer = Field(
        description="Are residents treated with compassion, dignity and respect, moving towards "
        "greater independence? (para 110)"
    )
    provider_inexperienced: bool = Field(
        default=False,
        description="Whether to offer the provider support to improve (paras 113-114).",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        yield from _not_after_review(ctx, self.date, ("date",), "the findings date")


class Recommendation(Record):
    """A recommendation to the provider with its dates (paras 111-118)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+$", description="E.g. REC-1.")]
    recommendation: NonEmptyText = Field(description="What the provider should do, in plain words.")
    acknowledge_by: dt.date = Field(description="Date by which the provider acknowledges it (para 117).")
    complete_by: dt.date = Field(
        description="Date by which the provider completes and evidences the action (para 117)."
    )
    status: RecommendationStatus
    acknowledged_on: dt.date | None = None
    completed_on: dt.date | None = None
    evidence_of_completion: list[CaseFile] = Field(default_factory=list)

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
        yield from _not_after_review(ctx, self.acknowledged_on, ("acknowledged_on",), "acknowledged_on")
        yield from _not_after_review(ctx, self.completed_on, ("completed_on",), "completed_on")


class FollowUpVisit(Record):
    """A revisit to check progress on the recommendations (para 119)."""

    planned_date: dt.date
    status: VisitStatus
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


class Case(Record):
    """``case.yaml``: one scheme review's records (paras 76-119)."""

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

    @property
    def provider(self) -> Organisation:
        """The organisation with the provider role (exactly one, checked by the rules)."""
        for organisation in self.organisations:
            if OrganisationRole.PROVIDER in organisation.roles:
                return organisation
        raise LookupError("no provider")  # unreachable for a validated case

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
        for index, visit in enumerate(self.follow_up_visits):
            for rec_index, rec_id in enumerate(visit.recommendations):
                if rec_id not in rec_ids:
                    yield ("follow_up_visits", index, "recommendations", rec_index), (
                        f"no recommendation with id {rec_id!r}"
                    )
        if self.recommendations and self.findings is None:
            yield ("recommendations",), "recommendations need findings (para 110); add findings"


# --------------------------------------------------------------------------- residents/<REF>.yaml


class Consent(Record):
    """The resident's consent to the individual review (para 97)."""

    obtained_in_writing: bool = Field(description="Whether written consent was obtained (para 97).")
    date: dt.date | None = Field(default=None, description="The date consent was given.")
    form_file: CaseFile | None = Field(default=None, description="The signed consent form.")
    reason_not_obtained: str | None = Field(
        default=None, description="Why written consent was not obtained (para 97: 'where possible')."
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if self.obtained_in_writing:
            if self.date is None:
                yield ("date",), "written consent needs the date it was given"
            if self.form_file is None:
                yield ("form_file",), "written consent needs the signed form's file"
        elif not self.reason_not_obtained:
            yield ("reason_not_obtained",), (
                "consent was not obtained in writing: say why in reason_not_obtained"
            )
        yield from _not_after_review(ctx, self.date, ("date",), "the consent date")


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
        elif (
            self.end_date is not None
            and ctx.review_date is not None
            and self.end_date < ctx.review_date
        ):
            yield ("end_date",), (
                f"this {self.kind.value} ended on {_date_text(self.end_date)}, before the review "
                f"date {_date_text(ctx.review_date)}; record the current agreement"
            )


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
    letters themselves: never in file names, bundles, logs or messages."""

    name: NonEmptyText = Field(description="The resident's name as it should appear on letters.")
    flat: str | None = Field(
        default=None,
        description="Flat or room, as it should appear above the scheme's address, e.g. Room 3.",
    )


class Resident(Record):
    """``residents/<REF>.yaml``: one resident's individual review (paras 94-100)."""

    SCHEMA_NAME: ClassVar[str] = "resident.schema.json"

    reference: ResidentRef
    scheme: SchemeId
    cohorts: list[Cohort] = Field(default_factory=list)
    consent: Consent
    interview: Interview | None = None
    evidence: EvidenceChecklist = Field(default_factory=EvidenceChecklist)
    correspondence: Correspondence | None = Field(
        default=None,
        description="Name and flat or room for the resident's letters; without it letters are "
        "addressed to 'The resident' at the scheme. Kept out of bundles and file names.",
    )

    def rule_problems(self, ctx: RuleContext) -> Iterator[tuple[Loc, str]]:
        if ctx.scheme_ids and self.scheme not in ctx.scheme_ids:
            yield ("scheme",), f"no scheme with id {self.scheme!r} in case.yaml"
        if (
            self.consent.date is not None
            and self.interview is not None
            and self.consent.date > self.interview.date
        ):
            yield ("consent", "date"), (
                f"consent is dated {_date_text(self.consent.date)}, after the interview on "
                f"{_date_text(self.interview.date)}; consent comes first (para 97)"
            )
