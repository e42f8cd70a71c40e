"""Charts of a plan: an interactive plotly Gantt (HTML) and static matplotlib figures (PNG) for
documents.  Services on rows, colour by provider, exceptions marked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pandas as pd

from engine.base.errors import SsplanError
from engine.io.atomic import atomic_write
from engine.plan.result import PlanResult, stage_rows, usage
from engine.plan.windows import capacity_windows
from engine.present.escape import html_text, terminal_text
from engine.present.words import option_name, pounds_rounded
from engine.programme.model import Programme

EXCEPTION_MARK = " (exception)"
# Okabe and Ito's colour-blind-safe palette, then tab10's others: a partner keeps its colour
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#882255",
    "#8c564b", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def partner_colours(programme: Programme) -> dict[str, str]:
    """One colour per partner, by its place in the programme's partner list: the same partner has
    the same colour in every chart and every run (plotly would colour by order of appearance, so a
    partner's colour changed when the plan's first row changed)."""
    return {p.id: PALETTE[i % len(PALETTE)] for i, p in enumerate(programme.partners)}


def provider_colours(programme: Programme) -> dict[str, str]:
    """:func:`partner_colours` keyed by the partner's name, as the charts label providers."""
    colours = partner_colours(programme)
    return {html_text(p.name): colours[p.id] for p in programme.partners}


def _rows(result: PlanResult) -> pd.DataFrame:
    """One bar per change, and per stage of a staged path (on its service's row, in the stage's
    provider's colour, marked if that stage is an exception)."""
    frame = _stage_bars(result)
    frame["label"] = frame["service_name"] + frame["service_exception"].map({True: EXCEPTION_MARK, False: ""})
    frame["begin"] = pd.to_datetime(frame["start_date"])
    frame["end"] = pd.to_datetime(frame["finish_date"]) + timedelta(days=1)
    return frame


def _stage_bars(result: PlanResult) -> pd.DataFrame:
    frame = result.to_frame()
    if frame.empty or result.plan is None or result.programme is None:
        raise SsplanError.one("there is no plan to draw")
    programme, by_service = result.programme, result.plan.by_service()
    rows = []
    for _, row in frame.iterrows():
        for stage in stage_rows(programme, by_service[row["service"]]):
            rows.append({**row.to_dict(), **stage, "service_exception": row["exception"]})
    return pd.DataFrame(rows)


def gantt_figure(result: PlanResult):  # -> plotly.graph_objects.Figure
    import plotly.express as px

    frame = _rows(result)
    assert result.programme is not None
    programme = result.programme
    frame["option"] = frame["option"].map(lambda o: option_name(programme, str(o)))
    frame["model"] = frame["model"].map(lambda m: str(m).replace("_", " "))
    # plotly reads labels as HTML (<b>, <a href>): every name is text, escaped as such
    for column in ("label", "provider_name", "option", "model", "start_label", "finish_label"):
        frame[column] = frame[column].map(html_text)
    figure = px.timeline(
        frame,
        x_start="begin",
        x_end="end",
        y="label",
        color="provider_name",
        color_discrete_map=provider_colours(programme),
        hover_data={
            "option": True,
            "model": True,
            "start_label": True,
            "finish_label": True,
            "begin": False,
            "end": False,
            "label": False,
        },
        labels={
            "provider_name": "provider",
            "label": "service",
            "option": "option",
            "start_label": "start",
            "finish_label": "finish",
        },
        title=html_text(
            f"Implementation plan: {result.programme.name if result.programme else ''} ({result.status_text})"
        ),
    )
    figure.update_yaxes(autorange="reversed")
    for _, row in frame[frame["exception"]].iterrows():
        figure.add_annotation(
            x=row["begin"],
            y=row["label"],
            text="exception",
            showarrow=False,
            xanchor="left",
            font={"size": 10, "color": "black"},
        )
    return figure


def usage_figure(result: PlanResult):  # -> plotly.graph_objects.Figure
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    assert result.plan is not None and result.programme is not None
    programme, plan = result.programme, result.plan
    used = usage(plan, programme)
    labels = [programme.horizon.label(t) for t in range(plan.periods)]
    pools = list(programme.resources)
    figure = make_subplots(
        rows=max(1, len(pools)), cols=1, shared_xaxes=True, subplot_titles=[html_text(p.name) for p in pools]
    )
    for i, pool in enumerate(pools, start=1):
        figure.add_trace(
            go.Bar(x=labels, y=used[pool.id], name=html_text(f"{pool.name} used"), showlegend=False),
            row=i,
            col=1,
        )
        if pool.per == "period":
            limits = [w.limit for w in capacity_windows(programme, pool.id, plan.periods)]
            figure.add_trace(
                go.Scatter(
                    x=labels,
                    y=limits,
                    mode="lines",
                    line={"dash": "dash"},
                    name=html_text(f"{pool.name} capacity"),
                    showlegend=False,
                ),
                row=i,
                col=1,
            )
    # the title and each subplot's heading take about 150 px of their own: a plot of one pool at
    # 220 px in all was squashed to a strip with its axis numbers on top of each other
    figure.update_layout(
        title="Resource use per period (dashed: capacity)", height=150 + 220 * max(1, len(pools))
    )
    for i, pool in enumerate(pools, start=1):
        figure.update_yaxes(title_text=pool.unit, nticks=5, rangemode="tozero", row=i, col=1)
    return figure


