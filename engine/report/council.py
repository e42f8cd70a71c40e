"""Whose report it is: the council a report is written for, the body it asks to resolve, and
what that body may decide.

A partnership's councils each decide through their own body (a Cabinet, an Executive, a Leaders'
Board, a joint committee, full Council), so a report resolves for one council
(``ssplan report --for``).  Where the programme decides by consensus, its resolutions are subject to
the other councils' decisions; a council is never asked to agree another council's change.  Key
decision and the Forward Plan are derived from the constitution's threshold, never "No" by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from engine.appraisal.public import FinanceView
from engine.appraisal.scenario import ScenarioResult
from engine.base.errors import InputError
from engine.present.money import officer_pounds as money
from engine.programme.model import Governance, Partner, Programme
from engine.programme.partners import consenting_partners

BODY_WORDS = {
    "cabinet": "Cabinet",
    "executive": "the Executive",
    "leaders_board": "the Leaders' Board",
    "joint_committee": "the Joint Committee",
    "full_council": "Council",
}
COUNCIL_KINDS = ("county", "district", "city", "borough", "unitary")
FORWARD_PLAN = (
    "the Local Authorities (Executive Arrangements) (Meetings and Access to Information) (England) "
    "Regulations 2012, regulation 9"
)


@dataclass(frozen=True)
class Audience:
    """The council a report is for, its decision-making body and the councils it decides with."""

    council: Partner
    body: str  # as the resolutions name it: "Cabinet", "the Executive"
    governance: Governance | None
    consensus_body: str | None  # "the Leaders' Board" where the programme decides by consensus
    others: tuple[Partner, ...]  # the other consenting councils, whose decisions it is subject to

    @property
    def body_title(self) -> str:
        """The body at the start of a sentence ("The Executive is asked …")."""
        return self.body[0].upper() + self.body[1:]

    @property
    def subject_to(self) -> str:
        """ "subject to the Leaders' Board and …" for a consensus programme, else ""."""
        if self.consensus_body is None:
            return ""
        others = " and ".join(p.name for p in self.others)
        return f"the agreement of {self.consensus_body}" + (
            f" and the decisions of {others} through their own decision-making" if others else ""
        )


def audience(programme: Programme, requested: str | None = None) -> Audience:
    """The audience of the report for ``requested`` (a partner's id or name; default: the
    programme's lead council, else the first exception policy's client, else the first council)."""
    council = find_council(programme, requested) if requested else default_council(programme)
    consenting = consenting_partners(programme) if programme.consensus is not None else []
    deciding = programme.consensus is not None and council.id in consenting
    return Audience(
        council,
        body_name(council),
        council.governance,
        _consensus_words(programme) if deciding else None,
        tuple(programme.partner(p) for p in consenting if p != council.id) if deciding else (),
    )


def body_name(partner: Partner) -> str:
    governance = partner.governance
    if governance is not None:
        return governance.name or BODY_WORDS[governance.body]
    written = partner.decision_body or "Cabinet"
    bare = written.lower() in ("cabinet", "council") or written.lower().startswith("the ")
    return written if bare else f"the {written}"  # "the Executive is asked", as "Cabinet is asked"


def _consensus_words(programme: Programme) -> str:
    body = programme.consensus.body if programme.consensus else "the partners"
    return body if body.lower().startswith("the ") else f"the {body}"


def default_council(programme: Programme) -> Partner:
    governance = programme.governance
    if governance is not None and governance.lead:
        return programme.partner(governance.lead)
    if programme.policies:
        return programme.partner(programme.policies[0].client)
    councils = [p for p in programme.partners if p.kind in COUNCIL_KINDS]
    return (councils or list(programme.partners))[0]


def councils(programme: Programme) -> list[Partner]:
    """The councils of a partnership that each get a report (``--for each``): the consensus's
    members, else every council that records its own decision-making body."""
    if programme.consensus is not None:
        return [programme.partner(p) for p in programme.consensus.partners]
    chosen = [p for p in programme.partners if p.governance is not None and p.kind in COUNCIL_KINDS]
    return chosen or [default_council(programme)]


def find_council(programme: Programme, requested: str) -> Partner:
    """A partner by id or name (case-insensitive), or a located error naming the choices."""
    wanted = requested.strip().lower()
    for partner in programme.partners:
        if wanted in (partner.id.lower(), partner.name.lower()):
            return partner
    ids = [p.id for p in programme.partners]
    near = get_close_matches(requested, ids, n=1)
    raise InputError.one(
        f"no partner `{requested}` in the programme"
        + (f" (did you mean `{near[0]}`?)" if near else "")
        + f"; expected one of {', '.join(ids)}",
        field="--for",
    )


def own_services(programme: Programme, council: Partner) -> set[str]:
    """Services the council decides on: those it owns or has a share of."""
    return {s.id for s in programme.services if s.owner == council.id or council.id in s.shares}


def key_decision(result: ScenarioResult, who: Audience, view: FinanceView | None) -> tuple[str, str]:
    """("Yes"/"No"/"To be confirmed" with the reason, the Forward Plan check), from the
    constitution's threshold and the council's own one-off costs and annual savings in the plan."""
    stated = result.loaded.scenario.report.key_decision
    if who.council.id != default_council(result.loaded.programme).id:
        stated = None  # the scenario's author wrote for the lead council's report, not this one
    threshold = who.governance.key_decision_threshold if who.governance else None
    derived, reason = _derived(who, view, threshold)
    if stated is not None:
        answer = "Yes" if stated else "No"
        if derived not in (answer, "To be confirmed"):
            reason = f"as the report's author states; the figures suggest {derived.lower()}: {reason}"
        else:
            reason = "as the report's author states" + (f"; {reason}" if reason else "")
        derived = answer
    if derived == "Yes":
        plan = f"required: a key decision must be on the Forward Plan 28 clear days before ({FORWARD_PLAN})"
    elif derived == "No":
        plan = "not required (not a key decision)"
    else:
        plan = "to be checked with Democratic Services once the key decision is confirmed"
    return f"{derived} ({reason})" if reason else derived, plan[0].upper() + plan[1:]


def _derived(who: Audience, view: FinanceView | None, threshold: float | None) -> tuple[str, str]:
    if threshold is None:
        return "To be confirmed", "no key-decision threshold is recorded from the constitution"
    if view is None:
        return "No", "the plan changes nothing"
    row = view.by_partner[view.by_partner["partner"] == who.council.id]
    one_off = float(row["one_off"].sum()) if len(row) else 0.0
    saving = float(row["annual_saving"].sum()) if len(row) else 0.0
    figure = max(one_off, saving)
    limit = f"the constitution's threshold of {money(threshold)}"
    if figure >= threshold:
        what = "one-off costs" if one_off >= saving else "annual savings"
        return "Yes", f"{who.council.name}'s {what} of {money(figure)} reach {limit}"
    if view.withheld:
        return "To be confirmed", f"the public figures are below {limit}; exempt figures are left out"
    return "No", f"{who.council.name}'s costs and savings are below {limit}"
