"""The shipped partnerships hold the facts of the source documents, and say which figures are not."""

from __future__ import annotations

from engine.programme.model import Programme


def _option(p: Programme, option_id: str):
    return next(o for o in p.options if o.id == option_id)


def test_gloucester_facts(gloucester: Programme):
    assert gloucester.default_provider and gloucester.default_provider.id == "glos-cc"
    policy = gloucester.exception_policy
    assert policy and policy.client == "gcc" and policy.final_decision == "Gloucester City Council Cabinet"
    assert {s.id for s in gloucester.services} >= {
        "audit",
        "property",
        "hr",
        "finance-admin",
        "ict",
        "communications",
        "payroll",
        "community-engagement",
        "streetcare-contract",
    }
    # figures from the County's web page, not illustrative
    hr = _option(gloucester, "hr-county-s101")
    assert (
        hr.model == "s101_delegation" and hr.annual_cost == 229000 and not hr.is_illustrative("annual_cost")
    )
    assert gloucester.service("communications").annual_cost == 86000
    payroll = _option(gloucester, "payroll-county")
    assert payroll.model == "commercial_contract" and payroll.annual_cost == 34000
    # the County funds the first 20 AMEO days; project management is jointly funded
    ameo = gloucester.resource("ameo-days")
    assert ameo.funding[0].by == ("glos-cc",) and ameo.funding[0].first == 20
    assert set(gloucester.resource("pm-days").funding[0].by) == {"gcc", "glos-cc"}
    assert any(gloucester.is_exception(o) for o in gloucester.options)


def test_essex_facts(essex: Programme):
    assert essex.consensus and set(essex.consensus.partners) == {"braintree", "brentwood", "essex-cc"}
    assert "no voting" in essex.consensus.rule
    assert essex.resource("joint-pm-days").funding[0].by == ("essex-cc",)
    names = " ".join(s.name for s in essex.services)
    assert "Regulatory" in names and "Procurement" in names


def test_lancaster_facts(lancaster: Programme):
    oneconnect = lancaster.partner("oneconnect")
    assert oneconnect.kind == "joint_venture" and set(oneconnect.owners) == {"lancs-cc", "bt"}
    assert oneconnect.default_provider
    assert lancaster.service("ict").in_scope and lancaster.service("customer-access").in_scope
    assert not lancaster.service("hr-payroll").in_scope


def test_unsourced_figures_are_marked_illustrative(
    gloucester: Programme, essex: Programme, lancaster: Programme
):
    """Every money figure either cites a source document or is marked illustrative."""
    for programme in (gloucester, essex, lancaster):
        for record in (*programme.services, *programme.options):
            for field in ("annual_cost", "one_off_cost"):
                if getattr(record, field, 0):
                    assert record.source or record.is_illustrative(field), (programme.id, record.id, field)
        for record in (*programme.services, *programme.options):
            if not record.source:
                assert record.is_illustrative("annual_cost"), (programme.id, record.id)
