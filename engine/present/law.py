"""The legal basis of each change, as a table an officer of Legal Services can check line by line.

The basis follows from two facts the programme holds: the option's delivery model and who the
provider is to the council that owns the service (itself, another council, a private company, or
a company some councils own).  Public procurement turns on control: a council may award a contract
without competition to a body it controls (PCR 2015 reg 12(1), or jointly reg 12(4): the "Teckal"
exemption, with over 80 % of the body's activity for its controlling councils and no private
capital), or cooperate with other councils to deliver public services they all must provide
(reg 12(7)).  Buying from a council one does not control, on a commercial basis, is neither.
Every line is the usual reading, never advice: each is "for Legal Services to confirm".
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.programme.model import DeliveryOption, Partner, Programme

CONFIRM = "for Legal Services to confirm"
COUNCILS = frozenset({"county", "district", "city", "borough", "unitary"})

S101 = "Local Government Act 1972 s101"
S102 = "Local Government Act 1972 s102"
S113 = "Local Government Act 1972 s113"
GOODS = "Local Authorities (Goods and Services) Act 1970"
POWER = "Localism Act 2011 s1"
COMPANY = "Localism Act 2011 s4 (trading through a company)"
CONTRACT = "Public Contracts Regulations 2015 (competition)"
TECKAL = "Public Contracts Regulations 2015 reg 12(1)/(4)"
COOPERATION = "Public Contracts Regulations 2015 reg 12(7)"

MODEL_WORDS = {
    "status_quo": "no change",
    "in_house": "redesigned in house",
    "shared_service": "shared service",
    "s101_delegation": "delegation to another council",
    "commissioned": "commissioned from another body",
    "outsourced": "outsourced",
    "commercial_contract": "bought on a commercial basis",
    "joint_venture": "joint venture company",
    "hand_back": "handed back to each council",
}
REG_12_7 = (
    "public-public cooperation under reg 12(7) needs all three conditions: the councils cooperate to "
    "deliver public services they each must provide, with common objectives; the cooperation is governed "
    "solely by the public interest; and each council does less than 20 % of the cooperative activity on "
    "the open market"
)


@dataclass(frozen=True)
class LegalBasis:
    """One change's legal reading: the arrangement, the provisions it rests on, and how it is procured."""

    arrangement: str
    basis: tuple[str, ...]  # the provisions relied on, as cited
    procurement: str
    notes: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        return "; ".join(self.basis) if self.basis else "none needed"


def provider_category(programme: Programme, option: DeliveryOption) -> str:
    """Who the provider is to the councils it would serve: ``own`` (the owner keeping a service no
    other council shares), ``council``, ``private`` or ``company``."""
    provider = programme.partner(option.provider)
    if not clients(programme, option):
        return "own"
    if provider.kind in COUNCILS:
        return "council"
    if provider.kind == "joint_venture" or provider.owners:
        return "company"
    return "private"


def clients(programme: Programme, option: DeliveryOption) -> list[Partner]:
    """The councils the provider would serve other than itself: the service's owner and the
    partners with a share (an owner hosting a shared service serves the others)."""
    service = programme.service(option.service)
    ids = dict.fromkeys((service.owner, *service.shares))
    return [programme.partner(c) for c in ids if c != option.provider]


def _names(partners: list[Partner]) -> tuple[str, str]:
    """Partners' names joined with "and", and the verb's ending ("does"/"do")."""
    names = [p.name for p in partners]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return joined, ("does" if len(names) == 1 else "do")


def legal_basis(programme: Programme, option: DeliveryOption) -> LegalBasis:
    """The usual legal vehicle for ``option`` (see the module's docstring)."""
    category = provider_category(programme, option)
    provider = programme.partner(option.provider)
    service = programme.service(option.service)
    model = option.model
    if model == "hand_back":
        category = "back"
    notes = _licensing(option) if service.licensing else ()
    if model == "s101_delegation" and category in ("private", "company"):
        notes += (
            "s101 delegates only to another council or a joint committee: with a company the vehicle is "
            "a contract",
        )
    if model in ("status_quo", "in_house") or category == "own":
        return LegalBasis("the council keeps the service and its staff", (), "none needed", notes)
    if model == "hand_back":
        return LegalBasis(
            "the joint arrangement ends under its exit terms; each council resumes the function",
            (),
            "none needed to resume the council's own function",
            notes,
        )
    if option.shared_officers and category == "council":
        arrangement = (
            f"officers shared between the councils, employed by {provider.name} and placed at the "
            "others' disposal"
        )
        return LegalBasis(arrangement, (S113,), "none needed: no contract for services", notes)
    if category == "council":
        return _between_councils(programme, option, provider, notes)
    if category == "company":
        return _company(programme, option, provider, notes)
    return LegalBasis(
        f"a contract with {provider.name}",
        (CONTRACT,),
        _route(provider, "a competition under the Public Contracts Regulations 2015 above the threshold"),
        notes,
    )


