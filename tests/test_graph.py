from __future__ import annotations

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
