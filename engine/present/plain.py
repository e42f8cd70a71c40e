"""Why each service is recommended, in plain English: names, not ids or rule expressions.

``explain_service`` (:mod:`engine.present.explain`) gives the formula behind every score, which the
app keeps behind a disclosure; this module says the same in a director's words ("Outcome not
rated, so it counts as 3, the middle of the 1–5 scale").  The public view is the one
``explain_service`` keeps: an option whose score is banded shows its band, not what it is made of.
"""

from __future__ import annotations

from engine.present.assumed import shown_parts
from engine.present.frames import STATUS
from engine.present.words import option_name
from engine.programme.exempt import band, secret_options
from engine.scoring.assumed import Assumed, assumed_inputs
from engine.scoring.scores import ScoreTable, secret_fields


def assumed_words(table: ScoreTable, a: Assumed) -> str:
    """An assumed value in words: "Outcome not rated, so it counts as 3, the middle of the 1–5
    scale" (the scale said where a criterion reading it has one)."""
    scales = [c.scale for c in table.rules.criteria if c.id in a.criteria and c.scale is not None]
    rated = bool(scales) and a.field.startswith("option.attributes.")
    state = "not known" if a.unknown else ("not rated" if rated else "not given")
    value = f"{a.value:g}" if isinstance(a.value, float) else str(a.value)
    text = f"{a.name[:1].upper()}{a.name[1:]} {state}, so it counts as {value}"
    if scales and isinstance(a.value, (int, float)):
        low, high = scales[0]
        if abs(float(a.value) - (low + high) / 2) < 1e-9:
            return f"{text}, the middle of the {low:g}–{high:g} scale"
        return f"{text} on the {low:g}–{high:g} scale"
    return text


def why_lines(table: ScoreTable, service_id: str) -> list[str]:
    """A service's recommendation and each of its options, one plain line each (Markdown)."""
    programme, rules = table.programme, table.rules
    hidden, scales = secret_options(programme), set(table.secret_scales())
    banding = programme.settings.band_exempt_scores
    summary = table.services[table.services["service"] == service_id].iloc[0]
    lines = [_verdict(table, summary)]
    assumed = assumed_inputs(table)
    rows = table.options[table.options["service"] == service_id]
    for index, row in rows.iterrows():
        i, option = int(str(index)), str(row["option"])
        name = option_name(programme, option)
        name = name[:1].upper() + name[1:]
        if not row["eligible"]:
            lines.append(f"- {name}: ruled out, {row['ineligible_reason']}.")
            continue
        if option in hidden or scales:
            shown = f"score band {band(row['score'])}" if banding else "score withheld (exempt prices)"
            lines.append(f"- {name}: {shown}.")
            continue
        secret = secret_fields(table.table, i) | set(row["exempt"])
        parts = sorted(
            ((c.name, float(row[f"{c.id}.contribution"])) for c in rules.criteria if c.id not in secret),
            key=lambda item: -abs(item[1]),
        )
        most = ", ".join(f"{n} {v:+.3f}" for n, v in parts[:3] if abs(v) >= 5e-4)
        lines.append(
            f"- {name}: score {row['score']:.3f}" + (f" (counts most: {most})" if most else "") + "."
        )
        for a in assumed[i]:
            if shown_parts(table, a, False)[0]:
                lines.append(f"    - {assumed_words(table, a)}.")
        for fired in table.fired[i]:
            if fired.kind == "adjustment":
                lines.append(f"    - {fired.text} ({fired.effect}).")
    return lines


def _verdict(table: ScoreTable, summary: object) -> str:
    row = dict(summary)  # type: ignore[call-overload]
    status = STATUS.get(str(row["status"]), str(row["status"]))
    if not row["recommended"]:
        return f"**{status.capitalize()}.**"
    chosen = option_name(table.programme, str(row["recommended"]))
    where = f"priority {row['priority']} of {len(table.services)}"
    if row["status"] == "exception":
        return f"**Recommended by exception: {chosen}** ({where}); decided by {row['decision_route']}."
    if row["status"] == "keep the status quo":
        return f"**Recommended: {chosen}** ({where})."
    return f"**Recommended: {chosen}** ({status}; {where})."


ASSUMED_NOTE = (  # for a director (the app): no command line, but what to do about it
    "where the programme file does not give a value, the rule set counts a default in its place; "
    "these scores are provisional until the officers who keep the file give the real values"
)


def assumed_lines(table: ScoreTable, assumed: list[list[Assumed]]) -> list[str]:
    """Each option that rests on assumed values, by name, with what was assumed in words."""
    programme, lines = table.programme, []
    for i, items in enumerate(assumed):
        said = [assumed_words(table, a) for a in items if shown_parts(table, a, False)[0]]
        if said:
            row = table.options.iloc[i]
            service = programme.service(str(row["service"])).name
            lines.append(f"- {service}, {option_name(programme, str(row['option']))}: {'; '.join(said)}.")
    return lines
