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


# -- who a name is: keys that fold what looks the same ------------------------------------
# The same person typed twice must give one key: old and new tone placement ("Hoà"/"Hòa",
# "Thuý"/"Thúy"), fullwidth letters (NFKC folds them) and Cyrillic/Greek letters that look
# Latin ("С" U+0421 for "C"). A name that really mixes scripts is refused where it is stored.
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԁ": "d", "а": "a", "с": "c", "е": "e",
    "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s", "х": "x", "у": "y", "ү": "y", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "υ": "u",
    "χ": "x", "α": "a", "τ": "t",
})
_TONE_MARKS = frozenset(_TONES)
_VOWELS = frozenset("aeiouy")
_SHAPED = frozenset("\u0306\u0302\u031b")  # ă â ê ô ơ ư: the tone sits on the shaped vowel


def _tone_index(letters: list[list[str]]) -> int:
    """Where the new (2017 school) rule puts the tone of a syllable, from its tone-less letters."""
    vowels = [i for i, group in enumerate(letters) if group[0] in _VOWELS]
    if not vowels:
        return len(letters) - 1
    # "qu", "gi" before another vowel: the u / i belong to the consonant
    if len(vowels) > 1 and vowels[0] == 1 and (letters[0][0], letters[1][0]) in {("q", "u"), ("g", "i")}:
        vowels = vowels[1:]
    shaped = [i for i in vowels if _SHAPED & set(letters[i][1:])]
    if shaped:
        return shaped[-1]  # ươ: on the ơ
    if vowels[-1] != len(letters) - 1 or len(vowels) == 3:  # a final consonant, or three vowels: the middle/last vowel
        return vowels[-1] if vowels[-1] != len(letters) - 1 else vowels[1]
    if len(vowels) == 2:
        pair = letters[vowels[0]][0] + letters[vowels[1]][0]
        return vowels[1] if pair in {"oa", "oe", "uy"} else vowels[0]
    return vowels[0]


def _fold_tone(word: str) -> str:
    """The syllable with its tone mark(s) moved to the canonical vowel (NFD in, NFC out)."""
    letters: list[list[str]] = []
    tones: list[str] = []
    for ch in word:
        if ch in _TONE_MARKS:
            tones.append(ch)
        elif unicodedata.combining(ch) and letters:
            letters[-1].append(ch)
        else:
            letters.append([ch])
    if tones and letters:
        letters[_tone_index(letters)].extend(tones)
    return unicodedata.normalize("NFC", "".join("".join(g) for g in letters))


@lru_cache(maxsize=8_192)
def name_key(name: str) -> str:
    """What two spellings of one name share: NFKC, lookalike letters folded to Latin, case folded,
    spaces collapsed, the tone mark on the vowel the new rule puts it on ("Hoà" == "Hòa")."""
    text = unicodedata.normalize("NFKC", name).translate(_CONFUSABLES)
    text = unicodedata.normalize("NFD", text.casefold())
    return " ".join(w for w in map(_fold_tone, text.split()) if w)  # a stray mark alone is no word


@lru_cache(maxsize=8_192)
def search_key(text: str) -> str:
    """name_key without any diacritics (đ -> d): "nguyen thi hoa" finds "Nguyễn Thị Hòa"."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", name_key(text)) if not unicodedata.combining(ch))
    return bare.replace("đ", "d")


def _script(ch: str) -> str | None:
    """The script of a letter (LATIN, CYRILLIC, GREEK, …); None for marks, digits, spaces, punctuation."""
    if not ch.isalpha():
        return None
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return "UNKNOWN"


def mixed_scripts(name: str) -> bool:
    """True when the letters of the name come from more than one script ("Nguyễn" with a Cyrillic "у")."""
    scripts = {s for s in map(_script, unicodedata.normalize("NFKC", name)) if s}
    return len(scripts) > 1
