"""Checks on files uploaded in the back-office: judged by their content, never by their name.

A photo or logo is a JPEG, PNG or WebP; a certificate scan is a PDF, JPEG or PNG; either is at most
10 MB. Pictures must decode completely within Pillow's pixel limit (a small file that declares huge
dimensions is a decompression bomb), and are then written again by Pillow: turned the way the camera
meant (EXIF orientation), with every piece of metadata dropped (EXIF with its GPS position, XMP,
comments, text chunks) and anything hidden after the picture's data gone. A PDF must be complete and
carry no active content (JavaScript, launch actions, attachments). SVG and HTML are never accepted:
they can hold scripts.

The stored name gets the extension of what the file really is; the rest of it is random
(`unguessable_name` below), so nothing of the uploader's file name, `../` or NUL bytes included, reaches
the disk. Admins use `FORMFIELD_OVERRIDES`, which puts these checks on every file field of their forms.
"""

import logging
import secrets
import warnings
from io import BytesIO
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from .pdf_safety import PdfUnreadable, pdf_has_active_content

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def max_image_pixels() -> int:
    """Pixels a picture may have (MAX_IMAGE_PIXELS, 25 million by default: a 6000 × 4000 camera photo),
    read from its header before any decoding. Pillow's own limit (89 million) let an 88-megapixel PNG of
    336 KB through, which took 5 s and ~800 MiB to decode."""
    return min(getattr(settings, "MAX_IMAGE_PIXELS", 25_000_000), Image.MAX_IMAGE_PIXELS or 89_478_485)


PHOTO_KINDS = ("jpeg", "png", "webp")
SCAN_KINDS = ("pdf", "jpeg", "png")
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_SUFFIX = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "webp": ".webp"}
_CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
JPEG_QUALITY = 90

# What a refused file really is, to tell the uploader (the kinds `sniff` recognises but never accepts).
_WHAT = {
    "svg": gettext_lazy("ảnh SVG"),
    "html": gettext_lazy("trang web (HTML)"),
    "xml": gettext_lazy("tệp XML"),
    "pdf": gettext_lazy("tài liệu PDF"),
    "webp": gettext_lazy("ảnh WebP"),
    "gif": gettext_lazy("ảnh GIF"),
    "heic": gettext_lazy("ảnh HEIC hoặc AVIF (định dạng ảnh của iPhone)"),
    "bmp": gettext_lazy("ảnh BMP"),
    "tiff": gettext_lazy("ảnh TIFF"),
    "zip": gettext_lazy("tệp nén hoặc tài liệu Word, Excel"),
    "program": gettext_lazy("chương trình máy tính"),
}
_SCRIPTABLE = {"svg", "html", "xml"}


