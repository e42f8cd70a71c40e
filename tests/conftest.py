from __future__ import annotations

from pathlib import Path

import pytest

from engine.io.load import load_programme
from engine.io.shipped import shipped_programmes
from engine.programme.model import Programme

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def tight_gloucester(folder: Path) -> Path:
    """Gloucester with its project-manager days cut from 12 to 4 a month: ICT no longer fits."""
    text = (
        (ROOT / "scenarios" / "gloucester-2015.yaml")
        .read_text()
        .replace("    capacity: 12\n", "    capacity: 4\n")
    )
    tight = folder / "tight.yaml"
    tight.write_text(text)
    return tight


SHARED = ROOT.parent / "shared"
SHIPPED = shipped_programmes()


@pytest.fixture(scope="session")
def gloucester() -> Programme:
    return load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")


@pytest.fixture(scope="session")
def essex() -> Programme:
    return load_programme(ROOT / "scenarios" / "essex-2010.yaml")


@pytest.fixture(scope="session")
def lancaster() -> Programme:
    return load_programme(ROOT / "scenarios" / "lancaster-2011.yaml")


@pytest.fixture(scope="session")
def small() -> Programme:
    return load_programme(DATA / "small.yaml")
