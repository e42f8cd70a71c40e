"""The most recently used results, a bounded number of them, shared between threads.

The planner keeps proven answers and MIP starts by the model's content
(:mod:`engine.optimise.reuse`), and the app keeps finished plans and worked-out results by their
inputs (``ui/planning.py``, ``ui/background.py``); each keeps the last few, dropping the least
recently used, and each is read and written from worker threads as well as the page's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class Recent(Generic[K, V]):
    """The last ``size`` values by key, the least recently used dropped first; thread-safe.
    Values are shared, never copied: callers only read them."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    @overload
    def get(self, key: K) -> V | None: ...

    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: object = None) -> object:
        """The value kept under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def peek(self, key: K) -> V | None:
        """The value kept under ``key``, or None, leaving the order as it is."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key`` as the most recently used, dropping the oldest beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
