"""From a conference, its award forms and nominations to a CommendationDocument.

Pure: no AWS, no I/O, no WeasyPrint. The renderer prints the groups and entries in
the order given here, so every ordering rule lives in this module.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from chalicelib.conferences.aggregate import distribution_lines
from chalicelib.core.text import sort_key
from chalicelib.documents.model import (
    CommendationDocument,
    CommendationEntry,
    CommendationGroup,
    Signer,
)

KINDS = ("collective", "individual")  # collectives are listed before individuals
SUMMARY_LIMIT = 160  # characters, the ellipsis included
ELLIPSIS = "…"


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def summarise(achievements: str, limit: int = SUMMARY_LIMIT) -> str:
    """The first sentence of the achievements, on one line, at most ``limit`` characters.

    The sentence ends at the first newline or the first ". " (its full stop is kept);
    whitespace is collapsed. A longer sentence is cut at the last word boundary that
    leaves room for "…" (a single word longer than the limit is cut mid-word).
    """
    text = achievements.replace("\r\n", "\n").replace("\r", "\n").strip()
    line = _clean(text.split("\n", 1)[0])
    stop = line.find(". ")
    if stop >= 0:
        line = line[: stop + 1]
    if len(line) <= limit:
        return line
    room = limit - len(ELLIPSIS)
    head = line[:room]
    if line[room] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-–") + ELLIPSIS


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|\n+")


def whole_sentences(achievements: str, limit: int | None = None) -> str:
    """The achievements as whole sentences, whitespace collapsed: as many leading sentences
    as fit in ``limit`` characters, and always the first one whole (never cut mid-sentence);
    every sentence when ``limit`` is None."""
    text = achievements.replace("\r\n", "\n").replace("\r", "\n").strip()
    sentences = [_clean(s) for s in _SENTENCE_END.split(text) if _clean(s)]
    out: list[str] = []
    for sentence in sentences:
        if out and limit is not None and len(" ".join([*out, sentence])) > limit:
            break
        out.append(sentence)
    return " ".join(out)


def individual_key(name: str) -> tuple:
    """Vietnamese convention: by given name (the last word), then by the full name."""
    words = name.split()
    return (sort_key(words[-1] if words else ""), sort_key(name))


def collective_key(name: str) -> tuple:
    return (sort_key(name),)


def commendation_title(conference_title: str) -> str:
    title = _clean(conference_title)
    if title.startswith("Hội nghị"):
        title = "h" + title[1:]  # mid-sentence: "... phục vụ hội nghị ..."
    return f"Đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc phục vụ {title}"


def build_groups(award_forms: list[dict[str, Any]], nominations: list[dict[str, Any]],
                 unit_names: dict[str, str]) -> list[CommendationGroup]:
    """Groups by award form precedence (ascending; ties keep the given order), collectives
    before individuals within a form, empty groups left out.

    Entries are in Vietnamese alphabetical order (``chalicelib.core.text.sort_key``):
    individuals by given name, i.e. the last word of the full name, then by the full
    name ("Trần Thị Ánh" < "Đặng Văn Ân" < "Lê Đức Bình"); collectives by their full
    name. A nominee whose unit is not in ``unit_names`` gets an empty "Đơn vị" cell
    rather than an internal id.
    """
    forms = {f["code"]: f for f in award_forms}
    by_group: dict[tuple[str, str], list[CommendationEntry]] = {}
    for n in nominations:
        kind, code = n["kind"], n["award_form"]
        if kind not in KINDS:
            raise ValueError(f"nomination {n.get('id')!r}: unknown kind {kind!r}")
        form = forms.get(code)
        if form is None:
            raise ValueError(f"nomination {n.get('id')!r}: unknown award form {code!r}")
        if kind not in form.get("for", KINDS):
            raise ValueError(f"nomination {n.get('id')!r}: {code!r} is not awarded to a {kind}")
        entry = CommendationEntry(
            name=_clean(n["name"]),
            position=_clean(n.get("position")) if kind == "individual" else "",
            unit_name=_clean(unit_names.get(n.get("nominee_unit_id") or "", "")),
            summary=summarise(n.get("achievements") or ""),
        )
        by_group.setdefault((code, kind), []).append(entry)

    ordered_forms = sorted(enumerate(award_forms), key=lambda pair: (pair[1]["precedence"], pair[0]))
    groups = []
    for _, form in ordered_forms:
        for kind in KINDS:
            entries = by_group.get((form["code"], kind))
            if not entries:
                continue
            key = individual_key if kind == "individual" else collective_key
            groups.append(CommendationGroup(
                award_form_name=_clean(form["name"]),
                kind=kind,
                entries=sorted(entries, key=lambda e: key(e.name)),
            ))
    return groups


def build_commendation_document(conference: dict[str, Any], award_forms: list[dict[str, Any]],
                                nominations: list[dict[str, Any]], unit_names: dict[str, str], *,
                                number: str | None, number_prefix: str, issued_on: datetime.date,
                                draft: bool, verify_url: str, verify_code: str) -> CommendationDocument:
    """The "Danh sách đề nghị khen thưởng" of a conference.

    ``number`` is the full number ("01/DS-BCA") or None for a draft, which prints a blank
    number before ``number_prefix``. Ordering: see ``build_groups``. "Nơi nhận" are the
    conference's distribution lines, as in the summary report.
    """
    signer = conference["signer"]
    return CommendationDocument(
        upper_agency=conference.get("upper_agency") or "BỘ CÔNG AN",
        agency=conference.get("agency") or "VĂN PHÒNG BỘ",
        number=number,
        number_prefix=number_prefix,
        place=conference.get("place") or "Hà Nội",
        issued_on=issued_on,
        title=commendation_title(conference["title"]),
        draft=draft,
        groups=build_groups(award_forms, nominations, unit_names),
        recipients=distribution_lines(conference),
        signer=Signer(title=signer["title"], name=signer["name"]),
        verify_url=verify_url,
        verify_code=verify_code,
    )
