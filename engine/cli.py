"""The ``ssplan`` command line: thin commands over the engine.

Exit codes: 0 success, 2 invalid input (the message names file, place and field), 1 anything
else (a bug: please report it with ``SSPLAN_DEBUG=1`` set for the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from engine.errors import SsplanError
from engine.load import load_programme, save_programme
from engine.render import plan_text, plan_workbook, ranking_text
from engine.shipped import shipped_programme, shipped_rules
from engine.summary import summary_text

if TYPE_CHECKING:
    from engine.model import Programme
    from engine.ruleset import RuleSet

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Decide which shared services to take forward, with whom and in what order.",
)

Paths = Annotated[list[Path], typer.Argument(help="programme files (.yaml or .xlsx)")]


def _check_files(paths: list[Path], load: Callable[[Path], Any], describe: Callable[[Any], str]) -> None:
    """Load each file, print `ok (summary)` or every problem; exit 2 if any file failed."""
    failed = False
    for path in paths:
        try:
            loaded = load(path)
        except SsplanError as exc:
            failed = True
            typer.echo(f"{path}: {len(exc.problems)} problem(s)", err=True)
            for problem in exc.problems:
                typer.echo(f"  {problem}", err=True)
            continue
        typer.echo(f"{path}: ok ({describe(loaded)})")
    if failed:
        raise typer.Exit(2)


@app.command()
def validate(paths: Paths) -> None:
    """Check programme files and list every problem found."""
    _check_files(
        paths,
        load_programme,
        lambda p: (
            f"{len(p.partners)} partners, {len(p.services)} services, {len(p.options)} options, "
            f"{len(p.dependencies)} dependencies"
        ),
    )


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
) -> None:
    """Summarise a programme: partners, services and options, dependency order, capacities."""
    typer.echo(summary_text(load_programme(path), include_exempt=include_exempt), nl=False)


@app.command("import-xlsx")
def import_xlsx(
    book: Annotated[Path, typer.Argument(help="workbook to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="programme YAML to write")],
) -> None:
    """Convert an Excel workbook into a programme YAML file."""
    save_programme(load_programme(book), output)
    typer.echo(f"wrote {output}")


@app.command("export-xlsx")
def export_xlsx(
    programme: Annotated[Path, typer.Argument(help="programme file to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workbook to write (.xlsx)")],
) -> None:
    """Write a programme as an Excel workbook officers can edit (sheets per record kind)."""
    if output.suffix.lower() != ".xlsx":
        raise SsplanError.one("the output must end in .xlsx", file=str(output))
    save_programme(load_programme(programme), output)
    typer.echo(f"wrote {output}")


rules_app = typer.Typer(no_args_is_help=True, help="Check rule sets.")
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(paths: Annotated[list[Path], typer.Argument(help="rule set files (.yaml)")]) -> None:
    """Check rule sets on their own: fields, names, types and AHP consistency."""
    from engine.ruleset import load_ruleset

    def describe(rules: Any) -> str:
        weights = ", ".join(f"{c} {w:.2f}" for c, w in rules.weights().items())
        cr = rules.consistency()
        extra = f"; AHP consistency ratio {cr:.3f}" if cr is not None else ""
        return (
            f"{len(rules.criteria)} criteria: {weights}; {len(rules.derived)} derived, "
            f"{len(rules.eligibility)} eligibility, {len(rules.adjustments)} adjustment rules{extra}"
        )

    _check_files(paths, load_ruleset, describe)


@app.command()
def score(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[
        str | None, typer.Option("--method", help="wsm or topsis (default: the rule set's)")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    explain: Annotated[str | None, typer.Option("--explain", help="explain one service in full")] = None,
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
    by_partner: Annotated[
        bool,
        typer.Option("--by-partner", help="each consenting partner's recommendations by its own weights"),
    ] = False,
) -> None:
    """Score every option and rank the services with their recommended option."""
    import json

    from engine.explain import explain_service
    from engine.ruleset import load_ruleset
    from engine.scoring import score as run_score

    if output not in ("table", "json", "csv"):
        raise SsplanError.one(f"unknown format `{output}`; expected table, json or csv")
    loaded = load_programme(programme)
    table = run_score(loaded, load_ruleset(rules or shipped_rules()), method=method)
    if explain is not None:
        if explain not in {s.id for s in loaded.services}:
            known = ", ".join(s.id for s in loaded.services)
            raise SsplanError.one(f"unknown service `{explain}`; expected one of {known}")
        typer.echo(explain_service(table, explain, include_exempt=include_exempt))
        return
    if by_partner:
        _partner_views(loaded, load_ruleset(rules or shipped_rules()), method, output)
        return
    if output == "json":
        typer.echo(json.dumps(table.to_json(include_exempt=include_exempt), indent=2, default=str))
    elif output == "csv":
        frame = table.options if include_exempt else table.public_options()
        typer.echo(frame.drop(columns=["exempt"]).to_csv(index=False), nl=False)
    else:
        typer.echo(ranking_text(table))


def _partner_views(programme: Programme, rules: RuleSet, method: str | None, output: str) -> None:
    import json

    from engine.consensus import partner_views

    views = partner_views(programme, rules, method=method)
    if output == "json":
        payload = {
            "partners": views.partners,
            "weights": views.own_weights,
            "services": views.services.to_dict("records"),
            "disagreements": views.disagreements,
        }
        typer.echo(json.dumps(payload, indent=2, default=str))
    elif output == "csv":
        typer.echo(views.services.to_csv(index=False), nl=False)
    else:
        for partner in views.partners:
            shown = ", ".join(f"{c} {w:.0%}" for c, w in views.own_weights[partner].items())
            typer.echo(f"{programme.partner(partner).name}: {shown}")
        typer.echo("\n" + views.services.to_string(index=False))
        if views.disagreements:
            typer.echo(
                "\nThe partners' own weights disagree on: "
                + ", ".join(views.disagreements)
                + " (these need the consensus of the partners)"
            )
        else:
            typer.echo("\nEvery partner's own weights give the same recommendations.")


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise SsplanError.one(f"{what}: expected SERVICE=VALUE, got `{value}`")
        key, _, item = value.partition("=")
        out[key.strip()] = item.strip()
    return out


@app.command()
def plan(
    programme: Annotated[Path | None, typer.Argument(help="programme file (.yaml or .xlsx)")] = None,
    psplib: Annotated[
        Path | None, typer.Option("--psplib", help="plan a PSPLIB .sm instance instead")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[str | None, typer.Option("--method", help="wsm or topsis")] = None,
    objective: Annotated[
        str, typer.Option("--objective", help="value, savings, maxmin or makespan")
    ] = "value",
    consensus: Annotated[
        bool, typer.Option("--consensus", help="keep every consenting partner no worse off")
    ] = False,
    solver: Annotated[str, typer.Option("--solver", help="highs or cbc")] = "highs",
    time_limit: Annotated[float, typer.Option("--time-limit", help="seconds")] = 30.0,
    gap: Annotated[float, typer.Option("--gap", help="relative gap at which to stop")] = 1e-4,
    force_in: Annotated[list[str] | None, typer.Option("--force-in", help="service that must change")] = None,
    force_out: Annotated[list[str] | None, typer.Option("--force-out", help="service kept as it is")] = None,
    fix_provider: Annotated[list[str] | None, typer.Option("--fix-provider", help="SERVICE=PARTNER")] = None,
    fix_option: Annotated[list[str] | None, typer.Option("--fix-option", help="SERVICE=OPTION")] = None,
    max_concurrent: Annotated[
        int | None, typer.Option("--max-concurrent", help="transitions at once")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table, json, csv or xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="file for csv/json/xlsx output")] = None,
    gantt: Annotated[Path | None, typer.Option("--gantt", help="write a Gantt chart (.html or .png)")] = None,
) -> None:
    """Choose each service's option and start period under the programme's limits."""
    import json

    from engine.charts import write_gantt
    from engine.optimise import solve
    from engine.plan import PlanSettings
    from engine.ruleset import load_ruleset
    from engine.scoring import score as run_score

    if output not in ("table", "json", "csv", "xlsx"):
        raise SsplanError.one(f"unknown format `{output}`; expected table, json, csv or xlsx")
    if (programme is None) == (psplib is None):
        raise SsplanError.one("give a programme file or --psplib FILE.sm (one of them)")
    if psplib is not None:
        from engine.psplib import read_sm, to_programme

        loaded = to_programme(read_sm(psplib))
        table = None
        objective = "makespan"
    else:
        assert programme is not None
        loaded = load_programme(programme)
        table = run_score(loaded, load_ruleset(rules or shipped_rules()), method=method)
    settings = PlanSettings.model_validate(
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
        }
    )
    result = solve(loaded, settings, table)
    if gantt is not None and result.plan is not None:
        write_gantt(result, gantt)
    if output == "json":
        text = json.dumps(result.to_json(), indent=2, default=str)
        _emit(text, out)
    elif output == "csv":
        _emit(result.to_frame().to_csv(index=False), out)
    elif output == "xlsx":
        if out is None:
            raise SsplanError.one("--format xlsx needs --out FILE.xlsx")
        from engine.atomic import atomic_write

        atomic_write(out, plan_workbook(result))
        typer.echo(f"wrote {out}")
    else:
        typer.echo(plan_text(result))
    if gantt is not None and result.plan is not None and output != "json":
        typer.echo(f"wrote {gantt}")
    if result.status.value == "infeasible":
        raise typer.Exit(2)
    if not result.status.has_plan:
        raise typer.Exit(1)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        from engine.atomic import atomic_write

        atomic_write(out, text)
        typer.echo(f"wrote {out}")


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="scenario files; the first is the reference")],
    output: Annotated[str, typer.Option("--format", help="table, json, xlsx or html")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="file to write (needed for xlsx)")] = None,
) -> None:
    """Compare what-if scenarios side by side: choices, finance, peaks, exceptions, and what changed."""
    import json

    from engine.compare import compare as run_compare
    from engine.compare import comparison_html, comparison_text, comparison_workbook
    from engine.scenario import load_scenario, run_scenario

    if output not in ("table", "json", "xlsx", "html"):
        raise SsplanError.one(f"unknown format `{output}`; expected table, json, xlsx or html")
    if output == "xlsx" and out is None:
        raise SsplanError.one("--format xlsx needs --out FILE.xlsx")
    comparison = run_compare([run_scenario(load_scenario(path)) for path in scenarios])
    if output == "json":
        _emit(json.dumps(comparison.to_json(), indent=2, default=str), out)
    elif output == "html":
        _emit(comparison_html(comparison), out)
    elif output == "xlsx":
        from engine.atomic import atomic_write

        assert out is not None
        atomic_write(out, comparison_workbook(comparison))
        typer.echo(f"wrote {out}")
    else:
        typer.echo(comparison_text(comparison))


@app.command()
def frontier(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    pool: Annotated[
        str | None, typer.Option("--pool", help="vary this pool's capacity, not the budget")
    ] = None,
    levels: Annotated[str | None, typer.Option("--levels", help="comma-separated levels to try")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Re-plan across one-off budgets (or a pool's capacity): what each level of resource buys."""
    from engine.frontier import frontier as run_frontier
    from engine.scenario import load_scenario

    if output not in ("table", "json"):
        raise SsplanError.one(f"unknown format `{output}`; expected table or json")
    try:
        values = [float(v) for v in levels.split(",")] if levels else None
    except ValueError:
        raise SsplanError.one(f"--levels: expected numbers separated by commas, got `{levels}`") from None
    table = run_frontier(load_scenario(scenario), values, pool)
    what = f"capacity of `{pool}` per window" if pool else "one-off budget per financial year (£)"
    if output == "json":
        typer.echo(table.to_json(orient="records", indent=2))
    else:
        typer.echo(f"Frontier: level = {what}\n" + table.to_string(index=False))


