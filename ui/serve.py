"""Start the app's server the way ``ssplan ui`` does: ``streamlit run ui/app.py`` in this process,
with what the first page needs imported while the first browser loads (issue 18: cold start <= 5 s).

    python ui/serve.py [streamlit run options, e.g. --server.port 8501 --server.headless true]

``streamlit run`` itself runs nothing of the app's until a browser connects; the 1-2 s a browser
takes to load Streamlit's scripts would pass with the server idle and the first page then waiting
for its imports.  Here a thread imports them in that time (ui/warm.py, through the same gate that
keeps background imports and page runs apart).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # as app.py does: ui/ for warm and common; the checkout for engine
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import warm  # noqa: E402


def main(options: list[str]) -> None:
    from streamlit.web import cli

    warm.before_first_page()
    cli.main(args=["run", str(HERE / "app.py"), *options], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
