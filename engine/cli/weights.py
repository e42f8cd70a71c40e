"""Weight sets: ask a named stakeholder for their priorities, keep them, combine a group's.

``ssplan weights elicit`` asks its questions on standard input (AHP pairwise comparisons or swing
weighting), so a person answers at the terminal and a test answers from a string.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from engine.base.errors import SsplanError
from engine.cli.base import app, echo, option_error

if TYPE_CHECKING:
    from engine.programme.model import Programme
    from engine.rules.ruleset import RuleSet
    from engine.scoring.elicit import Pair
    from engine.scoring.weightsets import Stakeholder, Swing, WeightSet

weights_app = typer.Typer(
    no_args_is_help=True,
    help="Weight sets elicited from named stakeholders: elicit, list, show, combine.",
)
app.add_typer(weights_app, name="weights")

ProgrammeArg = Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")]
RulesOption = Annotated[Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")]
FolderOption = Annotated[
    Path | None,
    typer.Option("--weights-dir", help="folder of weight sets (default: weights/<programme id>/ beside it)"),
]
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
SCALE_HELP = (
    "For each pair, type how many times the first matters more than the second, on Saaty's scale:\n"
    "1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely more (2, 4, 6, 8 between).\n"
    "If the second matters more, type the reciprocal: 1/3, 1/5 …"
)


def _folder(programme: Path, loaded: Programme, given: Path | None) -> Path:
    from engine.scoring.weightsets import weights_folder

    return given if given is not None else weights_folder(programme, loaded.id)


def _name(value: str, flag: str) -> str:
    if not ID.match(value):
        raise option_error(flag, f"expected letters, digits, '-' and '_' (no spaces), got `{value}`")
    return value


def _stakeholder(text: str) -> Stakeholder:
    from engine.scoring.weightsets import Stakeholder

    try:
        return Stakeholder.parse(text)
    except ValueError as exc:
        raise option_error("--by", str(exc)) from None


def _load(programme: Path, rules: Path | None) -> tuple[Programme, RuleSet]:
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_rules
    from engine.rules.ruleset import load_ruleset

    return load_programme(programme), load_ruleset(rules or shipped_rules())


@weights_app.command("elicit")
def elicit(
    programme: ProgrammeArg,
    name: Annotated[str, typer.Option("--name", help="the weight set's name (letters, digits, - and _)")],
    by: Annotated[
        str, typer.Option("--by", help='whose weights: "Jane Smith, Head of Finance, City Council"')
    ],
    method: Annotated[
        Literal["ahp", "swing"], typer.Option("--method", help="ahp (pairwise comparisons) or swing")
    ] = "ahp",
    rules: RulesOption = None,
    accept_inconsistent: Annotated[
        bool,
        typer.Option("--accept-inconsistent", help="save AHP answers whose consistency ratio exceeds 0.1"),
    ] = False,
    weights_dir: FolderOption = None,
) -> None:
    """Ask one stakeholder for their weights (AHP pairwise comparisons or swing weighting) and save them."""
    from datetime import date

    from engine.present.weights import weight_set_text
    from engine.scoring.weightsets import ahp_set, save_weight_set, swing_set

    _name(name, "--name")
    person = _stakeholder(by)
    loaded, ruleset = _load(programme, rules)
    folder = _folder(programme, loaded, weights_dir)
    if (folder / f"{name}.yaml").exists():
        raise option_error("--name", f"weight set `{name}` already exists in {folder}; choose another name")
    names = {c.id: c.name for c in ruleset.criteria}
    echo(f"Weights for {loaded.name}, rule set `{ruleset.id}`, from {person.text()}")
    try:
        if method == "ahp":
            judgements = _ask_pairs(names, accept_inconsistent)
            made = ahp_set(name, loaded.id, ruleset, person, date.today(), judgements)
        else:
            made = swing_set(name, loaded.id, ruleset, person, date.today(), _ask_swings(loaded, ruleset))
    except typer.Abort:  # the answers ended (end of input): the person's answers are incomplete
        raise option_error(
            "standard input", "the answers ended before every question was answered; nothing was saved"
        ) from None
    path = save_weight_set(folder, made)
    echo("\n" + "\n".join(f"  {names[c]:<24} {w:6.1%}" for c, w in made.weights.items()))
    echo(f"{weight_set_text(made)}\nsaved to {path}")


def _ask_judgement(prompt: str) -> float:
    from engine.scoring.elicit import parse_saaty

    while True:
        answer = typer.prompt(prompt)
        try:
            return parse_saaty(answer)
        except ValueError as exc:
            echo(f"  {exc}", err=True)


def _ask_pairs(names: dict[str, str], accept_inconsistent: bool) -> dict[Pair, float]:
    """Every pair once; then, while the answers contradict each other (CR > 0.1), offer to revise
    the judgement that deviates most from what the others imply, and refuse if they still do."""
    from engine.scoring.elicit import ahp, pairs, parse_saaty, saaty_text

    criteria = list(names)
    echo(SCALE_HELP)
    every = pairs(criteria)
    judgements = {
        (a, b): _ask_judgement(f"{k}/{len(every)}. {names[a]} : {names[b]}")
        for k, (a, b) in enumerate(every, 1)
    }
    result = ahp(criteria, judgements)
    while not result.acceptable:
        echo(
            f"\nConsistency ratio {result.consistency_ratio:.3f} is above 0.1: "
            "the answers contradict each other."
        )
        echo("Most inconsistent judgements (judged; what your other answers imply):")
        for (a, b), judged, implied, _ in result.inconsistent[:3]:
            echo(f"  {names[a]} : {names[b]} = {saaty_text(judged)}; implied {implied:.2f}")
        (a, b), judged, _, _ = result.inconsistent[0]
        answer = typer.prompt(
            f"Revise {names[a]} : {names[b]} (now {saaty_text(judged)}), or press Enter to keep it",
            default="",
            show_default=False,
        )
        if not answer.strip():
            break
        try:
            judgements[(a, b)] = parse_saaty(answer)
        except ValueError as exc:
            echo(f"  {exc}", err=True)
        result = ahp(criteria, judgements)
    echo(f"Consistency ratio {result.consistency_ratio:.3f} (Saaty's limit 0.1)")
    if not result.acceptable and not accept_inconsistent:
        worst = ", ".join(f"{names[a]} : {names[b]}" for (a, b), *_ in result.inconsistent[:3])
        raise SsplanError.one(
            f"consistency ratio {result.consistency_ratio:.3f} exceeds 0.1 (most inconsistent: {worst}); "
            "nothing saved: answer again, or give --accept-inconsistent to keep these answers",
            field="judgements",
        )
    return judgements


def _level(value: float) -> str:
    if value != value:
        return "withheld"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _ask_swings(programme: Programme, rules: RuleSet) -> list[Swing]:
    """Rank the swings from worst to best on each criterion (the programme's own range), then rate
    each against the most valuable, 0–100 and no more than the one ranked above it."""
    from engine.scoring.scores import score
    from engine.scoring.weightsets import Swing, swing_levels

    levels = swing_levels(score(programme, rules))
    echo("Imagine every criterion at its worst level among this programme's options. Which swing, worst")
    echo("to best, would you most like? The swings:")
    criteria = list(rules.criteria)
    for k, c in enumerate(criteria, 1):
        worst, best = levels[c.id]
        echo(f"  {k}. {c.name}: from {_level(worst)} to {_level(best)} ({c.text})")
    order = _ask_ranking(len(criteria))
    ranked = [criteria[k - 1] for k in order]
    ratings = {ranked[0].id: 100.0}
    previous = 100.0
    for c in ranked[1:]:
        ratings[c.id] = previous = _ask_rating(
            f"Rate the swing in {c.name} against {ranked[0].name} (100)", previous
        )
    return [
        Swing(
            criterion=c.id,
            rank=r,
            rating=ratings[c.id],
            worst=_level(levels[c.id][0]),
            best=_level(levels[c.id][1]),
        )
        for r, c in enumerate(ranked, 1)
    ]


def _ask_ranking(n: int) -> list[int]:
    while True:
        answer = typer.prompt("Rank them, most valuable swing first (the numbers, separated by commas)")
        try:
            order = [int(part) for part in answer.replace(" ", "").split(",")]
        except ValueError:
            order = []
        if sorted(order) == list(range(1, n + 1)):
            return order
        echo(
            f"  expected each of the numbers 1 to {n} once, e.g. {','.join(map(str, range(n, 0, -1)))}",
            err=True,
        )


def _ask_rating(prompt: str, ceiling: float) -> float:
    while True:
        answer = typer.prompt(f"{prompt}, 0–{ceiling:g}")
        try:
            value = float(answer)
        except ValueError:
            value = -1.0
        if 0 <= value <= ceiling:
            return value
        echo(f"  expected a number from 0 to {ceiling:g} (no more than the swing ranked above)", err=True)


@weights_app.command("list")
def list_sets(
    programme: ProgrammeArg,
    output: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")] = "table",
    weights_dir: FolderOption = None,
) -> None:
    """The programme's weight sets: whose, when, how."""
    import json

    from engine.io.load import load_programme
    from engine.present.weights import weight_set_text
    from engine.scoring.weightsets import list_weight_sets

    loaded = load_programme(programme)
    sets = list_weight_sets(_folder(programme, loaded, weights_dir))
    if output == "json":
        echo(json.dumps([s.model_dump(mode="json") for s in sets], indent=2), data=True)
        return
    if not sets:
        echo(f"no weight sets for {loaded.name} yet: `ssplan weights elicit` makes one")
    for s in sets:
        echo(weight_set_text(s))


@weights_app.command("show")
def show(
    programme: ProgrammeArg,
    name: Annotated[str, typer.Argument(help="the weight set's name")],
    output: Annotated[Literal["text", "json"], typer.Option("--format", help="text or json")] = "text",
    rules: RulesOption = None,
    weights_dir: FolderOption = None,
) -> None:
    """One weight set in full: whose, when, the weights and the answers they came from."""
    import json

    from engine.present.weights import weight_set_detail
    from engine.scoring.weightsets import find_weight_set

    loaded, ruleset = _load(programme, rules)
    found = find_weight_set(_folder(programme, loaded, weights_dir), name, field="NAME")
    if output == "json":
        echo(json.dumps(found.model_dump(mode="json"), indent=2), data=True)
        return
    echo(weight_set_detail(found, {c.id: c.name for c in ruleset.criteria}))


@weights_app.command("combine")
def combine(
    programme: ProgrammeArg,
    names: Annotated[list[str], typer.Argument(help="the weight sets to combine (two or more)")],
    group: Annotated[str, typer.Option("--as", help="the group set's name")],
    rules: RulesOption = None,
    weights_dir: FolderOption = None,
) -> None:
    """A group's weights: AHP sets by the geometric mean of their judgements, others of their weights."""
    from datetime import date

    from engine.present.weights import spread_text, weight_set_text
    from engine.scoring.elicit import spread
    from engine.scoring.weightsets import combine_sets, find_weight_set, save_weight_set

    _name(group, "--as")
    loaded, ruleset = _load(programme, rules)
    folder = _folder(programme, loaded, weights_dir)
    if len(set(names)) < 2:
        raise option_error("NAMES", "name at least two different weight sets")
    sets: list[WeightSet] = [find_weight_set(folder, n, field="NAMES") for n in names]
    made = combine_sets(sets, group, date.today())
    path = save_weight_set(folder, made)
    labels = {c.id: c.name for c in ruleset.criteria}
    whose = [s.by.name if s.by else s.name for s in sets]
    unique = len(set(whose)) == len(whose)
    people = {(who if unique else s.name): s.weights for who, s in zip(whose, sets, strict=True)}
    echo(f"{weight_set_text(made)}\nsaved to {path}\n")
    echo("How far the stakeholders' weights lie apart:")
    echo(spread_text(spread(list(made.weights), {**people, group: made.weights}), labels))
