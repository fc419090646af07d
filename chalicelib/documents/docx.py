"""Each document of the commendation chain also as an editable DOCX file, laid out as its PDF
is (Decree 30/2020/NĐ-CP): the Báo cáo, the Tờ trình and the Quyết định with its list.

    render_docx(doc) -> bytes   # SummaryDocument | ProposalDocument | DecisionDocument

python-docx (and lxml, Pillow for the charts) is imported only when a DOCX is made, so that
importing this module (for DOCX_MEDIA_TYPE, say, in an API handler) costs nothing; the
layout itself is in docx_layout.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import DecisionDocument, ProposalDocument, SummaryDocument

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_docx(doc: SummaryDocument | ProposalDocument | DecisionDocument) -> bytes:
    """The document as a DOCX file (bytes); TypeError for another model."""
    from .docx_layout import build_docx

    return build_docx(doc)
