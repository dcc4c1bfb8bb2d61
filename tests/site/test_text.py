"""The Vietnamese folding helper and what is built on it."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.text import fold_vietnamese, normalise_certificate_number, slugify_vietnamese


def test_folding_maps_diacritics_case_and_d_to_the_same_text():
    expected = "dac san ha giang"
    assert fold_vietnamese("Đặc sản Hà Giang") == expected
    assert fold_vietnamese("ĐẶC SẢN HÀ GIANG") == expected
    assert fold_vietnamese(unicodedata.normalize("NFD", "Đặc sản Hà Giang")) == expected
    assert fold_vietnamese("  đặc\tsản \n Hà   Giang ") == expected


def test_folding_of_decomposed_d_with_stroke_and_tones():
    # "đ" has no decomposition, but a tone mark on top of other letters does.
    assert fold_vietnamese("Chè Shan tuyết Mộc Châu") == "che shan tuyet moc chau"
    assert fold_vietnamese(unicodedata.normalize("NFD", "Xoài tròn Yên Châu")) == "xoai tron yen chau"
    assert fold_vietnamese("Đắk Lắk") == "dak lak"


def test_folding_drops_control_characters():
    assert fold_vietnamese("chè\x00 xanh\x07") == "che xanh"
    assert fold_vietnamese(None) == ""


def test_slugs_keep_d_as_d():
    assert slugify_vietnamese("Đường hoa dừa") == "duong-hoa-dua"
    assert slugify_vietnamese("Đắk Lắk") == "dak-lak"


@pytest.mark.parametrize(
    "typed", ["1032/QĐ-UBND", "1032/qd-ubnd", " 1032 / QĐ - UBND ", "1032/QD–UBND", "1032/Qđ-UBND"]
)
def test_certificate_numbers_match_however_typed(typed):
    assert normalise_certificate_number(typed) == "1032/QD-UBND"


def test_gi_serial_keeps_leading_zeros():
    assert normalise_certificate_number(" 00002 ") == "00002"


@given(st.text())
def test_folding_is_idempotent_and_ascii_letters_only_lowercase(text):
    folded = fold_vietnamese(text)
    assert fold_vietnamese(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded


# Text made of what the table covers (Latin letters with their marks, precomposed or decomposed, controls)
# and, now and then, anything else.
_COVERED = (
    st.characters(codec=None, min_codepoint=0, max_codepoint=0x024F)
    | st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
    | st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF)
)


@given(st.text(_COVERED) | st.text() | st.text(_COVERED | st.characters()))
def test_the_table_folds_as_the_steps_do(text):
    """fold_vietnamese's table (one str.translate) gives what its steps give, on any text."""
    from core import text as module

    slow = module._WHITESPACE.sub(" ", module._fold_slowly(text)).strip()
    assert fold_vietnamese(text) == slow


def test_the_table_covers_vietnamese_text_precomposed_or_not():
    from core import text as module

    for sample in ("Chè Shan tuyết Mộc Châu, Đồng Nai", unicodedata.normalize("NFD", "Xoài tròn Yên Châu\tĐắk Lắk")):
        assert not module._OUTSIDE_TABLE.search(sample)
    assert fold_vietnamese(unicodedata.normalize("NFD", "Xoài tròn Yên Châu\tĐắk Lắk")) == "xoai tron yen chau dak lak"
    assert module._OUTSIDE_TABLE.search("Mộc Châu 日本")


def test_every_character_of_the_table_folds_as_the_steps_fold_it():
    from core import text as module

    for start, end in module._TABLE_RANGES:
        for code in range(start, end):
            sample = f"a{chr(code)}B"
            slow = module._WHITESPACE.sub(" ", module._fold_slowly(sample)).strip()
            assert fold_vietnamese(sample) == slow, hex(code)