@app.command()
def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    draws: Annotated[int, typer.Option("--draws", min=1, max=1_000_000, help="weight draws")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same answer)")] = 0,
    concentration: Annotated[float, typer.Option("--concentration", help="Dirichlet concentration")] = 50.0,
    first_wave: Annotated[int, typer.Option("--first-wave", min=1, help="size of the first wave")] = 3,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    replan: Annotated[
        int, typer.Option("--replan", min=0, help="also re-plan this many draws (parallel)")
    ] = 0,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="processes for --replan")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler for --replan, e.g. tcp://host:8786 (pip install '.[cluster]')"
        ),
    ] = None,
    costs: Annotated[bool, typer.Option("--costs/--no-costs", help="also draw the ranged costs")] = True,
) -> None:
    """How robust the recommendations are to weights and uncertain costs: Monte-Carlo draws, tornado."""
    import json

    from engine.scenario import load_scenario
    from engine.sensitivity import weight_sensitivity

    if output not in ("table", "json"):
        raise SsplanError.one(f"unknown format `{output}`; expected table or json")
    loaded = load_scenario(scenario)
    result = weight_sensitivity(
        loaded.programme,
        loaded.rules,
        draws=draws,
        seed=seed,
        concentration=concentration,
        first_wave=first_wave,
        method=loaded.scenario.method,
        weights=loaded.scenario.weights or None,
        costs=costs,
    )
    if output == "json":
        typer.echo(
            json.dumps(
                {
                    "draws": draws,
                    "seed": seed,
                    "costs_drawn_for": result.uncertain,
                    "services": result.services.to_dict("records"),
                    "exceptions": result.exceptions.to_dict("records"),
                    "tornado": result.tornado.to_dict("records"),
                },
                indent=2,
                default=str,
            )
        )
        return
    drawn = f"{draws} weight draws (Dirichlet, concentration {concentration:g}, seed {seed})"
    if result.uncertain:
        drawn += f", each with the ranged costs of {', '.join(result.uncertain)} drawn (triangular)"
    typer.echo(drawn + "\n")
    typer.echo(result.services.to_string(index=False))
    if not result.exceptions.empty:
        typer.echo("\nExceptions:\n" + result.exceptions.to_string(index=False))
    typer.echo("\nTornado (each weight at ×0.5 and ×1.5):\n" + result.tornado.to_string(index=False))
    if replan:
        from rich.progress import Progress

        from engine.sensitivity import replan_sensitivity

        with Progress(transient=True) as bar:
            task = bar.add_task("re-planning", total=replan)
            replanned = replan_sensitivity(
                str(scenario),
                draws=replan,
                seed=seed,
                concentration=concentration,
                workers=workers,
                scheduler=scheduler,
                progress=lambda: bar.advance(task),
            )
        typer.echo(f"\nRe-planned under {replan} weight draws:\n" + replanned.to_string(index=False))
    if any(o.ranges for o in loaded.programme.options):
        from engine.finance import npv_risk
        from engine.scenario import run_scenario

        planned = run_scenario(loaded)
        if planned.plan.plan is not None:
            risk = npv_risk(
                planned.plan.plan, loaded.programme, loaded.scenario.appraisal, draws=draws, seed=seed
            )
            typer.echo(
                f"\nNPV of the plan with uncertain costs ({', '.join(risk.uncertain) or 'none in the plan'}; "
                f"triangular draws): P10 £{risk.p10:,.0f}, P50 £{risk.p50:,.0f}, P90 £{risk.p90:,.0f}; "
                f"chance NPV > 0: {risk.probability_positive:.0%}"
            )


