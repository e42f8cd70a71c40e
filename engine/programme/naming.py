"""Options named as people name them: their model and provider, never their id.

An option has no name of its own in the file; "shared service with Gloucestershire County Council"
is what a director reads where the file says ``ict-county``.  Every wing that speaks to people
(the planner's advice, the app, the report) names options through this one function.
"""

from __future__ import annotations

from engine.programme.model import DeliveryOption, Programme


def option_name(programme: Programme, option_id: str) -> str:
    """An option's model and provider in words; the status quo is "keep as it is" (an unknown id
    is returned as it is, so a message about a bad id can still say which).  Two options of one
    service that would read the same (the same model with one partner, or with two partners of the
    same name) differ only in the file: each then carries its id, to say which."""
    try:
        option = programme.option(option_id)
    except KeyError:
        return option_id
    named = _words(programme, option)
    twins = [o for o in programme.options_for(option.service) if _words(programme, o) == named]
    return f"{named} ({option.id})" if len(twins) > 1 else named


def _words(programme: Programme, option: DeliveryOption) -> str:
    if option.model == "status_quo":
        return "keep as it is"
    if option.model == "hand_back":
        return "hand back to each council"
    provider = programme.partner(option.provider).name
    if option.model == "in_house":
        return f"in house at {provider}"
    return f"{option.model.replace('_', ' ')} with {provider}"
