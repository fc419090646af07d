"""The sample documents (devtools/sample_documents.py: every kind, issued and as a draft) as
DOCX next to their WeasyPrint PDFs, for `make docx-preview`, which converts the DOCX files to
PDF with LibreOffice to look at.

    python -m devtools.docx_preview out/docx-preview [--no-pdf]
"""

from __future__ import annotations

import sys
from pathlib import Path

from chalicelib.documents.docx import render_docx
from chalicelib.documents.model import DecisionDocument, ProposalDocument, SummaryDocument
from devtools import sample_documents


def documents() -> dict[str, object]:
    """file stem -> document, for the kinds that have a DOCX (the old lists have none)."""
    return {stem: doc for stem, doc in sample_documents.all_samples().items()
            if isinstance(doc, (SummaryDocument, ProposalDocument, DecisionDocument))}


def main(out: Path, *, pdf: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in documents().items():
        (out / f"{name}.docx").write_bytes(render_docx(doc))
        print(out / f"{name}.docx")
        if pdf:  # the same model through WeasyPrint, to compare with
            from chalicelib.documents.render import render_pdf

            (out / f"{name}.weasyprint.pdf").write_bytes(render_pdf(doc))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/docx-preview"), pdf="--no-pdf" not in sys.argv)
