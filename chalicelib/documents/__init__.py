"""Official Vietnamese documents (Decree 30/2020/NĐ-CP) rendered from plain data.

Importing this package never imports WeasyPrint; only the ``render_*pdf`` functions do.
``render_html(doc)`` / ``render_pdf(doc)`` take any model: SummaryDocument, ProposalDocument,
DecisionDocument, and the old CommendationDocument (stored lists stay renderable).
"""

from .model import (
    AssessmentSections,
    AwardEntry,
    AwardGroup,
    DecisionDocument,
    Heading,
    Issuer,
    ProposalDocument,
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
    render_html,
    render_pdf,
    render_summary_html,
    render_summary_pdf,
)

__all__ = [
    "AssessmentSections",
    "AwardEntry",
    "AwardGroup",
    "DecisionDocument",
    "Heading",
    "Issuer",
    "ProposalDocument",
    "render_html",
    "render_pdf",
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
