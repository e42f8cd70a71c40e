"""What a rule can read: one row per service × option, as named columns.

``service.*``, ``option.*`` (with the attributes a rule set declares as ``option.attributes.*``),
``provider.*`` and ``horizon.*``.  Dates become period numbers of the horizon so that rules stay
arithmetic (``service.contract_end_period < horizon.periods``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import RuleError, source_of
from engine.expr import BOOLEAN, NUMBER, TEXT, Kind, Type
from engine.model import DeliveryOption, Programme, Service

MAYBE_NUMBER = Type(Kind.NUMBER, nullable=True)

BASE_SCHEMA: dict[str, Type] = {
    "service.id": TEXT,
    "service.name": TEXT,
    "service.owner": TEXT,
    "service.area": TEXT,
    "service.annual_cost": NUMBER,
    "service.fte": NUMBER,
    "service.statutory": BOOLEAN,
    "service.in_scope": BOOLEAN,
    "service.is_back_office": BOOLEAN,
    "service.current_provider": TEXT,
    "service.contract_end_period": MAYBE_NUMBER,
    "service.contract_ends_in_horizon": BOOLEAN,
    "option.id": TEXT,
    "option.model": TEXT,
    "option.provider": TEXT,
    "option.one_off_cost": NUMBER,
    "option.annual_cost": NUMBER,
    "option.duration": NUMBER,
    "option.risk": TEXT,
    "option.is_status_quo": BOOLEAN,
    "option.is_exception": BOOLEAN,
    "option.is_in_house": BOOLEAN,
    "option.earliest_start_period": MAYBE_NUMBER,
    "option.latest_finish_period": MAYBE_NUMBER,
    "option.total_demand": NUMBER,
    "provider.id": TEXT,
    "provider.name": TEXT,
    "provider.kind": TEXT,
    "provider.is_default_provider": BOOLEAN,
    "provider.is_owner": BOOLEAN,
    "horizon.periods": NUMBER,
    "horizon.months_per_period": NUMBER,
}
ATTRIBUTE_KINDS = {"number": Kind.NUMBER, "text": Kind.TEXT, "boolean": Kind.BOOLEAN}


def schema_for(attributes: Mapping[str, str]) -> dict[str, Type]:
    """The base fields plus declared option attributes (always possibly missing)."""
    schema = dict(BASE_SCHEMA)
    for name, kind in attributes.items():
        schema[f"option.attributes.{name}"] = Type(ATTRIBUTE_KINDS[kind], nullable=True)
    return schema


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


def option_table(programme: Programme, attributes: Mapping[str, str]) -> OptionTable:
    horizon = programme.horizon
    default = programme.default_provider
    rows = [(s, o) for s in programme.services for o in programme.options_for(s.id)]
    n = len(rows)

    def col(values: list[Any], kind: Type) -> np.ndarray:
        if kind.kind == Kind.NUMBER:
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        if kind.kind == Kind.BOOLEAN:
            return np.array(values, dtype=bool)
        out = np.empty(n, dtype=object)
        out[:] = values
        return out

    def period(day: Any) -> int | None:
        return None if day is None else horizon.period_of(day)

    raw: dict[str, list[Any]] = {
        "service.id": [s.id for s, _ in rows],
        "service.name": [s.name for s, _ in rows],
        "service.owner": [s.owner for s, _ in rows],
        "service.area": [s.area for s, _ in rows],
        "service.annual_cost": [s.annual_cost for s, _ in rows],
        "service.fte": [s.fte for s, _ in rows],
        "service.statutory": [s.statutory for s, _ in rows],
        "service.in_scope": [s.in_scope for s, _ in rows],
        "service.is_back_office": [s.area == "back_office" for s, _ in rows],
        "service.current_provider": [s.provider_now for s, _ in rows],
        "service.contract_end_period": [period(s.contract_end) for s, _ in rows],
        "service.contract_ends_in_horizon": [
            s.contract_end is not None and 0 <= horizon.period_of(s.contract_end) < horizon.periods
            for s, _ in rows
        ],
        "option.id": [o.id for _, o in rows],
        "option.model": [o.model for _, o in rows],
        "option.provider": [o.provider for _, o in rows],
        "option.one_off_cost": [o.one_off_cost for _, o in rows],
        "option.annual_cost": [o.annual_cost for _, o in rows],
        "option.duration": [o.duration for _, o in rows],
        "option.risk": [o.risk for _, o in rows],
        "option.is_status_quo": [o.is_status_quo for _, o in rows],
        "option.is_exception": [programme.is_exception(o) for _, o in rows],
        "option.is_in_house": [o.provider == s.owner and not o.is_status_quo for s, o in rows],
        "option.earliest_start_period": [period(o.earliest_start) for _, o in rows],
        "option.latest_finish_period": [period(o.latest_finish) for _, o in rows],
        "option.total_demand": [sum(sum(o.demand_profile(p)) for p in o.demand) for _, o in rows],
        "provider.id": [o.provider for _, o in rows],
        "provider.name": [programme.partner(o.provider).name for _, o in rows],
        "provider.kind": [programme.partner(o.provider).kind for _, o in rows],
        "provider.is_default_provider": [default is not None and o.provider == default.id for _, o in rows],
        "provider.is_owner": [o.provider == s.owner for s, o in rows],
        "horizon.periods": [horizon.periods] * n,
        "horizon.months_per_period": [horizon.months_per_period] * n,
    }
    columns = {path: col(values, BASE_SCHEMA[path]) for path, values in raw.items()}
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
        columns[f"option.attributes.{name}"] = col(values, Type(kind, True))
    return OptionTable(programme, rows, columns)


def _kind_of(value: Any) -> Kind:
    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, (int, float)):
        return Kind.NUMBER
    return Kind.TEXT
