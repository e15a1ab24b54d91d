"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing fetched by the browser.

Pure functions from numbers to markup. Every piece of text passes through ``html.escape``, so the
result may be marked safe in a template. Each chart carries a ``<title>`` and a ``<desc>`` for
screen readers, and a ``<title>`` on every bar (the browser's tooltip) with the exact number.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and dark enough on white.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#999999",
    "#000000",
)
FONT_FAMILY = "'WenQuanYi Micro Hei', sans-serif"
EMPTY_TEXT = "暂无数据"

WIDTH = 640
HEIGHT = 300
_TOP = 16
_BOTTOM = 44
_RIGHT = 12
_TICK_FONT = 11


@dataclass(frozen=True)
class Series:
    """One stacked layer: a name for the legend and one value per category."""

    name: str
    values: list[int]
    colour: str = ""


def nice_ticks(max_value: int, *, target: int = 5) -> list[int]:
    """Axis ticks from 0 at a round step (1, 2 or 5 × 10ⁿ) whose last tick reaches ``max_value``."""
    if max_value <= 0:
        return [0, 1]
    raw = max_value / target
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = magnitude
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step * target >= max_value:
            break
    top = -(-max_value // step) * step
    return list(range(0, top + 1, step))


def _text_width(text: str, size: int = _TICK_FONT) -> float:
    # A CJK glyph is about a full em wide, Latin digits about half: enough to reserve the margin.
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _chart_id(kind: str, title: str, payload: object) -> str:
    digest = hashlib.sha256(f"{kind}|{title}|{payload!r}".encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _open(*, chart_id: str, title: str, desc: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="gjj-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="{FONT_FAMILY}" '
        f'font-size="{_TICK_FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _empty(*, kind: str, title: str) -> str:
    chart_id = _chart_id(kind, title, None)
    parts = _open(chart_id=chart_id, title=title, desc=f"{title}：{EMPTY_TEXT}")
    parts.append(
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="none" '
        f'stroke="#bbbbbb" stroke-dasharray="4 3"/>'
    )
    parts.append(
        f'<text x="{WIDTH / 2:g}" y="{HEIGHT / 2:g}" text-anchor="middle" dominant-baseline="middle" '
        f'font-size="16" fill="#555555">{EMPTY_TEXT}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _check_values(values: Sequence[int]) -> None:
    for value in values:
        if value < 0:
            raise ValueError(f"图表数值不能为负数：{value}")


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    width: float
    height: float
    ticks: list[int]

    def y(self, value: float) -> float:
        return self.top + self.height - self.height * value / self.ticks[-1]


def _frame(*, max_value: int, value_format: Callable[[int], str], bottom: int = _BOTTOM) -> _Frame:
    ticks = nice_ticks(max_value)
    left = 10 + max(_text_width(value_format(t)) for t in ticks)
    return _Frame(
        left=left, top=_TOP, width=WIDTH - left - _RIGHT, height=HEIGHT - _TOP - bottom, ticks=ticks
    )


def _axes(frame: _Frame, value_format: Callable[[int], str]) -> list[str]:
    parts = ['<g class="axis" fill="#333333">']
    for tick in frame.ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.left + frame.width:.1f}" '
            f'y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(
            f'<text x="{frame.left - 6:.1f}" y="{y:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(value_format(tick))}</text>'
        )
    baseline = frame.top + frame.height
    parts.append(
        f'<line x1="{frame.left:.1f}" y1="{baseline:.1f}" x2="{frame.left + frame.width:.1f}" '
        f'y2="{baseline:.1f}" stroke="#333333"/>'
    )
    parts.append("</g>")
    return parts


def _category_labels(frame: _Frame, labels: Sequence[str], slot: float) -> list[str]:
    # Thirty day labels do not fit side by side: show every n-th, each bar keeps its own tooltip.
    widest = max(_text_width(label) for label in labels)
    every = max(1, math.ceil((widest + 6) / slot))
    y = frame.top + frame.height + 16
    parts = ['<g class="labels" fill="#333333">']
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = frame.left + slot * (index + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</g>")
    return parts


def stacked_bar_chart(*, title: str, categories: list[str], series: list[Series]) -> str:
    """Bars per category made of one segment per series (applications per day by channel)."""
    for layer in series:
        if len(layer.values) != len(categories):
            raise ValueError(f"数据系列“{layer.name}”的数值个数与类别个数不一致")
        _check_values(layer.values)
    totals = [sum(layer.values[i] for layer in series) for i in range(len(categories))]
    if not categories or not series or max(totals) == 0:
        return _empty(kind="stacked", title=title)

    grand_total = sum(totals)
    names = "、".join(layer.name for layer in series)
    desc = f"{title}：共 {len(categories)} 个类别（{categories[0]} 至 {categories[-1]}），按{names}分层，合计 {grand_total}。"
    chart_id = _chart_id("stacked", title, (categories, [(s.name, s.values) for s in series]))
    parts = _open(chart_id=chart_id, title=title, desc=desc)
    frame = _frame(max_value=max(totals), value_format=str, bottom=_BOTTOM + 8)
    parts += _axes(frame, str)

    slot = frame.width / len(categories)
    bar = max(1.0, slot * 0.7)
    colours = [layer.colour or PALETTE[i % len(PALETTE)] for i, layer in enumerate(series)]
    parts.append('<g class="bars">')
    for index, category in enumerate(categories):
        x = frame.left + slot * index + (slot - bar) / 2
        parts.append(f'<g class="bar"><title>{escape(f"{category} 合计：{totals[index]}")}</title>')
        running = 0
        for layer, colour in zip(series, colours, strict=True):
            value = layer.values[index]
            if value == 0:
                continue
            y_top, y_bottom = frame.y(running + value), frame.y(running)
            running += value
            label = f"{category} {layer.name}：{value}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{escape(colour)}">'
                f"<title>{escape(label)}</title></rect>"
            )
        parts.append("</g>")
    parts.append("</g>")
    parts += _category_labels(frame, categories, slot)

    # The legend sits under the labels, left to right.
    legend_y = HEIGHT - 10
    x = frame.left
    parts.append('<g class="legend" fill="#333333">')
    for layer, colour in zip(series, colours, strict=True):
        parts.append(
            f'<rect x="{x:.1f}" y="{legend_y - 9:.1f}" width="10" height="10" fill="{escape(colour)}"/>'
        )
        parts.append(f'<text x="{x + 14:.1f}" y="{legend_y:.1f}">{escape(layer.name)}</text>')
        x += 14 + _text_width(layer.name) + 16
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def _simple_bars(
    *,
    kind: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    value_format: Callable[[int], str],
    gap: float,
    distinct_colours: bool = False,
) -> str:
    if len(labels) != len(values):
        raise ValueError("图表的标签个数与数值个数不一致")
    _check_values(values)
    if not values or max(values) == 0:
        return _empty(kind=kind, title=title)

    desc = f"{title}：" + "；".join(
        f"{label} {value_format(value)}" for label, value in zip(labels, values, strict=True)
    )
    chart_id = _chart_id(kind, title, (list(labels), list(values)))
    parts = _open(chart_id=chart_id, title=title, desc=desc)
    frame = _frame(max_value=max(values), value_format=value_format)
    parts += _axes(frame, value_format)

    slot = frame.width / len(values)
    bar = max(1.0, slot * (1 - gap))
    show_values = len(values) <= 12
    parts.append('<g class="bars">')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = frame.left + slot * index + (slot - bar) / 2
        colour = PALETTE[index % len(PALETTE)] if distinct_colours else PALETTE[0]
        text = value_format(value)
        y_top = frame.y(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
            f'height="{frame.top + frame.height - y_top:.1f}" fill="{colour}" stroke="#ffffff">'
            f"<title>{escape(f'{label}：{text}')}</title></rect>"
        )
        if show_values:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y_top - 4:.1f}" text-anchor="middle" '
                f'fill="#333333">{escape(text)}</text>'
            )
    parts.append("</g>")
    parts += _category_labels(frame, labels, slot)
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    value_format: Callable[[int], str] = str,
    distinct_colours: bool = False,
) -> str:
    """One bar per label (decision outcomes; amounts paid per day, with ``value_format`` for 元).

    ``distinct_colours`` gives each bar its own palette colour, for labels that are kinds rather
    than points on a scale; the colours repeat after eight bars.
    """
    return _simple_bars(
        kind="bar",
        title=title,
        labels=labels,
        values=values,
        value_format=value_format,
        gap=0.3,
        distinct_colours=distinct_colours,
    )


def histogram(*, title: str, buckets: list[tuple[str, int]]) -> str:
    """Adjacent bars of counts per range (time to decision, time to payment)."""
    return _simple_bars(
        kind="histogram",
        title=title,
        labels=[label for label, _ in buckets],
        values=[count for _, count in buckets],
        value_format=str,
        gap=0.04,
    )
