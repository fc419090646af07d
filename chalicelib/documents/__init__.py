"""Official Vietnamese documents (Decree 30/2020/NĐ-CP) rendered from plain data.

Importing this package never imports WeasyPrint; only ``render_summary_pdf`` does.
"""

from .model import (
    CompletenessRow,
    Highlight,
    IndicatorLine,
    Signer,
    SummaryDocument,
    UnitRow,
)
from .render import asset_fetcher, render_summary_html, render_summary_pdf

__all__ = [
    "CompletenessRow",
    "Highlight",
    "IndicatorLine",
    "Signer",
    "SummaryDocument",
    "UnitRow",
    "asset_fetcher",
    "render_summary_html",
    "render_summary_pdf",
]
