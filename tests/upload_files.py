"""Real files for the upload tests, made with Pillow (and by hand where a file must lie about itself),
and a multipart body builder for file names the test client would tidy up before sending.
"""

import io
import struct
import zlib

from PIL import ExifTags, Image, PngImagePlugin

# Somewhere in Mộc Châu: the position a phone writes into a photo's EXIF.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (20.0, 50.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (104.0, 37.0, 48.0),
}
SECRET = b"bi-mat-cua-nguoi-chup"  # written into every kind of metadata; must not survive an upload


def exif_with_gps(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Điện thoại thử"
    exif[ExifTags.Base.Artist] = SECRET.decode()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def picture(width=40, height=20, mode="RGB"):
    """A picture whose left half is red and right half blue, so that a rotation shows."""
    image = Image.new(mode, (width, height), (200, 20, 20) if mode != "L" else 60)
    image.paste((20, 20, 200) if mode != "L" else 200, (width // 2, 0, width, height))
    return image


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg(width=40, height=20, **options):
    return encode(picture(width, height), "JPEG", **options)


def png(width=40, height=20, mode="RGB", **options):
    return encode(picture(width, height, mode), "PNG", **options)


def phone_jpeg(orientation=6):
    """A JPEG as a phone writes it: EXIF with GPS and a rotation, XMP and a comment."""
    return encode(
        picture(),
        "JPEG",
        exif=exif_with_gps(orientation),
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + SECRET + b"</x:xmpmeta>",
        comment=SECRET,
    )


def png_with_metadata():
    """A transparent PNG with text chunks and EXIF."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET.decode())
    info.add_itxt("Comment", SECRET.decode(), zip=True)
    image = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    image.paste((10, 150, 10, 255), (0, 0, 15, 30))
    return encode(image, "PNG", pnginfo=info, exif=exif_with_gps())


def webp_with_metadata():
    return encode(picture(), "WEBP", exif=exif_with_gps(), xmp=SECRET)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width, height):
    """A PNG of a few dozen bytes whose header declares `width` x `height` pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width, height):
    """A real small JPEG whose frame header is rewritten to declare `width` x `height` pixels."""
    data = bytearray(jpeg(16, 16))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def png_over_the_limit(pixels):
    """A real 1-bit PNG of about `pixels` pixels (tiny on disk: it is all black)."""
    width = 10_000
    return encode(Image.new("1", (width, -(-pixels // width))), "PNG")


def png_text_bomb():
    """A PNG whose compressed text chunk inflates to 64 MB."""
    compressed = zlib.compress(b"\x00" * (64 * 1024 * 1024), 9)
    chunk = _png_chunk(b"zTXt", b"Comment\x00\x00" + compressed)
    data = png(8, 8)
    return data[:33] + chunk + data[33:]


def corrupt_png():
    """A PNG with one byte of its pixel data flipped (its checksum no longer matches)."""
    data = bytearray(png(64, 64))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    return bytes(data)


def truncated(data, keep=0.5):
    return data[: int(len(data) * keep)]


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_WITH_SCRIPT = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"


def pdf_document(objects, version=b"1.4", root=1):
    """A PDF whose numbered objects are `objects` (bodies as bytes), with a cross-reference table."""
    out = b"%PDF-" + version + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj ".encode() + body + b" endobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer << /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    return out + trailer.encode()


PDF = pdf_document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def pdf_with(dictionary: bytes) -> bytes:
    return pdf_document([dictionary])


def _stream(dictionary: bytes, payload: bytes) -> bytes:
    return dictionary + b" /Length " + str(len(payload)).encode() + b" >>\nstream\n" + payload + b"\nendstream"


def pdf_with_script_in_object_stream():
    """PDF 1.5: the JavaScript action sits in a compressed object stream, out of sight of a byte search."""
    body = zlib.compress(b"2 0 << /S /JavaScript /JS (app.alert(1)) >>")
    return pdf_document(
        [
            b"<< /Type /Catalog /OpenAction 2 0 R >>",
            b"null",
            _stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", body),
        ],
        version=b"1.5",
    )


def pdf_with_image_stream(payload: bytes) -> bytes:
    """A PDF whose only stream is binary picture data (which may contain any bytes at all)."""
    return pdf_document([_stream(b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode", payload)])


def pdf_with_comment_trick() -> bytes:
    """JavaScript run on opening, in a catalogue that PDF comments make look like the inside of a stream
    to a byte search ("stream" on a comment line before it, "endstream" on one after it)."""
    return pdf_document(
        [b"%  stream\n<< /Type /Catalog /OpenAction << /S /JavaScript /J#53 (app.alert(1)) >> >>\n% endstream\n"]
    )


def pdf_opening_a_website() -> bytes:
    return pdf_with(b"<< /Type /Catalog /OpenAction << /S /URI /URI (http://evil.example/) >> >>")


def pdf_opening_on_a_page() -> bytes:
    """An OpenAction that only shows the first page, fitted: scanners write this; it is harmless."""
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        ]
    )


def multipart(fields, files, boundary="----ocop-test-boundary-7MA4YWxkTrZu0gW"):
    """A multipart/form-data body, file names sent byte for byte as given (the test client would
    keep only their last path component). `files`: {field: (file name as bytes, content)}.
    Returns (body, content type)."""
    dash = b"--" + boundary.encode()
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                dash + b"\r\n" + f'Content-Disposition: form-data; name="{name}"'.encode() + b"\r\n\r\n"
                b"" + str(item).encode() + b"\r\n"
            )
    for name, (filename, content) in files.items():
        parts.append(
            dash
            + b"\r\n"
            + f'Content-Disposition: form-data; name="{name}"; filename="'.encode()
            + filename
            + b'"\r\nContent-Type: image/jpeg\r\n\r\n'
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + dash + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def stored_metadata(path) -> dict:
    """What Pillow finds beside the pixels of a stored file: EXIF tags, GPS, and `info` entries."""
    with Image.open(path) as image:
        exif = image.getexif()
        return {
            "exif": dict(exif),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
            "info": sorted(k for k in image.info if k not in ("jfif", "jfif_version", "jfif_unit", "jfif_density")),
            "size": image.size,
            "format": image.format,
        }
