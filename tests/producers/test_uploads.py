"""Producer logos uploaded through the real admin form, as a superuser and as provincial staff."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from producers.models import Producer
from tests import factories as f
from tests import upload_files as u
from tests.admin_world import staff_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:producers_producer_add")
STORED = re.compile(r"^producers/[A-Za-z0-9_-]{24}\.(jpg|png|webp)$")


@pytest.fixture(params=["superuser", "provincial_staff"])
def client(request):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    else:
        user = staff_user("nv_sonla", provinces=["son-la"])
    client = Client()
    client.force_login(user)
    return client


def producer_data(**extra):
    return {"name": "HTX Chè Tà Xùa", "kind": "cooperative", "province": f.province("son-la").pk, **extra}


def logo_errors(response):
    return " ".join(response.context["adminform"].form.errors.get("logo", []))


def test_a_logo_is_re_encoded_without_metadata(client):
    response = client.post(ADD_URL, producer_data(logo=SimpleUploadedFile("logo HTX.png", u.png_with_metadata())))
    assert response.status_code == 302
    logo = Producer.objects.get().logo
    assert STORED.match(logo.name) and logo.name.endswith(".png")
    assert u.SECRET not in Path(logo.path).read_bytes()
    meta = u.stored_metadata(logo.path)
    assert meta["exif"] == {} and meta["gps"] == {} and meta["info"] == []


def test_a_logo_photographed_by_phone_loses_its_position_and_stands_upright(client):
    response = client.post(ADD_URL, producer_data(logo=SimpleUploadedFile("logo.jpg", u.phone_jpeg(orientation=8))))
    assert response.status_code == 302
    meta = u.stored_metadata(Producer.objects.get().logo.path)
    assert meta["gps"] == {} and meta["size"] == (20, 40)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.png", u.png_declaring(50_000, 50_000), "quá nhiều điểm ảnh"),
        ("logo.svg", u.SVG_WITH_SCRIPT, "Không nhận ảnh SVG"),
        ("logo.png", u.HTML_WITH_SCRIPT, "Không nhận trang web (HTML)"),
        ("logo.jpg", u.PDF, "Tệp này là tài liệu PDF"),
        ("logo.jpg", u.truncated(u.jpeg(300, 300), 0.6), "bị hỏng hoặc không trọn vẹn"),
        ("logo.jpg", u.jpeg()[:-2] + b"\x00" * (10 * 1024 * 1024), "Tệp quá lớn"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_is_saved(client, name, data, message):
    response = client.post(ADD_URL, producer_data(logo=SimpleUploadedFile(name, data)))
    assert response.status_code == 200
    assert message in logo_errors(response)
    assert Producer.objects.count() == 0


def test_changing_other_fields_keeps_the_stored_logo(client):
    assert client.post(ADD_URL, producer_data(logo=SimpleUploadedFile("logo.jpg", u.jpeg()))).status_code == 302
    producer = Producer.objects.get()
    stored = producer.logo.name
    url = reverse("admin:producers_producer_change", args=[producer.pk])
    assert client.post(url, producer_data(address="Bắc Yên, Sơn La")).status_code == 302
    producer.refresh_from_db()
    assert producer.logo.name == stored and producer.address == "Bắc Yên, Sơn La"
