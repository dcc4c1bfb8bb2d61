"""Certificate scans uploaded through the real admin form, as a superuser and as provincial staff: PDFs
must be complete and carry no active content; pictures are checked and re-encoded like photos.
(Scans judged by content, and the size limit: tests/certifications/test_admin_certificates.py.)
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certifications.models import Certificate
from tests import factories as f
from tests import upload_files as u
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:certifications_certificate_add")
STORED = re.compile(r"^certificates/[A-Za-z0-9_-]{24}\.(pdf|jpg|png)$")
ACTIVE = "chứa mã lệnh (JavaScript)"


@pytest.fixture(params=["superuser", "provincial_staff"])
def client(request):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    else:
        user = staff_user("nv_sonla", provinces=["son-la"])
    client = Client()
    client.force_login(user)
    return client


def certificate_data(document):
    return {
        "kind": "ocop",
        "number": "300/QĐ-UBND",
        "title": "Công nhận sản phẩm OCOP",
        "issuer": "UBND tỉnh Sơn La",
        "province": f.province("son-la").pk,
        "issued_on": "14/08/2025",
        "document": document,
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "renewals-TOTAL_FORMS": "0",
        "renewals-INITIAL_FORMS": "0",
    }


def post_scan(client, name, data):
    return client.post(ADD_URL, certificate_data(SimpleUploadedFile(name, data)))


def document_errors(response):
    return " ".join(response.context["adminform"].form.errors.get("document", []))


def test_a_plain_pdf_is_stored_byte_for_byte(client):
    # Binary picture data may hold any bytes, "/JavaScript" too: stream contents are not names.
    scan = u.pdf_with_image_stream(b"/JavaScript /Launch " + os.urandom(50_000))
    assert post_scan(client, "Quyết định 300.pdf", scan).status_code == 302
    document = Certificate.objects.get().document
    assert STORED.match(document.name) and document.name.endswith(".pdf")
    assert Path(document.path).read_bytes() == scan


def test_a_photographed_scan_loses_its_gps_position(client):
    assert post_scan(client, "chup-giay-chung-nhan.jpg", u.phone_jpeg()).status_code == 302
    document = Certificate.objects.get().document
    assert STORED.match(document.name) and document.name.endswith(".jpg")
    assert u.SECRET not in Path(document.path).read_bytes()
    meta = u.stored_metadata(document.path)
    assert meta["gps"] == {} and meta["exif"] == {} and meta["size"] == (20, 40)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("js.pdf", u.pdf_with(b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"), ACTIVE),
        ("an-ten.pdf", u.pdf_with(b"<< /Type /Catalog /OpenAction << /S /J#61va#53cript /JS (x) >> >>"), ACTIVE),
        ("objstm.pdf", u.pdf_with_script_in_object_stream(), ACTIVE),
        ("mo-chuong-trinh.pdf", u.pdf_with(b"<< /S /Launch /F (cmd.exe) >>"), ACTIVE),
        ("dinh-kem.pdf", u.pdf_with(b"<< /Type /Filespec /EF << /F 2 0 R >> /Type /EmbeddedFile >>"), ACTIVE),
        ("cat-ngang.pdf", u.PDF[:-8], "không trọn vẹn"),
        ("scan.pdf", u.SVG_WITH_SCRIPT, "Không nhận ảnh SVG"),
        ("scan.pdf", u.HTML_WITH_SCRIPT, "Không nhận trang web (HTML)"),
        ("scan.jpg", u.jpeg_declaring(60_000, 60_000), "quá nhiều điểm ảnh"),
        ("scan.png", u.corrupt_png(), "bị hỏng"),
        ("scan.webp", u.webp_with_metadata(), "Bản scan phải là tệp PDF, JPEG hoặc PNG. Tệp này là ảnh WebP."),
        ("scan.pdf", b"PK\x03\x04" + b"\x00" * 100, "tài liệu Word, Excel"),
    ],
)
def test_a_bad_scan_is_refused_with_a_clear_message(client, name, data, message):
    response = post_scan(client, name, data)
    assert response.status_code == 200
    assert message in document_errors(response)
    assert Certificate.objects.count() == 0


def test_the_file_picker_offers_pdf_jpeg_and_png(client):
    content = client.get(ADD_URL).content.decode()
    assert 'accept="application/pdf,image/jpeg,image/png"' in content
