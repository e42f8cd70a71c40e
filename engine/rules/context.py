"""What a rule can read: one row per service × option, as named columns.

``service.*``, ``option.*`` (with the attributes a rule set declares as ``option.attributes.*``),
``provider.*`` and ``horizon.*``.  Dates become period numbers of the horizon so that rules stay
arithmetic (``service.contract_end_period < horizon.periods``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from engine.base.errors import RuleError, source_of
from engine.programme.model import DeliveryOption, Programme, Service
from engine.programme.money import GREEN_BOOK, change_present_values
from engine.rules.expr import BOOLEAN, NUMBER, TEXT, Kind, Type

MAYBE_NUMBER = Type(Kind.NUMBER, nullable=True)


class _Reading:
    """What a field's reader may need beyond the row: the programme, its horizon, its default
    provider."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.horizon = programme.horizon
        default = programme.default_provider
        self.default_id = None if default is None else default.id
        self._money: dict[str, tuple[float, float, float]] = {}

    def expected_id(self, service: Service) -> str | None:
        """The service's expected provider: its lead provider, else the default provider."""
        return service.lead_provider or self.default_id

    def period(self, day: date | None) -> int | None:
        """The horizon period of ``day`` (None stays None)."""
        return None if day is None else self.horizon.period_of(day)

    def month(self, day: date | None) -> int | None:
        """Whole months from the horizon's start to ``day``'s period (None stays None): a period
        number in months, so a rule means the same on a monthly or a quarterly programme."""
        period = self.period(day)
        return None if period is None else period * self.horizon.months_per_period

    def money(self, option: DeliveryOption) -> tuple[float, float, float]:
        """Present values (£, Green Book defaults, the change started at the programme's start)
        of the option's savings against today, its one-off cost and its costed resource days:
        the parts of the finance's own NPV (savings − one-off − days)."""
        if option.id not in self._money:
            self.prefetch([option])
        return self._money[option.id]

    def prefetch(self, options: list[DeliveryOption]) -> None:
        """Work out the present values of many options at once (one prefix sum for them all)."""
        values = change_present_values(self.programme, options, GREEN_BOOK)
        for option, (saved, spent, days) in zip(options, values.tolist(), strict=True):
            self._money[option.id] = (saved, spent, days)

    def in_horizon(self, day: date | None) -> bool:
        """Whether ``day`` falls inside the horizon."""
        return day is not None and 0 <= self.horizon.period_of(day) < self.horizon.periods


Reader = Callable[[Service, DeliveryOption, _Reading], Any]

# What a rule may read: the one list of the fields, their types and how each is read from a row
# (service, option).  BASE_SCHEMA, the option table and the README's list all follow it (a test
# checks the README against it).
FIELDS: dict[str, tuple[Type, Reader]] = {
    "service.id": (TEXT, lambda s, o, r: s.id),
    "service.name": (TEXT, lambda s, o, r: s.name),
    "service.owner": (TEXT, lambda s, o, r: s.owner),
    "service.area": (TEXT, lambda s, o, r: s.area),
    "service.annual_cost": (NUMBER, lambda s, o, r: s.annual_cost),
    "service.fte": (MAYBE_NUMBER, lambda s, o, r: s.fte),
    "service.statutory": (BOOLEAN, lambda s, o, r: s.statutory),
    "service.in_scope": (BOOLEAN, lambda s, o, r: s.in_scope),
    "service.is_back_office": (BOOLEAN, lambda s, o, r: s.area == "back_office"),
    "service.current_provider": (TEXT, lambda s, o, r: s.provider_now),
    "service.contract_end_period": (MAYBE_NUMBER, lambda s, o, r: r.period(s.contract_end)),
    "service.contract_end_month": (MAYBE_NUMBER, lambda s, o, r: r.month(s.contract_end)),
    "service.contract_ends_in_horizon": (BOOLEAN, lambda s, o, r: r.in_horizon(s.contract_end)),
    "option.id": (TEXT, lambda s, o, r: o.id),
    "option.model": (TEXT, lambda s, o, r: o.model),
    "option.provider": (TEXT, lambda s, o, r: o.provider),
    "option.one_off_cost": (NUMBER, lambda s, o, r: o.one_off_cost),
    "option.annual_cost": (NUMBER, lambda s, o, r: o.annual_cost),
    "option.stranded_cost": (NUMBER, lambda s, o, r: o.stranded_cost),
    "option.duration": (NUMBER, lambda s, o, r: o.duration),
    "option.duration_months": (NUMBER, lambda s, o, r: o.duration * r.horizon.months_per_period),
    "option.risk": (TEXT, lambda s, o, r: o.risk),
    "option.is_status_quo": (BOOLEAN, lambda s, o, r: o.is_status_quo),
    "option.is_exception": (BOOLEAN, lambda s, o, r: r.programme.is_exception(o)),
    "option.is_in_house": (BOOLEAN, lambda s, o, r: o.provider == s.owner and not o.is_status_quo),
    "option.earliest_start_period": (MAYBE_NUMBER, lambda s, o, r: r.period(o.earliest_start)),
    "option.latest_finish_period": (MAYBE_NUMBER, lambda s, o, r: r.period(o.latest_finish)),
    "option.earliest_start_month": (MAYBE_NUMBER, lambda s, o, r: r.month(o.earliest_start)),
    "option.latest_finish_month": (MAYBE_NUMBER, lambda s, o, r: r.month(o.latest_finish)),
    "option.pv_savings": (NUMBER, lambda s, o, r: r.money(o)[0]),
    "option.pv_one_off": (NUMBER, lambda s, o, r: r.money(o)[1]),
    "option.pv_resources": (NUMBER, lambda s, o, r: r.money(o)[2]),
    "option.npv": (NUMBER, lambda s, o, r: r.money(o)[0] - r.money(o)[1] - r.money(o)[2]),
    "option.total_demand": (NUMBER, lambda s, o, r: sum(sum(o.demand_profile(p)) for p in o.demand)),
    "provider.id": (TEXT, lambda s, o, r: o.provider),
    "provider.name": (TEXT, lambda s, o, r: r.programme.partner(o.provider).name),
    "provider.kind": (TEXT, lambda s, o, r: r.programme.partner(o.provider).kind),
    "provider.is_default_provider": (BOOLEAN, lambda s, o, r: o.provider == r.default_id),
    "provider.is_expected_provider": (BOOLEAN, lambda s, o, r: o.provider == r.expected_id(s)),
    "provider.is_owner": (BOOLEAN, lambda s, o, r: o.provider == s.owner),
    "horizon.periods": (NUMBER, lambda s, o, r: r.horizon.periods),
    "horizon.months_per_period": (NUMBER, lambda s, o, r: r.horizon.months_per_period),
    "horizon.months": (NUMBER, lambda s, o, r: r.horizon.periods * r.horizon.months_per_period),
}
BASE_SCHEMA: dict[str, Type] = {path: kind for path, (kind, _) in FIELDS.items()}
ATTRIBUTE_KINDS = {"number": Kind.NUMBER, "text": Kind.TEXT, "boolean": Kind.BOOLEAN}


