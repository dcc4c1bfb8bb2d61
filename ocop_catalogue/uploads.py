"""Upload names that cannot be guessed and leak nothing of the uploader's file name."""

import secrets
from pathlib import PurePosixPath

ALLOWED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".pdf"}


def unguessable_name(folder: str, filename: str) -> str:
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        suffix = ""
    return f"{folder}/{secrets.token_urlsafe(18)}{suffix}"