def _between_councils(
    programme: Programme, option: DeliveryOption, provider: Partner, notes: tuple[str, ...]
) -> LegalBasis:
    """One council providing for another: delegation, joint arrangements or a purchase."""
    buyer, does = _names(clients(programme, option))
    no_control = f"reg 12(1)/(4) (Teckal) does not apply: {buyer} {does} not control {provider.name}"
    if option.model == "s101_delegation":
        return LegalBasis(
            f"the function delegated to {provider.name}, with an agreement on governance and costs",
            (S101,),
            "none needed: delegating a function is a transfer of responsibility, not a public contract",
            notes,
        )
    if option.model == "shared_service":
        return LegalBasis(
            f"joint arrangements hosted by {provider.name} (delegation or a joint committee)",
            (S101, S102),
            "none needed for the delegation itself; any payment for services is tested under reg 12(7)",
            notes,
        )
    if option.model == "commissioned":
        return LegalBasis(
            f"{buyer} commission the service from {provider.name} under an inter-authority agreement"
            if does == "do"
            else f"{buyer} commissions the service from {provider.name} under an inter-authority agreement",
            (S101, GOODS, COOPERATION),
            f"{REG_12_7}; {no_control}",
            notes,
        )
    return LegalBasis(  # commercial_contract, outsourced: a purchase from another council
        f"{buyer} {'buy' if does == 'do' else 'buys'} the service from {provider.name} on a commercial basis",
        (GOODS, CONTRACT),
        f"{no_control}; reg 12(7) is doubtful for a service bought on a commercial basis, so above the "
        "threshold a competition under the Public Contracts Regulations 2015 is needed",
        notes,
    )


def _company(
    programme: Programme, option: DeliveryOption, provider: Partner, notes: tuple[str, ...]
) -> LegalBasis:
    """A company the councils may own: Teckal needs control by the buyer and no private capital."""
    buyers = clients(programme, option)
    owners = [programme.partner(o) for o in provider.owners]
    private = [o.name for o in owners if o.kind not in COUNCILS]
    fails = []
    outside = [b for b in buyers if b.id not in provider.owners]
    if outside:
        names, does = _names(outside)
        fails.append(f"{names} {does} not control {provider.name}")
    if private:
        fails.append(f"{' and '.join(private)}, a private party, holds shares in {provider.name}")
    if fails:
        teckal = "reg 12(1)/(4) (Teckal) does not apply: " + "; ".join(fails)
        basis: tuple[str, ...] = (POWER, CONTRACT)
        route = _route(provider, "a competition under the Public Contracts Regulations 2015 is needed")
        procurement = f"{teckal}; {route}"
    else:
        basis = (POWER, TECKAL)
        names, does = _names(buyers)
        procurement = (
            f"reg 12(1)/(4) (Teckal) may apply: {names} {'controls' if does == 'does' else 'control'} "
            f"{provider.name}, alone or with "
            "other councils, with no private capital, provided over 80 % of its activity is for its "
            "controlling councils"
        )
    if option.model == "joint_venture":
        basis = (POWER, COMPANY, *basis[1:])
        arrangement = f"a company owned with the other shareholders of {provider.name}"
    else:
        arrangement = f"a contract for the service with {provider.name}"
    return LegalBasis(arrangement, basis, procurement, notes)


def _route(provider: Partner, otherwise: str) -> str:
    """The procurement route the programme records for ``provider`` (an OJEU notice the council
    joined, say), else ``otherwise``."""
    if provider.procurement:
        return (
            f"{provider.procurement.rstrip('.')}: whether that procurement covers this service is {CONFIRM}"
        )
    return otherwise


def _licensing(option: DeliveryOption) -> tuple[str, ...]:
    if option.model in ("status_quo", "in_house", "hand_back"):
        return ()
    return (
        "Licensing Act 2003 functions cannot be delegated under s101 of the Local Government Act 1972: "
        "they stay with each council's licensing committee, with officers shared under s113",
    )


def option_words(programme: Programme, option: DeliveryOption) -> str:
    """An option as people name it: its provider and how ("Gloucestershire County Council,
    delegation to another council"); a status quo is "as today"."""
    if option.is_status_quo:
        return "as today"
    return f"{programme.partner(option.provider).name}, {MODEL_WORDS[option.model]}"
