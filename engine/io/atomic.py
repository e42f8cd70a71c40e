"""Saves that never leave a half-written file: write beside the target, then rename over it.

- A target that cannot be written (a folder, a read-only place, ``/proc``) is refused with a
  message naming the *target*, never the temporary file (:func:`check_target`, also used by the
  command line before any work).
- A private file (the exempt appendix) is created 0600 from its first byte and stays 0600 when it
  replaces a world-readable file: the temporary file is opened with that mode and renamed over.
- The temporary file ``.NAME.xxxx.tmp`` is removed on any exit that runs Python code, including
  KeyboardInterrupt and SIGTERM (the command line turns SIGTERM into SystemExit); only SIGKILL or
  a power cut can leave one, and never a half-written target.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from engine.base.errors import InputError, SsplanError

_PRIVATE: contextvars.ContextVar[bool] = contextvars.ContextVar("ssplan_private_writes", default=False)


@contextlib.contextmanager
def private_writes() -> Iterator[None]:
    """Within this block every ``atomic_write`` creates its file 0600 (owner only)."""
    token = _PRIVATE.set(True)
    try:
        yield
    finally:
        _PRIVATE.reset(token)


def _refuse(target: Path, why: str, option: str | None) -> SsplanError:
    return InputError.one(f"cannot write here: {why}", file=str(target), field=option)


def _why(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno == errno.EISDIR:
        return "it is a folder"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or str(exc) or type(exc).__name__


def check_target(path: str | Path, option: str | None = None) -> Path:
    """Refuse early a target that cannot be written: a folder, a path through a file, a special
    file, or a place we may not write.  (Writing may still fail later; ``atomic_write`` then says so.)"""
    target = Path(path)
    if target.is_dir():
        raise _refuse(target, "it is a folder; give a file name", option)
    if target.exists() and not target.is_file():
        raise _refuse(target, "it is not a regular file", option)
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise _refuse(target, f"{folder} is not a folder", option)
    resolved = folder.resolve()
    if resolved.parts[:2] in (("/", "proc"), ("/", "sys"), ("/", "dev")):
        raise _refuse(target, f"{resolved} is not a place for files", option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(target, f"permission denied in {folder}", option)
    return target


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two spellings name one file: through `..`, symlinks, or hard links."""
    a, b = Path(first), Path(second)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def atomic_write(path: str | Path, data: bytes | str, *, private: bool | None = None) -> None:
    """Write ``data`` to ``path`` all at once; ``private`` (default: inside :func:`private_writes`)
    makes the file 0600.  Any OS failure is an ``InputError`` naming ``path``."""
    target = Path(path)
    private = _PRIVATE.get() if private is None else private
    payload = data.encode("utf-8") if isinstance(data, str) else data
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refuse(target, _why(exc), None) from None
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # 0666 less the umask, as an ordinary file would be; 0600 from the first byte when private
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
        try:
            if private:
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                fd = -1
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            if fd != -1:
                os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        raise _refuse(target, _why(exc), None) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)  # gone already after the rename; removed on any other exit