def gantt_png(result: PlanResult, path: str | Path) -> None:
    """A static Gantt for documents (matplotlib: no browser needed)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    frame = _rows(result)
    assert result.programme is not None
    colours = partner_colours(result.programme)
    by_name = {p.name: colours[p.id] for p in result.programme.partners}
    providers = list(dict.fromkeys(frame["provider_name"]))
    labels = list(dict.fromkeys(frame["label"]))  # a staged service's bars share its row
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(labels) + 1.5), dpi=150)
    for _, row in frame.iterrows():
        y = labels.index(row["label"])
        start = mdates.date2num(row["begin"])
        width = mdates.date2num(row["end"]) - start
        ax.barh(
            y,
            width,
            left=start,
            color=by_name[row["provider_name"]],
            hatch="//" if row["exception"] else None,
            edgecolor="black",
            linewidth=0.5,
        )
    ax.set_yticks(range(len(labels)), [_plain(label) for label in labels], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.tick_params(axis="x", labelsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=by_name[p]) for p in providers]
    ax.legend(
        handles,
        [_plain(p) for p in providers],
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=min(4, len(providers)),
        frameon=False,
    )
    ax.set_title("High-level implementation plan (hatched: exception)", fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    atomic_write(path, buffer.getvalue())


def _plain(text: object) -> str:
    """A name for a matplotlib label: ``$`` would start mathematics, control characters have no glyph."""
    return terminal_text(text).replace("\t", " ").replace("$", r"\$")


def write_gantt(result: PlanResult, path: str | Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        gantt_png(result, path)
    elif suffix in (".html", ".htm"):
        title = html_text(result.programme.name if result.programme else "plan")
        body = gantt_figure(result).to_html(include_plotlyjs=True, full_html=False)
        body += usage_figure(result).to_html(include_plotlyjs=False, full_html=False)
        atomic_write(
            path,
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{body}</body></html>",
        )
    else:
        raise SsplanError.one(f"unknown chart type `{path.suffix}`; expected .html or .png", file=str(path))


def tornado_figure(tornado: pd.DataFrame, criterion_names: Mapping[str, str]):  # -> plotly Figure
    """The sensitivity tornado: for each weight at half (left) and one and a half times (right)
    its value, how many recommendations change and how many places the priority order moves.

    Bars keep the engine's order (largest effect first, at the top).  Both measures are drawn:
    a weight can change recommendations without moving the order (Lancaster's three services),
    and a chart of the order alone was then empty beside a table that said otherwise."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    labels = [html_text(criterion_names.get(str(c), str(c))) for c in tornado["criterion"]]
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        subplot_titles=("Recommendations changed", "Places moved in the priority order"),
    )
    for col, measure in ((1, "recommendations changed"), (2, "priority shift")):
        for side, sign, colour, name in (
            ("low", -1, "#56B4E9", "weight × 0.5"),
            ("high", 1, "#D55E00", "weight × 1.5"),
        ):
            values = [int(v) for v in tornado[f"{side}: {measure}"]]
            figure.add_trace(
                go.Bar(
                    y=labels,
                    x=[sign * v for v in values],
                    text=[str(v) if v else "" for v in values],
                    orientation="h",
                    name=name,
                    marker_color=colour,
                    showlegend=col == 1,
                    hovertemplate=f"%{{y}}: {name}: %{{text}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    figure.update_layout(barmode="relative", height=120 + 45 * len(labels), legend={"orientation": "h"})
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    for col, measure in ((1, "recommendations changed"), (2, "priority shift")):
        most = max(1, *(int(v) for side in ("low", "high") for v in tornado[f"{side}: {measure}"]))
        ticks = sorted({round(most * k / 4) for k in range(-4, 5)})  # counts both ways, never negative
        figure.update_xaxes(
            range=[-most * 1.1, most * 1.1],
            tickvals=ticks,
            ticktext=[str(abs(t)) for t in ticks],
            zeroline=True,
            zerolinecolor="#444",
            row=1,
            col=col,
        )
    return figure


def _wrapped(text: str, width: int = 24) -> str:
    """A long category label on several lines (plotly's ``<br>``), each part escaped, so it fits
    under its bars instead of running into the next one or being cut off."""
    import textwrap

    return "<br>".join(html_text(line) for line in textwrap.wrap(text, width) or [""])


def money_bars_figure(frame: pd.DataFrame, label: str, columns: Mapping[str, str]):  # -> plotly Figure
    """Grouped £ bars, one group per row of ``frame`` in the order given (the order the user chose,
    never alphabetical), each bar labelled as officers write money (£2.20 m) and the axis in £."""
    import plotly.graph_objects as go

    figure = go.Figure()
    rows = [_wrapped(str(v)) for v in frame[label]]
    for (column, title), colour in zip(columns.items(), PALETTE, strict=False):
        values = [float(v) if v == v else 0.0 for v in frame[column]]
        figure.add_trace(
            go.Bar(
                x=rows,
                y=values,
                name=html_text(title),
                marker_color=colour,
                text=[pounds_rounded(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{text}<extra>" + html_text(title) + "</extra>",
            )
        )
    figure.update_layout(barmode="group", yaxis={"tickprefix": "£", "tickformat": ",.0f"}, margin={"t": 40})
    figure.update_xaxes(categoryorder="array", categoryarray=rows, automargin=True, tickangle=0)
    return figure