def sniff(upload):
    """What the file is, from its first bytes: "pdf", "png", "jpeg", "webp", one of `_WHAT`, or None."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif"):
        return "heic"
    if head.startswith(b"BM"):
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "program"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<svg" in text:
            return "svg"
        if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<script" in text:
            return "html"
        return "xml"
    return None


def _check_size(upload):
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s); tối đa %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )


def _wrong_type(kind, accepted_message):
    if kind in _SCRIPTABLE:
        message = _("Không nhận %(what)s: loại tệp này có thể chứa mã chạy trên trình duyệt.") % {"what": _WHAT[kind]}
        return ValidationError(f"{accepted_message} {message}", code="scriptable")
    if kind in _WHAT:
        message = _("Tệp này là %(what)s.") % {"what": _WHAT[kind]}
        return ValidationError(f"{accepted_message} {message}", code="wrong_type")
    return ValidationError(accepted_message, code="wrong_type")


def _broken_image():
    return ValidationError(
        _("Tệp ảnh bị hỏng hoặc không trọn vẹn; hãy mở và lưu lại ảnh rồi tải lên lần nữa."), code="broken_image"
    )


class _TooManyPixels(Exception):
    pass


def _decode(upload, kind) -> Image.Image:
    """The whole picture, decoded: Pillow must read every byte and find the format the first bytes announced."""
    try:
        with warnings.catch_warnings():
            # Between one and two times the limit Pillow only warns; the upload is refused all the same.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                found = image.format
                if image.width * image.height > max_image_pixels():
                    raise _TooManyPixels
                image.verify()
            upload.seek(0)
            image = Image.open(upload)
            image.load()
    except (_TooManyPixels, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _(
                "Ảnh có quá nhiều điểm ảnh (tối đa %(max)s triệu). Hãy thu nhỏ ảnh, ví dụ cạnh dài "
                "4.000 điểm ảnh, rồi tải lên lại."
            )
            % {"max": max_image_pixels() // 1_000_000},
            code="too_many_pixels",
        ) from None
    except Exception:  # noqa: BLE001
        # Whatever a decoder raises on hostile or damaged bytes (OSError, SyntaxError, struct.error, …)
        # means the same thing to the uploader: this picture cannot be read.
        raise _broken_image() from None
    finally:
        upload.seek(0)
    if found != _PILLOW_FORMATS[kind]:
        image.close()
        raise ValidationError(_("Nội dung tệp không khớp định dạng ảnh."), code="wrong_format")
    return image


def _reencode(image: Image.Image, kind) -> bytes:
    """The picture written again by Pillow, turned upright, with its colour profile and nothing else."""
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    ImageOps.exif_transpose(image, in_place=True)
    # Pillow carries some of `info` (a JPEG's comment) into what it saves: start from nothing.
    image.info = {}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if kind == "jpeg":
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif kind == "webp":
        options.update(quality=JPEG_QUALITY)
    elif transparency is not None:
        options["transparency"] = transparency
    out = BytesIO()
    image.save(out, _PILLOW_FORMATS[kind], **options)
    return out.getvalue()


def _clean_image(upload, kind, stem):
    image = _decode(upload, kind)
    try:
        data = _reencode(image, kind)
    except Exception:
        # A decoded picture that cannot be written again (malformed EXIF, an odd mode) is refused too.
        logger.warning("Cannot re-encode an uploaded %s image", kind, exc_info=True)
        raise _broken_image() from None
    finally:
        image.close()
    return SimpleUploadedFile(f"{stem}{_SUFFIX[kind]}", data, content_type=_CONTENT_TYPES[kind])


def _check_pdf(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("Tệp PDF bị hỏng hoặc không trọn vẹn."), code="broken_pdf")
    try:
        active = pdf_has_active_content(data)
    except PdfUnreadable:
        raise ValidationError(_("Tệp PDF bị hỏng hoặc không trọn vẹn."), code="broken_pdf") from None
    if active:
        raise ValidationError(
            _(
                "Tệp PDF này chứa mã lệnh (JavaScript), lệnh mở chương trình hoặc tệp đính kèm nên không được "
                "nhận. Hãy xuất lại bản scan thành tệp PDF thông thường rồi tải lên."
            ),
            code="active_pdf",
        )
    return SimpleUploadedFile("scan.pdf", data, content_type=_CONTENT_TYPES["pdf"])


def check_scan(upload):
    """A certificate scan: PDF, JPEG or PNG by content, at most 10 MB; returns the file to store."""
    _check_size(upload)
    kind = sniff(upload)
    if kind not in SCAN_KINDS:
        raise _wrong_type(kind, _("Bản scan phải là tệp PDF, JPEG hoặc PNG."))
    if kind == "pdf":
        return _check_pdf(upload)
    return _clean_image(upload, kind, "scan")


def check_image(upload):
    """A photo or logo: JPEG, PNG or WebP by content, at most 10 MB; returns the re-encoded file to store."""
    _check_size(upload)
    kind = sniff(upload)
    if kind not in PHOTO_KINDS:
        raise _wrong_type(kind, _("Ảnh phải là tệp JPEG, PNG hoặc WebP."))
    return _clean_image(upload, kind, "image")


class _CheckedFileField(forms.FileField):
    default_error_messages = {"empty": gettext_lazy("Tệp tải lên rỗng (0 byte); hãy chọn lại tệp.")}
    check = None
    accept = ""

    def __init__(self, *, max_length=None, **kwargs):
        # The stored name is random (core.uploads): the uploader's name may be of any length.
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else self.check(upload)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = self.accept
        return attrs


class PhotoField(_CheckedFileField):
    """A product photo or a producer's logo (`check_image`)."""

    check = staticmethod(check_image)
    accept = "image/jpeg,image/png,image/webp"


class ScanField(_CheckedFileField):
    """A certificate's scan (`check_scan`)."""

    check = staticmethod(check_scan)
    accept = "application/pdf,image/jpeg,image/png"


# ModelAdmin.formfield_overrides of every admin (and inline) with an upload: image fields hold photos
# and logos, other file fields hold scans.
FORMFIELD_OVERRIDES = {
    models.ImageField: {"form_class": PhotoField},
    models.FileField: {"form_class": ScanField},
}


ALLOWED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".pdf"}


def unguessable_name(folder: str, filename: str) -> str:
    """An upload's stored name: random, with a known suffix; nothing of the uploader's file name."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        suffix = ""
    return f"{folder}/{secrets.token_urlsafe(18)}{suffix}"
