"""``python -m engine.cli``: the same as the ``ssplan`` command."""

from engine.cli import main

main()
