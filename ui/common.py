"""What the pages share: the programme and what-if held in session state, and cached engine calls.

The app decides nothing itself: every figure comes from ``engine``.  Engine calls are cached on the
content they depend on (the programme's YAML text and the what-if as JSON), so moving a slider back
to where it was answers at once.  Edits live in this module's own session-state keys, not only in
widget keys: Streamlit drops a widget's value when the user moves to a page that does not show it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from engine.base.errors import SsplanError
from engine.io.load import dump_programme, parse_programme
from engine.io.shipped import shipped_dir, shipped_programmes
from engine.plan.disclosure import Disclosure
from engine.programme.model import Programme

if TYPE_CHECKING:  # imported when first used, so the Home page of a cold server waits for none of
    # them (issue 18: cold start <= 5 s): pandas and the rule engine (rules, scoring, weight sets,
    # about 1 s under load), and the scenario wing, which brings the optimiser and PuLP.
    # tests/test_ui_start.py holds Home to that; ui/warm.py imports them once Home is drawn.
    import pandas as pd
    from background import Kept

    from engine.appraisal.scenario import LoadedScenario, Scenario, ScenarioResult
    from engine.appraisal.sensitivity import Sensitivity
    from engine.rules.ruleset import RuleSet
    from engine.scoring.scores import ScoreTable
    from engine.scoring.switching import SwitchingValue
    from engine.scoring.uncertainty import CostDraws
    from engine.scoring.weightsets import WeightSet

PROGRAMME = "programme.current"  # {"name": str, "yaml": str, "hash": str, "upload": str | None}
WHATIF = "whatif.current"  # the edits: see default_whatif
SAVED = "compare.saved"  # programme hash -> {name -> Scenario JSON}, what-ifs saved for comparison
RESULT = "plan.result"  # the last plan run, held with its inputs: see hold


def weights_dir(programme_id: str) -> Path:
    """Where the app keeps a programme's weight sets: ``$SSPLAN_WEIGHTS_DIR/<programme id>/``
    (default ``weights/`` in the working folder), the layout ``ssplan weights`` uses beside a file."""
    import os

    return Path(os.environ.get("SSPLAN_WEIGHTS_DIR", "weights")) / programme_id


def use_weight_set(weight_set: WeightSet) -> None:
    """Score the what-if with a stakeholder's weight set: its weights (as percentages) replace the
    sliders' and Priorities names whose they are until a slider moves."""
    edits = whatif()
    edits["weights"] = {c: 100 * w for c, w in weight_set.weights.items()}
    edits["weight_set"] = weight_set.name
    for criterion in weight_set.weights:
        st.session_state.pop(f"priorities.weight.{edits['rules']}.{criterion}", None)


def weight_set_in_use(programme_id: str) -> WeightSet | None:
    """The weight set the what-if scores with, while its weights are still the set's."""
    from engine.scoring.weightsets import find_weight_set

    edits = whatif()
    name = edits.get("weight_set")
    if not name:
        return None
    try:
        found = find_weight_set(weights_dir(programme_id), name)
    except SsplanError:
        found = None
    rules = rules_of(edits["rules"])
    given = {c.id: float(edits["weights"].get(c.id, c.weight)) for c in rules.criteria}
    total = sum(given.values())
    if (
        found is None
        or set(given) != set(found.weights)
        or total <= 0
        or any(abs(given[c] / total - w) > 1e-9 for c, w in found.weights.items())
    ):
        edits["weight_set"] = None
        return None
    return found


def rule_sets() -> list[str]:
    return sorted(p.stem for p in shipped_dir("rules").glob("*.yaml"))


def shipped() -> dict[str, Path]:
    """The shipped programmes, Gloucester (the demo) first."""
    found = {p.stem: p for p in shipped_programmes()}
    return dict(sorted(found.items(), key=lambda item: (item[0] != "gloucester-2015", item[0])))


def shipped_scenarios(programme_id: str) -> dict[str, Path]:
    folder = shipped_dir("scenarios") / programme_id
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