@app.command()
def switching(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[str | None, typer.Option("--method", help="wsm or topsis")] = None,
) -> None:
    """How far each exception's (or the default provider's) annual cost must move to flip the verdict."""
    from engine.ruleset import load_ruleset
    from engine.switching import switching_values

    values = switching_values(
        load_programme(programme), load_ruleset(rules or shipped_rules()), method=method
    )
    if not values:
        typer.echo("no option of another partner is judged by the exception rule in this programme")
    for value in values:
        typer.echo(f"- {value.text()}")


store_app = typer.Typer(no_args_is_help=True, help="The scenario store and decision log.")
app.add_typer(store_app, name="store")
DbOption = Annotated[str, typer.Option("--db", help="SQLAlchemy URL (default: sqlite:///ssplan.db)")]


@store_app.command("save")
def store_save(
    scenario: Annotated[Path, typer.Argument(help="scenario file")], db: DbOption = "sqlite:///ssplan.db"
) -> None:
    """Run a scenario and store it with its inputs' hash, plan and finance."""
    from engine.scenario import load_scenario, run_scenario
    from engine.store import Store

    run_id = Store(db).save_run(run_scenario(load_scenario(scenario)))
    typer.echo(f"stored run {run_id}")


@store_app.command("list")
def store_list(db: DbOption = "sqlite:///ssplan.db") -> None:
    """The stored runs."""
    from engine.store import Store

    for run in Store(db).runs():
        typer.echo(
            f"{run['id']:>4}  {run['created']}  {run['status']:<10} {run['inputs_hash']}  "
            f"{run['decisions']} decision(s)  {run['scenario']}"
        )


