"""Product photos uploaded through the real admin form (main photo and the photos inline), as a
superuser and as provincial staff: hostile or broken files are refused with a clear Vietnamese error,
good ones are stored upright, re-encoded without metadata, under a random name.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from core.uploads import MAX_UPLOAD_BYTES
from products.images import thumbnail_name
from products.models import Product
from tests import factories as f
from tests import upload_files as u
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db

STORED = re.compile(r"^products/[A-Za-z0-9_-]{24}\.(jpg|png|webp)$")


@pytest.fixture(params=["superuser", "provincial_staff"])
def client(request):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    else:
        user = staff_user("nv_sonla", provinces=["son-la"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def product():
    return f.product()  # in Sơn La, where the provincial staff member works


def change_url(product):
    return reverse("admin:products_product_change", args=[product.pk])


def product_data(product, image=None, photo=None):
    data = {
        "name": product.name,
        "producer": product.producer.pk,
        "category": product.category.pk,
        "is_published": "on",
        "photos-TOTAL_FORMS": "1" if photo is not None else "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    if image is not None:
        data["image"] = image
    if photo is not None:
        data.update({"photos-0-image": photo, "photos-0-alt_text": "Ảnh thử", "photos-0-position": "0"})
    return data


def errors(response):
    """Every form and inline error on an admin change page, by field ("photos-image" for the inline)."""
    found = {name: " ".join(messages) for name, messages in response.context["adminform"].form.errors.items()}
    for inline in response.context["inline_admin_formsets"]:
        for form_errors in inline.formset.errors:
            for name, messages in form_errors.items():
                found[f"{inline.formset.prefix}-{name}"] = " ".join(messages)
    return found


def upload(name, data):
    return SimpleUploadedFile(name, data)


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- good photos: stored upright, without metadata, under a random name ------------------------------


def test_a_phone_photo_is_stored_upright_without_its_gps_position_or_any_metadata(client, product):
    original = u.phone_jpeg(orientation=6)  # 40 x 20 as stored, "turn 90° clockwise" in its EXIF
    assert u.stored_metadata(io.BytesIO(original))["gps"]  # the file sent does carry a GPS position
    data = product_data(product, image=upload("IMG_2041.JPG", original), photo=upload("IMG_2042.jpg", original))
    response = client.post(change_url(product), data)
    assert response.status_code == 302, errors(response)
    product.refresh_from_db()
    photo = product.photos.get()
    for field_file, (width, height) in (
        (product.image, (product.image_width, product.image_height)),
        (photo.image, (photo.width, photo.height)),
    ):
        assert STORED.match(field_file.name), field_file.name
        raw = Path(field_file.path).read_bytes()
        assert u.SECRET not in raw and b"Exif" not in raw and b"xmpmeta" not in raw
        meta = u.stored_metadata(field_file.path)
        assert meta["exif"] == {} and meta["gps"] == {}
        assert meta["format"] == "JPEG"
        # Turned the way the camera meant: the red left half is now on top.
        assert meta["size"] == (20, 40) == (width, height)
        with Image.open(field_file.path) as image:
            red, _g, blue = image.convert("RGB").getpixel((10, 5))
            assert red > 150 and blue < 80
            red, _g, blue = image.convert("RGB").getpixel((10, 35))
            assert blue > 150 and red < 80
        # Thumbnails are made from the cleaned photo.
        for size in ("card", "large"):
            thumb = Path(settings.MEDIA_ROOT) / thumbnail_name(field_file.name, size)
            assert thumb.exists() and u.SECRET not in thumb.read_bytes()
            assert u.stored_metadata(thumb)["gps"] == {}
    assert "IMG_204" not in product.image.name + photo.image.name


@pytest.mark.parametrize(
    ("name", "data", "fmt", "mode"),
    [
        ("logo.png", u.png_with_metadata(), "PNG", "RGBA"),
        ("anh.webp", u.webp_with_metadata(), "WEBP", "RGB"),
        ("bang-mau.png", u.encode(u.picture().convert("P"), "PNG", transparency=0), "PNG", "P"),
    ],
)
def test_png_and_webp_keep_their_format_and_transparency_but_lose_their_metadata(
    client, product, name, data, fmt, mode
):
    response = client.post(change_url(product), product_data(product, photo=upload(name, data)))
    assert response.status_code == 302, errors(response)
    stored = product.photos.get().image
    assert STORED.match(stored.name)
    assert u.SECRET not in Path(stored.path).read_bytes()
    meta = u.stored_metadata(stored.path)
    assert meta["format"] == fmt and meta["exif"] == {} and meta["gps"] == {}
    assert not {"Author", "Comment", "xmp", "exif", "XML:com.adobe.xmp"} & set(meta["info"])
    with Image.open(stored.path) as image:
        assert image.mode == mode
        if name == "logo.png":
            assert image.getpixel((25, 5))[3] == 0 and image.getpixel((5, 5))[3] == 255
        if mode == "P":
            assert "transparency" in image.info


def test_html_hidden_after_the_picture_is_not_stored(client, product):
    polyglot = u.jpeg() + u.HTML_WITH_SCRIPT
    response = client.post(change_url(product), product_data(product, image=upload("anh.jpg", polyglot)))
    assert response.status_code == 302, errors(response)
    product.refresh_from_db()
    assert b"<script" not in Path(product.image.path).read_bytes()


# --- bad files: refused with a clear message, nothing stored ------------------------------------------

TOO_MANY_PIXELS = "quá nhiều điểm ảnh (tối đa 25 triệu)"
BROKEN = "bị hỏng hoặc không trọn vẹn"
REFUSED = [
    # decompression bombs: a few bytes declaring billions of pixels, and a real picture over the limit
    ("bom.png", u.png_declaring(100_000, 100_000), TOO_MANY_PIXELS),
    ("bom.jpg", u.jpeg_declaring(65_000, 65_000), TOO_MANY_PIXELS),
    ("that-lon.png", u.png_over_the_limit(90_000_000), TOO_MANY_PIXELS),
    ("bom-chu.png", u.png_text_bomb(), BROKEN),
    # a wrong content type behind a right extension
    ("trang.jpg", u.HTML_WITH_SCRIPT, "Không nhận trang web (HTML)"),
    ("tai-lieu.jpg", u.PDF, "Tệp này là tài liệu PDF"),
    ("anh.png", u.SVG_WITH_SCRIPT, "Không nhận ảnh SVG"),
    ("anh.svg", u.SVG_WITH_SCRIPT, "có thể chứa mã chạy trên trình duyệt"),
    ("anh.gif", u.encode(u.picture(), "GIF"), "Tệp này là ảnh GIF"),
    ("anh.jpg", u.encode(u.picture(), "TIFF"), "Tệp này là ảnh TIFF"),
    ("IMG_0001.jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "HEIC"),
    ("chuong-trinh.jpg", b"MZ\x90\x00" + b"\x00" * 200, "Ảnh phải là tệp JPEG, PNG hoặc WebP"),
    ("ngau-nhien.jpg", bytes(range(256)) * 4, "Ảnh phải là tệp JPEG, PNG hoặc WebP"),
    # truncated and corrupt pictures
    ("cat-ngang.jpg", u.truncated(u.jpeg(400, 300)), BROKEN),
    ("cat-ngang.png", u.truncated(u.png(400, 300)), BROKEN),
    ("chi-co-dau.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, BROKEN),
    ("hong.png", u.corrupt_png(), BROKEN),
    ("png-doi-ten.jpg", u.png()[:8] + u.jpeg()[8:], BROKEN),
    ("rong.jpg", b"", "Tệp tải lên rỗng"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(client, product, name, data, message):
    response = client.post(
        change_url(product), product_data(product, image=upload(name, data), photo=upload(name, data))
    )
    assert response.status_code == 200
    found = errors(response)
    assert message in found.get("image", ""), found
    assert message in found.get("photos-image", ""), found
    product.refresh_from_db()
    assert not product.image and product.photos.count() == 0
    assert media_files() == []


def test_a_photo_over_10_mb_is_refused(client, product):
    big = u.jpeg()[:-2] + b"\x00" * (MAX_UPLOAD_BYTES + 1)
    response = client.post(change_url(product), product_data(product, photo=upload("lon.jpg", big)))
    assert response.status_code == 200
    assert "Tệp quá lớn (10,0\xa0MB); tối đa 10,0\xa0MB." in errors(response)["photos-image"]
    assert media_files() == []


def test_the_file_picker_offers_only_the_accepted_formats(client, product):
    content = client.get(change_url(product)).content.decode()
    # the main photo, the inline's empty row and its template for "add another"
    assert content.count('accept="image/jpeg,image/png,image/webp"') == 3
    assert 'accept="image/*"' not in content


# --- path tricks in names: the stored name is random whatever the name sent ----------------------------

# (name sent, what happens): "stored" under a random name; "not received" (no usable name at all: the
# inline row then asks for its photo); "400" for a part header over Django's 1 KB limit.
NASTY_NAMES = [
    (b"../../etc/passwd.jpg", "stored"),
    (b"..\\..\\windows\\win.ini.jpg", "stored"),
    (b"/etc/cron.d/anh.jpg", "stored"),
    (b"anh\x00.php.jpg", "stored"),
    (b"anh.jpg\x00.html", "stored"),
    (b"%2e%2e%2fanh.jpg", "stored"),
    (b"&#46;&#46;&#47;anh.jpg", "stored"),
    (b"\xe1\xba\xa2nh s\xe1\xba\xa3n ph\xe1\xba\xa9m.jpg", "stored"),  # "Ảnh sản phẩm.jpg" in UTF-8
    (b"anh.php", "stored"),
    (b"anh\r\nContent-Type: text/html.jpg", "stored"),
    (b"a" * 300 + b".jpg", "stored"),
    (b"..", "not received"),
    (b"\xff\xfe.jpg", "not received"),
    (b"b" * 5000 + b".jpg", "400"),
]


@pytest.mark.parametrize(("filename", "outcome"), NASTY_NAMES, ids=[repr(n[:30]) for n, _o in NASTY_NAMES])
def test_a_nasty_file_name_never_reaches_the_disk(client, product, filename, outcome):
    fields = product_data(product)
    fields.update({"photos-TOTAL_FORMS": "1", "photos-0-alt_text": "Ảnh", "photos-0-position": "0"})
    body, content_type = u.multipart(fields, {"photos-0-image": (filename, u.jpeg())})
    response = client.generic("POST", change_url(product), body, content_type=content_type)
    if outcome == "stored":
        assert response.status_code == 302
        assert STORED.match(product.photos.get().image.name)
    elif outcome == "not received":
        assert response.status_code == 200
        assert errors(response) == {"photos-image": "Trường này là bắt buộc."}
    else:
        assert response.status_code == 400
    for name in media_files():
        assert re.match(r"^(thumbs/)?products/[A-Za-z0-9_-]{24}(-card|-large)?\.jpg$", name), name
    # Nothing was written outside the media folder.
    written = [p for p in Path(settings.MEDIA_ROOT).parent.rglob("*") if p.is_file()]
    assert all(Path(settings.MEDIA_ROOT) in p.parents for p in written), written


def test_the_stored_name_is_random_and_keeps_nothing_of_the_name_sent(client, product):
    names = set()
    for _ in range(3):
        data = product_data(product, photo=upload("tra-shan-tuyet-moc-chau.jpg", u.jpeg()))
        assert client.post(change_url(product), data).status_code == 302
    for photo in Product.objects.get(pk=product.pk).photos.all():
        assert STORED.match(photo.image.name) and "tra" not in photo.image.name.lower()
        names.add(photo.image.name)
    assert len(names) == 3
