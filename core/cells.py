"""Spreadsheet cells that stay text: a cell starting with =, +, -, @, a tab or a carriage return is run
as a formula by Excel and LibreOffice ("CSV injection"). One rule for the public exports (trade) and the
back-office's (core.admin.imports)."""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A telephone number ("+84 912 345 678", "-" between groups) starts with "+" but is no formula.
_PHONE = re.compile(r"^\+?[\d\s().-]+$")


def neutralise(text: str) -> str:
    """`text` as a spreadsheet will show it: a leading apostrophe before anything that would run."""
    if text.startswith(FORMULA_START) and not _PHONE.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of `neutralise`, for a file exported here and imported back: "'=x" is "=x" again."""
    if text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text
