"""Official Vietnamese documents (Decree 30/2020/NĐ-CP) rendered from plain data.

Importing this package never imports WeasyPrint; only the ``render_*_pdf`` functions do.
"""

from .model import (
    CommendationDocument,
    CommendationEntry,
    CommendationGroup,
    CompletenessRow,
    Highlight,
    IndicatorLine,
    PeriodText,
    Signer,
    SummaryDocument,
    UnitPeriodTexts,
    UnitRow,
)
from .render import (
    asset_fetcher,
    render_commendations_html,
    render_commendations_pdf,
    render_summary_html,
    render_summary_pdf,
)

__all__ = [
    "CommendationDocument",
    "CommendationEntry",
    "CommendationGroup",
    "CompletenessRow",
    "Highlight",
    "IndicatorLine",
    "PeriodText",
    "Signer",
    "SummaryDocument",
    "UnitPeriodTexts",
    "UnitRow",
    "asset_fetcher",
    "render_commendations_html",
    "render_commendations_pdf",
    "render_summary_html",
    "render_summary_pdf",
]
