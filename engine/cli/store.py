"""The scenario store and decision log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from engine.cli.base import DbOption, IncludeExempt, app, echo

if TYPE_CHECKING:
    pass


store_app = typer.Typer(no_args_is_help=True, help="The scenario store and decision log.")
app.add_typer(store_app, name="store")


@store_app.command("save")
def store_save(
    scenario: Annotated[Path, typer.Argument(help="scenario file")],
    db: DbOption = "sqlite:///ssplan.db",
    include_exempt: IncludeExempt = False,
) -> None:
    """Run a scenario and store it with its inputs' hash, plan and finance (the public view unless
    --include-exempt)."""
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.appraisal.store import Store

    run_id = Store(db).save_run(run_scenario(load_scenario(scenario)), include_exempt)
    echo(f"stored run {run_id}" + (" (NOT FOR PUBLICATION: exempt figures stored)" if include_exempt else ""))


@store_app.command("list")
def store_list(db: DbOption = "sqlite:///ssplan.db") -> None:
    """The stored runs."""
    from engine.appraisal.store import Store

    for run in Store(db).runs():
        echo(
            f"{run['id']:>4}  {run['created']}  {run['status']:<10} {run['inputs_hash']}  "
            f"{run['decisions']} decision(s)  {run['scenario']}"
            + ("  [NOT FOR PUBLICATION]" if run["not_for_publication"] else "")
        )


@store_app.command("show")
def store_show(
    run: Annotated[int, typer.Argument(min=1, help="run id")], db: DbOption = "sqlite:///ssplan.db"
) -> None:
    """One stored run in full (JSON)."""
    import json

    from engine.appraisal.store import Store

    echo(json.dumps(Store(db).run(run), indent=2, default=str), data=True)


@store_app.command("diff")
def store_diff(
    first: Annotated[int, typer.Argument(min=1, help="run id")],
    second: Annotated[int, typer.Argument(min=1, help="run id")],
    db: DbOption = "sqlite:///ssplan.db",
) -> None:
    """What differs between two stored runs."""
    from engine.appraisal.store import Store

    for line in Store(db).diff(first, second) or ["no differences"]:
        echo(line)


@store_app.command("record-decision")
def store_record_decision(
    run: Annotated[int, typer.Argument(min=1, help="run id")],
    by: Annotated[str, typer.Option("--by", help="who records it")],
    body: Annotated[str, typer.Option("--body", help="e.g. 'Cabinet, 17 June 2015'")],
    decision: Annotated[str, typer.Option("--decision", help="what was decided")],
    db: DbOption = "sqlite:///ssplan.db",
) -> None:
    """Record who decided what on a stored run."""
    from engine.appraisal.store import Store

    entry = Store(db).record_decision(run, by, body, decision)
    echo(f"recorded decision {entry} on run {run}")
