"""Dependencies between services as a networkx DiGraph: cycles, order and earliest starts.

Works on plain edges as well as on a Programme so that the Programme validator can use it
before a Programme object exists.  Every dependency is one arrow from ``before`` to ``after``,
whatever its kind (carried as the edge's ``kind``), so a go-live-together pair is one arrow and
not a cycle by itself; arrows that close a loop are a cycle, whatever their kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from engine.programme.model import Programme


Edge = tuple[str, str, int, str] | tuple[str, str, int, str, str]


def build(nodes: Sequence[str], edges: Iterable[Edge]) -> nx.DiGraph:
    """Graph with one node per service (file order kept) and edges carrying ``lag``, ``reason``
    and ``kind`` (finish-to-start where an edge does not say)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for edge in edges:
        before, after, lag, reason = edge[:4]
        kind = edge[4] if len(edge) > 4 else "finish_to_start"
        graph.add_edge(before, after, lag=lag, reason=reason, kind=kind)
    return graph


def dependency_graph(programme: Programme) -> nx.DiGraph:
    graph = build(
        [s.id for s in programme.services],
        ((d.before, d.after, d.lag, d.reason, d.kind) for d in programme.dependencies),
    )
    for service in programme.services:
        graph.nodes[service.id]["name"] = service.name
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle from every strongly connected knot, as ``[a, b, c, a]``, deterministically.

    Reporting one per knot (rather than every simple cycle) keeps the message short and finite
    while still naming every service involved in some cycle.
    """
    found: list[list[str]] = []
    order = {node: i for i, node in enumerate(graph.nodes)}
    for component in sorted(nx.strongly_connected_components(graph), key=lambda c: min(order[n] for n in c)):
        start = min(component, key=order.__getitem__)
        if len(component) == 1 and not graph.has_edge(start, start):
            continue
        sub = graph.subgraph(component)
        edges = nx.find_cycle(sub, source=start)
        found.append([edges[0][0]] + [v for _, v in edges])
    return found


def dependency_order(programme: Programme) -> list[str]:
    """Services in an order that respects every dependency, ties broken by file order."""
    graph = dependency_graph(programme)
    order = {node: i for i, node in enumerate(graph.nodes)}
    return list(nx.lexicographical_topological_sort(graph, key=order.__getitem__))


def earliest_starts(programme: Programme, durations: dict[str, int]) -> dict[str, int]:
    """Earliest start period of each service if every dependency is honoured and nothing else limits.

    ``durations`` gives the implementation periods assumed per service (e.g. its shortest option).
    This is the longest-path bound that tightens the optimiser's horizon.
    """
    graph = dependency_graph(programme)
    start: dict[str, int] = {}
    for node in dependency_order(programme):
        start[node] = max(
            (_earliest_after(graph, start, durations, p, node) for p in graph.predecessors(node)),
            default=0,
        )
    return start


def _earliest_after(
    graph: nx.DiGraph, start: dict[str, int], durations: dict[str, int], before: str, after: str
) -> int:
    """The earliest start of ``after`` that the edge from ``before`` allows, by its kind."""
    edge = graph.edges[before, after]
    if edge["kind"] == "start_to_start":
        return start[before] + edge["lag"]
    end = start[before] + durations.get(before, 0)
    if edge["kind"] == "go_live_together":
        return max(0, end - durations.get(after, 0))
    return end + edge["lag"]


def dot_source(programme: Programme) -> str:
    """The dependency graph in Graphviz DOT, for a picture (services as boxes, lags on the arrows)."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph dependencies {", "  rankdir=LR;", "  node [shape=box, fontname=Arial];"]
    for service in programme.services:
        lines.append(f"  {quoted(service.id)} [label={quoted(service.name)}];")
    for dependency in programme.dependencies:
        words = {"start_to_start": "start+", "go_live_together": "go live together"}.get(dependency.kind, "+")
        text = words if dependency.kind == "go_live_together" else f"{words}{dependency.lag}"
        label = f" [label={quoted(text)}]" if dependency.lag or dependency.kind != "finish_to_start" else ""
        lines.append(f"  {quoted(dependency.before)} -> {quoted(dependency.after)}{label};")
    lines.append("}")
    return "\n".join(lines)
