"""Server-rendered SVG charts: horizontal bars, grouped or stacked, with no JavaScript and no CDN.

Accessible by construction: ``role="img"`` with a ``<title>`` and the report's one-line summary as
``<desc>`` (both referenced by ``aria-labelledby``), every bar's value written next to it, and the
Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies. Every text
is escaped here, so the result is safe markup even when labels come from users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe & Ito (2008), "Color Universal Design": safe for protanopia, deuteranopia and tritanopia.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_SERIES = len(PALETTE)

_WIDTH = 720
_LABEL_WIDTH = 180
_VALUE_ROOM = 70
_BAR = 16
_GAP = 10
_LEGEND_ROW = 22


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _legend(series: Sequence[Series], top: int) -> list[str]:
    parts = []
    x = _LABEL_WIDTH
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{top}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{top + 11}" font-size="12">{escape(one.name)}</text>'
        )
        x += 28 + 7 * len(one.name)
    return parts


def bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    stacked: bool = False,
) -> Markup:
    """One row per category; one bar per series (side by side), or one bar of stacked segments."""
    series = list(series)[:MAX_SERIES]
    totals = [
        sum(one.values[row] or 0 for one in series)
        if stacked
        else max((one.values[row] or 0 for one in series), default=0)
        for row in range(len(categories))
    ]
    largest = max(totals, default=0) or 1
    scale = (_WIDTH - _LABEL_WIDTH - _VALUE_ROOM) / largest
    bars_per_row = 1 if stacked else max(1, len(series))
    row_height = bars_per_row * _BAR + _GAP
    legend_height = _LEGEND_ROW if len(series) > 1 else 0
    height = max(40, legend_height + len(categories) * row_height + _GAP)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" font-family="sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
    ]
    if legend_height:
        parts.extend(_legend(series, 4))
    if not categories:
        parts.append(
            f'<text x="10" y="{legend_height + 24}" font-size="13">No data for these filters.</text>'
        )
    for row, category in enumerate(categories):
        top = legend_height + _GAP + row * row_height
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{top + bars_per_row * _BAR / 2 + 4}" font-size="12" '
            f'text-anchor="end">{escape(category[:28])}</text>'
        )
        offset = 0.0
        for index, one in enumerate(series):
            value = one.values[row] or 0
            colour = PALETTE[index % len(PALETTE)]
            width = value * scale
            y = top if stacked else top + index * _BAR
            x = _LABEL_WIDTH + offset
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_BAR - 2}" fill="{colour}">'
                f"<title>{escape(one.name)}: {_number(value)}{escape(unit)}</title></rect>"
            )
            if stacked:
                offset += width
            else:
                parts.append(
                    f'<text x="{x + width + 4:.1f}" y="{y + _BAR - 4}" font-size="11">'
                    f"{'-' if one.values[row] is None else _number(value) + str(escape(unit))}</text>"
                )
        if stacked:
            parts.append(
                f'<text x="{_LABEL_WIDTH + offset + 4:.1f}" y="{top + _BAR - 4}" font-size="11">'
                f"{_number(totals[row])}{escape(unit)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()
