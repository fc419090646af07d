"""Keys that tell one person from another whatever the spelling (chalicelib/core/text.py)."""

import unicodedata

import pytest
from hypothesis import given, strategies as st

from chalicelib.core.text import mixed_scripts, name_key, search_key


@pytest.mark.parametrize("a, b", [
    ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa"),              # old and new tone placement
    ("Lê Thị Thuý", "Lê Thị Thúy"),
    ("Ｎｇｕｙễｎ Ｔｈị Ｈòａ", "Nguyễn Thị Hòa"),           # fullwidth letters
    ("Сao Văn Lâm", "Cao Văn Lâm"),                    # Cyrillic С (U+0421)
    ("  TRẦN   quốc  Toản ", "Trần Quốc Toản"),
    ("Hoài", "Hòai"), ("Quý", "Qúy"), ("thuở", "thủơ"),
])
def test_spellings_of_one_name_share_a_key(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_differ():
    assert name_key("Nguyễn Thị Hòa") != name_key("Nguyễn Thị Hoa")
    assert name_key("Lê Văn Mạnh") != name_key("Lê Văn Mành")


def test_search_key_drops_every_diacritic():
    assert search_key("Nguyễn Thị Hòa") == "nguyen thi hoa"
    assert search_key("ĐẶNG Văn Đức") == "dang van duc"


def test_mixed_scripts():
    assert mixed_scripts("Сao Văn Lâm")               # Cyrillic С among Latin letters
    assert mixed_scripts("Nguyễn Vαn")                 # Greek alpha
    assert not mixed_scripts("Nguyễn Thị Hòa")
    assert not mixed_scripts("Ｎｇｕｙễｎ")               # fullwidth Latin is Latin
    assert not mixed_scripts("Bệnh viện 19-8")


_VI = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ \u0300\u0301\u0303\u0309\u0323", max_size=30)


@given(_VI)
def test_key_is_idempotent_and_ignores_normal_forms(text):
    key = name_key(text)
    assert name_key(key) == key
    assert name_key(unicodedata.normalize("NFD", text)) == key
    assert name_key(text.upper()) == name_key(text.lower())


@given(_VI)
def test_search_key_has_no_marks(text):
    key = search_key(text)
    assert all(not unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", key))
    assert "đ" not in key


@given(st.text(alphabet="aeiouyăâêôơưnghtqđ", min_size=1, max_size=7),
       st.sampled_from("\u0300\u0301\u0303\u0309\u0323"), st.data())
def test_a_tone_mark_on_any_letter_of_a_syllable_gives_one_key(syllable, tone, data):
    # NFD, so a shaped vowel (ơ = o + horn) keeps its shape mark next to it
    letters = unicodedata.normalize("NFD", syllable)
    slots = [i + 1 for i, ch in enumerate(letters) if not unicodedata.combining(ch)]
    a, b = data.draw(st.sampled_from(slots)), data.draw(st.sampled_from(slots))
    assert name_key(letters[:a] + tone + letters[a:]) == name_key(letters[:b] + tone + letters[b:])