@store_app.command("show")
def store_show(
    run: Annotated[int, typer.Argument(help="run id")], db: DbOption = "sqlite:///ssplan.db"
) -> None:
    """One stored run in full (JSON)."""
    import json

    from engine.store import Store

    typer.echo(json.dumps(Store(db).run(run), indent=2, default=str))


@store_app.command("diff")
def store_diff(first: int, second: int, db: DbOption = "sqlite:///ssplan.db") -> None:
    """What differs between two stored runs."""
    from engine.store import Store

    for line in Store(db).diff(first, second) or ["no differences"]:
        typer.echo(line)


@store_app.command("record-decision")
def store_record_decision(
    run: Annotated[int, typer.Argument(help="run id")],
    by: Annotated[str, typer.Option("--by", help="who records it")],
    body: Annotated[str, typer.Option("--body", help="e.g. 'Cabinet, 17 June 2015'")],
    decision: Annotated[str, typer.Option("--decision", help="what was decided")],
    db: DbOption = "sqlite:///ssplan.db",
) -> None:
    """Record who decided what on a stored run."""
    from engine.store import Store

    entry = Store(db).record_decision(run, by, body, decision)
    typer.echo(f"recorded decision {entry} on run {run}")


@app.command()
def report(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    out: Annotated[Path, typer.Option("--out", help="the report to write (.docx, .md or .html)")],
    compare: Annotated[
        list[Path] | None, typer.Option("--compare", help="another scenario, reported as an alternative")
    ] = None,
    exempt_out: Annotated[
        Path | None, typer.Option("--exempt-out", help="the exempt appendix (NOT FOR PUBLICATION)")
    ] = None,
    output: Annotated[
        str | None, typer.Option("--format", help="docx, md or html (default: from --out)")
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="the council's own Word template, with the same tags")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", min=10, help="sensitivity draws the report cites")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="sensitivity seed")] = 0,
) -> None:
    """Draft the Cabinet report that justifies the recommended order and every exception."""
    from engine.report.run import write_report

    for path in write_report(scenario, out, compare, exempt_out, output, template, draws, seed):
        typer.echo(f"wrote {path}")


