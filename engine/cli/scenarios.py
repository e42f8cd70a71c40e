"""Scenario commands: side-by-side comparison and sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from engine.base.errors import SsplanError
from engine.cli.base import SEED_MAX, IncludeExempt, _emit, app, echo, number, output_target

if TYPE_CHECKING:
    from engine.appraisal.scenario import LoadedScenario
    from engine.appraisal.sensitivity import Sensitivity


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="scenario files; the first is the reference")],
    output: Annotated[
        Literal["table", "json", "xlsx", "html"], typer.Option("--format", help="table, json, xlsx or html")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="file to write (needed for xlsx)")] = None,
    include_exempt: IncludeExempt = False,
) -> None:
    """Compare what-if scenarios side by side: choices, finance, peaks, exceptions, and what changed."""
    import json

    from engine.appraisal.compare import compare as run_compare
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.present.comparison import comparison_html, comparison_text, comparison_workbook

    output_target(out, output)
    if output == "xlsx" and out is None:
        raise SsplanError.one("--format xlsx needs --out FILE.xlsx")
    comparison = run_compare([run_scenario(load_scenario(path)) for path in scenarios], include_exempt)
    if output == "json":
        _emit(json.dumps(comparison.to_json(), indent=2, default=str), out)
    elif output == "html":
        _emit(comparison_html(comparison), out)
    elif output == "xlsx":
        from engine.io.atomic import atomic_write

        assert out is not None
        atomic_write(out, comparison_workbook(comparison))
        echo(f"wrote {out}")
    else:
        echo(comparison_text(comparison))


@app.command()
def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    draws: Annotated[int, typer.Option("--draws", min=1, max=1_000_000, help="weight draws")] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, max=SEED_MAX, help="random seed (same seed, same answer)")
    ] = 0,
    concentration: Annotated[
        float,
        typer.Option(
            "--concentration",
            parser=number(0, 1e6, low_open=True),
            help="Dirichlet concentration, > 0 (larger: draws closer to the weights)",
        ),
    ] = 50.0,
    first_wave: Annotated[
        int, typer.Option("--first-wave", min=1, max=100_000, help="size of the first wave")
    ] = 3,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")] = "table",
    replan: Annotated[
        int, typer.Option("--replan", min=0, max=100_000, help="also re-plan this many draws (parallel)")
    ] = 0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=1024, help="processes for --replan")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler for --replan, e.g. tcp://host:8786 (pip install '.[cluster]')"
        ),
    ] = None,
    costs: Annotated[bool, typer.Option("--costs/--no-costs", help="also draw the ranged costs")] = True,
    include_exempt: IncludeExempt = False,
) -> None:
    """How robust the recommendations are to weights and uncertain costs: Monte-Carlo draws, tornado."""
    from engine.appraisal.scenario import load_scenario
    from engine.appraisal.sensitivity import scenario_sensitivity

    loaded = load_scenario(scenario)
    result = scenario_sensitivity(
        loaded, draws=draws, seed=seed, concentration=concentration, first_wave=first_wave, costs=costs
    )
    if output == "json":
        echo(_sensitivity_json(result, include_exempt), data=True)
        return
    echo(_sensitivity_table(result, concentration, include_exempt))
    if replan:
        echo(_replanned(scenario, replan, seed, concentration, workers, scheduler))
    risk = _npv_risk_text(loaded, draws, seed, include_exempt)
    if risk:
        echo(risk)


def _sensitivity_json(result: Sensitivity, include_exempt: bool) -> str:
    """The draws for a machine, marked not for publication when exempt figures were let in."""
    import json

    from engine.programme.exempt import CLASSIFICATION

    return json.dumps(
        {
            **(CLASSIFICATION if include_exempt else {}),
            "draws": result.draws,
            "seed": result.seed,
            "costs_drawn_for": result.uncertain,
            "services": result.services.to_dict("records"),
            "exceptions": result.exceptions.to_dict("records"),
            "tornado": result.tornado.to_dict("records"),
        },
        indent=2,
        default=str,
    )


def _sensitivity_table(result: Sensitivity, concentration: float, include_exempt: bool) -> str:
    """The draws for a person: what was drawn, how stable each service is, the exceptions' chances
    and the tornado; headed not for publication when exempt figures were let in."""
    from engine.programme.exempt import NOT_FOR_PUBLICATION

    drawn = f"{result.draws} weight draws (Dirichlet, concentration {concentration:g}, seed {result.seed})"
    if result.uncertain:
        drawn += f", each with the ranged costs of {', '.join(result.uncertain)} drawn (triangular)"
    parts = [NOT_FOR_PUBLICATION] if include_exempt else []
    parts += [drawn + "\n", result.services.to_string(index=False)]
    if not result.exceptions.empty:
        parts.append("\nExceptions:\n" + result.exceptions.to_string(index=False))
    parts.append("\nTornado (each weight at ×0.5 and ×1.5):\n" + result.tornado.to_string(index=False))
    return "\n".join(parts)


def _replanned(
    scenario: Path, draws: int, seed: int, concentration: float, workers: int | None, scheduler: str | None
) -> str:
    """Re-plan under ``draws`` weight draws behind a progress bar (it takes a while); the table of how
    often each service changes."""
    from rich.progress import Progress

    from engine.appraisal.sensitivity import replan_sensitivity

    with Progress(transient=True) as bar:
        task = bar.add_task("re-planning", total=draws)
        replanned = replan_sensitivity(
            str(scenario),
            draws=draws,
            seed=seed,
            concentration=concentration,
            workers=workers,
            scheduler=scheduler,
            progress=lambda: bar.advance(task),
        )
    return f"\nRe-planned under {draws} weight draws:\n" + replanned.to_string(index=False)


def _npv_risk_text(loaded: LoadedScenario, draws: int, seed: int, include_exempt: bool) -> str | None:
    """The plan's NPV under its uncertain costs, or why it is withheld: in the public view it is
    withheld when it rests on an exempt figure (a secret option planned, or any secret option's
    cost range).  None when no option gives a range or nothing is planned."""
    from engine.appraisal.finance import npv_risk
    from engine.appraisal.scenario import run_scenario
    from engine.plan.disclosure import Disclosure

    programme = loaded.programme
    if not any(o.ranges for o in programme.options):
        return None
    plan = run_scenario(loaded).plan.plan
    if plan is None:
        return None
    disclosure = Disclosure.of(programme, include_exempt)
    ranged = {o.id for o in programme.options if o.ranges}
    hidden = disclosure.withheld_in(plan) or sorted(disclosure.secret & ranged)
    if hidden:
        return (
            "\nThe NPV of the plan under uncertain costs rests on exempt figures of "
            f"{', '.join(hidden)} and is withheld (--include-exempt shows it)."
        )
    risk = npv_risk(plan, disclosure.public_programme(), loaded.scenario.appraisal, draws=draws, seed=seed)
    return (
        f"\nNPV of the plan with uncertain costs ({', '.join(risk.uncertain) or 'none in the plan'}; "
        f"triangular draws): P10 £{risk.p10:,.0f}, P50 £{risk.p50:,.0f}, P90 £{risk.p90:,.0f}; "
        f"chance NPV > 0: {risk.probability_positive:.0%}"
    )
