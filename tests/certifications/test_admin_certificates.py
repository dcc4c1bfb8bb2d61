"""Certificate entry in the admin knows the validity rules: stars, validity, duplicates, scans, revocation."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from certifications.models import Certificate, CertifiedProduct
from core.uploads import MAX_UPLOAD_BYTES
from core.validity import Status
from products.models import Product
from tests import factories as f
from tests import upload_files
from tests.admin_world import png_bytes, staff_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:certifications_certificate_add")
LIST_URL = reverse("admin:certifications_certificate_changelist")
ENTRY_LIST_URL = reverse("admin:certifications_certifiedproduct_changelist")
PDF = upload_files.PDF


@pytest.fixture
def staff():
    return staff_user("nv_sonla", provinces=["son-la"])


@pytest.fixture
def client(staff):
    client = Client()
    client.force_login(staff)
    return client


NO_RENEWALS = {"renewals-TOTAL_FORMS": "0", "renewals-INITIAL_FORMS": "0"}


def entries(*rows):
    data = {
        "entries-TOTAL_FORMS": str(len(rows)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        **NO_RENEWALS,
    }
    for i, (product, stars) in enumerate(rows):
        data[f"entries-{i}-product"] = product.pk
        data[f"entries-{i}-stars"] = "" if stars is None else str(stars)
    return data


def certificate_data(kind="ocop", number="300/QĐ-UBND", issued_on="14/08/2025", valid_until="", rows=(), **extra):
    return {
        "kind": kind,
        "number": number,
        "title": "Công nhận sản phẩm OCOP" if kind == "ocop" else "Mộc Châu",
        "issuer": "UBND tỉnh Sơn La",
        "province": f.province("son-la").pk,
        "issued_on": issued_on,
        "valid_until": valid_until,
        **entries(*rows),
        **extra,
    }


def form_errors(response):
    errors = dict(response.context["adminform"].form.errors)
    for formset in response.context["inline_admin_formsets"]:
        for i, form_errors_ in enumerate(formset.formset.errors):
            for field, messages in form_errors_.items():
                errors[f"entries-{i}-{field}"] = messages
    return {field: [str(m) for m in messages] for field, messages in errors.items()}


# --- stars and validity -----------------------------------------------------------------------------


@pytest.mark.parametrize("stars", [None, 1, 2, 6])
def test_an_ocop_decision_needs_3_to_5_stars_on_each_product(client, stars):
    product = f.product()
    response = client.post(ADD_URL, certificate_data(rows=[(product, stars)]))
    assert response.status_code == 200
    assert "entries-0-stars" in form_errors(response)
    assert Certificate.objects.count() == 0


def test_stars_are_refused_on_a_gi_and_checked_on_an_existing_decision(client):
    product = f.product()
    response = client.post(ADD_URL, certificate_data(kind="gi", number="00099", issued_on="", rows=[(product, 4)]))
    assert "Chỉ quyết định OCOP mới có hạng sao" in " ".join(form_errors(response)["entries-0-stars"])
    certificate = f.certificate("ocop")
    url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
    data = certificate_data(number=certificate.number, issued_on="15/01/2025", rows=[(product, 2)])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "entries-0-stars" in form_errors(response)
    assert CertifiedProduct.objects.count() == 0


def test_an_ocop_decision_without_validity_runs_36_months_and_the_user_is_told(client):
    products = [f.product(), f.product()]
    response = client.post(ADD_URL, certificate_data(rows=[(products[0], 4), (products[1], 3)]), follow=True)
    assert response.status_code == 200
    certificate = Certificate.objects.get()
    assert certificate.valid_until == datetime.date(2028, 8, 14)
    assert {e.stars for e in certificate.entries.all()} == {3, 4}
    assert "Hiệu lực đến 14/08/2028: tự tính 36 tháng từ ngày ký" in response.content.decode()


def test_a_mark_runs_10_years_from_filing_and_a_gi_never_expires(client):
    client.post(
        ADD_URL,
        certificate_data(kind="certification_mark", number="178902", issued_on="01/03/2016", filed_on="15/04/2015"),
    )
    mark = Certificate.objects.get(kind="certification_mark")
    assert mark.valid_until == datetime.date(2025, 4, 15)
    client.post(ADD_URL, certificate_data(kind="collective_mark", number="178903", issued_on="01/03/2016"))
    assert Certificate.objects.get(kind="collective_mark").valid_until is None  # unknown, never assumed
    client.post(ADD_URL, certificate_data(kind="gi", number="00002", issued_on="09/08/2010"))
    assert Certificate.objects.get(kind="gi").valid_until is None
    response = client.post(
        ADD_URL, certificate_data(kind="gi", number="00056", issued_on="05/07/2017", valid_until="05/07/2027")
    )
    assert "valid_until" in form_errors(response)
    assert Certificate.objects.filter(number="00056").count() == 0


def test_the_form_says_how_validity_is_filled_in(client):
    html = client.get(ADD_URL).content.decode()
    assert "quyết định OCOP 36 tháng" in html and "10 năm" in html and "Chỉ dẫn địa lý không có thời hạn" in html


def test_dates_are_typed_day_first(client):
    client.post(ADD_URL, certificate_data(issued_on="01/06/2025"))
    assert Certificate.objects.get().issued_on == datetime.date(2025, 6, 1)


def test_an_unsaved_decision_with_a_product_twice_is_an_error_not_a_crash(client):
    product = f.product()
    response = client.post(ADD_URL, certificate_data(rows=[(product, 4), (product, 3)]))
    assert response.status_code == 200
    assert Certificate.objects.count() == 0


# --- duplicates and kind ----------------------------------------------------------------------------


def test_a_duplicate_number_is_flagged_however_it_is_typed(client):
    f.certificate("ocop", number="245/QĐ-UBND", title="Đợt 1 năm 2025", issued_on=datetime.date(2025, 8, 14))
    response = client.post(ADD_URL, certificate_data(number="245 / qd - ubnd"))
    message = " ".join(form_errors(response)["number"])
    assert "đã có" in message and "Đợt 1 năm 2025" in message and "14/08/2025" in message
    assert Certificate.objects.count() == 1
    # The same number in another kind is another document.
    assert client.post(ADD_URL, certificate_data(kind="collective_mark", number="245/QĐ-UBND")).status_code == 302


def test_the_kind_of_a_certificate_with_products_cannot_change(client):
    certificate = f.certificate("ocop")
    f.entry(certificate, f.product(), stars=4)
    url = reverse("admin:certifications_certificate_change", args=[certificate.pk])
    data = certificate_data(kind="collective_mark", number=certificate.number, issued_on="15/01/2025")
    data.update({"entries-TOTAL_FORMS": "0"})
    response = client.post(url, data)
    assert "kind" in form_errors(response)
    certificate.refresh_from_db()
    assert certificate.kind == "ocop"


# --- the scan ---------------------------------------------------------------------------------------


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (10, 120, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "suffix"),
    [("quyet-dinh.pdf", PDF, ".pdf"), ("scan.jpg", None, ".jpg"), ("anh-chup.pdf", png_bytes(), ".png")],
)
def test_a_scan_is_kept_under_an_unguessable_name_with_its_real_type(client, name, payload, suffix):
    payload = payload if payload is not None else jpeg_bytes()
    response = client.post(ADD_URL, {**certificate_data(), "document": SimpleUploadedFile(name, payload)})
    assert response.status_code == 302
    stored = Certificate.objects.get().document.name
    assert stored.startswith("certificates/") and stored.endswith(suffix)
    assert name.rsplit(".", 1)[0] not in stored
    assert len(stored.removeprefix("certificates/").removesuffix(suffix)) >= 20


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("trang.pdf", b"<html><script>alert(1)</script></html>", "PDF, JPEG hoặc PNG"),
        ("chuong-trinh.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "PDF, JPEG hoặc PNG"),
        ("cat-ngang.pdf", b"%PDF-1.4\n1 0 obj", "không trọn vẹn"),
        ("hong.png", png_bytes()[:40], "hỏng"),
        ("anh.gif", b"GIF89a" + b"\x00" * 50, "PDF, JPEG hoặc PNG"),
    ],
)
def test_a_scan_is_judged_by_its_content_not_its_name(client, name, payload, message):
    response = client.post(ADD_URL, {**certificate_data(), "document": SimpleUploadedFile(name, payload)})
    assert response.status_code == 200
    assert message in " ".join(form_errors(response)["document"])
    assert Certificate.objects.count() == 0


def test_a_scan_over_10_mb_is_refused(client):
    big = PDF[:-6] + b"0" * (MAX_UPLOAD_BYTES + 1) + b"\n%%EOF\n"
    response = client.post(ADD_URL, {**certificate_data(), "document": SimpleUploadedFile("lon.pdf", big)})
    assert "Tệp quá lớn" in " ".join(form_errors(response)["document"])
    assert Certificate.objects.count() == 0


def test_product_photos_are_checked_by_content(client, staff):
    product = f.product()
    url = reverse("admin:products_product_change", args=[product.pk])
    data = {
        "name": product.name,
        "producer": product.producer.pk,
        "category": product.category.pk,
        "is_published": "on",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-image": SimpleUploadedFile("anh.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        "photos-0-alt_text": "Ảnh",
        "photos-0-position": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert product.photos.count() == 0
    data["photos-0-image"] = SimpleUploadedFile("anh.gif", png_bytes())
    assert client.post(url, data).status_code == 302
    assert product.photos.get().image.name.endswith(".png")


# --- revocation -------------------------------------------------------------------------------------


def revoke(client, url, pks, **data):
    return client.post(url, {"action": "revoke", "_selected_action": pks, **data})


def test_revoking_asks_for_a_date_and_a_reason_then_records_them(client, staff, today):
    certificate = f.certificate("ocop", issued_on=today - datetime.timedelta(days=100))
    product = f.product()
    f.entry(certificate, product, stars=4)
    assert Product.objects.with_current_stars().get(pk=product.pk).current_stars == 4

    page = revoke(client, LIST_URL, [certificate.pk])
    assert page.status_code == 200
    assert "Lý do thu hồi" in page.content.decode()
    missing_reason = revoke(client, LIST_URL, [certificate.pk], apply="1", revoked_on=today.strftime("%d/%m/%Y"))
    assert missing_reason.status_code == 200 and missing_reason.context["form"].errors["reason"]
    tomorrow = (today + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    future = revoke(client, LIST_URL, [certificate.pk], apply="1", revoked_on=tomorrow, reason="Thử")
    assert future.context["form"].errors["revoked_on"]
    certificate.refresh_from_db()
    assert certificate.revoked_on is None

    reason = "Quyết định thu hồi 99/QĐ-UBND: không đánh giá lại sau 36 tháng"
    response = revoke(
        client, LIST_URL, [certificate.pk], apply="1", revoked_on=today.strftime("%d/%m/%Y"), reason=reason
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.revoked_on, certificate.revocation_reason) == (today, reason)
    assert Certificate.objects.filter(pk=certificate.pk).exists(), "revoking never deletes"
    latest = certificate.history.first()
    assert latest.history_user == staff and latest.history_change_reason.startswith("Thu hồi: Quyết định")
    assert Product.objects.with_current_stars().get(pk=product.pk).current_stars is None
    listing = client.get(LIST_URL, {"status": "revoked"})
    assert listing.context["cl"].result_count == 1
    assert "đã thu hồi" in listing.content.decode()


def test_revoking_an_entry_leaves_the_other_products_of_the_decision(client, today):
    certificate = f.certificate("ocop", issued_on=today - datetime.timedelta(days=10))
    kept, dropped = f.entry(certificate, f.product(), stars=3), f.entry(certificate, f.product(), stars=4)
    day = today.strftime("%d/%m/%Y")
    response = revoke(client, ENTRY_LIST_URL, [dropped.pk], apply="1", revoked_on=day, reason="Sai sót hồ sơ")
    assert response.status_code == 302
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.status, dropped.status) == (Status.VALID, Status.REVOKED)
    assert dropped.revocation_reason == "Sai sót hồ sơ"
    # Revoking again keeps the first date and reason.
    revoke(client, ENTRY_LIST_URL, [dropped.pk], apply="1", revoked_on=day, reason="Lần hai")
    dropped.refresh_from_db()
    assert dropped.revocation_reason == "Sai sót hồ sơ"


# --- expiry filters ---------------------------------------------------------------------------------


def test_status_filters_follow_the_status_rule(client, today):
    f.certificate("ocop", issued_on=today - datetime.timedelta(days=30))  # valid
    f.certificate(
        "ocop", issued_on=today - datetime.timedelta(days=400), valid_until=today + datetime.timedelta(days=90)
    )
    f.certificate(
        "ocop", issued_on=today - datetime.timedelta(days=400), valid_until=today - datetime.timedelta(days=1)
    )
    f.certificate("ocop", issued_on=today - datetime.timedelta(days=30), revoked_on=today)
    f.certificate("ocop", province_slug="quang-ninh", issued_on=today - datetime.timedelta(days=400), valid_until=today)
    counts = {
        status: client.get(LIST_URL, {"status": status}).context["cl"].result_count
        for status in ("valid", "expiring", "expired", "revoked")
    }
    assert counts == {"valid": 1, "expiring": 1, "expired": 1, "revoked": 1}
    assert client.get(LIST_URL, {"status": "nonsense"}).status_code == 200
