"""Print-friendly pygal charts (black/grey, Vietnamese labels) as SVG data URLs."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from .formatting import change, nfc, vn_change, vn_number
from .model import IndicatorLine, UnitRow

FONT_FAMILY = "Liberation Serif"
MAX_BARS = 12  # beyond this a chart stops being readable on A4; the table has the rest
WIDTH = 800


@dataclass(frozen=True)
class Chart:
    title: str
    caption: str
    data_url: str


def _style(colors=("#3a3a3a", "#b5b5b5")):
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#000000",
        foreground_strong="#000000",
        foreground_subtle="#9a9a9a",
        opacity="1",
        opacity_hover="1",
        colors=colors,
        font_family=FONT_FAMILY,
        label_font_size=LABEL_FONT,
        major_label_font_size=LABEL_FONT,
        value_font_size=VALUE_FONT,
        legend_font_size=17,
        title_font_size=18,
        tooltip_font_size=12,
    )


_VALUE_TEXT = re.compile(rb'<text text-anchor="middle" x="([-0-9.]+)"( y="[-0-9.]+" class="value")')


def _values_after_bars(svg: bytes) -> bytes:
    """pygal centres printed values on the bar's end, half over the bar; in black and
    white print they must sit just after it."""
    return _VALUE_TEXT.sub(
        lambda m: b'<text text-anchor="start" x="%.2f"%s' % (float(m[1]) + 6, m[2]), svg
    )


def _data_url(svg: bytes) -> str:
    svg = _values_after_bars(svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


# Liberation Serif advance widths in em (digits 0.5); other letters taken as 0.5 (a bound
# for lowercase Vietnamese, which is narrower on average).
_EM = {".": 0.25, ",": 0.25, " ": 0.25, "(": 0.333, ")": 0.333, "-": 0.333, "+": 0.564, "%": 0.833}
VALUE_FONT = 16
LABEL_FONT = 17
BAR_PX = 34          # per bar of a unit chart: 12 bars and their title take under 100 mm of A4
PAIR_PX = 66         # per indicator of the comparison chart (two bars)
MARGIN = 8
SPACING = 12


def text_px(text: str, font_px: float) -> float:
    return sum(_EM.get(ch, 0.5) for ch in text) * font_px


def axis_top(bars: list[tuple[float, str]], labels: list[str]) -> float:
    """The value axis' end such that every bar's printed value fits after it inside the plot
    (pygal would clip it: "29.410 (197%"). `bars`: (value, printed text)."""
    # pygal's own reckoning of the label column: 0.6 em a character, after `spacing`
    plot = WIDTH - 2 * MARGIN - SPACING - max((len(lab) * 0.6 * LABEL_FONT for lab in labels), default=0)
    top = max((v for v, _ in bars), default=1.0) or 1.0
    for value, text in bars:
        room = plot - 6 - text_px(text, VALUE_FONT) - 8
        if room > 0:
            top = max(top, value * plot / room)
    return top


def _common(height: int, top: float, colors=("#3a3a3a", "#b5b5b5"), **extra):
    return dict(
        range=(0, top),  # axis_top: room after the longest bar for its printed value
        width=WIDTH,
        height=height,
        style=_style(colors),
        js=[],  # no script tags: the PDF needs none, and nothing may be fetched
        disable_xml_declaration=False,
        truncate_label=-1,
        truncate_legend=-1,
        print_values=True,
        print_values_position="top",
        show_x_guides=False,
        show_y_guides=False,
        show_x_labels=False,  # HorizontalBar swaps axes: this hides the value axis;
        # the figures are printed after each bar instead
        value_formatter=lambda v: vn_number(int(round(v))) if v is not None else "",
        margin=MARGIN,
        spacing=SPACING,
        **extra,
    )


def chart_rows(unit_rows: list[UnitRow]) -> list[UnitRow]:
    """Units compared in charts: the level under the ministry (no double counting)."""
    level1 = [r for r in unit_rows if r.depth == 1]
    return level1 or [r for r in unit_rows if r.depth > 0] or list(unit_rows)


def unit_bars(line: IndicatorLine, unit_rows: list[UnitRow]) -> tuple[list[tuple[str, int]], str] | None:
    """The bars of one indicator by unit, largest first (at most MAX_BARS), and the caption saying
    how many were left out; None when no unit has a figure. The PDF's and the DOCX's charts alike."""
    points = [(nfc(r.name), r.values.get(line.code)) for r in chart_rows(unit_rows)]
    points = [(name, v) for name, v in points if v]
    if not points:
        return None
    points.sort(key=lambda p: (-p[1], p[0]))
    shown = points[:MAX_BARS]
    caption = ""
    if len(points) > len(shown):
        caption = f"{len(shown)} đơn vị có số liệu cao nhất trên tổng số {len(points)} đơn vị"
    return shown, caption


def unit_bar_chart(line: IndicatorLine, unit_rows: list[UnitRow]) -> Chart | None:
    import pygal

    bars = unit_bars(line, unit_rows)
    if bars is None:
        return None
    shown, caption = bars
    shown.reverse()  # pygal draws the first label at the bottom: largest on top
    labels = [name for name, _ in shown]
    top = axis_top([(v, vn_number(v)) for _, v in shown], labels)
    chart = pygal.HorizontalBar(**_common(height=30 + BAR_PX * len(shown), top=top, show_legend=False))
    chart.x_labels = [name for name, _ in shown]
    chart.add(nfc(line.label), [v for _, v in shown])
    return Chart(
        title=nfc(f"{line.label} ({line.unit})"),
        caption=nfc(caption),
        data_url=_data_url(chart.render()),
    )


def comparison_chart(
    lines: list[IndicatorLine], period_label: str, previous_label: str
) -> Chart | None:
    """Previous period = 100 for every indicator, so 30 plans and 15.000 citizens share one
    axis; the printed labels carry the real figures."""
    import pygal

    usable = [ln for ln in lines if ln.previous]
    if not usable:
        return None
    usable = list(reversed(usable))
    printed = [(ln.total * 100.0 / ln.previous, f"{vn_number(ln.total)} ({vn_change(change(ln.total, ln.previous)[1])})")
               for ln in usable] + [(100.0, vn_number(ln.previous)) for ln in usable]
    chart = pygal.HorizontalBar(
        **_common(
            height=100 + PAIR_PX * len(usable),
            top=axis_top(printed, [nfc(ln.label) for ln in usable]),
            colors=("#b5b5b5", "#3a3a3a"),
            show_legend=True,
            legend_at_bottom=True,
            legend_at_bottom_columns=1,
            legend_box_size=14,
        )
    )
    chart.x_labels = [nfc(ln.label) for ln in usable]
    # short legend entries (a long one runs past the chart's edge); the periods go in the caption
    chart.add(
        "Kỳ trước",
        [
            {"value": 100.0, "formatter": lambda _v, n=ln.previous: vn_number(n)}
            for ln in usable
        ],
    )
    chart.add(
        "Kỳ này",
        [
            {
                "value": ln.total * 100.0 / ln.previous,
                # the change as the tables and the text write it ("+97,4%"), never the ratio ("197%")
                "formatter": lambda _v, n=ln.total, p=ln.previous: f"{vn_number(n)} ({vn_change(change(n, p)[1])})",
            }
            for ln in usable
        ],
    )
    return Chart(
        title="So sánh với kỳ trước (kỳ trước = 100%)",
        caption=nfc(f"Kỳ này: {period_label}; kỳ trước: {previous_label}. Số ghi trên cột là số liệu thực tế; "
                    "trong ngoặc: tăng (+), giảm (-) so với kỳ trước"),
        data_url=_data_url(chart.render()),
    )
