"""Options named as people name them: their model and provider, never their id.

An option has no name of its own in the file; "shared service with Gloucestershire County Council"
is what a director reads where the file says ``ict-county``.  Every wing that speaks to people
(the planner's advice, the app, the report) names options through this one function.
"""

from __future__ import annotations

from engine.programme.model import Programme


def option_name(programme: Programme, option_id: str) -> str:
    """An option's model and provider in words; the status quo is "keep as it is" (an unknown id
    is returned as it is, so a message about a bad id can still say which)."""
    try:
        option = programme.option(option_id)
    except KeyError:
        return option_id
    model = option.model.replace("_", " ")
    if option.model == "status_quo":
        return "keep as it is"
    if option.model == "hand_back":
        return "hand back to each council"
    provider = programme.partner(option.provider).name
    named = f"in house at {provider}" if option.model == "in_house" else f"{model} with {provider}"
    same = (option.model, option.provider)
    twins = [o for o in programme.options_for(option.service) if (o.model, o.provider) == same]
    # two options of one service with the same model and provider differ only in the file: its id says which
    return f"{named} ({option.id})" if len(twins) > 1 else named
