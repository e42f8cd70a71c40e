"""Output paths: refused before any work when they cannot be written, named in the message (never
the temporary file), never two outputs in one file, extension and format agreeing, the exempt
appendix 0600, and no temporary file left behind on any exit."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.base.errors import SsplanError
from engine.cli import main
from engine.io.atomic import atomic_write, private_writes
from tests.conftest import ROOT

PROGRAMME = str(ROOT / "scenarios" / "gloucester-2015.yaml")
SCENARIO = str(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")]


@pytest.mark.parametrize(
    "args",
    [
        ["plan", PROGRAMME, "--format", "json", "--out", "{dir}"],
        ["plan", PROGRAMME, "--gantt", "{dir}"],
        ["compare", SCENARIO, "--format", "html", "--out", "{dir}"],
        ["export-xlsx", PROGRAMME, "-o", "{dir}"],
        ["report", SCENARIO, "--out", "{dir}"],
        ["report", SCENARIO, "--out", "{dir}/r.md", "--exempt-out", "{dir}"],
    ],
)
def test_a_folder_as_output_is_refused_naming_it(capsys, tmp_path: Path, args):
    folder = tmp_path / "already-a-folder.xlsx"  # a folder with a file's name
    folder.mkdir()
    code, _, err = run(capsys, *[a.replace("{dir}", str(folder)) for a in args])
    assert code == 2, err
    assert str(folder) in err and "folder" in err
    assert ".tmp" not in err and "internal error" not in err


@pytest.mark.parametrize("target", ["/proc/ssplan-test.json", "/proc/self/ssplan/plan.json"])
def test_proc_is_refused_naming_the_target(capsys, target):
    code, _, err = run(capsys, "plan", PROGRAMME, "--format", "json", "--out", target)
    assert code == 2 and target in err and ".tmp" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused(capsys, tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = run(capsys, "plan", PROGRAMME, "--format", "json", "--out", str(folder / "p.json"))
    finally:
        folder.chmod(0o700)
    assert code == 2 and str(folder / "p.json") in err and "permission denied" in err


def test_a_failed_write_names_the_target_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch):
    """A read-only file system (EROFS at the rename), simulated: the target is named, not the
    temporary file, and the temporary file is gone."""

    def read_only(src, dst):
        raise OSError(errno.EROFS, "Read-only file system", str(src))

    monkeypatch.setattr(os, "replace", read_only)
    target = tmp_path / "plan.json"
    with pytest.raises(SsplanError) as raised:
        atomic_write(target, "{}")
    message = str(raised.value)
    assert str(target) in message and "read-only" in message and ".tmp" not in message
    assert list(tmp_path.iterdir()) == []


def test_same_file_for_report_and_exempt_appendix_is_refused_however_spelt(capsys, tmp_path: Path):
    report = tmp_path / "same.md"
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(report)
    for exempt in [report, tmp_path / "sub" / ".." / "same.md", link]:
        code, _, err = run(capsys, "report", SCENARIO, "--out", str(report), "--exempt-out", str(exempt))
        assert code == 2 and "same file" in err and "--exempt-out" in err, err
    report.write_text("public")
    hard = tmp_path / "hard.md"
    os.link(report, hard)
    code, _, err = run(capsys, "report", SCENARIO, "--out", str(report), "--exempt-out", str(hard))
    assert code == 2 and "same file" in err
    assert report.read_text() == "public"


def test_plan_out_and_gantt_cannot_be_one_file(capsys, tmp_path: Path):
    target, link = tmp_path / "p.json", tmp_path / "g.html"
    link.symlink_to(target)
    code, _, err = run(
        capsys, "plan", PROGRAMME, "--format", "json", "--out", str(target), "--gantt", str(link)
    )
    assert code == 2 and "--gantt" in err and "same file" in err


@pytest.mark.parametrize(
    "args",
    [
        ["report", SCENARIO, "--out", "r.md", "--exempt-out", "x.docx"],
        ["report", SCENARIO, "--out", "r.docx", "--format", "md"],
        ["report", SCENARIO, "--out", "r.html", "--exempt-out", "x.md"],
        ["plan", PROGRAMME, "--format", "csv", "--out", "p.xlsx"],
        ["plan", PROGRAMME, "--format", "json", "--out", "p.csv"],
        ["plan", PROGRAMME, "--out", "p.json"],  # the table is printed, not written
        ["plan", PROGRAMME, "--gantt", "g.pdf"],
        ["compare", SCENARIO, "--format", "json", "--out", "c.html"],
        ["import-xlsx", "book.xlsx", "-o", "p.xlsx"],
    ],
)
def test_extension_and_format_must_agree(capsys, tmp_path: Path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert "extension" in err or "expected a file ending" in err or "the table is printed" in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_private_write_is_0600_even_over_a_world_readable_file(tmp_path: Path):
    target = tmp_path / "exempt.md"
    target.write_text("old")
    target.chmod(0o644)
    with private_writes():
        atomic_write(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text() == "new"
    public = tmp_path / "public.md"
    atomic_write(public, "x")
    assert stat.S_IMODE(public.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_report_writes_the_exempt_appendix_0600_over_a_readable_file(capsys, tmp_path: Path):
    public, exempt = tmp_path / "r.md", tmp_path / "x.md"
    exempt.write_text("old appendix")
    exempt.chmod(0o644)
    code, _, err = run(
        capsys, "report", SCENARIO, "--out", str(public), "--exempt-out", str(exempt), "--draws", "10"
    )
    assert code == 0, err
    assert stat.S_IMODE(exempt.stat().st_mode) == 0o600
    assert "NOT FOR PUBLICATION" in exempt.read_text()
    assert _temporaries(tmp_path) == []


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from engine.cli import terminate_cleanly
    from engine.io.atomic import atomic_write

    def stall(fd):  # the write is under way: say so, then wait to be killed
        print("writing", flush=True)
        time.sleep(60)

    os.fsync = stall
    with terminate_cleanly():
        atomic_write(sys.argv[1], b"x" * 1000)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_no_temporary_file_survives_a_kill(tmp_path: Path, signum):
    target = tmp_path / "plan.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"writing"
    assert len(_temporaries(tmp_path)) == 1  # the write was under way
    child.send_signal(signum)
    started = time.monotonic()
    child.wait(timeout=30)
    assert time.monotonic() - started < 30
    assert child.returncode != 0
    assert _temporaries(tmp_path) == [] and not target.exists()
