"""ssplan: decision support for UK local-government shared-services programmes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ssplan")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0+unknown"