# ------------------------------------------------------------------ the programme in hand
def digest(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(f"{len(data)}:".encode() + data)
    return sha.hexdigest()


def set_programme(name: str, programme: Programme, upload: str | None = None) -> None:
    """Hold a validated programme (as its YAML, the cache key, and that YAML's hash) and start a
    fresh what-if on it.  ``upload`` is the uploaded file's content hash: the upload's identity,
    so the same name with other content replaces the programme.  Results of the last programme
    need no clearing: they carry the hash of their inputs, which no longer matches (see hold)."""
    hold_yaml(name, dump_programme(programme), upload)


def hold_yaml(name: str, text: str, upload: str | None = None) -> None:
    """Hold a validated programme's YAML (see set_programme) and start a fresh what-if on it."""
    st.session_state[PROGRAMME] = {"name": name, "yaml": text, "hash": digest(text), "upload": upload}
    st.session_state[WHATIF] = default_whatif()
    st.session_state.pop(LOST_UPLOAD, None)
    remember_in_url()


IN_URL = "programme"  # ?programme=lancaster-2011: the shipped programme held, so a reload keeps it
UPLOADED = "uploaded"  # ?uploaded=mine.yaml: an upload, which a reload cannot bring back
LOST_UPLOAD = "programme.lost_upload"  # the upload's name after a reload: to be uploaded again
UPLOAD_NAME = re.compile(r"[\w .()-]{1,120}\.(ya?ml|xlsx)", re.IGNORECASE)  # what an upload can be called


def remember_in_url() -> None:
    """Put the programme held in the page's address: a shipped one by its file name (a reload
    loads it again), an upload by its name only (its content is not kept, so after a reload the
    Home and Programme pages ask for it again).  The address is left alone when it already says so."""
    held = st.session_state.get(PROGRAMME)
    if not held:
        return
    shipped_name = held["upload"] is None and held["name"] in shipped()
    key, other = (IN_URL, UPLOADED) if shipped_name else (UPLOADED, IN_URL)
    if st.query_params.get(key) != held["name"]:
        st.query_params[key] = held["name"]
    if other in st.query_params:
        del st.query_params[other]


def _from_url() -> tuple[str, str] | None:
    """The shipped programme the address names (a reload, a bookmark), read as the sample is."""
    wanted = st.query_params.get(IN_URL)
    path = shipped().get(str(wanted)) if wanted else None
    if path is None:
        return None
    return str(wanted), _shipped_yaml(str(path), path.stat().st_mtime)


def lost_upload() -> str | None:
    """The name of a file uploaded before the page was reloaded (it must be uploaded again)."""
    name = st.session_state.get(LOST_UPLOAD)
    return str(name) if name else None


@functools.lru_cache(maxsize=4)
def _shipped_yaml(path: str, stamp: float) -> str:
    from engine.io.load import load_programme

    return dump_programme(load_programme(path))


def sample() -> tuple[str, str]:
    """The sample programme (Gloucester, the first shipped) as the app holds it, name and YAML:
    read and validated once per server process and version of the file (``stamp``, its modification
    time), as every director's first visit needs it; ui/serve.py reads it before the first browser
    has connected."""
    name, path = next(iter(shipped().items()))
    return name, _shipped_yaml(str(path), path.stat().st_mtime)


def sample_name() -> str:
    """The sample programme's file name (Gloucester, the first shipped)."""
    return next(iter(shipped()))


@functools.lru_cache(maxsize=32)
def _shipped_title(path: str, stamp: float) -> str:
    import yaml

    found = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return str(found.get("name") or Path(path).stem) if isinstance(found, dict) else Path(path).stem


def shipped_titles() -> dict[str, str]:
    """Each shipped programme's file name -> the programme's own name, for the picker (the file
    name goes in its tooltip); read once per version of each file."""
    return {stem: _shipped_title(str(path), path.stat().st_mtime) for stem, path in shipped().items()}


def load_sample() -> None:
    """Hold a programme when none is held yet, so a first visit has something to look at on every
    page: the shipped one the address names (a reload keeps the programme loaded), else the
    sample.  An upload named in the address cannot come back: the sample is held, and the pages
    say the file must be uploaded again (:func:`lost_upload`)."""
    if st.session_state.get(PROGRAMME) is not None:
        remember_in_url()  # again on every page: moving to another page may leave the address bare
        return
    lost = st.query_params.get(UPLOADED)
    hold_yaml(*(_from_url() or sample()))
    if lost and UPLOAD_NAME.fullmatch(str(lost)):  # anyone can write an address: a file's name only
        st.session_state[LOST_UPLOAD] = str(lost)


def programme_hash() -> str:
    held = st.session_state.get(PROGRAMME)
    return str(held["hash"]) if held else ""


def current() -> tuple[str, str] | None:
    held = st.session_state.get(PROGRAMME)
    return (held["name"], held["yaml"]) if held else None


@st.cache_data(show_spinner=False, max_entries=16)
def programme_of(yaml_text: str, name: str) -> Programme:
    return parse_programme(yaml_text, name)


def current_programme() -> Programme | None:
    held = current()
    return programme_of(held[1], held[0]) if held else None


def need_programme() -> Programme:
    """The programme in hand: the sample one on a first visit that starts on another page than
    Home (a bookmarked page); should even that fail, a pointer to the Programme page."""
    load_sample()
    programme = current_programme()
    if programme is None:
        st.info("Choose a programme on the **Programme** page first.")
        st.stop()
    assert programme is not None
    return programme


# ------------------------------------------------------------------ the what-if being edited
def default_whatif() -> dict[str, Any]:
    return {
        "name": "what-if",
        "rules": "default",
        "method": None,
        "weights": {},
        "objective": "value",
        "capacities": {},
        "capacity_overrides": {},  # pool -> every named window's capacity, once the user edits one
        "budget": None,  # {"per_financial_year": £, "overrides": {FY: £}} once edited
        "force_in": [],
        "force_out": [],
        "consensus": False,
    }


def whatif() -> dict[str, Any]:
    if WHATIF not in st.session_state:
        st.session_state[WHATIF] = default_whatif()
    state: dict[str, Any] = st.session_state[WHATIF]
    return state


def scenario_of(edits: dict[str, Any]) -> Scenario:
    from engine.appraisal.scenario import BudgetOverride, CapacityOverride, Scenario

    return Scenario(
        name=edits["name"],
        base="(on screen)",
        rules=edits["rules"],
        method=edits["method"],
        weights=edits["weights"],
        weight_set=edits.get("weight_set"),
        objective=edits["objective"],
        capacities={
            pool: CapacityOverride(
                capacity=edits["capacities"].get(pool), overrides=edits["capacity_overrides"].get(pool)
            )
            for pool in sorted(set(edits["capacities"]) | set(edits["capacity_overrides"]))
        },
        budget=BudgetOverride(**edits["budget"]) if edits["budget"] else None,
        force_in=tuple(edits["force_in"]),
        force_out=tuple(edits["force_out"]),
        consensus=edits["consensus"],
    )


def rules_of(name: str) -> RuleSet:
    """The rule set ``name`` as its file reads now: kept by content, so an edited file is read again."""
    return _rules_at(name, rules_hash(name))


@st.cache_resource(show_spinner=False, max_entries=16)
def _rules_at(name: str, content: str) -> RuleSet:  # ``content`` keys the cache
    from engine.rules.ruleset import load_ruleset

    return load_ruleset(shipped_dir("rules") / f"{name}.yaml")


def scenario_rules_hash(scenario_json: str) -> str:
    """The content hash of the rule set a what-if (as JSON) names: part of every key its results
    are kept under, so a rule file edited while the app runs does not bring back old results."""
    return rules_hash(str(json.loads(scenario_json).get("rules", "")))


def rules_hash(name: str) -> str:
    """The rule set file's content hash (read each time: a changed file makes results stale)."""
    path = shipped_dir("rules") / f"{name}.yaml"
    return digest(path.read_bytes()) if path.is_file() else ""


# ------------------------------------------------------------------ results held with their inputs
def inputs_key(*extra: str) -> str:
    """The hash of what a result on screen depends on: the programme's content, the rule set's
    content and the what-if, plus a page's own settings (``extra``, e.g. draws and seed)."""
    edits = whatif()
    return digest(programme_hash(), rules_hash(edits["rules"]), scenario_of(edits).model_dump_json(), *extra)


def hold(slot: str, value: Any, *extra: str) -> None:
    """Keep a result with the key of the inputs it came from."""
    st.session_state[slot] = (inputs_key(*extra), value)


def held(slot: str, what: str, *extra: str) -> Any:
    """The result in ``slot`` if it came from the current inputs.  A result of other inputs (another
    programme, rule set or what-if) is never shown: the page says so and how to recompute."""
    kept = st.session_state.get(slot)
    if kept is None:
        return None
    if kept[0] != inputs_key(*extra):
        st.warning(
            f"The programme, rule set or settings have changed since {what} was made, so it is not "
            f"shown: {_AGAIN.get(slot, 'run it again')} to see it for what is on screen now."
        )
        return None
    return kept[1]


_AGAIN = {
    RESULT: "press **Plan**",
    "sensitivity.result": "press **Run**",
    "report.files": "press **Prepare the report**",
}


def sticky(key: str, default: Any) -> str:
    """``key`` for a widget whose value outlives a visit to another page (Streamlit drops a widget's
    state when a page does not draw it): the last value is put back before the widget is drawn.
    Draw the widget without ``value=`` and pass its value to :func:`keep`."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"{key}.kept", default)
    return key


def keep(key: str, value: Any) -> Any:
    st.session_state[f"{key}.kept"] = value
    return value


def saved_whatifs() -> dict[str, str]:
    """The what-ifs saved on the programme in hand (name -> Scenario JSON): saved what-ifs belong to
    the programme content they were made on and are never offered on another."""
    every: dict[str, dict[str, str]] = st.session_state.setdefault(SAVED, {})
    return every.setdefault(programme_hash(), {})


@st.cache_data(show_spinner=False, max_entries=128)
def scores_of(
    yaml_text: str,
    name: str,
    rules: str,
    method: str | None,
    weights: tuple[tuple[str, float], ...],
    rules_content: str,  # the rule file's hash: keys the cache (rules_of reads the file as it is)
) -> ScoreTable:
    from engine.scoring.scores import score

    return score(programme_of(yaml_text, name), rules_of(rules), method=method, weights=dict(weights) or None)


def current_scores() -> ScoreTable:
    name, text = current() or ("", "")
    edits = whatif()
    weights = tuple(sorted(edits["weights"].items()))
    return scores_of(text, name, edits["rules"], edits["method"], weights, rules_hash(edits["rules"]))


def loaded_whatif(yaml_text: str, name: str, scenario_json: str) -> LoadedScenario:
    from engine.appraisal.scenario import Scenario, prepare_scenario
    from engine.scoring.weightsets import find_weight_set

    scenario = Scenario.model_validate_json(scenario_json)
    base = programme_of(yaml_text, name)
    loaded = prepare_scenario(scenario, base, rules_of(scenario.rules), Path(f"{scenario.name}.yaml"))
    if scenario.weight_set:  # whose weights, for the report (the weights themselves are in `weights`)
        try:
            loaded.weight_set = find_weight_set(weights_dir(base.id), scenario.weight_set)
        except SsplanError:
            loaded.weight_set = None
    return loaded


def run_whatif(yaml_text: str, name: str, scenario_json: str) -> ScenarioResult:
    """The what-if's result, kept by the programme, the what-if and its rule file's content."""
    return _run_whatif(yaml_text, name, scenario_json, scenario_rules_hash(scenario_json))


@st.cache_data(show_spinner=False, max_entries=64)
def _run_whatif(yaml_text: str, name: str, scenario_json: str, rules_content: str) -> ScenarioResult:
    from planning import finished  # the Plan page plans on a worker thread (ui/planning.py)

    from engine.appraisal.scenario import run_scenario

    done = finished(yaml_text, name, scenario_json)
    if done is not None:
        return done
    return run_scenario(loaded_whatif(yaml_text, name, scenario_json), reasons=True)


@st.cache_data(show_spinner=False, max_entries=32)
def run_shipped(path: str, stamp: float) -> ScenarioResult:
    """A shipped scenario file's result (``stamp``, its modification time, keys the cache)."""
    from engine.appraisal.scenario import load_scenario, run_scenario

    return run_scenario(load_scenario(path))


def run_current() -> ScenarioResult:
    name, text = current() or ("", "")
    return run_whatif(text, name, scenario_of(whatif()).model_dump_json())


def switching_for(inputs: str, _loaded: LoadedScenario) -> list[dict[str, Any]]:
    """Switching values of a scenario's exceptions, kept on its inputs' hash (they re-score many
    times, and the Report reuses them); those of a service with a confidential price are marked so
    the page leaves them out (the public view's rule, engine.plan.disclosure)."""
    from background import kept

    disclosure = Disclosure.of(_loaded.programme)
    return [
        {
            "exception": v.exception,
            "moving": v.subject,
            "what would flip it": v.text(),
            "exempt": disclosure.hides_service(v.service),
        }
        for v in switching_of(kept(), inputs, _loaded)
    ]


def switching_of(store: Kept, inputs: str, loaded: LoadedScenario) -> list[SwitchingValue]:
    """The scenario's switching values, kept in ``store`` under ``inputs`` (its
    :func:`engine.appraisal.scenario.inputs_hash`); safe off the pages' thread."""
    from engine.scoring.switching import switching_values

    scenario = loaded.scenario
    return store.get(
        f"switching:{inputs}",
        lambda: switching_values(
            loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None
        ),
    )


def sensitivity_key(draws: int, seed: int) -> str:
    """The key of the what-if on screen's sensitivity for ``draws`` and ``seed``: the Sensitivity
    page and the Report ask the same question of the same inputs, so they share the answer."""
    return inputs_key("sensitivity", str(draws), str(seed))


def sensitivity_of(store: Kept, key: str, loaded: LoadedScenario, draws: int, seed: int) -> Sensitivity:
    """The scenario's sensitivity, kept in ``store`` under ``key`` (:func:`sensitivity_key`), its cost
    draws kept apart: they do not depend on the weights, so moving a weight reuses them."""
    from engine.appraisal.sensitivity import scenario_sensitivity

    def drawn_costs(table: ScoreTable, draws: int, seed: int) -> CostDraws:
        from engine.scoring.uncertainty import cost_draws

        content = digest(
            "cost draws",
            table.programme.model_dump_json(),
            table.rules.model_dump_json(),
            table.method,
            str(draws),
            str(seed),
        )
        return store.get(content, lambda: cost_draws(table, draws, seed))

    return store.get(
        key, lambda: scenario_sensitivity(loaded, draws=draws, seed=seed, drawn_costs=drawn_costs)
    )


# ------------------------------------------------------------------ showing problems
def show_problems(error: SsplanError, what: str) -> None:
    from engine.present.frames import problems_frame

    count = len(error.problems)
    st.error(f"{what}: {count} problem{'s' if count != 1 else ''} found. Nothing was changed.")
    st.dataframe(problems_frame(error.problems), hide_index=True, width="stretch")


# ------------------------------------------------------------------ tables for people
def formats(frame: pd.DataFrame, help: dict[str, str] | None = None) -> dict[str, Any]:
    """Column configs for a table from ``engine.present.frames``: money and score columns stay
    numbers (so they sort) with no format of their own, as their cells show the engine's text
    (:func:`table`); shares as percentages."""
    import pandas as pd

    from engine.present.frames import MONEY, PERCENTS, SCORES
    from engine.present.words import PERCENT_FORMAT

    help = help or {}
    config: dict[str, Any] = {}
    for column in frame.columns:
        label = str(column)
        if (label in MONEY or label in SCORES) and not pd.api.types.is_numeric_dtype(frame[column]):
            config[label] = st.column_config.TextColumn(label, help=help.get(label), alignment="right")
        elif label in MONEY or label in SCORES:
            config[label] = st.column_config.NumberColumn(label, help=help.get(label))
        elif label in PERCENTS:
            config[label] = st.column_config.ProgressColumn(
                label, format=PERCENT_FORMAT, min_value=0, max_value=100, help=help.get(label), width="small"
            )
        elif label in help:
            config[label] = st.column_config.Column(label, help=help[label])
    return config


def table(frame: pd.DataFrame, key: str | None = None, help: dict[str, str] | None = None, **kw: Any) -> None:
    """A table for people (see :func:`formats`); percentages are given as shares and shown ×100.

    Money and score cells show :func:`engine.present.frames.cell_formats` ("−£162,900", "withheld",
    a band, blank where missing) as a Styler's display values: a NumberColumn's printf format
    cannot put the minus sign before the £.  The grid shows "None" for an empty number whatever
    its display value, so a column with an empty cell is shown as its text (right-aligned).
    The figures themselves are rounded as shown (pounds whole, scores to three places, shares to
    one): the grid's accessible table, which a screen reader reads, holds the values, not the
    display ("18250.000000000004")."""
    import pandas as pd

    from engine.present.frames import MONEY, PERCENTS, cell_formats, shown_texts

    shown = frame.reset_index(drop=True)
    for column in shown.columns:
        label = str(column)
        if label in PERCENTS:
            shown[column] = (100 * pd.to_numeric(shown[column], errors="coerce")).round(1)
        elif pd.api.types.is_float_dtype(shown[column]):  # as shown: the accessible table reads these
            shown[column] = shown[column].round(0 if label in MONEY else 3) + 0.0  # never "-0"
    data: Any = shown
    formatters, overrides = cell_formats(shown)
    styled = shown.size <= int(pd.get_option("styler.render.max_elements"))  # else Streamlit refuses a Styler
    for column, texts in shown_texts(shown).items():
        if not styled or shown[column].isna().any():  # the grid shows "None" for an empty number
            shown[column] = texts  # so this column is its text: "withheld", a band, blank
            formatters.pop(column)
            overrides.pop(column, None)
    if formatters and not shown.empty:
        data = shown.style.format(formatters)
        for column, cells in overrides.items():  # "withheld", a band: few cells, each its own text
            for row, text in cells.items():
                data = data.format(lambda _, text=text: text, subset=pd.IndexSlice[[row], [column]])
    st.dataframe(data, hide_index=True, key=key, column_config=formats(shown, help), **kw)
