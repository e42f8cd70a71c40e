"""The programme: partners, services, delivery options, dependencies, resources and policies.

Plain frozen pydantic records, checked in two layers: field-level checks on each record, and
every cross-reference check in the one ``Programme`` validator (see :mod:`engine.programme.checks`) so
that a file with several mistakes reports all of them, each at its own place.  Nothing here
imports a solver or a user interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from engine.base.errors import ProgrammeProblems, remember_source, source_of
from engine.base.limits import MAX_AMOUNT, MAX_ATTRIBUTE, MAX_MONEY, MAX_RECORDS, MAX_WEIGHT
from engine.programme.calendar import Horizon

if TYPE_CHECKING:
    from engine.programme.stages import Stage

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        max_length=64,
        description="letters, digits, '-' and '_' (no spaces)",
    ),
]
AttrName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]
UNKNOWN = "unknown"
"""The word a file writes for a value the sources do not give (YAML may also write ``null``)."""


def is_unknown_word(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == UNKNOWN


def _unknown_is_none(value: object) -> object:
    """``unknown`` (any case) reads as None: not known, which is never the same as 0."""
    return None if is_unknown_word(value) else value


def _figure_needed(value: object) -> object:
    """Money feeds the finance and the planner, which cannot run on an unknown: say what to write."""
    if value is None or is_unknown_word(value):
        raise ValueError(
            "a figure is needed here, not unknown (money feeds the finance and the plan): write the "
            "best estimate and mark it `illustrative`, or for an option's cost give `ranges` [low, high]"
        )
    return value


Money = Annotated[
    float,
    BeforeValidator(_figure_needed),
    Field(ge=0, le=MAX_MONEY, allow_inf_nan=False, description="pounds sterling, ≥ 0, ≤ £100 bn"),
]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
MaybeAmount = Annotated[Amount | None, BeforeValidator(_unknown_is_none)]
"""An amount the sources may not give: None (``null`` or ``unknown`` in a file) is unknown."""
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Text = Annotated[str, Field(max_length=4000)]


def _below_one(value: float) -> float:
    if value >= 1:
        percent = f"{value:g}"
        raise ValueError(
            f"{percent} looks like a percentage: write {percent} % as {value / 100:g} (a fraction below 1)"
        )
    return value


Fraction = Annotated[
    float,
    Field(ge=0, allow_inf_nan=False, description="a fraction: 0.05 for 5 %"),
    AfterValidator(_below_one),
]

PartnerKind = Literal["county", "district", "city", "borough", "unitary", "private", "joint_venture", "other"]
Area = Literal["back_office", "front_line"]
DeliveryModel = Literal[
    "status_quo",
    "in_house",
    "shared_service",
    "s101_delegation",
    "commissioned",
    "outsourced",
    "commercial_contract",
    "joint_venture",
    "hand_back",
]
Risk = Literal["low", "medium", "high"]


def _bounded_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_ATTRIBUTE:
        raise ValueError(f"expected a number from -{MAX_ATTRIBUTE:,.0f} to {MAX_ATTRIBUTE:,.0f}")
    return value


AttributeValue = Annotated[bool | int | float | str, AfterValidator(_bounded_number)]
MaybeAttribute = Annotated[AttributeValue | None, BeforeValidator(_unknown_is_none)]
"""An option attribute's value; None (``null`` or ``unknown``) is not known, read by rules as missing."""


