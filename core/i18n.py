"""Names of things in the visitor's language: the English name where there is one, else the Vietnamese."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def localized_name(obj) -> str:
    if obj is None:
        return ""
    if is_english():
        english = getattr(obj, "name_en", "")
        if english:
            return english
    return obj.name
