"""Every file field of every back-office form goes through core.uploads: a new admin (or
inline) with an image or file field that forgets `formfield_overrides` fails here."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory

from core.uploads import PhotoField, ScanField

pytestmark = pytest.mark.django_db


def admins_with_files(request):
    for model, model_admin in admin.site._registry.items():
        candidates = [(model, model_admin)]
        candidates += [(inline.model, inline) for inline in model_admin.get_inline_instances(request)]
        for target, target_admin in candidates:
            if any(isinstance(field, models.FileField) for field in target._meta.get_fields()):
                yield target, target_admin


def test_every_upload_field_in_the_admin_checks_its_content():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("quantri", "quantri@example.org", None)
    seen = {}
    for model, model_admin in admins_with_files(request):
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField) or not field.editable:
                continue
            formfield = model_admin.formfield_for_dbfield(field, request)
            expected = PhotoField if isinstance(field, models.ImageField) else ScanField
            assert isinstance(formfield, expected), (model, field.name, type(formfield))
            seen[f"{model._meta.label}.{field.name}"] = expected.__name__
    assert seen == {
        "producers.Producer.logo": "PhotoField",
        "products.Product.image": "PhotoField",
        "products.ProductImage.image": "PhotoField",
        "certifications.Certificate.document": "ScanField",
    }
