"""Whether staff change employer when a service changes, and whose staff they are.

A service's staff belong to their employers (``Service.staff``; by default all to whoever delivers
it today).  A change moves to the new provider every employer's staff but the provider's own: that
is a transfer under TUPE 2006, or on TUPE terms under the Cabinet Office Statement of Practice
(COSOP) between public bodies, and, into a company, it needs an LGPS admission agreement.  Shared
officers (s113) and a council keeping its own service move nobody.  Each council's FTE is kept
apart, so a report for one council never counts another's staff as its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.present.law import COUNCILS
from engine.programme.model import DeliveryOption, Programme, Service


@dataclass(frozen=True)
class Transfer:
    """Staff of one change: who moves (employer → FTE, None where unknown), who stays, and why."""

    likely: bool
    reason: str
    moving: dict[str, float | None] = field(default_factory=dict)
    staying: dict[str, float | None] = field(default_factory=dict)
    pensions: str = ""

    @property
    def words(self) -> str:
        return ("likely: " if self.likely else "unlikely: ") + self.reason


def employers(service: Service) -> dict[str, float | None]:
    """FTE by employing partner: ``staff`` where given, else all with today's provider."""
    if service.staff:
        return dict(service.staff)
    return {service.provider_now: service.fte}


def transfer(
    programme: Programme, option: DeliveryOption, staff: dict[str, float | None] | None = None
) -> Transfer:
    """Whether ``option`` moves staff to another employer (see the module's docstring); ``staff``:
    who employs them by then (default: today, :func:`employers`)."""
    service = programme.service(option.service)
    staff = employers(service) if staff is None else staff
    provider = programme.partner(option.provider)
    if option.is_status_quo:
        return Transfer(False, "the service stays as it is", staying=staff)
    if option.shared_officers:
        return Transfer(
            False,
            "staff stay with their employers and are shared between the councils under s113 of the "
            "Local Government Act 1972",
            staying=staff,
        )
    if option.model == "hand_back":
        return _hand_back(programme, service, staff)
    moving = {k: v for k, v in staff.items() if k != provider.id and v != 0}
    staying = {k: v for k, v in staff.items() if k == provider.id or v == 0}
    if not moving:
        return Transfer(False, f"the staff are already employed by {provider.name}", staying=staying)
    if provider.kind in COUNCILS:
        return Transfer(
            True,
            f"staff move to {provider.name}, a transfer between public bodies under TUPE or on TUPE "
            "terms (COSOP)",
            moving,
            staying,
        )
    pensions = (
        f"{provider.name} needs an admission agreement to the Local Government Pension Scheme (or a "
        "broadly comparable scheme) for the staff who transfer; pension strain and any bond to be assessed"
    )
    return Transfer(
        True, f"staff move to {provider.name}, a company: TUPE applies", moving, staying, pensions
    )


def _hand_back(programme: Programme, service: Service, staff: dict[str, float | None]) -> Transfer:
    """Each client council takes its part back: the host's staff who serve the others (and any
    employer's that is not a client) return to them; how many is for the exit plan."""
    clients = {service.owner, *service.shares}
    host = service.provider_now
    moving = {k: v for k, v in staff.items() if k not in clients or (k == host and clients - {host})}
    staying = {k: v for k, v in staff.items() if k not in moving}
    if not moving:
        return Transfer(
            False, "the staff are already employed by the councils that take it back", staying=staying
        )
    names = ", ".join(programme.partner(k).name for k in moving)
    return Transfer(
        True,
        f"the staff of {names} who serve the other councils return to them (TUPE, or TUPE terms under "
        "COSOP); how many is settled in the exit plan",
        moving,
        staying,
    )


def stage_transfers(programme: Programme, stages: list[DeliveryOption]) -> list[Transfer]:
    """Each stage's own transfer: a stage moves whoever employs the staff by then (after a stage
    that moves them, its provider employs them all)."""
    first = programme.service(stages[0].service)
    staff = employers(first)
    out = []
    for stage in stages:
        move = transfer(programme, stage, staff)
        out.append(move)
        if move.likely:
            provider = stage.provider if stage.model != "hand_back" else first.owner
            known = list(staff.values())
            staff = {provider: None if None in known else sum(v for v in known if v is not None)}
    return out


def path_transfer(programme: Programme, stages: list[DeliveryOption]) -> Transfer:
    """Staff of a change made in stages, by their first employer: moved if any stage moves them
    (after the first move a later stage moves them all again), each FTE counted once."""
    original = employers(programme.service(stages[0].service))
    moves = stage_transfers(programme, stages)
    moved: dict[str, float | None] = {}
    together = False  # an earlier stage moved them: one employer has them all since
    for move in moves:
        if move.likely:
            moved |= {k: v for k, v in original.items() if together or k in move.moving}
            together = True
    likely = [m for m in moves if m.likely]
    if not likely:
        return moves[-1]
    stayed = {k: v for k, v in original.items() if k not in moved}
    pensions = next((m.pensions for m in likely if m.pensions), "")
    return Transfer(True, "; then ".join(m.reason for m in likely), moved, stayed, pensions)