def schema_for(attributes: Mapping[str, str]) -> dict[str, Type]:
    """The base fields plus declared option attributes (always possibly missing)."""
    schema = dict(BASE_SCHEMA)
    for name, kind in attributes.items():
        schema[f"option.attributes.{name}"] = Type(ATTRIBUTE_KINDS[kind], nullable=True)
    return schema


class Columns(dict[str, np.ndarray]):
    """The table's columns by field; a field of :data:`FIELDS` not built yet is read from the rows
    when first asked for (scoring builds only what its rule set reads: reading all 43 fields of
    10,000 rows took half of the scoring time)."""

    def __init__(self, build: Callable[[str], np.ndarray] | None = None) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, path: str) -> np.ndarray:
        if self._build is None or path not in FIELDS:
            raise KeyError(path)
        self[path] = column = self._build(path)
        return column


@dataclass
class OptionTable:
    """Every service × option of a programme, with the columns rules read."""

    programme: Programme
    rows: list[tuple[Service, DeliveryOption]]
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.rows)

    def row_context(self, index: int) -> dict[str, Any]:
        """Nested mapping for rule-engine: ``{"service": {...}, "option": {"attributes": {...}}}``."""
        context: dict[str, Any] = {}
        for path, column in self.columns.items():
            value = column[index]
            if isinstance(value, float) and value != value:
                value = None
            elif isinstance(value, np.generic):
                value = value.item()
            target = context
            *parents, leaf = path.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return context

    def values(self, index: int, paths: Any) -> dict[str, Any]:
        return {p: self.columns[p][index] for p in paths if p in self.columns}


# What scoring itself reads besides the rules: the frame's exception flag and NPV.
ALWAYS = ("option.is_exception", "option.npv")


def option_table(
    programme: Programme, attributes: Mapping[str, str], fields: Collection[str] | None = None
) -> OptionTable:
    """One row per service × option, one column per field of :data:`FIELDS` (or only those of
    ``fields``, and :data:`ALWAYS`; the others are built when first read) and per declared
    attribute."""
    rows = [(s, o) for s in programme.services for o in programme.options_for(s.id)]
    reading = _Reading(programme)
    wanted = set(FIELDS) if fields is None else set(fields) | set(ALWAYS)
    if wanted & {"option.pv_savings", "option.pv_one_off", "option.pv_resources", "option.npv"}:
        reading.prefetch([o for _, o in rows])

    build = _Builder(rows, reading)
    columns = Columns(build)
    for path in FIELDS:
        if path in wanted:
            columns[path] = build(path)
    for name, kind_name in attributes.items():
        kind = ATTRIBUTE_KINDS[kind_name]
        values = [o.attributes.get(name) for _, o in rows]
        for (_, option), value in zip(rows, values, strict=True):
            if value is not None and _kind_of(value) != kind:
                raise RuleError.one(
                    f"option `{option.id}` attribute `{name}` is {value!r}; the rule set expects {kind_name}",
                    field=f"options[{option.id}].attributes.{name}",
                    file=source_of(programme),
                )
        columns[f"option.attributes.{name}"] = _column(values, Type(kind, True))
    return OptionTable(programme, rows, columns)


@dataclass
class _Builder:
    """Reads one field of :data:`FIELDS` from every row (a class, not a closure, so that a score
    table still pickles for the app's cache)."""

    rows: list[tuple[Service, DeliveryOption]]
    reading: _Reading

    def __call__(self, path: str) -> np.ndarray:
        kind, read = FIELDS[path]
        return _column([read(s, o, self.reading) for s, o in self.rows], kind)


def _column(values: list[Any], kind: Type) -> np.ndarray:
    if kind.kind == Kind.NUMBER:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind.kind == Kind.BOOLEAN and not (kind.nullable and None in values):
        return np.array(values, dtype=bool)  # a missing true/false stays None below, never false
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _kind_of(value: Any) -> Kind:
    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, (int, float)):
        return Kind.NUMBER
    return Kind.TEXT
