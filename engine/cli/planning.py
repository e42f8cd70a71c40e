"""Planning commands: the plan and the value-for-money frontier."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from engine.base.errors import SsplanError
from engine.cli.base import (
    IncludeExempt,
    WeightsDir,
    WeightsName,
    _emit,
    _pairs,
    app,
    distinct_targets,
    echo,
    number,
    option_error,
    output_target,
    settings_from_options,
)

if TYPE_CHECKING:
    from engine.plan.result import PlanResult
    from engine.plan.settings import PlanSettings
    from engine.programme.model import Programme
    from engine.scoring.scores import ScoreTable


@app.command()
def plan(
    programme: Annotated[Path | None, typer.Argument(help="programme file (.yaml or .xlsx)")] = None,
    psplib: Annotated[
        Path | None, typer.Option("--psplib", help="plan a PSPLIB .sm instance instead")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[Literal["wsm", "topsis"] | None, typer.Option("--method", help="wsm or topsis")] = None,
    objective: Annotated[
        Literal["value", "savings", "maxmin", "makespan"],
        typer.Option("--objective", help="value, savings, maxmin or makespan"),
    ] = "value",
    consensus: Annotated[
        bool, typer.Option("--consensus", help="keep every consenting partner no worse off")
    ] = False,
    solver: Annotated[Literal["highs", "cbc"], typer.Option("--solver", help="highs or cbc")] = "highs",
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            parser=number(0, 86400, low_open=True),
            help=(
                "wall-clock seconds for the whole command from its start (reading, solving, advice "
                "and reasons), > 0 and ≤ 86400"
            ),
        ),
    ] = 30.0,
    gap: Annotated[
        float, typer.Option("--gap", parser=number(0, 1), help="relative gap at which to stop, 0 to 1")
    ] = 1e-4,
    force_in: Annotated[list[str] | None, typer.Option("--force-in", help="service that must change")] = None,
    force_out: Annotated[list[str] | None, typer.Option("--force-out", help="service kept as it is")] = None,
    fix_provider: Annotated[list[str] | None, typer.Option("--fix-provider", help="SERVICE=PARTNER")] = None,
    fix_option: Annotated[list[str] | None, typer.Option("--fix-option", help="SERVICE=OPTION")] = None,
    max_concurrent: Annotated[
        int | None, typer.Option("--max-concurrent", min=1, max=100_000, help="transitions at once (≥ 1)")
    ] = None,
    output: Annotated[
        Literal["table", "json", "csv", "xlsx"], typer.Option("--format", help="table, json, csv or xlsx")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="file for csv/json/xlsx output")] = None,
    gantt: Annotated[Path | None, typer.Option("--gantt", help="write a Gantt chart (.html or .png)")] = None,
    include_exempt: IncludeExempt = False,
    weights: WeightsName = None,
    weights_dir: WeightsDir = None,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress",
            help="show each better plan on standard error while the solver runs; Ctrl+C then stops "
            "the search with the best plan so far",
        ),
    ] = False,
) -> None:
    """Choose each service's option and start period under the programme's limits."""
    from engine.appraisal.public import public_plan
    from engine.cli.watch import on_stderr, stop_on_interrupt
    from engine.optimise.deadline import for_command
    from engine.optimise.solve import solve

    output_target(out, output)
    _check_gantt(gantt)
    distinct_targets(("--out", out), ("--gantt", gantt))
    with for_command(time_limit):  # one wall-clock deadline: reading, scoring, solving, advice, reasons
        weighed = (weights, weights_dir)
        loaded, table, objective = _plan_input(programme, psplib, rules, method, objective, weighed)
        settings = _plan_settings(
            objective=objective,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            force_in=force_in,
            force_out=force_out,
            fix_provider=fix_provider,
            fix_option=fix_option,
            max_concurrent=max_concurrent,
            consensus=consensus,
        )
        watch = on_stderr() if progress else None
        with stop_on_interrupt(watch):
            solved = solve(loaded, settings, table, reasons=True, progress=watch)
        result = public_plan(solved, include_exempt, table)
    _write_plan(result, output, out, gantt)
    if result.status.value == "infeasible":
        raise typer.Exit(2)
    if not result.status.has_plan:
        raise typer.Exit(1)


def _check_gantt(gantt: Path | None) -> None:
    """Refuse a --gantt file that cannot be written or whose type we cannot draw, before any work."""
    if gantt is None:
        return
    from engine.io.atomic import check_target

    check_target(gantt, "--gantt")
    if gantt.suffix.lower() not in (".html", ".htm", ".png"):
        raise option_error("--gantt", f"expected a file ending .html or .png, got `{gantt}`")


_Objective = Literal["value", "savings", "maxmin", "makespan"]


def _plan_input(
    programme: Path | None,
    psplib: Path | None,
    rules: Path | None,
    method: str | None,
    objective: _Objective,
    weight_set: tuple[str | None, Path | None] = (None, None),
) -> tuple[Programme, ScoreTable | None, _Objective]:
    """The programme to plan, its scores and the objective: a PSPLIB instance has no scores and
    only a makespan to minimise, so it overrides --objective; a programme is scored by --rules
    (with the named weight set of ``--weights``, if given)."""
    if (programme is None) == (psplib is None):
        raise SsplanError.one("give a programme file or --psplib FILE.sm (one of them)")
    if psplib is not None and weight_set[0] is not None:
        raise option_error("--weights", "a PSPLIB instance has no scores to weigh; give a programme file")
    if psplib is not None:
        from engine.optimise.psplib import read_sm, to_programme

        return to_programme(read_sm(psplib), source=str(psplib)), None, "makespan"
    assert programme is not None
    from engine.cli.scoring import weight_set_for
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_rules
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score as run_score

    loaded = load_programme(programme)
    ruleset = load_ruleset(rules or shipped_rules())
    chosen = weight_set_for(programme, loaded, ruleset, *weight_set)
    table = run_score(loaded, ruleset, method=method, weights=chosen.weights if chosen else None)
    return loaded, table, objective


def _plan_settings(
    *,
    objective: str,
    solver: str,
    time_limit: float,
    gap: float,
    force_in: list[str] | None,
    force_out: list[str] | None,
    fix_provider: list[str] | None,
    fix_option: list[str] | None,
    max_concurrent: int | None,
    consensus: bool,
) -> PlanSettings:
    """The plan settings from the options; a value PlanSettings refuses names the option it came from."""
    from engine.plan.settings import PlanSettings

    return settings_from_options(
        PlanSettings,
        {
            "objective": objective,
            "solver": solver,
            "time_limit": time_limit,
            "gap": gap,
            "force_in": tuple(force_in or ()),
            "force_out": tuple(force_out or ()),
            "fix_provider": _pairs(fix_provider or [], "--fix-provider"),
            "fix_option": _pairs(fix_option or [], "--fix-option"),
            "max_concurrent": max_concurrent,
            "consensus": consensus,
        },
        {"fix_provider": "--fix-provider", "fix_option": "--fix-option", "force_in": "--force-in"},
    )


def _write_plan(result: PlanResult, output: str, out: Path | None, gantt: Path | None) -> None:
    """Write the Gantt chart (if asked and there is a plan), then the plan in the --format asked:
    to --out or the terminal.  "wrote" for the chart comes last, and never after JSON on the
    terminal, which must stay parseable."""
    from engine.present.charts import write_gantt

    if gantt is not None and result.plan is not None:
        write_gantt(result, gantt)
    if output == "json":
        import json

        _emit(json.dumps(result.to_json(), indent=2, default=str), out)
    elif output == "csv":
        from engine.io.cells import frame_csv

        _emit(frame_csv(result.to_frame(), index=False), out)
    elif output == "xlsx":
        _write_workbook(result, out)
    else:
        from engine.present.tables import plan_text

        echo(plan_text(result))
    if gantt is not None and result.plan is not None and output != "json":
        echo(f"wrote {gantt}")


def _write_workbook(result: PlanResult, out: Path | None) -> None:
    """A workbook is binary, so it is only ever written to a file, never to the terminal."""
    if out is None:
        raise SsplanError.one("--format xlsx needs --out FILE.xlsx")
    from engine.io.atomic import atomic_write
    from engine.present.tables import plan_workbook

    atomic_write(out, plan_workbook(result))
    echo(f"wrote {out}")


MAX_LEVELS = 100


def _levels(levels: str | None) -> list[float] | None:
    """--levels: finite numbers ≥ 0, comma-separated, at most MAX_LEVELS of them (each is a solve)."""
    if not levels:
        return None
    parse = number(0, 1e15)
    try:
        values = [parse(v.strip()) for v in levels.split(",")]
    except ValueError:
        raise option_error(
            "--levels", f"expected finite numbers ≥ 0 separated by commas, got `{levels}`"
        ) from None
    if len(values) > MAX_LEVELS:
        raise option_error("--levels", f"expected at most {MAX_LEVELS} levels, got {len(values)}")
    return values


@app.command()
def frontier(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    pool: Annotated[
        str | None, typer.Option("--pool", help="vary this pool's capacity, not the budget")
    ] = None,
    levels: Annotated[
        str | None,
        typer.Option("--levels", help=f"comma-separated levels to try (≥ 0, at most {MAX_LEVELS})"),
    ] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")] = "table",
    include_exempt: IncludeExempt = False,
) -> None:
    """Re-plan across one-off budgets (or a pool's capacity): what each level of resource buys."""
    import json

    from engine.appraisal.frontier import frontier as run_frontier
    from engine.appraisal.scenario import load_scenario
    from engine.programme.exempt import CLASSIFICATION, NOT_FOR_PUBLICATION

    values = _levels(levels)
    table = run_frontier(load_scenario(scenario), values, pool, include_exempt)
    what = f"capacity of `{pool}` per window" if pool else "one-off budget per financial year (£)"
    if output == "json":
        rows = json.loads(table.to_json(orient="records"))
        payload = {**CLASSIFICATION, "levels": rows} if include_exempt else rows
        echo(json.dumps(payload, indent=2), data=True)
    else:
        if include_exempt:
            echo(NOT_FOR_PUBLICATION)
        echo(f"Frontier: level = {what}\n" + table.to_string(index=False))
