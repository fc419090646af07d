"""Vietnamese text: NFC normalisation and alphabetical order (a ă â b c d đ e ê …)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Base letters in Vietnamese alphabetical order; tone marks sort after the letter
# (no mark, huyền, hỏi, ngã, sắc, nặng: the dictionary order).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_SHAPE = {"\u0306": "ă", "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"}}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _letters(word: str) -> list[tuple[int, int]]:
    """(letter rank, tone) per letter, from the decomposed form."""
    out: list[tuple[int, int]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES and out:
            out[-1] = (out[-1][0], _TONES[ch])
        elif ch in _SHAPE and out:
            base = _ALPHABET[out[-1][0]] if out[-1][0] < len(_ALPHABET) else ""
            shape = _SHAPE[ch]
            letter = shape if isinstance(shape, str) else shape.get(base, base)
            out[-1] = (_RANK.get(letter, out[-1][0]), out[-1][1])
        elif ch == "đ":
            out.append((_RANK["đ"], 0))
        elif ch in _RANK:
            out.append((_RANK[ch], 0))
        elif ch.isdecimal():  # any script's digits sort as their value ("²" is not decimal: punctuation)
            out.append((-10 + unicodedata.decimal(ch), 0))
        elif unicodedata.combining(ch):
            continue
        else:
            out.append((-20, 0))  # spaces and punctuation sort first
    return out


@lru_cache(maxsize=32_768)  # pure; a warm function re-sorts the same unit names on every board
def sort_key(text: str) -> tuple:
    """Sort key for Vietnamese names: letters first, tone marks break ties."""
    letters = _letters(text)
    return (tuple(r for r, _ in letters), tuple(t for _, t in letters), text)


def nfc_deep(value: object) -> object:
    """Every string in a parsed JSON document, normalised to NFC (keys too)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    return value


# -- what user text may contain ------------------------------------------------------------
# Names, titles and addresses end up in mail headers, file names and official documents:
# a line break there breaks a header, a NUL breaks delivery, a bidirectional override shows
# a name reversed, and zero-width characters make "different" names that look the same.
_REFUSED = {"Cc": "ký tự điều khiển", "Cf": "ký tự định dạng ẩn (đảo chiều, độ rộng 0…)",
            "Zl": "ký tự xuống dòng", "Zp": "ký tự ngắt đoạn", "Cs": "ký tự không hợp lệ",
            "Co": "ký tự dùng riêng", "Cn": "ký tự chưa được định nghĩa"}


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be stored as a name (or, with `multiline`, as prose); None when it may."""
    for ch in value:
        if multiline and ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category in _REFUSED:
            if ch in "\r\n" and not multiline:
                return "Không được xuống dòng."
            return f"Có {_REFUSED[category]} (U+{ord(ch):04X})."
    if value and not any(not ch.isspace() for ch in value):
        return "Không có ký tự nhìn thấy được."
    return None


def clean_prose(value: str) -> str:
    """Prose keeps its line breaks; Windows ones are folded to \\n first."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def cut_at_word(text: str, cap: int) -> str:
    """At most `cap` characters, cut at a word boundary and ended with "…"."""
    if len(text) <= cap:
        return text
    cut = text[:cap - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > cap // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\n") + "…"
