"""Uploads and imports that could exhaust a worker are refused before the expensive part: a picture over
the pixel limit before decoding, a spreadsheet over the row limit before it is loaded, and a PDF whose
active content hides behind comment tricks is found by a real parser (pypdf)."""

import io
import time

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.pdf_safety import _bytes_have_active_content, pdf_has_active_content
from core.uploads import check_image, check_scan
from producers.models import Producer, Province
from tests import upload_files as u
from tests.admin_world import staff_user


def _upload(name, data):
    return SimpleUploadedFile(name, data)


def test_an_88_megapixel_png_of_a_few_hundred_bytes_is_refused_before_decoding():
    bomb = u.png_declaring(10_000, 8_800)
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        check_image(_upload("bom.png", bomb))
    assert refused.value.code == "too_many_pixels"
    assert time.monotonic() - started < 1.0  # decoding 88 million pixels took 5 s; reading a header does not


def test_the_pixel_limit_is_a_setting(settings):
    picture = u.png_declaring(2000, 2000)
    settings.MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as refused:
        check_image(_upload("anh.png", picture))
    assert refused.value.code == "too_many_pixels"
    assert "tối đa 1 triệu" in str(refused.value.messages[0])


def test_a_camera_sized_photo_passes(settings):
    settings.MAX_IMAGE_PIXELS = 25_000_000
    assert check_image(_upload("anh.jpg", u.jpeg(64, 48))).size > 0


def test_the_pdf_comment_trick_is_found():
    trick = u.pdf_with_comment_trick()
    assert not _bytes_have_active_content(trick), "the trick fools a byte search"
    assert pdf_has_active_content(trick)
    with pytest.raises(ValidationError) as refused:
        check_scan(_upload("quyet-dinh.pdf", trick))
    assert refused.value.code == "active_pdf"


def test_an_action_on_opening_other_than_showing_a_page_is_refused():
    assert pdf_has_active_content(u.pdf_opening_a_website())
    assert not pdf_has_active_content(u.pdf_opening_on_a_page())
    assert check_scan(_upload("scan.pdf", u.pdf_opening_on_a_page())).size > 0


def test_additional_actions_and_attachments_are_refused():
    assert pdf_has_active_content(u.pdf_with(b"<< /Type /Catalog /AA << /O << /S /GoTo /D [0 /Fit] >> >> >>"))
    assert pdf_has_active_content(u.pdf_with(b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>"))


def test_a_pdf_no_parser_can_read_is_refused_as_broken():
    with pytest.raises(ValidationError) as refused:
        check_scan(_upload("scan.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"))
    assert refused.value.code == "broken_pdf"


# --- Imports ------------------------------------------------------------------------------------------


def _xlsx(rows):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Tên chủ thể", "Loại chủ thể", "Địa chỉ"])
    for n in range(rows):
        sheet.append([f"HTX số {n}", "Hợp tác xã", "Sơn La"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows):
    lines = ["Tên chủ thể,Loại chủ thể,Địa chỉ"] + [f"HTX số {n},Hợp tác xã,Sơn La" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(staff_user("nv_sonla", provinces=["son-la"]))
    return client


@pytest.mark.parametrize(("name", "make", "format_index"), [("chu-the.xlsx", _xlsx, "0"), ("chu-the.csv", _csv, "1")])
def test_an_import_over_the_row_limit_is_refused_with_a_clear_message(staff_client, settings, name, make, format_index):
    settings.IMPORT_MAX_ROWS = 50
    data = {"import_file": _upload(name, make(51)), "format": format_index, "resource": "0"}
    response = staff_client.post(reverse("admin:producers_producer_import"), data)
    assert response.status_code == 200
    assert "hơn 50 dòng dữ liệu" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Producer.objects.exists()
    # At the limit it goes through to the preview.
    data = {"import_file": _upload(name, make(50)), "format": format_index, "resource": "0"}
    response = staff_client.post(reverse("admin:producers_producer_import"), data)
    assert "hơn 50 dòng dữ liệu" not in response.content.decode()


def test_a_decision_import_over_the_row_limit_is_refused(staff_client, settings):
    settings.IMPORT_MAX_ROWS = 20
    data = {
        "import_file": _upload("quyet-dinh.xlsx", _xlsx(21)),
        "format": "0",
        "resource": "0",
        "province": Province.objects.get(slug="son-la").pk,
    }
    response = staff_client.post(reverse("admin:certifications_certifiedproduct_import"), data)
    assert response.status_code == 200
    assert "hơn 20 dòng dữ liệu" in response.content.decode()


def test_a_huge_file_is_refused_after_reading_just_past_the_limit(settings):
    """Half a million rows here (the check stops one row past the limit whatever the total)."""
    from core.admin.import_limits import check_row_limit

    settings.IMPORT_MAX_ROWS = 5000
    upload = _upload("lon.csv", _csv(500_000))
    with pytest.raises(ValidationError) as refused:
        check_row_limit(upload)
    assert refused.value.code == "too_many_rows"
