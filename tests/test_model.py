"""The programme model: implicit status quo, exceptions, provenance and layering."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from engine.programme.model import DeliveryOption, Programme


def test_model_imports_neither_solver_nor_ui():
    code = (
        "import sys, engine.programme.model, engine.io.load, engine.io.xlsx, engine.present.summary; "
        "print(sorted(m for m in ('pulp', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_service_has_an_implicit_status_quo_first(small: Programme):
    options = small.options_for("hr")
    assert [o.id for o in options] == ["hr-status-quo", "hr-county", "hr-other"]
    status_quo = options[0]
    assert status_quo.is_status_quo and status_quo.duration == 0
    assert status_quo.annual_cost == small.service("hr").annual_cost
    assert status_quo.provider == "city"


def test_status_quo_can_be_excluded_or_written_out(small: Programme):
    data = small.model_dump()
    data["services"][0]["allow_status_quo"] = False
    programme = Programme.model_validate(data)
    assert [o.id for o in programme.options_for("hr")] == ["hr-county", "hr-other"]

    data = small.model_dump()
    data["options"] = [
        *data["options"],
        {
            "id": "hr-now",
            "service": "hr",
            "provider": "city",
            "model": "status_quo",
            "annual_cost": 100000,
            "attributes": {"outcome": 2},
        },
    ]
    programme = Programme.model_validate(data)
    assert programme.options_for("hr")[0].id == "hr-now"
    assert programme.options_for("hr")[0].attributes == {"outcome": 2}


def test_status_quo_must_be_delivered_by_the_current_provider(small: Programme):
    data = small.model_dump()
    data["options"] = [
        *data["options"],
        {"id": "hr-now", "service": "hr", "provider": "county", "model": "status_quo", "annual_cost": 1},
    ]
    with pytest.raises(ValidationError, match="delivered by `city`, not `county`"):
        Programme.model_validate(data)


def test_exception_is_another_partner_for_the_clients_back_office(gloucester: Programme):
    flagged = {o.id for o in gloucester.options if gloucester.is_exception(o)}
    assert flagged == {"hr-bureau", "payroll-bureau", "finance-civica"}
    # front line (Building Control with Stroud) and the County's own service are not exceptions
    assert not gloucester.is_exception(
        next(o for o in gloucester.options if o.id == "building-control-stroud")
    )
    assert not gloucester.is_exception(next(o for o in gloucester.options if o.id == "engagement-by-city"))


def test_no_exceptions_without_a_default_provider(essex: Programme):
    assert essex.default_provider is None
    assert not any(essex.is_exception(o) for o in essex.options)


def test_records_are_frozen(small: Programme):
    with pytest.raises(ValidationError):
        small.services[0].annual_cost = 1  # type: ignore[misc]


def test_demand_profile_expands_constant_demand(small: Programme):
    hr_county = next(o for o in small.options if o.id == "hr-county")
    hr_other = next(o for o in small.options if o.id == "hr-other")
    assert hr_county.demand_profile("pm") == (3.0, 3.0)
    assert hr_other.demand_profile("pm") == (2.0, 2.0, 1.0)
    assert hr_other.demand_profile("unused") == (0.0, 0.0, 0.0)


def test_illustrative_marks_named_fields_or_all():
    option = DeliveryOption(
        id="o", service="s", provider="p", model="outsourced", annual_cost=1, illustrative=("annual_cost",)
    )
    assert option.is_illustrative("annual_cost") and not option.is_illustrative("one_off_cost")
    option = DeliveryOption(
        id="o", service="s", provider="p", model="outsourced", annual_cost=1, illustrative=True
    )
    assert option.is_illustrative("duration")
    with pytest.raises(ValidationError, match="illustrative names unknown field"):
        DeliveryOption(
            id="o", service="s", provider="p", model="outsourced", annual_cost=1, illustrative=("price",)
        )


def test_change_of_delivery_takes_at_least_one_period():
    with pytest.raises(ValidationError, match="at least 1 period"):
        DeliveryOption(id="o", service="s", provider="p", model="outsourced", annual_cost=1, duration=0)
    with pytest.raises(ValidationError, match="no duration, one-off cost or demand"):
        DeliveryOption(id="o", service="s", provider="p", model="status_quo", annual_cost=1, one_off_cost=5)
