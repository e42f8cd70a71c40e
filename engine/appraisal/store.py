"""The scenario store and decision log (SQLAlchemy 2): an SQLite file by default, any SQLAlchemy
URL (e.g. PostgreSQL) for a shared deployment.

Each run keeps the hash of its inputs, the engine version, the rule set, the plan and the finance,
so a Cabinet paper can be traced to exactly what produced it.  Every write is one transaction: an
interrupted save leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, String, Text, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from engine.appraisal.finance import TargetProgress
from engine.appraisal.public import finance_view, public_plan, run_summary
from engine.appraisal.scenario import ScenarioResult, inputs_hash
from engine.base.errors import InputError
from engine.base.version import package_version
from engine.programme.exempt import NOT_FOR_PUBLICATION

DEFAULT_URL = "sqlite:///ssplan.db"


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[datetime]
    scenario: Mapped[str] = mapped_column(String(400))
    programme: Mapped[str] = mapped_column(String(64))
    inputs_hash: Mapped[str] = mapped_column(String(64), index=True)
    engine_version: Mapped[str] = mapped_column(String(40))
    rules: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)  # JSON: headline figures
    plan: Mapped[str] = mapped_column(Text)  # JSON: the plan result
    finance: Mapped[str] = mapped_column(Text)  # JSON: finance by year, service and partner
    decisions: Mapped[list[Decision]] = relationship(back_populates="run", order_by="Decision.id")


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    recorded: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(200))  # e.g. "Cabinet, 17 June 2015"
    decision: Mapped[str] = mapped_column(Text)
    run: Mapped[Run] = relationship(back_populates="decisions")


# the package that provides each database driver SQLAlchemy may ask for
DRIVERS = {
    "MySQLdb": "mysqlclient (or use mysql+pymysql:// with `pip install pymysql`)",
    "pymysql": "pymysql",
    "psycopg2": "psycopg2-binary (or use postgresql+psycopg:// with `pip install 'psycopg[binary]'`)",
    "psycopg": "'psycopg[binary]'",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
    "oracledb": "oracledb",
    "cx_Oracle": "oracledb (and use oracle+oracledb://)",
}
CREATE_ATTEMPTS = 20


def _shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the given URL"


def _reason(exc: SQLAlchemyError) -> str:
    """What the database said, without the statement or its parameters (a run's summary may hold
    confidential figures)."""
    original = getattr(exc, "orig", None)
    text = str(original) if original is not None else str(exc).split("\n", 1)[0]
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _already_exists(exc: SQLAlchemyError) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "already exists" in text or "duplicate" in text or "database is locked" in text


class Store:
    def __init__(self, url: str = DEFAULT_URL):
        self.url = url
        shown = _shown_url(url)
        try:
            options: dict[str, Any] = {"hide_parameters": True}  # no SQL parameters in any error
            if make_url(url).get_backend_name() == "sqlite":
                options["connect_args"] = {"timeout": 60}  # wait for another writer, do not fail
            self.engine = create_engine(url, **options)
        except ModuleNotFoundError as exc:
            package = DRIVERS.get(exc.name or "", exc.name)
            raise InputError.one(
                f"the store at {shown} needs the database driver `{exc.name}`, which is not installed: "
                f"pip install {package}",
                field="db",
            ) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise InputError.one(f"cannot open the store at {shown}: {exc}", field="db") from None
        self._create_schema(shown)

    def _create_schema(self, shown: str) -> None:
        """Create the tables if missing, safe when several processes open a new store at once:
        the check and the CREATE are not one step, so a loser of that race sees "already exists"
        and checks again."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                Base.metadata.create_all(self.engine, checkfirst=True)
                return
            except SQLAlchemyError as exc:
                if attempt + 1 < CREATE_ATTEMPTS and _already_exists(exc):
                    time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                    continue
                raise InputError.one(
                    f"cannot open the store at {shown}: {_reason(exc)}", field="db"
                ) from None

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """A database error becomes a clear message; the statement and its parameters are not shown."""
        try:
            yield
        except SQLAlchemyError as exc:
            hint = ""
            if "readonly" in _reason(exc).replace("-", "").replace(" ", "").lower():
                hint = " (the database is read-only: check the file's permissions or the URL)"
            raise InputError.one(
                f"cannot {doing} the store at {_shown_url(self.url)}: {_reason(exc)}{hint}", field="db"
            ) from None

    def save_run(self, result: ScenarioResult, include_exempt: bool = False) -> int:
        """Store the run as the public view states it (a store is shared and outlives the
        decision); ``include_exempt`` stores every figure and marks the run NOT FOR PUBLICATION."""
        loaded = result.loaded
        summary = run_summary(result, include_exempt)
        money = finance_view(result, include_exempt)
        finance_json = (
            {}
            if money is None
            else {
                "by_year": money.by_year.to_dict("records"),
                "by_service": money.by_service.to_dict("records"),
                "by_partner": money.by_partner.to_dict("records"),
                "left_out_as_exempt": money.withheld,
                "savings_target": None if money.target is None else _target_json(money.target),
            }
        )
        run = Run(
            created=datetime.now(UTC),
            scenario=loaded.name,
            programme=loaded.programme.id,
            inputs_hash=inputs_hash(result),
            engine_version=package_version(),
            rules=loaded.rules.id,
            status=result.plan.status.value,
            summary=json.dumps(summary, default=str),
            plan=json.dumps(public_plan(result.plan, include_exempt, result.scores).to_json(), default=str),
            finance=json.dumps(finance_json, default=str),
        )
        with self._guard("save the run to"), Session(self.engine) as session, session.begin():
            session.add(run)
            session.flush()
            return run.id

    def record_decision(self, run_id: int, recorded_by: str, body: str, decision: str) -> int:
        with self._guard("record the decision in"), Session(self.engine) as session, session.begin():
            if session.get(Run, run_id) is None:
                raise InputError.one(f"no run {run_id} in the store", field="run")
            entry = Decision(
                run_id=run_id,
                recorded=datetime.now(UTC),
                recorded_by=recorded_by,
                body=body,
                decision=decision,
            )
            session.add(entry)
            session.flush()
            return entry.id

    def runs(self) -> list[dict[str, Any]]:
        with self._guard("read"), Session(self.engine) as session:
            return [
                {
                    "id": r.id,
                    "created": r.created.isoformat(timespec="seconds"),
                    "scenario": r.scenario,
                    "programme": r.programme,
                    "status": r.status,
                    "inputs_hash": r.inputs_hash[:12],
                    "decisions": len(r.decisions),
                    "not_for_publication": "classification" in json.loads(r.summary),
                }
                for r in session.scalars(select(Run).order_by(Run.id))
            ]

    def run(self, run_id: int) -> dict[str, Any]:
        with self._guard("read"), Session(self.engine) as session:
            run = session.get(Run, run_id)
            if run is None:
                raise InputError.one(f"no run {run_id} in the store", field="run")
            return {
                "id": run.id,
                "created": run.created.isoformat(timespec="seconds"),
                "scenario": run.scenario,
                "programme": run.programme,
                "inputs_hash": run.inputs_hash,
                "engine_version": run.engine_version,
                "rules": run.rules,
                "status": run.status,
                "summary": json.loads(run.summary),
                "plan": json.loads(run.plan),
                "finance": json.loads(run.finance),
                "decisions": [
                    {
                        "recorded": d.recorded.isoformat(timespec="seconds"),
                        "recorded_by": d.recorded_by,
                        "body": d.body,
                        "decision": d.decision,
                    }
                    for d in run.decisions
                ],
            }

    def diff(self, first: int, second: int) -> list[str]:
        """What differs between two runs: headline figures and each service's choice."""
        a, b = self.run(first), self.run(second)
        keys = [k for k in dict.fromkeys([*a["summary"], *b["summary"]]) if k != "classification"]
        secret = [r["id"] for r in (a, b) if r["summary"].get("classification")]
        lines = (
            [NOT_FOR_PUBLICATION + f" (run {' and '.join(map(str, secret))} stored exempt figures)"]
            if secret
            else []
        )
        lines += [
            f"{key}: {a['summary'].get(key)} → {b['summary'].get(key)}"
            for key in keys
            if a["summary"].get(key) != b["summary"].get(key)
        ]
        choice_a = {
            row["service"]: f"{row['option']} from {row['start_label']}" for row in a["plan"]["schedule"]
        }
        choice_b = {
            row["service"]: f"{row['option']} from {row['start_label']}" for row in b["plan"]["schedule"]
        }
        for service in sorted(set(choice_a) | set(choice_b)):
            if choice_a.get(service) != choice_b.get(service):
                lines.append(
                    f"{service}: {choice_a.get(service, 'as it is')} → {choice_b.get(service, 'as it is')}"
                )
        if a["inputs_hash"] == b["inputs_hash"]:
            lines.append("the inputs are identical (same hash)")
        return lines


def default_url(path: str | Path | None = None) -> str:
    return DEFAULT_URL if path is None else f"sqlite:///{Path(path)}"


def _target_json(target: TargetProgress) -> dict[str, Any]:
    return {**asdict(target), "shortfall": target.shortfall}
