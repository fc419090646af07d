"""The summary's charts as PNG for the DOCX (python-docx takes no SVG), drawn with Pillow
(already installed: WeasyPrint depends on it) from the same figures and the same choices as
charts.py: units one level under the ministry, largest first, at most MAX_BARS, figures
printed after each bar; the comparison with the previous period scaled to 100.

Pillow, not an SVG rasteriser: cairosvg would need the Cairo C library at run time (not in
the Lambda image); Pillow's wheels carry FreeType, and the bundled Liberation Serif fonts
give the charts the document's own face. Black and grey only (printed in black and white).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from .charts import unit_bars
from .formatting import change, nfc, vn_change, vn_number
from .model import IndicatorLine, UnitRow
from .render import ASSETS_DIR

FONTS_DIR = ASSETS_DIR / "fonts"  # the documents' bundled Liberation Serif (in Lambda: /var/task/templates)
PX_PER_MM = 10  # 254 dpi: sharp in print, a few dozen kB a chart
WIDTH_MM = 165  # the text width between the margins
DARK, LIGHT, INK = (58, 58, 58), (181, 181, 181), (0, 0, 0)
LABEL_PT = 10.5


@dataclass(frozen=True)
class PngChart:
    title: str
    caption: str
    png: bytes
    height_mm: float


@lru_cache(maxsize=16)
def _font(size_px: int, bold: bool = False):
    from PIL import ImageFont

    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(FONTS_DIR / name), size_px)


def _px(mm: float) -> int:
    return int(round(mm * PX_PER_MM))


def _pt_px(pt: float) -> int:
    return _px(pt * 25.4 / 72)


def text_width_pt(text: str, *, size: float, bold: bool = False) -> float:
    """The printed width of `text` in Liberation Serif (Times metrics) at `size` pt."""
    font = _font(1000, bold)
    return font.getlength(nfc(text)) * size / 1000


def _wrap(text: str, font, width_px: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width_px:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(PX_PER_MM * 25.4, PX_PER_MM * 25.4))
    return out.getvalue()


def _bars(rows: list[tuple[str, list[tuple[float, str, tuple[int, int, int]]]]], *, row_mm: float,
          bar_mm: float, legend: list[tuple[str, tuple[int, int, int]]] = ()) -> tuple[bytes, float]:
    """Horizontal bars: each row a label and one or more (value, printed text, colour) bars."""
    from PIL import Image, ImageDraw

    font = _font(_pt_px(LABEL_PT))
    width = _px(WIDTH_MM)
    label_w = _px(52)
    gap = _px(2.5)
    wrapped = [_wrap(nfc(label), font, label_w) for label, _ in rows]
    line_h = int(font.size * 1.15)
    heights = [max(_px(row_mm), len(lines) * line_h + _px(2)) for lines in wrapped]
    items = [_px(6) + int(font.getlength(text)) for text, _ in legend]
    one_line = sum(items) + _px(8) * max(0, len(items) - 1)
    stacked = one_line > width
    legend_h = (_px(8) * len(legend) if stacked else _px(9)) if legend else 0
    height = sum(heights) + _px(3) + legend_h
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    widest_text = max((font.getlength(text) for _, bars in rows for _, text, _ in bars), default=0)
    top = max((value for _, bars in rows for value, _, _ in bars), default=0) or 1
    area = width - label_w - gap - widest_text - _px(3)
    scale = area / top
    y = _px(1.5)
    axis_x = label_w + gap
    for (label, bars), lines, h in zip(rows, wrapped, heights):
        text_y = y + (h - len(lines) * line_h) // 2
        for line in lines:
            draw.text((label_w - font.getlength(line), text_y), line, font=font, fill=INK)
            text_y += line_h
        bar_h = _px(bar_mm)
        block = bar_h * len(bars)
        by = y + (h - block) // 2
        for value, text, colour in bars:
            length = max(1, int(round(value * scale)))
            draw.rectangle((axis_x, by, axis_x + length, by + bar_h - 1), fill=colour)
            draw.text((axis_x + length + _px(1.2), by + bar_h // 2), text, font=font, fill=INK, anchor="lm")
            by += bar_h
        y += h
    draw.line((axis_x, _px(1), axis_x, y), fill=INK, width=2)
    # the legend on one line under the bars
    x = axis_x if axis_x + one_line <= width or stacked else (width - one_line) // 2
    for (text, colour), item in zip(legend, items):
        draw.rectangle((x, y + _px(2.5), x + _px(4), y + _px(6.5)), fill=colour)
        draw.text((x + _px(6), y + _px(4.5)), text, font=font, fill=INK, anchor="lm")
        if stacked:
            y += _px(8)
        else:
            x += item + _px(8)
    return _png(image), height / PX_PER_MM


def unit_bar_chart(line: IndicatorLine, unit_rows: list[UnitRow]) -> PngChart | None:
    """One main indicator by unit (charts.unit_bar_chart's choices), largest on top."""
    bars = unit_bars(line, unit_rows)
    if bars is None:
        return None
    shown, caption = bars
    png, height = _bars([(name, [(float(v), vn_number(v), DARK)]) for name, v in shown], row_mm=8.5, bar_mm=5.2)
    return PngChart(title=nfc(f"{line.label} ({line.unit})"), caption=nfc(caption), png=png, height_mm=height)


def comparison_chart(lines: list[IndicatorLine], period_label: str, previous_label: str) -> PngChart | None:
    """Previous period = 100 for every indicator; the printed labels carry the real figures."""
    usable = [ln for ln in lines if ln.previous]
    if not usable:
        return None
    rows = []
    for ln in usable:
        ratio = ln.total * 100.0 / ln.previous
        # the change as the tables and the text write it ("+97,4%"), never the ratio ("197%")
        rows.append((ln.label, [(100.0, vn_number(ln.previous), LIGHT),
                                (ratio, f"{vn_number(ln.total)} ({vn_change(change(ln.total, ln.previous)[1])})",
                                 DARK)]))
    legend = [(nfc(f"Kỳ trước ({previous_label})"), LIGHT), (nfc(f"Kỳ này ({period_label})"), DARK)]
    png, height = _bars(rows, row_mm=13, bar_mm=5, legend=legend)
    return PngChart(title="So sánh với kỳ trước (kỳ trước = 100%)", caption="", png=png, height_mm=height)
