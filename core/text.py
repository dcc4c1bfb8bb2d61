"""Vietnamese text folding: the one helper behind search, slugs and certificate-number lookups.

Folding maps đ/Đ to d, decomposes (NFKD), drops combining marks, casefolds and collapses white
space, so "Đặc sản Hà Giang", "ĐẶC SẢN HÀ GIANG" and its NFD spelling all become "dac san ha giang".
"""

import difflib
import re
import unicodedata

from django.utils.text import slugify

_WHITESPACE = re.compile(r"\s+")
# đ/Đ and the letters that look like them in pasted text: Ð/ð (U+00D0/U+00F0, Icelandic eth, which
# keyboards and PDF converters often produce for Đ/đ) and Ɖ/ɖ (U+0189/U+0256, African D).
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"})


def _fold_slowly(text) -> str:
    """The folding itself, step by step, before white space is collapsed."""
    text = text.translate(_D_MAP)
    text = unicodedata.normalize("NFKD", text)
    # NFKD turns a decomposed "đ" back into nothing special, so map it again after normalising.
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_D_MAP)
    text = text.casefold()
    # Control characters (including NUL) never belong in folded text.
    return "".join(ch if ch.isprintable() else " " for ch in text)


# Every step above maps each character on its own (a decomposition, a dropped mark, a case folding), so
# the folding of a text is the folding of its characters joined. For the characters Vietnamese text is
# written in (Latin letters with their marks, precomposed or not), each one's folding is worked out once
# into a table, and a text made only of them is folded by one str.translate: ~10 times faster than the
# steps above, which still fold any other text. tests/site/test_text.py compares the two on any text.
_TABLE_RANGES = ((0x0000, 0x0250), (0x0300, 0x0370), (0x1E00, 0x1F00))
_FOLD_TABLE = {code: _fold_slowly(chr(code)) for start, end in _TABLE_RANGES for code in range(start, end)}
_OUTSIDE_TABLE = re.compile("[^" + "".join(f"\\u{start:04x}-\\u{end - 1:04x}" for start, end in _TABLE_RANGES) + "]")


def fold_vietnamese(value) -> str:
    """Return `value` without diacritics, lower-cased, with single spaces."""
    if not value:
        return ""
    text = str(value)
    folded = _fold_slowly(text) if _OUTSIDE_TABLE.search(text) else text.translate(_FOLD_TABLE)
    return _WHITESPACE.sub(" ", folded).strip()


def slugify_vietnamese(value, max_length=200) -> str:
    """A slug from folded text: Django's slugify alone drops "đ" instead of writing "d"."""
    return slugify(fold_vietnamese(value))[:max_length].strip("-")


def unique_slug(model, value, *, instance=None, field="slug", max_length=200, fallback="muc") -> str:
    """Return a slug for `value` that no other row of `model` uses (suffixes -2, -3, …)."""
    base = slugify_vietnamese(value, max_length=max_length - 6) or fallback
    candidate = base
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    n = 2
    while others.filter(**{field: candidate}).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


_NUMBER_JUNK = re.compile(r"[\s.\u2010-\u2015_]+")
# Dashes and minus signs that stand for the hyphen of "QĐ-UBND" (NFKD already maps the full-width forms).
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2011": "-", "\u2010": "-"})


def normalise_certificate_number(value) -> str:
    """A key for matching a certificate number however it is typed.

    "1032/QĐ-UBND", "1032 / qd - ubnd" and "1032/QD–UBND" all give "1032/QD-UBND"; leading zeros
    are kept because GI serials are printed with them ("00002").
    """
    folded = fold_vietnamese(value).upper()
    folded = folded.translate(_DASHES)
    folded = re.sub(r"\s*([/-])\s*", r"\1", folded)
    return _NUMBER_JUNK.sub("", folded)


def closest_keys(value, keys, *, n=2, cutoff=0.8) -> list:
    """The (at most `n`) folded `keys` nearest to `value` folded, best first: "did you mean" for a name.

    `keys` are already folded (`fold_vietnamese`); an exact key counts too (ratio 1), so a caller that
    looked the name up in its own narrower set can offer the same name found elsewhere.
    """
    folded = fold_vietnamese(value)
    if not folded:
        return []
    return difflib.get_close_matches(folded, keys, n=n, cutoff=cutoff)
