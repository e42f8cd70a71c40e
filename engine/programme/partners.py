"""Questions about a programme's partners that more than one wing asks."""

from __future__ import annotations

from engine.programme.model import Programme


def consenting_partners(programme: Programme) -> list[str]:
    """The partners whose agreement counts: the consensus list, else every partner with a share."""
    if programme.consensus is not None:
        return list(programme.consensus.partners)
    seen: dict[str, None] = {}
    for service in programme.services:
        for partner in service.shares or {service.owner: 1.0}:
            seen[partner] = None
    return list(seen)
