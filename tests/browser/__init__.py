"""The real-browser tests' driver (support.py) and axe-core, pinned in package.json (npm ci here)."""
