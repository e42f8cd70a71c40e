"""Questions about a programme's partners that more than one wing asks."""

from __future__ import annotations

from engine.programme.model import DeliveryOption, Programme


def consenting_partners(programme: Programme) -> list[str]:
    """The partners whose agreement counts: the consensus list, else every partner with a share."""
    if programme.consensus is not None:
        return list(programme.consensus.partners)
    seen: dict[str, None] = {}
    for service in programme.services:
        for partner in service.shares or {service.owner: 1.0}:
            seen[partner] = None
    return list(seen)


def membership(programme: Programme, partner_id: str, periods: int) -> tuple[int, int]:
    """The periods ``[first, end)`` in which the partner is a member of the programme.

    A partner counts from the period containing ``joins`` (the horizon's start if it has joined
    by then or gives no date) up to, not including, the period containing ``leaves`` (``periods``
    if it stays): it is a member of the period it joins in, not of the one it leaves in.
    """
    partner, horizon = programme.partner(partner_id), programme.horizon
    first = 0 if partner.joins is None else max(0, horizon.period_of(partner.joins))
    end = periods if partner.leaves is None else min(periods, horizon.period_of(partner.leaves))
    return first, max(first, end)


def change_window(programme: Programme, option_service: str, provider: str, periods: int) -> tuple[int, int]:
    """The periods ``[first, end)`` in which a change of ``option_service`` by ``provider`` may run:
    both the provider and the service's owner must be members for the whole implementation, so
    start ≥ first and start + duration ≤ end."""
    owner = programme.service(option_service).owner
    first_p, end_p = membership(programme, provider, periods)
    first_o, end_o = membership(programme, owner, periods)
    return max(first_p, first_o), min(end_p, end_o)


def option_window(programme: Programme, option: DeliveryOption, periods: int) -> tuple[int, int]:
    """Like :func:`change_window` for a whole option, bounding its start and its end: each stage
    of a staged path runs while its own provider and the owner are members, so with stage k at
    offset o_k for d_k periods, start ≥ first_k − o_k and start + D ≤ end_k − o_k − d_k + D
    (D the path's duration); an unstaged option is its own one stage."""
    first, end = 0, periods
    for stage in programme.stages(option.id) if option.follows else ():
        joined, leaving = change_window(programme, option.service, stage.option.provider, periods)
        first = max(first, joined - stage.offset)
        end = min(end, leaving - stage.end + option.duration)
    if not option.follows:
        first, end = change_window(programme, option.service, option.provider, periods)
    return first, end
