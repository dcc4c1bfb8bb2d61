"""Names of things in the visitor's language: the English name where there is one, else the Vietnamese."""

from django.utils.formats import get_format
from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def localized_name(obj) -> str:
    if obj is None:
        return ""
    return localized_pair(obj.name, getattr(obj, "name_en", ""))


def localized_pair(name, name_en, english=None) -> str:
    """`name_en` on an English page when there is one, else `name` ("" for None). `english`: the page's
    language already read (is_english()), for a caller naming many things."""
    if name_en and (is_english() if english is None else english):
        return name_en
    return name or ""


def localized_choices(objects, key) -> list[tuple[str, str]]:
    """[(key(obj), its name in the visitor's language)] for a list of choices, the language read once (a
    filter panel lists about a hundred)."""
    english = is_english()
    return [(key(obj), localized_pair(obj.name, getattr(obj, "name_en", ""), english)) for obj in objects]


def grouped(number: int) -> str:
    """A count with the language's thousand separator every three digits (100.547 in Vietnamese, 100,547 in
    English), as the templates print counts with floatformat:"0g"; cheap enough for a hundred a page."""
    if -1000 < number < 1000:
        return str(number)
    return f"{number:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
