"""Output commands: the Cabinet report, the app and the demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from engine.cli.base import SEED_MAX, app, echo

if TYPE_CHECKING:
    pass


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
        Literal["docx", "md", "html"] | None,
        typer.Option("--format", help="docx, md or html (default: from --out)"),
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="the council's own Word template, with the same tags")
    ] = None,
    draws: Annotated[
        int, typer.Option("--draws", min=10, max=1_000_000, help="sensitivity draws the report cites")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="sensitivity seed")] = 0,
    council: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="the council whose decision-making body the report is for (partner id or name; "
            "default: the programme's lead council); 'each' writes one report per council",
        ),
    ] = None,
) -> None:
    """Draft the Cabinet report that justifies the recommended order and every exception."""
    from engine.report.run import write_report

    for path in write_report(scenario, out, compare, exempt_out, output, template, draws, seed, council):
        echo(f"wrote {path}")


@app.command()
def ui(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to serve on")] = 8501,
    headless: Annotated[bool, typer.Option("--headless", help="do not open a browser")] = False,
    address: Annotated[
        str,
        typer.Option(
            "--address",
            help="the address to listen on: 127.0.0.1 (the default) serves this machine only; the "
            "server's own address or 0.0.0.0 shares the app on the network, for which turn login on "
            "first (SSPLAN_LOGIN), as the app holds confidential prices",
        ),
    ] = "127.0.0.1",
) -> None:
    """Start the Streamlit front end (what-if scenarios for directors)."""
    import subprocess

    from engine.io.shipped import shipped_dir

    # `streamlit run ui/app.py`, with the first page's imports made while the browser loads
    # (ui/serve.py; issue 18: a cold start shows the first page in <= 5 s)
    command = [sys.executable, str(shipped_dir("ui") / "serve.py"), "--server.port", str(port)]
    command += ["--client.toolbarMode", "minimal"]  # no Deploy button, whatever folder it starts in
    if headless:
        command += ["--server.headless", "true"]
    command += ["--server.address", address]
    raise typer.Exit(subprocess.call(command))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="folder for the files the demo writes")] = Path(
        "ssplan-demo"
    ),
) -> None:
    """The whole chain on the Gloucester 2015 programme, ending with the Cabinet report."""
    from engine.io.load import load_programme, save_programme
    from engine.io.shipped import shipped_programme, shipped_rules
    from engine.present.summary import summary_text
    from engine.present.tables import plan_text, ranking_text

    path = shipped_programme("gloucester-2015")
    programme = load_programme(path)
    echo(f"Validated {path.name}: ok\n")
    echo(summary_text(programme), nl=False)
    book = out / "gloucester-2015.xlsx"
    save_programme(programme, book)
    same = load_programme(book) == programme
    echo(f"\nWrote {book} for officers to edit in Excel (reads back identical: {'yes' if same else 'NO'})")

    from engine.present.explain import explain_service
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score as run_score

    table = run_score(programme, load_ruleset(shipped_rules()))
    echo("\n" + ranking_text(table))
    echo("\nWhy HR goes to the County (ssplan score --explain hr):\n" + explain_service(table, "hr"))

    from engine.optimise.solve import solve
    from engine.present.charts import write_gantt

    result = solve(programme, scores=table)
    echo("\n" + plan_text(result))
    if result.plan is not None:
        for name in ("gloucester-2015-plan.html", "gloucester-2015-plan.png"):
            write_gantt(result, out / name)
            echo(f"wrote {out / name}")

    from engine.io.shipped import shipped_scenario
    from engine.report.run import write_report

    echo("\nThe Cabinet report (county-first; the exception case and doing nothing as alternatives):")
    written = write_report(
        shipped_scenario("gloucester-2015", "county-first"),
        out / "gloucester-2015-cabinet-report.docx",
        compare=[shipped_scenario("gloucester-2015", n) for n in ("hr-other-partner", "do-nothing")],
        exempt_out=out / "gloucester-2015-exempt-appendix.docx",
    )
    for path in written:
        echo(f"wrote {path}")
