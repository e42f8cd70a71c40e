"""Scoring commands: ranked services, each partner's view, switching values."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from engine.base.errors import SsplanError
from engine.cli.base import IncludeExempt, WeightsDir, WeightsName, app, echo

if TYPE_CHECKING:
    from engine.programme.model import Programme
    from engine.rules.ruleset import RuleSet
    from engine.scoring.scores import ScoreTable
    from engine.scoring.weightsets import WeightSet


@app.command()
def score(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[
        Literal["wsm", "topsis"] | None,
        typer.Option("--method", help="wsm or topsis (default: the rule set's)"),
    ] = None,
    output: Annotated[
        Literal["table", "json", "csv"], typer.Option("--format", help="table, json or csv")
    ] = "table",
    explain: Annotated[str | None, typer.Option("--explain", help="explain one service in full")] = None,
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
    by_partner: Annotated[
        bool,
        typer.Option("--by-partner", help="each consenting partner's recommendations by its own weights"),
    ] = False,
    ranges_for_assumed: Annotated[
        bool,
        typer.Option(
            "--ranges-for-assumed",
            help="give a score range for attributes left out (read through the rule's default) too",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="refuse scores that read a default or an unknown for a missing value"),
    ] = False,
    weights: WeightsName = None,
    weights_dir: WeightsDir = None,
) -> None:
    """Score every option and rank the services with their recommended option."""
    import json

    from engine.io.cells import frame_csv
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_rules
    from engine.plan.disclosure import Disclosure
    from engine.present.assumed import assumed_columns, assumed_text
    from engine.present.caveats import caveats_json, ranking_marks
    from engine.present.explain import explain_service
    from engine.present.tables import ranking_text
    from engine.present.ties import ties_columns, ties_text
    from engine.present.unknowns import unknowns_columns, unknowns_json, unknowns_text
    from engine.present.weights import approval_text, weight_set_text
    from engine.programme.exempt import CLASSIFICATION, NOT_FOR_PUBLICATION
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.assumed import assumed_inputs
    from engine.scoring.scores import score as run_score
    from engine.scoring.strict import strict_check
    from engine.scoring.ties import near_ties
    from engine.scoring.unknowns import unknown_ranges

    loaded = load_programme(programme)
    ruleset = load_ruleset(rules or shipped_rules())
    chosen = weight_set_for(programme, loaded, ruleset, weights, weights_dir)
    table = run_score(loaded, ruleset, method=method, weights=chosen.weights if chosen else None)
    assumed = assumed_inputs(table)
    if strict:
        strict_check(table, assumed)
    for warning in undiscriminating_warnings(table, loaded):
        echo(warning, err=True)
    if include_exempt and output != "json":
        echo(NOT_FOR_PUBLICATION, err=output == "csv")  # csv stays parseable: the mark goes to stderr
    if explain is not None:
        if explain not in {s.id for s in loaded.services}:
            known = ", ".join(s.id for s in loaded.services)
            raise SsplanError.one(f"unknown service `{explain}`; expected one of {known}")
        echo(explain_service(table, explain, include_exempt=include_exempt))
        return
    if by_partner:
        _partner_views(loaded, load_ruleset(rules or shipped_rules()), method, output)
        return
    ranges, ties = unknown_ranges(table, ranges_for_assumed), near_ties(table, include_exempt)
    if output == "json":
        payload = table.to_json(include_exempt=include_exempt)
        payload = {**CLASSIFICATION, **payload} if include_exempt else payload
        payload["provenance"] = {
            "rules": approval_text(ruleset),
            "weights": weight_set_text(chosen) if chosen else None,
        }
        unknown = unknowns_json(table, ranges, include_exempt)
        for option, extra in zip(payload["options"], unknown.pop("options"), strict=True):
            option.update(extra)
        caveats = caveats_json(table, assumed, ties, payload, include_exempt)
        echo(json.dumps({**payload, **unknown, **caveats}, indent=2, default=str), data=True)
    elif output == "csv":
        frame = table.options if include_exempt else table.public_options()
        frame = frame.assign(**unknowns_columns(table, ranges, include_exempt))
        frame = frame.assign(**assumed_columns(table, assumed, include_exempt), **ties_columns(ties))
        echo(frame_csv(frame.drop(columns=["exempt"]), index=False), nl=False, data=True)
    else:
        header = [approval_text(ruleset)] + ([weight_set_text(chosen)] if chosen else [])
        marks = ranking_marks(table, assumed, ties)
        text = ranking_text(table, Disclosure.of(loaded, include_exempt), marks)
        text += unknowns_text(table, ranges, include_exempt) + assumed_text(table, assumed, include_exempt)
        if ranges_for_assumed:
            text += f"\n\n{ASSUMED_RANGES}"
        echo("\n".join(header) + "\n" + text + ties_text(table, ties))


ASSUMED_RANGES = (
    "--ranges-for-assumed: attributes the file leaves out were tried as if unknown (at the values "
    "given elsewhere), as well as those it marks unknown"
)


def weight_set_for(
    path: Path, programme: Programme, rules: RuleSet, name: str | None, folder: Path | None
) -> WeightSet | None:
    """The named weight set (``--weights``), checked against the programme and the rule set it is
    used with; score, plan and switching values all weigh the criteria with it."""
    if name is None:
        return None
    from engine.scoring.weightsets import check_fits, find_weight_set, weights_folder

    found = find_weight_set(folder or weights_folder(path, programme.id), name)
    check_fits(found, rules, programme.id)
    return found


def undiscriminating_warnings(table: ScoreTable, programme: Programme) -> list[str]:
    """A criterion on which every option scores alike silently decides nothing: say so."""
    return [
        f"warning: criterion `{criterion}` does not discriminate: every option of "
        f"{programme.name} gets the same value on it, so it adds the same to every score"
        for criterion in table.undiscriminating()
    ]


def _partner_views(programme: Programme, rules: RuleSet, method: str | None, output: str) -> None:
    import json

    from engine.io.cells import frame_csv
    from engine.scoring.consensus import partner_views

    views = partner_views(programme, rules, method=method)
    if output == "json":
        payload = {
            "partners": views.partners,
            "weights": views.own_weights,
            "services": views.services.to_dict("records"),
            "disagreements": views.disagreements,
        }
        echo(json.dumps(payload, indent=2, default=str), data=True)
    elif output == "csv":
        echo(frame_csv(views.services, index=False), nl=False, data=True)
    else:
        for partner in views.partners:
            shown = ", ".join(f"{c} {w:.0%}" for c, w in views.own_weights[partner].items())
            echo(f"{programme.partner(partner).name}: {shown}")
        echo("\n" + views.services.to_string(index=False))
        if views.disagreements:
            echo(
                "\nThe partners' own weights disagree on: "
                + ", ".join(views.disagreements)
                + " (these need the consensus of the partners)"
            )
        else:
            echo("\nEvery partner's own weights give the same recommendations.")


@app.command()
def switching(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[Literal["wsm", "topsis"] | None, typer.Option("--method", help="wsm or topsis")] = None,
    include_exempt: IncludeExempt = False,
    weights: WeightsName = None,
    weights_dir: WeightsDir = None,
) -> None:
    """How far each exception's (or the default provider's) annual cost must move to flip the verdict."""
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_rules
    from engine.plan.disclosure import Disclosure, public_switching
    from engine.present.frames import name_ids
    from engine.present.mou import switching_note
    from engine.present.words import option_labels
    from engine.programme.exempt import NOT_FOR_PUBLICATION
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.switching import switching_values

    loaded = load_programme(programme)
    ruleset = load_ruleset(rules or shipped_rules())
    chosen = weight_set_for(programme, loaded, ruleset, weights, weights_dir)
    values = switching_values(loaded, ruleset, method=method, weights=chosen.weights if chosen else None)
    if not values:
        echo("no option of another partner is judged by the exception rule in this programme")
    if include_exempt:
        echo(NOT_FOR_PUBLICATION)
    shown, withheld = public_switching(values, Disclosure.of(loaded, include_exempt))
    lookup = option_labels(loaded)  # people read options by service, model and provider, not ids
    for value in shown:
        echo(f"- {name_ids(value.text(), lookup)}")
    if values:
        echo(switching_note(loaded))
    if withheld:
        echo(
            f"{withheld} switching value(s) rest on exempt (commercially confidential) prices and are "
            "withheld; --include-exempt shows them (NOT FOR PUBLICATION)"
        )
