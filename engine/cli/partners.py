"""Partnership commands: the partner exit stress test and benefits realisation (`progress`)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from engine.base.errors import InputError
from engine.cli.base import IncludeExempt, app, echo


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"expected a date written YYYY-MM-DD, got {text!r}") from None


@app.command("exit")
def exit_(
    programme: Annotated[
        Path,
        typer.Argument(help="programme file (.yaml or .xlsx), or a scenario: its what-if before and after"),
    ],
    partner: Annotated[str, typer.Argument(help="the partner that leaves (its id)")],
    at: Annotated[
        date | None,
        typer.Option("--at", parser=_date, help="the date it leaves, YYYY-MM-DD (default: now)"),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")] = "table",
    include_exempt: IncludeExempt = False,
) -> None:
    """What happens if a partner leaves: the services it provides or receives, the plan for the
    rest, and each partner's NPV before and after (of a scenario: its what-if, before and after)."""
    import json

    from engine.appraisal.exit import partner_exit
    from engine.appraisal.scenario import load_scenario
    from engine.io.load import is_scenario_file, load_programme
    from engine.io.shipped import shipped_rules
    from engine.present.exit import exit_json, exit_text
    from engine.programme.exempt import CLASSIFICATION, NOT_FOR_PUBLICATION
    from engine.rules.ruleset import load_ruleset

    whatif = load_scenario(programme) if is_scenario_file(programme) else None
    loaded = whatif.base if whatif is not None else load_programme(programme)
    if at is not None and not loaded.horizon.start <= at <= loaded.horizon.end:
        raise InputError.one(
            f"--at {at:%Y-%m-%d} is outside the programme's horizon "
            f"({loaded.horizon.start:%Y-%m-%d} to {loaded.horizon.end:%Y-%m-%d})"
        )
    chosen = load_ruleset(rules) if rules else (whatif.rules if whatif else load_ruleset(shipped_rules()))
    analysis = partner_exit(
        loaded, chosen, partner, at, programme, include_exempt, whatif.scenario if whatif else None
    )
    if output == "json":
        payload = exit_json(analysis)
        echo(json.dumps({**CLASSIFICATION, **payload} if include_exempt else payload, indent=2), data=True)
        return
    if include_exempt:
        echo(NOT_FOR_PUBLICATION)
    echo(exit_text(analysis), nl=False)


@app.command("progress")
def progress_(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx) with its actuals")],
    as_of: Annotated[
        date | None,
        typer.Option("--as-of", parser=_date, help="YYYY-MM-DD (default: the programme's as_of, else today)"),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="a plan saved by `ssplan plan --format json`")
    ] = None,
    output: Annotated[
        Literal["text", "json", "csv"], typer.Option("--format", help="text, json or csv")
    ] = "text",
    include_exempt: IncludeExempt = False,
) -> None:
    """Benefits realisation: actual go-live, costs and savings against the plan and the target,
    and the re-plan of what is not yet done from today with the actuals as facts."""
    import json

    from engine.appraisal.progress import progress, read_against
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_rules
    from engine.present.progress import progress_frame, progress_json, progress_text
    from engine.programme.exempt import CLASSIFICATION, NOT_FOR_PUBLICATION
    from engine.rules.ruleset import load_ruleset

    loaded = load_programme(programme)
    plan = read_against(against, loaded) if against is not None else None
    day = as_of or loaded.as_of or date.today()
    report = progress(
        loaded, load_ruleset(rules or shipped_rules()), day, plan, None, include_exempt, str(against)
    )
    if output == "json":
        payload = progress_json(report)
        echo(json.dumps({**CLASSIFICATION, **payload} if include_exempt else payload, indent=2), data=True)
        return
    if output == "csv":
        from engine.io.cells import frame_csv

        echo(frame_csv(progress_frame(report), index=False), data=True, nl=False)
        return
    if include_exempt:
        echo(NOT_FOR_PUBLICATION)
    echo(progress_text(report), nl=False)
