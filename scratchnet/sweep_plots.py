"""Plotly figures of a sweep's results (``scratchnet.sweep.run_sweep``'s DataFrame).

Pure functions, DataFrame in, Figure out, so a test can call them without a server:

* ``neurons_figure``: mean test accuracy against hidden neurons with a band of one
  standard deviation, every trial as a dot, and the mean training accuracy beside it
  (test below train means overfitting).
* ``repeated_runs_figure``: a histogram of the test accuracies of one configuration
  trained many times, its mean and standard deviation, and a published reference.
* ``grid_heatmap``: mean test accuracy over learning rate x hidden neurons.

A regression sweep's DataFrame (train_r2, test_r2) gets the same figures of R² instead.

Nothing here imports Streamlit, and Plotly is imported inside the builders only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scratchnet.plots import CURVE_COLORS
from scratchnet.sweep import score_name, summarize

if TYPE_CHECKING:
    import plotly.graph_objects as go

REFERENCE_COLOR = "#0877BD"  # the blog's published numbers, in the Playground's class blue
# One colour per learning rate when a figure shows several (Okabe-Ito, as scratchnet.plots)
RATE_COLORS = ("#E07B00", "#0877BD", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#666666")

#: How each score reads on a figure (``sweep.score_name``): its name and its tick format.
SCORE_LABELS = {"acc": ("accuracy", ".0%"), "r2": ("R²", ".2f")}

_LAYOUT = {
    "margin": {"l": 60, "r": 10, "t": 40, "b": 50},
    "plot_bgcolor": "white",
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "traceorder": "normal"},
}


def _check(df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = set(columns) - set(df.columns)
    if missing:
        raise ValueError(
            f"This figure needs run_sweep's DataFrame; missing columns {sorted(missing)}."
        )


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def neurons_figure(df: pd.DataFrame, *, height: int = 420) -> go.Figure:
    """Accuracy (R² for a regression sweep) against the number of hidden neurons, one set
    of traces per learning rate.

    df : ``run_sweep``'s DataFrame (hidden_size, learning_rate, trial, train_acc, test_acc;
    or train_r2, test_r2). Traces for each rate: "± 1 std" (the band, two traces), "test
    mean", "trials" (one dot a network) and "train mean" (dashed). Names carry the rate
    when there are several.
    """
    import plotly.graph_objects as go

    score = score_name(df)
    test, train = f"test_{score}", f"train_{score}"
    label, ticks = SCORE_LABELS[score]
    _check(df, ("hidden_size", "learning_rate", test, train))
    fig = go.Figure()
    summary = summarize(df) if len(df) else None
    rates = [] if summary is None else sorted(summary.learning_rate.unique())
    for i, rate in enumerate(rates):
        s = summary[summary.learning_rate == rate]
        runs = df[df.learning_rate == rate]
        tag = f" (lr {rate:g})" if len(rates) > 1 else ""
        color = CURVE_COLORS["test"] if len(rates) == 1 else RATE_COLORS[i % len(RATE_COLORS)]
        train_color = CURVE_COLORS["train"] if len(rates) == 1 else color
        x = s.hidden_size.tolist()
        mean, std = s[f"{test}_mean"], s[f"{test}_std"]
        upper, lower = (mean + std).tolist(), (mean - std).tolist()
        fig.add_trace(
            go.Scatter(
                x=x,
                y=upper,
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
                name=f"+1 std{tag}",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=lower,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=_rgba(color, 0.18),
                name=f"± 1 std{tag}",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                mode="lines+markers",
                name=f"test mean{tag}",
                line={"color": color, "width": 2.5},
                customdata=std,
                hovertemplate=f"%{{x}} neurons: test {label} %{{y:.4f}} ± %{{customdata:.4f}}"
                "<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=runs.hidden_size,
                y=runs[test],
                mode="markers",
                name=f"trials{tag}",
                marker={"color": _rgba(color, 0.45), "size": 6},
                customdata=runs.seed,
                hovertemplate=f"%{{x}} neurons, seed %{{customdata}}: test {label} %{{y:.4f}}"
                "<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=s[f"{train}_mean"],
                mode="lines",
                name=f"train mean{tag}",
                line={"color": train_color, "width": 1.5, "dash": "dash"},
                hovertemplate=f"%{{x}} neurons: train {label} %{{y:.4f}}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "hidden neurons", "gridcolor": "#eee"},
        yaxis={"title": label, "tickformat": ticks, "gridcolor": "#eee"},
        height=height,
        **_LAYOUT,
    )
    return fig


def repeated_runs_figure(
    df: pd.DataFrame,
    reference: tuple[float, float] | None = None,
    reference_label: str = "published",
    *,
    height: int = 380,
) -> go.Figure:
    """A histogram of test accuracies (test R² for a regression sweep), the runs' mean ± std,
    and optionally a reference.

    df : ``run_sweep``/``repeated_runs``' DataFrame (column test_acc, or test_r2).
    reference : (mean, std) to compare with, such as the blog's (0.94541, 0.019558).
    Traces: "runs" (the histogram), "mean ± std", and ``reference_label`` if given.
    Standard deviations are population ones (ddof=0), as the blog's.
    """
    import plotly.graph_objects as go

    score = score_name(df)
    label, ticks = SCORE_LABELS[score]
    _check(df, (f"test_{score}",))
    acc = df[f"test_{score}"].to_numpy(dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Histogram(
            x=acc,
            name="runs",
            marker={"color": CURVE_COLORS["test"]},
            opacity=0.75,
            nbinsx=min(40, max(5, len(acc) // 2)),
        )
    )
    lines = []
    if len(acc):
        lines.append(("mean ± std", float(np.mean(acc)), float(np.std(acc)), "#333333"))
    if reference is not None:
        lines.append((reference_label, float(reference[0]), float(reference[1]), REFERENCE_COLOR))
    for row, (name, mean, std, color) in enumerate(lines):
        # a horizontal error bar above the bars, one row each: the mean and one std either side
        fig.add_trace(
            go.Scatter(
                x=[mean],
                y=[1.08 - 0.06 * row],
                yaxis="y2",
                mode="markers",
                name=name,
                marker={"color": color, "size": 10, "symbol": "diamond"},
                error_x={"type": "constant", "value": std, "color": color, "thickness": 2},
                hovertemplate=f"{name}: {mean:.5f} ± {std:.5f}<extra></extra>",
            )
        )
        fig.add_vline(x=mean, line={"color": color, "dash": "dash", "width": 1.5})
    fig.update_layout(
        xaxis={"title": f"test {label}", "tickformat": ".1%" if score == "acc" else ticks},
        yaxis={"title": "runs"},
        yaxis2={"overlaying": "y", "range": [0, 1.12], "visible": False},
        bargap=0.05,
        height=height,
        **_LAYOUT,
    )
    return fig


def grid_heatmap(df: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Mean test accuracy (test R² for a regression sweep) over learning rate (rows) x
    hidden neurons (columns).

    df : ``run_sweep``'s DataFrame from a sweep with ``learning_rates``. One Heatmap trace;
    rates are labelled as text rows (they are usually powers of ten apart).
    """
    import plotly.graph_objects as go

    score = score_name(df)
    label, ticks = SCORE_LABELS[score]
    _check(df, ("hidden_size", "learning_rate", f"test_{score}", f"train_{score}"))
    fig = go.Figure()
    if len(df):
        table = summarize(df).pivot(
            index="learning_rate", columns="hidden_size", values=f"test_{score}_mean"
        )
        fig.add_trace(
            go.Heatmap(
                z=table.to_numpy(),
                x=[str(h) for h in table.columns],
                y=[f"{r:g}" for r in table.index],
                colorscale="Viridis",
                colorbar={
                    "title": "test acc" if score == "acc" else f"test {label}",
                    "tickformat": ticks,
                },
                hovertemplate="lr %{y}, %{x} neurons: %{z:.4f}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "hidden neurons", "type": "category"},
        yaxis={"title": "learning rate", "type": "category"},
        height=height,
        margin=_LAYOUT["margin"],
    )
    return fig