class Record(BaseModel):
    """Base of every record: unknown fields are errors and records never change in place."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Sourced(Record):
    """Where a record's facts come from, and which of its figures are illustrative.

    ``illustrative: true`` marks every figure of the record as not taken from a source document;
    a list names only those fields.  Reports say so next to the number.
    """

    source: Text | None = None
    illustrative: bool | tuple[str, ...] = False
    notes: Text = ""

    @model_validator(mode="after")
    def _named_fields_exist(self) -> Sourced:
        known = set(type(self).model_fields)
        for attr in ("illustrative", "exempt"):
            names = getattr(self, attr, ())
            if isinstance(names, tuple):
                unknown = [n for n in names if n not in known]
                if unknown:
                    raise ValueError(
                        f"{attr} names unknown field(s) {', '.join(unknown)}; "
                        f"expected some of: {', '.join(sorted(known))}"
                    )
        return self

    def is_illustrative(self, field: str) -> bool:
        if isinstance(self.illustrative, bool):
            return self.illustrative
        return field in self.illustrative


DecisionBodyKind = Literal["cabinet", "executive", "leaders_board", "joint_committee", "full_council"]


class Governance(Sourced):
    """How one council takes the programme's decisions: its decision-making body, when it meets,
    and its constitution's key-decision threshold.

    A report is written for one council's body (``ssplan report --for``), so the body's kind and
    name set whom the resolutions ask; the threshold lets the report derive "key decision" from
    the plan's own money instead of printing "No" by default.
    """

    body: DecisionBodyKind
    name: Text | None = Field(
        None, description="the body as the council names it ('Cabinet'); default from `body`"
    )
    meetings: tuple[date, ...] = Field((), description="the body's meetings the programme's reports go to")
    scrutiny: Text | None = Field(
        None, description="the committee that considers the report first ('Overview & Scrutiny Committee')"
    )
    scrutiny_meetings: tuple[date, ...] = ()
    key_decision_threshold: Money | None = Field(
        None, description="£ of expenditure or savings at which a decision is a key decision"
    )
    director: Text | None = Field(None, description="the officer authorised to adjust the plan's dates")
    portfolio_holder: Text | None = Field(
        None, description="the Cabinet Member the director consults on date changes"
    )


class Memorandum(Sourced):
    """The partners' Memorandum of Understanding as it is, in its own words.

    Reports describe the MoU from this record only: whether it binds, its own exception route
    (quoted), and whether it names a default provider.  A numeric margin is never the MoU's: it
    is the programme's reading (``ExceptionPolicy.margin``).
    """

    title: Text
    binding: bool = Field(False, description="whether the MoU has binding legal effect (most say not)")
    exception_route: Text | None = Field(
        None, description="the MoU's own words on choosing another partner, quoted by reports"
    )
    names_default_provider: bool = Field(
        False, description="whether the MoU itself names the default provider"
    )
    text: LongText | None = Field(None, description="the MoU's text, printed as the report's MoU appendix")


class ProgrammeGovernance(Sourced):
    """How the programme decides: whose report by default, business cases to come, the MoU."""

    lead: Id | None = Field(None, description="the council a report is written for by default")
    business_cases: bool = Field(
        False, description="each service comes back with its own business case before a binding decision"
    )
    memorandum: Memorandum | None = None


class Partner(Sourced):
    """A council, company or shared body that owns services or provides them.

    ``joins`` and ``leaves`` bound its membership: it is a member from the period containing
    ``joins`` up to, not including, the period containing ``leaves`` (see
    :func:`engine.programme.partners.membership`).
    """

    id: Id
    name: Text
    kind: PartnerKind
    default_provider: bool = Field(
        False, description="the MoU's preferred provider; other providers are exceptions"
    )
    decision_body: Text | None = Field(None, description="e.g. 'Cabinet', 'Leaders' Board'")
    governance: Governance | None = Field(None, description="the council's decision-making body")
    lead_officer: Text | None = None
    owners: tuple[Id, ...] = Field((), description="partners that own a joint venture")
    weights: dict[Id, Weight] = Field(
        default_factory=dict,
        description="the partner's own criterion weights (the rule set's units), for consensus views",
    )
    procurement: Text | None = Field(
        None,
        description="how the councils may buy from this provider without a new competition, e.g. "
        "'Lancaster City Council added its name to the OJEU notice' (the report's legal table quotes it)",
    )
    joins: date | None = Field(
        None, description="when the partner joins the programme; before that it provides and changes nothing"
    )
    leaves: date | None = Field(
        None, description="when the partner leaves; changes it provides or owns must be complete before"
    )


class Service(Sourced):
    """A service a partner runs today and might deliver differently."""

    id: Id
    name: Text
    owner: Id
    area: Area = "back_office"
    annual_cost: Money = Field(description="current net annual cost of the service, £")
    fte: MaybeAmount = Field(
        0.0, description="staff in post; None (`null`/`unknown`): the sources do not say"
    )
    statutory: bool = False
    in_scope: bool = True
    current_provider: Id | None = Field(None, description="who delivers it today; default: owner")
    lead_provider: Id | None = Field(
        None,
        description="the partner expected to provide it (a lead council); default: the default provider",
    )
    contract_end: date | None = None
    allow_status_quo: bool = Field(True, description="whether keeping things as they are is allowed")
    shares: dict[Id, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict, description="each partner's share of cost and saving; default: owner 100%"
    )
    exempt: tuple[str, ...] = Field((), description="fields that are confidential (not for publication)")
    staff: dict[Id, Amount] = Field(
        default_factory=dict,
        description="FTE by employing council, adding up to `fte`; default: all the owner's",
    )
    licensing: bool = Field(
        False, description="includes Licensing Act 2003 functions (which s101 LGA 1972 cannot delegate)"
    )

    @property
    def provider_now(self) -> str:
        return self.current_provider or self.owner

    @property
    def is_shared(self) -> bool:
        """Shared today: another partner provides it, or another partner has a share of it."""
        return self.provider_now != self.owner or any(k != self.owner for k in self.shares)


class DeliveryOption(Sourced):
    """One way of delivering a service: who provides it, how, at what cost and effort.

    A ``hand_back`` option unwinds a shared service: each client council (the owner and the
    partners with a share) takes its part back in house.  Its ``provider`` is written as the
    service's owner (checked) and it is never an exception.  ``stranded_cost`` is the one-off
    cost the change leaves behind (contracts, systems, redundancies), spread over the
    implementation like ``one_off_cost`` and borne by ``stranded_split`` (default: the service's
    shares, else the owner).
    """

    id: Id
    service: Id
    provider: Id
    model: DeliveryModel
    one_off_cost: Money = 0.0
    annual_cost: Money = Field(description="annual running cost after transfer, £")
    stranded_cost: Money = Field(
        0.0, description="one-off costs left behind by the change (contracts, systems, redundancy), £"
    )
    stranded_split: dict[Id, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict,
        description="who bears the stranded costs, partner -> share; default: the service's shares",
    )
    duration: int = Field(1, ge=0, le=600, description="implementation periods")
    demand: dict[Id, Amount | tuple[Amount, ...]] = Field(
        default_factory=dict,
        description="resource use per implementation period: one number, or one per period",
    )
    earliest_start: date | None = None
    latest_finish: date | None = None
    risk: Risk = "medium"
    attributes: dict[AttrName, MaybeAttribute] = Field(default_factory=dict)
    ranges: dict[Literal["annual_cost", "one_off_cost"], tuple[Money, Money]] = Field(
        default_factory=dict, description="uncertain costs: [low, high] around the figure given"
    )
    exempt: tuple[str, ...] = ()
    follows: Id | None = Field(
        None,
        description="a later stage: taken only after this earlier option of the same service has gone live",
    )
    stage_gap: int = Field(
        0, ge=0, le=600, description="periods from the earlier stage's go-live to this stage's start"
    )
    shared_officers: bool = Field(
        False,
        description="staff stay with their employers and serve every partner (s113 LGA 1972: shared "
        "management); no transfer",
    )

    @model_validator(mode="before")
    @classmethod
    def _status_quo_takes_no_time(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("model") == "status_quo" and "duration" not in data:
            return {**data, "duration": 0}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> DeliveryOption:
        if self.model == "status_quo":
            if self.duration or self.one_off_cost or self.stranded_cost or self.demand or self.follows:
                raise ValueError(
                    "a status-quo option has no duration, one-off cost or demand (nor stranded cost), "
                    "and follows no earlier stage"
                )
        elif self.duration < 1:
            raise ValueError("duration must be at least 1 period for a change of delivery")
        if self.follows is None and self.stage_gap:
            raise ValueError("stage_gap is the wait after an earlier stage: give `follows` too")
        for pool, profile in self.demand.items():
            if isinstance(profile, tuple) and len(profile) != self.duration:
                raise ValueError(
                    f"demand for `{pool}` lists {len(profile)} values; expected one per "
                    f"implementation period ({self.duration})"
                )
        if self.earliest_start and self.latest_finish and self.latest_finish < self.earliest_start:
            raise ValueError("latest_finish is before earliest_start")
        for name, (low, high) in self.ranges.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(
                    f"ranges.{name} must run from at most {value:g} to at least {value:g}; "
                    f"got [{low:g}, {high:g}]"
                )
        return self

    @property
    def is_status_quo(self) -> bool:
        return self.model == "status_quo"

    @property
    def one_off_spend(self) -> float:
        """£ spent once on the change, before optimism bias: its one-off and stranded costs."""
        return self.one_off_cost + self.stranded_cost

    def demand_profile(self, pool: str) -> tuple[float, ...]:
        """Use of ``pool`` in each implementation period (zeros if the option does not use it)."""
        value = self.demand.get(pool, 0.0)
        return value if isinstance(value, tuple) else (float(value),) * self.duration


DependencyKind = Literal["finish_to_start", "start_to_start", "go_live_together"]


class Dependency(Sourced):
    """How ``after`` waits on ``before``, by ``kind`` (start and end in periods, end exclusive):

    - ``finish_to_start`` (default): start(after) ≥ end(before) + lag;
    - ``start_to_start``: start(after) ≥ start(before) + lag;
    - ``go_live_together``: end(after) = end(before) (both finish in the same period; lag 0).

    When ``before`` keeps its status quo, ``settings.deferred_dependency`` says what happens:
    ``block`` keeps ``after`` as it is too (go-live-together: both change or neither), ``ignore``
    frees it.
    """

    before: Id
    after: Id
    lag: int = Field(0, ge=0, le=600)
    kind: DependencyKind = "finish_to_start"
    reason: Text = ""


class Funding(Record):
    """Who pays for a tranche of a resource: the first ``first`` units, or (None) the rest."""

    by: tuple[Id, ...] = Field(min_length=1, description="partners sharing the tranche equally")
    first: Amount | None = None


class ResourcePool(Sourced):
    """A limited resource that transitions draw on, e.g. project-manager days per month."""

    id: Id
    name: Text
    unit: Literal["days", "hours", "fte", "gbp"] = "days"
    per: Literal["period", "financial_year", "horizon"] = Field(
        "period", description="the window the capacity applies to"
    )
    capacity: Amount
    overrides: dict[str, Amount] = Field(
        default_factory=dict,
        description="capacity for named windows: 'YYYY-MM' periods or 'YYYY/YY' financial years",
    )
    unit_cost: Money | None = Field(None, description="£ per unit, for the finance")
    funding: tuple[Funding, ...] = ()


class Budget(Sourced):
    """Limit on one-off implementation spend per financial year (£), with named-year overrides."""

    per_financial_year: Money
    overrides: dict[str, Money] = Field(default_factory=dict)


FundingKind = Literal["grant", "contribution", "capitalisation"]


class FundingSource(Sourced):
    """Money that pays for the programme, by financial year (see :mod:`engine.programme.funding`).

    - ``grant``: income from outside the partnership (a Transformation Challenge Award), shared by
      ``to``; it raises the programme's NPV and each receiver's, and adds to the year's one-off budget;
    - ``contribution``: ``from_partner`` pays the others (``to``); the total NPV is unchanged;
    - ``capitalisation``: a capitalisation direction lets up to the amount of the year's one-off
      costs be met from capital; no NPV changes, and it adds to the year's one-off budget.

    Funding is unconditional: it does not depend on which changes the plan makes (``services``
    records what it is for), so in the objectives it is a constant.
    """

    id: Id
    name: Text
    kind: FundingKind
    amounts: dict[str, Money] = Field(min_length=1, description="£ by financial year, 'YYYY/YY'")
    from_partner: Id | None = Field(None, description="the partner who pays a contribution")
    to: dict[Id, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict,
        description="who receives it, partner -> share; default: the clients of its services, else all",
    )
    services: tuple[Id, ...] = Field((), description="what it is for (informational)")
    exempt: tuple[str, ...] = Field((), description="fields that are confidential (`amounts`)")


class ExceptionPolicy(Sourced):
    """The MoU's exception rule: another partner only where it beats the default provider.

    Applies to the services the ``client`` is a client council of (it owns them or has a share)
    in the named areas, or only to ``services``.  The expected provider of a service is its lead
    provider, else the programme's default provider.  The margin is relative: 0.05 means an
    exception must score at least 5 % above the best option of the expected provider.
    """

    client: Id
    areas: tuple[Area, ...] = ("back_office",)
    services: tuple[Id, ...] = Field((), description="only these services (default: all in the areas)")
    margin: Fraction = Field(0.05, description="the programme's reading of 'greater value': 0.05 for 5 %")
    joint_decision: Text = "joint decision of the lead officers of both councils"
    final_decision: Text


class SavingsTarget(Sourced):
    """The savings the programme set out to make each year: a share of the in-scope services'
    current annual cost, or an amount; only changes in place by ``by`` count towards it."""

    share: Fraction | None = Field(None, description="of the in-scope services' current cost: 0.15 for 15 %")
    amount: Money | None = Field(None, description="£ a year")
    by: date | None = Field(None, description="the date by which the savings should be in place")

    @model_validator(mode="after")
    def _one_way(self) -> SavingsTarget:
        if (self.share is None) == (self.amount is None):
            raise ValueError("give the target as a `share` of the in-scope cost or as an `amount`, not both")
        return self


class Actual(Sourced):
    """What happened to one change, recorded as the programme goes (benefits realisation).

    ``option`` is the option taken (one actual per service); ``started`` the day the change began
    and ``live`` the day it went live (None: still in progress).  ``one_off_cost`` and ``savings``
    are what was spent and saved in each financial year (``"2016/17"``), to the programme's
    ``as_of`` date.  ``exempt`` names the fields that are confidential, as on an option.
    """

    option: Id
    started: date
    live: date | None = Field(None, description="the go-live date; none while the change is in progress")
    one_off_cost: dict[str, Money] = Field(
        default_factory=dict, description="one-off £ spent in each financial year, 'YYYY/YY' -> £"
    )
    savings: dict[str, Money] = Field(
        default_factory=dict, description="£ saved in each financial year, 'YYYY/YY' -> £"
    )
    exempt: tuple[str, ...] = Field((), description="fields that are confidential (not for publication)")

    @property
    def is_live(self) -> bool:
        return self.live is not None


class Consensus(Sourced):
    """Partners whose agreement every decision needs (Essex: Leaders' Board, no voting)."""

    partners: tuple[Id, ...] = Field(min_length=2)
    body: Text = "Leaders' Board"
    rule: Text = "decisions by consensus, no voting"


LongText = Annotated[str, Field(max_length=40000)]
Rating = Annotated[int, Field(ge=1, le=5, description="1 (very low) to 5 (very high)")]


class RiskEntry(Sourced):
    """One line of the risk register: what could go wrong, how likely (1–5), how bad (1–5), what
    is done about it and who owns it.  The report rates it likelihood × impact."""

    risk: Text
    likelihood: Rating
    impact: Rating
    mitigation: Text = ""
    owner: Text = ""
    services: tuple[Id, ...] = Field((), description="the services it concerns (default: the programme)")


class EqualityScreening(Sourced):
    """The officer's answers to the Equality Act 2010 s149 screening questions; an answer left
    out is printed "to be completed", never guessed."""

    affected: Text | None = Field(
        None,
        description="who is affected: service users, staff or residents who share a protected characteristic",
    )
    discrimination: Text | None = Field(
        None, description="s149(1)(a): eliminating discrimination, harassment and victimisation"
    )
    opportunity: Text | None = Field(None, description="s149(1)(b): advancing equality of opportunity")
    relations: Text | None = Field(None, description="s149(1)(c): fostering good relations")
    outcome: Text | None = Field(
        None, description="the screening result: whether a full assessment is needed"
    )
    screened_by: Text | None = None
    screened_on: date | None = None


class Implications(Sourced):
    """What only officers can say, as the report prints it; each left out is a marked placeholder
    ("to be completed" / "to be assessed") so a draft never pretends to a consultation."""

    equality: EqualityScreening = EqualityScreening()
    redundancy_cost: Money | None = Field(None, description="£ one-off; none: to be assessed")
    pension_strain: Money | None = Field(None, description="£ one-off LGPS strain; none: to be assessed")
    financial_services: Text | None = Field(None, description="Financial Services' consultation, in words")
    legal_services: Text | None = Field(None, description="Legal Services' consultation, in words")
    s151_comments: Text | None = None
    monitoring_officer_comments: Text | None = None
    community_safety: Text | None = None
    sustainability: Text | None = None
    funding_source: Text | None = Field(None, description="how the one-off costs are to be met")
    mtfp: Text | None = Field(None, description="the link to the medium-term financial plan")
    price_base: Text | None = Field(
        None, description="e.g. '2015/16 prices'; default: the horizon's first year"
    )
    commercial_case: Text | None = None
    management_case: Text | None = None


class Settings(Record):
    """Programme-wide choices the optimiser follows."""

    deferred_dependency: Literal["block", "ignore"] = Field(
        "block",
        description="if the 'before' service keeps its status quo: block the 'after' service, or ignore",
    )
    max_concurrent_transitions: int | None = Field(None, ge=1, le=MAX_RECORDS)
    band_exempt_scores: bool = Field(
        True,
        description="publish an option with exempt prices with its score as a band (0.4–0.5), not exactly",
    )


class SourceDocument(Record):
    id: Id
    title: Text
    issued: date | None = None
    note: Text = ""


class Programme(Record):
    """A shared-services programme as the partners have agreed to study it."""

    id: Id
    name: Text
    description: Text = ""
    horizon: Horizon
    partners: tuple[Partner, ...] = Field(min_length=1)
    services: tuple[Service, ...] = Field(min_length=1)
    options: tuple[DeliveryOption, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    resources: tuple[ResourcePool, ...] = ()
    budget: Budget | None = None
    exception_policy: ExceptionPolicy | None = None
    exception_policies: tuple[ExceptionPolicy, ...] = Field(
        (), description="further policies: one per client council with its own margin and decision route"
    )
    consensus: Consensus | None = None
    governance: ProgrammeGovernance | None = None
    savings_target: SavingsTarget | None = None
    actuals: tuple[Actual, ...] = Field(
        (), description="what has happened so far: one record per change begun (benefits realisation)"
    )
    as_of: date | None = Field(None, description="the date the actuals are recorded to")
    funding: tuple[FundingSource, ...] = Field(
        (), description="grants, partners' contributions and capitalisation directions by financial year"
    )
    settings: Settings = Settings()
    sources: tuple[SourceDocument, ...] = ()
    risks: tuple[RiskEntry, ...] = Field(
        (), description="the risk register; default: risks derived from the programme"
    )
    implications: Implications = Implications()

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, ignored_types=(cached_property,)
    )

    @model_validator(mode="after")
    def _cross_check(self, info: ValidationInfo) -> Programme:
        from engine.programme.checks import cross_check  # the checks need the finished records

        problems = cross_check(self, (info.context or {}).get("set_aside"))
        if problems:
            raise ProgrammeProblems(problems)
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Programme:
        """A copy never carries the original's cached lookups (they would describe the old
        options); a copy with changes is validated afresh, like a file."""
        if update:
            data = {name: getattr(self, name) for name in type(self).model_fields}
            changed = type(self).model_validate({**data, **update})
            source = source_of(self)
            if source is not None:  # a what-if of a file: its problems are still that file's
                remember_source(changed, source)
            return changed
        copy = super().model_copy(deep=deep)
        for name in ("_partners", "_services", "_options", "_option_index", "_paths"):
            copy.__dict__.pop(name, None)
        return copy

    # lookups -----------------------------------------------------------------------------
    @cached_property
    def _partners(self) -> dict[str, Partner]:
        return {p.id: p for p in self.partners}

    @cached_property
    def _services(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @cached_property
    def _paths(self) -> dict[str, tuple[DeliveryOption, tuple[Stage, ...]]]:
        """Each staged option (one that ``follows`` another) as its whole path, with its stages."""
        from engine.programme.stages import paths  # the paths need the finished records

        return paths(self)

    def stages(self, option_id: str) -> tuple[Stage, ...]:
        """The stages of an option in order: a staged option's path, else the option alone."""
        if option_id in self._paths:
            return self._paths[option_id][1]
        from engine.programme.stages import Stage

        return (Stage(self.option(option_id), 0),)

    @cached_property
    def _options(self) -> dict[str, tuple[DeliveryOption, ...]]:
        """Each service's options, status quo first, then in file order; a staged option is
        presented as its whole path (:mod:`engine.programme.stages`), so that choosing it once
        takes every stage."""
        grouped: dict[str, list[DeliveryOption]] = {s.id: [] for s in self.services}
        for option in self.options:
            grouped[option.service].append(self._paths[option.id][0] if option.id in self._paths else option)
        out: dict[str, tuple[DeliveryOption, ...]] = {}
        for service in self.services:
            explicit = grouped[service.id]
            status_quo = [o for o in explicit if o.is_status_quo]
            rest = [o for o in explicit if not o.is_status_quo]
            if service.allow_status_quo and not status_quo:
                status_quo = [implicit_status_quo(service)]
            out[service.id] = tuple(status_quo + rest)
        return out

    def partner(self, partner_id: str) -> Partner:
        return self._partners[partner_id]

    def service(self, service_id: str) -> Service:
        return self._services[service_id]

    def options_for(self, service_id: str) -> tuple[DeliveryOption, ...]:
        return self._options[service_id]

    @cached_property
    def _option_index(self) -> dict[str, DeliveryOption]:
        return {o.id: o for options in self._options.values() for o in options}

    def option(self, option_id: str) -> DeliveryOption:
        """Any option by id, the implicit status-quo options included."""
        return self._option_index[option_id]

    def resource(self, pool_id: str) -> ResourcePool:
        return next(r for r in self.resources if r.id == pool_id)

    @property
    def default_provider(self) -> Partner | None:
        return next((p for p in self.partners if p.default_provider), None)

    @property
    def policies(self) -> tuple[ExceptionPolicy, ...]:
        """Every exception policy: the programme's, then the further ones."""
        return (*((self.exception_policy,) if self.exception_policy else ()), *self.exception_policies)

    def policies_for(self, service: Service) -> tuple[ExceptionPolicy, ...]:
        """The policies that govern ``service``: those of its client councils (its owner and the
        partners with a share) that name it, or its area when they name no service."""
        clients = {service.owner, *service.shares}
        return tuple(
            policy
            for policy in self.policies
            if policy.client in clients
            and (service.id in policy.services if policy.services else service.area in policy.areas)
        )

    def expected_provider(self, service: Service) -> Partner | None:
        """Who is expected to provide ``service``: its lead provider, else the default provider."""
        return self.partner(service.lead_provider) if service.lead_provider else self.default_provider

    @property
    def expected_provider_words(self) -> str:
        """How outputs name the provider an exception departs from: "the default provider", or,
        where services have lead councils, what stands in for it."""
        if not any(s.lead_provider for s in self.services):
            return "the default provider"
        return "the service's lead council" + (", else the default provider" if self.default_provider else "")

    def margin_for(self, service: Service) -> float:
        """The margin an exception must clear on ``service``: the largest of its policies' (each
        client council's own reading of 'greater value' must be met)."""
        return max((policy.margin for policy in self.policies_for(service)), default=0.0)

    def decision_route(self, service: Service) -> str:
        """How an exception on ``service`` is decided: each governing policy's route."""
        return "; ".join(
            f"{policy.joint_decision}; final decision: {policy.final_decision}"
            for policy in self.policies_for(service)
        )

    def is_exception(self, option: DeliveryOption) -> bool:
        """Whether choosing ``option`` needs the MoU's exception route.

        It does when a policy governs the service and the provider is neither the service's
        expected provider nor the owner keeping it in house.  A hand-back never is: each client
        council takes its own part back in house.  A staged path is when any of its stages is.
        """
        if option.follows is not None and option.id in self._paths:
            return any(self.is_own_exception(stage.option) for stage in self.stages(option.id))
        return self.is_own_exception(option)

    def is_own_exception(self, option: DeliveryOption) -> bool:
        """Whether this record alone (one stage of a path, as written) needs the exception route."""
        if option.is_status_quo or option.model == "hand_back":
            return False
        service = self.service(option.service)
        expected = self.expected_provider(service)
        return (
            expected is not None
            and bool(self.policies_for(service))
            and option.provider not in (expected.id, service.owner)
        )


def implicit_status_quo(service: Service) -> DeliveryOption:
    """The do-nothing option every service has unless it is excluded."""
    return DeliveryOption(
        id=f"{service.id}-status-quo",
        service=service.id,
        provider=service.provider_now,
        model="status_quo",
        annual_cost=service.annual_cost,
        duration=0,
        risk="low",
        notes="keep the service as it is delivered today",
        exempt=("annual_cost",) if "annual_cost" in service.exempt else (),
        illustrative=("annual_cost",) if service.is_illustrative("annual_cost") else False,
        source=f"service `{service.id}` as delivered today",
    )
