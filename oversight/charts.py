"""Charts drawn on the server as SVG (issue 15): no chart library in the browser, nothing to run there.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (which states the
figures in words), and the page puts the same figures in a table beside it: the table is the chart's accessible
alternative and what an export holds. Only presentation attributes (no ``style``), so the Content-Security-Policy
needs nothing for them. Pure functions: data in, markup out, every text escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK colours (the Design System palette), distinguishable and with 3:1 contrast against white.
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#28a197", "#5694ca", "#6f72af", "#b58840",
           "#505a5f"]
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]  # None: no figure for that point (a month with nothing due)


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'class="app-chart" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def stacked_bars(*, chart_id: str, title: str, categories: list[str], series: list[Series],
                 description: str) -> SafeString:
    """Horizontal bars, one per category (a stage), stacked by series (business groups), with a legend."""
    label_width, bar_height, gap, width = 230, 22, 10, 760
    plot_width = width - label_width - 60
    legend_rows = (len(series) + 2) // 3
    top = 10
    height = top + len(categories) * (bar_height + gap) + 20 + legend_rows * 22
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(categories))]
    biggest = max(totals + [1])
    body = []
    for index, category in enumerate(categories):
        y = top + index * (bar_height + gap)
        body.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="14" '
                    f'fill="{TEXT}">{escape(category)}</text>')
        x = float(label_width)
        for number, item in enumerate(series):
            value = item.values[index] or 0
            if value:
                bar = plot_width * value / biggest
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
                            f'fill="{PALETTE[number % len(PALETTE)]}"><title>{escape(category)}, '
                            f'{escape(item.label)}: {value:g}</title></rect>')
                x += bar
        body.append(f'<text x="{x + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="14" fill="{TEXT}">'
                    f'{totals[index]:g}</text>')
    legend_top = top + len(categories) * (bar_height + gap) + 10
    for number, item in enumerate(series):
        x = 10 + (number % 3) * 250
        y = legend_top + (number // 3) * 22
        body.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{PALETTE[number % len(PALETTE)]}"/>'
                    f'<text x="{x + 20}" y="{y + 12}" font-size="13" fill="{TEXT}">{escape(item.label[:34])}</text>')
    return _svg(chart_id, width, height, title, description, body)


def percent_lines(*, chart_id: str, title: str, labels: list[str], series: list[Series],
                  description: str) -> SafeString:
    """Percentages (0 to 100) over time: one line per series, a gap where a point has no figure."""
    # Room on the right for half of the last month's label, centred on the last point ("Sep 2026" was cut off).
    width, height, left, right, top, bottom = 760, 300, 50, 40, 16, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - percent / 100)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
                    f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                    f'fill="{TEXT}">{percent}%</text>')
    for index, label in enumerate(labels):
        x = left + index * step
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" '
                    f'fill="{TEXT}">{escape(label)}</text>')
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        segment: list[str] = []
        segments = []
        for index, value in enumerate(item.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            x, y = left + index * step, top + plot_h * (1 - value / 100)
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(item.label)}, '
                        f'{escape(labels[index])}: {value:.1f}%</title></circle>')
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                            f'stroke-width="3"/>')
        legend_x = left + number * 260
        body.append(f'<rect x="{legend_x}" y="{height - 22}" width="14" height="14" fill="{colour}"/>'
                    f'<text x="{legend_x + 20}" y="{height - 10}" font-size="13" fill="{TEXT}">'
                    f'{escape(item.label)}</text>')
    return _svg(chart_id, width, height, title, description, body)
