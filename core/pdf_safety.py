"""Whether a PDF carries active content: JavaScript, actions run on opening (OpenAction) or on events
(AA), launch and other dangerous actions, attachments, rich media or XFA forms.

Two readings, either of which refuses the file. pypdf (pinned in requirements.txt) parses the document
as a viewer would, from the trailer through every object it reaches (object streams included), so tricks
on the bytes (names hidden from a byte search behind "stream" and "endstream" written in PDF comments,
#xx escapes) do not hide anything from it. A byte scan of the dictionaries outside streams (and of
compressed object streams) is kept behind it, for objects no reference reaches.
"""

import logging
import re
import zlib
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

# Keys whose mere presence means code, attachments or multimedia.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA", "/Launch", "/AA"}
# Actions (/S) that run code, open programs or files, or send data.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/RichMediaExecute",
    "/Rendition",
    "/Movie",
    "/Sound",
}
MAX_OBJECTS = 200_000


class PdfUnreadable(Exception):
    """The PDF cannot be parsed."""


def _is_active(dictionary) -> bool:
    keys = set(dictionary.keys())
    if keys & ACTIVE_KEYS:
        return True
    if dictionary.get("/S") in ACTIVE_ACTIONS or dictionary.get("/Type") == "/EmbeddedFile":
        return True
    opening = dictionary.get("/OpenAction")
    if isinstance(opening, IndirectObject):
        opening = opening.get_object()
    # A destination (an array) only shows a page; an action on opening may do anything but "go to".
    return isinstance(opening, DictionaryObject) and opening.get("/S") != NameObject("/GoTo")


def _parsed_has_active_content(data: bytes) -> bool:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        stack = [reader.trailer]
        seen = set()
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > MAX_OBJECTS:
                    raise PdfUnreadable("too many objects")
                item = item.get_object()
            if isinstance(item, DictionaryObject):
                if _is_active(item):
                    return True
                stack.extend(dict.values(item))
            elif isinstance(item, ArrayObject):
                stack.extend(list.__iter__(item))
    except PdfUnreadable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        logger.info("Unreadable PDF upload: %s", error)
        raise PdfUnreadable(str(error)) from None
    return False


# The byte scan. Names may be written with #xx escapes ("/J#61vaScript").
_PDF_ACTIVE_NAMES = {
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"AA",
}
_PDF_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]{1,127})")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<=[\s>])stream\r?\n(.*?)endstream", re.DOTALL)
_MAX_INFLATED = 16 * 1024 * 1024


def _pdf_names(chunk):
    for match in _PDF_NAME.finditer(chunk):
        yield _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def _bytes_have_active_content(data: bytes) -> bool:
    """Stream contents (page images) are skipped, their bytes being data, except compressed object
    streams, where PDF 1.5+ keeps dictionaries: those are inflated (within a limit) and read too."""
    parts = _PDF_STREAM.split(data)
    texts, streams = parts[0::2], parts[1::2]
    chunks = list(texts)
    budget = _MAX_INFLATED
    for before, body in zip(texts, streams, strict=False):
        header = before[-2048:]
        if b"/ObjStm" not in header or b"/FlateDecode" not in header or budget <= 0:
            continue
        try:
            inflated = zlib.decompressobj().decompress(body, budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        chunks.append(inflated)
    return any(name in _PDF_ACTIVE_NAMES for chunk in chunks for name in _pdf_names(chunk))


def pdf_has_active_content(data: bytes) -> bool:
    """True when either reading finds active content; PdfUnreadable when pypdf cannot parse the file."""
    return _bytes_have_active_content(data) or _parsed_has_active_content(data)
