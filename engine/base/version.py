"""The installed version of ssplan, read from the package metadata once and only when asked for
(reading it costs a start-up the command line should not pay for nothing)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ssplan")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0+unknown"
