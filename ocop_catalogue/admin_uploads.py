"""Checks on files uploaded in the back-office: judged by their content, never by their name.

A certificate scan is a PDF, JPEG or PNG of at most 10 MB; a photo or logo is a JPEG, PNG or WebP of at
most 10 MB. The stored name gets the extension of what the file really is (the rest of the name is
random: `ocop_catalogue.uploads`).
"""

import warnings

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"RIFF", "webp"),  # confirmed by Pillow below
)
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_SUFFIX = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "webp": ".webp"}


def sniff(upload):
    """ "pdf", "png", "jpeg", "webp" or None, from the first bytes of the file."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "webp" and head[8:12] != b"WEBP":
                return None
            return kind
    return None


def _check_size(upload):
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s); tối đa %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )


def _check_image(upload, kind):
    """Pillow must read the whole picture, and find the format the first bytes announced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("Tệp ảnh bị hỏng hoặc không đọc được."), code="broken_image") from None
    finally:
        upload.seek(0)
    if found != _PILLOW_FORMATS[kind]:
        raise ValidationError(_("Nội dung tệp không khớp định dạng ảnh."), code="wrong_format")


def _rename(upload, kind, stem):
    upload.name = f"{stem}{_SUFFIX[kind]}"
    return upload


def check_scan(upload):
    """A certificate scan: PDF, JPEG or PNG by content, at most 10 MB."""
    _check_size(upload)
    kind = sniff(upload)
    if kind not in ("pdf", "jpeg", "png"):
        raise ValidationError(_("Bản scan phải là tệp PDF, JPEG hoặc PNG."), code="wrong_type")
    if kind == "pdf":
        upload.seek(max(upload.size - 2048, 0))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise ValidationError(_("Tệp PDF bị hỏng hoặc không trọn vẹn."), code="broken_pdf")
    else:
        _check_image(upload, kind)
    return _rename(upload, kind, "scan")


def check_image(upload):
    """A photo or logo: JPEG, PNG or WebP by content, at most 10 MB."""
    _check_size(upload)
    kind = sniff(upload)
    if kind not in ("jpeg", "png", "webp"):
        raise ValidationError(_("Ảnh phải là tệp JPEG, PNG hoặc WebP."), code="wrong_type")
    _check_image(upload, kind)
    return _rename(upload, kind, "image")


def is_new_upload(value):
    """True for a file just uploaded in this request (not the one already stored)."""
    return value is not None and value is not False and hasattr(value, "content_type")
