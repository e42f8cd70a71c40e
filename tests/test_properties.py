"""Invariants over random programmes and random bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.base.errors import InputError
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from engine.programme.synth import random_programme

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=60, deadline=None)
@given(seed=seeds, services=st.integers(1, 25), periods=st.integers(4, 48))
def test_random_programme_survives_yaml_round_trip(seed: int, services: int, periods: int):
    programme = random_programme(seed, services=services, periods=periods)
    assert parse_programme(dump_programme(programme)) == programme


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, services=st.integers(1, 15))
def test_random_programme_survives_xlsx_round_trip(seed: int, services: int):
    programme = random_programme(seed, services=services)
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "p.xlsx"
        save_programme(programme, book)
        assert load_programme(book) == programme


def test_generator_is_deterministic():
    assert random_programme(7) == random_programme(7)
    assert random_programme(7) != random_programme(8)


@settings(max_examples=300, deadline=None)
@given(content=st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(content: bytes):
    try:
        parse_programme(content, "random.yaml")
    except InputError as exc:
        assert exc.problems and all(p.file == "random.yaml" for p in exc.problems)


yaml_ish = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#,? \n\t0123456789.")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(content=yaml_ish)
def test_random_yaml_like_text_never_crashes_the_loader(content: str):
    try:
        parse_programme(content, "random.yaml")
    except InputError as exc:
        assert exc.problems


@settings(max_examples=40, deadline=None)
@given(seed=seeds, data=st.data())
def test_mutated_programmes_give_input_errors_not_crashes(seed: int, data):
    """Replace one value anywhere in a valid programme with junk: an InputError or a valid programme."""
    text = dump_programme(random_programme(seed, services=4)).splitlines()
    index = data.draw(st.integers(0, len(text) - 1))
    line = text[index]
    if ":" in line:
        key = line.split(":", 1)[0]
        junk = data.draw(st.sampled_from(["-1", "x", "[]", "{}", "null", "2015-02-30", "1e400", "~", "true"]))
        text[index] = f"{key}: {junk}"
    try:
        parse_programme("\n".join(text), "mutated.yaml")
    except InputError as exc:
        assert exc.problems
