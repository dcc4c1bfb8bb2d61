"""Thumbnails of product photos, made with Pillow at the sizes the public pages use.

A thumbnail's name follows from its photo's name ("products/abc.jpg" -> "thumbs/products/abc-card.jpg"),
so pages find it without a database column. They are written when a photo is saved (signals.py);
a page whose thumbnail is missing (photos stored by some other path) shows the photo itself.
"""

import logging
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# name: (width, height, crop). "card" fills a 4:3 box in lists; "large" fits the product page.
SIZES = {
    "card": (480, 360, True),
    "large": (1200, 900, False),
}
JPEG_QUALITY = 82


def thumbnail_name(image_name: str, size: str) -> str:
    path = PurePosixPath(image_name)
    return str(PurePosixPath("thumbs") / path.parent / f"{path.stem}-{size}.jpg")


def thumbnail_dimensions(size: str, width, height) -> tuple[int, int]:
    """The pixel size of `size`'s thumbnail of a `width` x `height` photo (never enlarged)."""
    box_w, box_h, crop = SIZES[size]
    if crop or not width or not height:
        return box_w, box_h
    scale = min(box_w / width, box_h / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _render(image: Image.Image, size: str) -> bytes:
    box_w, box_h, crop = SIZES[size]
    if crop:
        image = ImageOps.fit(image, (box_w, box_h), method=Image.Resampling.LANCZOS)
    else:
        image = image.copy()
        image.thumbnail((box_w, box_h), Image.Resampling.LANCZOS)
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, turned the way the camera meant (EXIF orientation)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def make_thumbnails(field_file, *, storage=None) -> list[str]:
    """Write every size of `field_file`'s thumbnails that does not exist yet; return their names."""
    storage = storage or default_storage
    if not field_file or not field_file.name:
        return []
    wanted = {size: thumbnail_name(field_file.name, size) for size in SIZES}
    missing = {size: name for size, name in wanted.items() if not storage.exists(name)}
    if not missing:
        return []
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            image = _flatten(Image.open(handle))
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        # The upload form checks images; a file that still cannot be read keeps its photo, unthumbnailed.
        logger.warning("Cannot make thumbnails of %s", field_file.name, exc_info=True)
        return []
    written = []
    for size, name in missing.items():
        written.append(storage.save(name, ContentFile(_render(image, size))))
    return written


def thumbnail(field_file, size: str, width=None, height=None, *, storage=None):
    """(url, width, height) of the thumbnail, or of the photo itself when there is none; None without a photo."""
    storage = storage or default_storage
    if not field_file or not field_file.name:
        return None
    name = thumbnail_name(field_file.name, size)
    if storage.exists(name):
        w, h = thumbnail_dimensions(size, width, height)
        return storage.url(name), w, h
    box_w, box_h, _crop = SIZES[size]
    return field_file.url, width or box_w, height or box_h