@app.command()
def ui(
    port: Annotated[int, typer.Option("--port", help="port to serve on")] = 8501,
    headless: Annotated[bool, typer.Option("--headless", help="do not open a browser")] = False,
) -> None:
    """Start the Streamlit front end (what-if scenarios for directors)."""
    import subprocess

    from engine.shipped import shipped_dir

    script = shipped_dir("ui") / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    if headless:
        command += ["--server.headless", "true"]
    raise typer.Exit(subprocess.call(command))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="folder for the files the demo writes")] = Path(
        "ssplan-demo"
    ),
) -> None:
    """Run everything that exists on the Gloucester 2015 programme."""
    path = shipped_programme("gloucester-2015")
    programme = load_programme(path)
    typer.echo(f"Validated {path.name}: ok\n")
    typer.echo(summary_text(programme), nl=False)
    book = out / "gloucester-2015.xlsx"
    save_programme(programme, book)
    same = load_programme(book) == programme
    typer.echo(
        f"\nWrote {book} for officers to edit in Excel (reads back identical: {'yes' if same else 'NO'})"
    )

    from engine.explain import explain_service
    from engine.ruleset import load_ruleset
    from engine.scoring import score as run_score

    table = run_score(programme, load_ruleset(shipped_rules()))
    typer.echo("\n" + ranking_text(table))
    typer.echo("\nWhy HR goes to the County (ssplan score --explain hr):\n" + explain_service(table, "hr"))

    from engine.charts import write_gantt
    from engine.optimise import solve

    result = solve(programme, scores=table)
    typer.echo("\n" + plan_text(result))
    if result.plan is not None:
        for name in ("gloucester-2015-plan.html", "gloucester-2015-plan.png"):
            write_gantt(result, out / name)
            typer.echo(f"wrote {out / name}")

    from engine.report.run import write_report
    from engine.shipped import shipped_scenario

    typer.echo("\nThe Cabinet report (county-first; the exception case and doing nothing as alternatives):")
    written = write_report(
        shipped_scenario("gloucester-2015", "county-first"),
        out / "gloucester-2015-cabinet-report.docx",
        compare=[shipped_scenario("gloucester-2015", n) for n in ("hr-other-partner", "do-nothing")],
        exempt_out=out / "gloucester-2015-exempt-appendix.docx",
    )
    for path in written:
        typer.echo(f"wrote {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors exit 2 with a located message, bugs exit 1."""
    try:
        code = app(args=argv, standalone_mode=False)
    except SsplanError as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error: click prints it
            exc.show()
            sys.exit(exc.exit_code)
        # anything else is a bug: say so plainly, traceback on request
        if os.environ.get("SSPLAN_DEBUG"):
            traceback.print_exc()
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set SSPLAN_DEBUG=1 for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
