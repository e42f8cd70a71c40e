"""The bounded, thread-safe store of recent results (engine.base.recent) that the planner's proven
answers and the app's finished plans and results are kept in."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from engine.base.recent import Recent


@given(
    st.lists(st.tuples(st.sampled_from(["put", "get"]), st.integers(0, 6)), max_size=60), st.integers(1, 4)
)
def test_recent_keeps_the_last_used_keys_like_a_reference_list(steps, size):
    """Against a plain list kept in order of use: the same keys, the oldest dropped first."""
    recent: Recent[int, str] = Recent(size)
    order: list[int] = []  # least recently used first
    for action, key in steps:
        if action == "put":
            recent.put(key, f"v{key}")
            order = [k for k in order if k != key] + [key]
            order = order[-size:]
        else:
            assert recent.get(key) == (f"v{key}" if key in order else None)
            if key in order:
                order = [k for k in order if k != key] + [key]
        assert len(recent) == len(order)
    assert all(recent.peek(k) == f"v{k}" for k in order)


def test_peek_leaves_the_order_and_a_default_says_missing():
    recent: Recent[str, int | None] = Recent(2)
    recent.put("a", None)  # a kept None is told apart from a missing key by the default
    recent.put("b", 2)
    missing = object()
    assert recent.get("a", missing) is None and recent.get("z", missing) is missing
    assert recent.peek("b") == 2  # a peek does not make "b" the most recently used …
    recent.put("c", 3)  # … so "b" is the one dropped
    assert recent.get("b", missing) is missing and recent.get("a", missing) is None and recent.peek("c") == 3


def test_recent_is_safe_from_many_threads():
    recent: Recent[int, int] = Recent(8)

    def work(start: int) -> None:
        for i in range(2000):
            recent.put((start + i) % 20, i)
            recent.get(i % 20)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recent) == 8
