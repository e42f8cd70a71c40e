from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.programme import graph
from engine.programme.model import Programme


def test_dependency_graph_carries_lag_and_reason(gloucester: Programme):
    g = graph.dependency_graph(gloucester)
    assert g.edges["ict", "finance-admin"]["lag"] == 1
    assert "County's systems" in g.edges["ict", "finance-admin"]["reason"]


def test_dependency_order_respects_edges_and_file_order(gloucester: Programme):
    order = graph.dependency_order(gloucester)
    for dep in gloucester.dependencies:
        assert order.index(dep.before) < order.index(dep.after)
    assert order[:3] == ["audit", "communications", "hr"]


def test_cycles_name_every_knot_once():
    g = graph.build(
        list("abcdef"),
        [
            ("a", "b", 0, ""),
            ("b", "c", 0, ""),
            ("c", "a", 0, ""),
            ("d", "e", 0, ""),
            ("e", "d", 0, ""),
            ("f", "f", 0, ""),
        ],
    )
    assert graph.cycles(g) == [["a", "b", "c", "a"], ["d", "e", "d"], ["f", "f"]]
    assert graph.cycles(graph.build(["a", "b"], [("a", "b", 0, "")])) == []


def test_earliest_starts_follow_the_longest_path(small: Programme):
    starts = graph.earliest_starts(small, {"hr": 2, "payroll": 1})
    assert starts == {"hr": 0, "payroll": 2}


def test_acyclic_says_what_networkx_finds():
    """The plain pre-check that spares a sound programme networkx: the hand cases first."""
    from engine.programme.checks import acyclic

    assert acyclic("abc", [("a", "b"), ("b", "c"), ("a", "c")])
    assert acyclic("ab", [("a", "b"), ("a", "b")])  # listed twice is another problem, not a loop
    assert not acyclic("abc", [("a", "b"), ("b", "c"), ("c", "a")])
    assert not acyclic("ab", [("b", "b")])
    assert not acyclic("a", [("a", "x"), ("x", "a")])  # a service only a dependency names


def _graphs(n: int) -> st.SearchStrategy[tuple[int, list[tuple[int, int]]]]:
    node = st.integers(0, n - 1)
    return st.tuples(st.just(n), st.lists(st.tuples(node, node), max_size=12))


@given(st.integers(1, 7).flatmap(_graphs))
@settings(max_examples=300, deadline=None)
def test_acyclic_agrees_with_networkx_on_random_graphs(case):
    from engine.programme.checks import acyclic

    n, edges = case
    nodes = [f"s{i}" for i in range(n)]
    pairs = [(nodes[a], nodes[b]) for a, b in edges]
    expected = graph.cycles(graph.build(nodes, [(a, b, 0, "") for a, b in pairs])) == []
    assert acyclic(nodes, pairs) is expected
