"""Province scoping of the back-office, model by model and path by path.

For each admin model × {changelist, change, history, delete, add for another province, autocomplete,
export, import}: a Sơn La staff member neither sees nor changes Quảng Ninh's records, a Quảng Ninh one
likewise, and a superuser sees both. Counts are asserted, and every page a provincial staff member opens
is searched for the other province's names (rows, filters, choices).
"""

import pytest
from django.urls import reverse

from certifications.models import Certificate, CertifiedProduct
from producers.models import Producer
from products.models import Product, ProductImage
from tests.admin_world import build_world
from tests.site.admin_matrix import (
    ALL_PROVINCES,
    HISTORY_MODELS,
    MODELS,
    STAFF,
    assert_no_trace_of,
    client_for,
    sets,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


# --- changelist -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_changelist_lists_only_own_province(world, model, who):
    own, other = sets(world, who)
    response = client_for(own.staff).get(url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == 1
    assert changelist.full_result_count == 1
    assert list(changelist.result_list) == [MODELS[model][2](own)]
    assert_no_trace_of(response, other)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["super", "national"])
def test_changelist_of_superuser_and_national_staff_lists_both(world, model, who):
    response = client_for(world.staff(who)).get(url(model, "changelist"))
    assert response.status_code == 200
    expected = ALL_PROVINCES if model == "province" else 2
    assert response.context["cl"].result_count == expected
    html = response.content.decode()
    assert MODELS[model][3](world.sl) in html and MODELS[model][3](world.qn) in html


def filter_choices(response):
    changelist = response.context["cl"]
    return [str(c["display"]) for spec in changelist.filter_specs for c in spec.choices(changelist)]


@pytest.mark.parametrize("who", STAFF)
def test_filter_sidebar_and_lookup_tampering_stay_in_province(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    response = client.get(url("product", "changelist"))
    # The province filter lists only provinces with rows the user sees (one here, so Django hides it).
    assert other.province.name not in filter_choices(response)
    both = filter_choices(client_for(world.superuser).get(url("product", "changelist")))
    assert own.province.name in both and other.province.name in both
    # Asking for the other province's rows through the filter parameter gives none of them.
    tampered = client.get(url("product", "changelist"), {"producer__province__id__exact": other.province.pk})
    assert tampered.status_code == 200
    assert other.product not in tampered.context["cl"].result_list
    assert_no_trace_of(tampered, other)


# --- change -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_change_view_of_other_province_is_not_found(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    own_page = client.get(url(model, "change", MODELS[model][2](own).pk))
    assert own_page.status_code == 200
    assert_no_trace_of(own_page, other)
    assert client.get(url(model, "change", MODELS[model][2](other).pk)).status_code == 404


@pytest.mark.parametrize("who", STAFF)
def test_posting_a_change_to_other_province_changes_nothing(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    response = client.post(
        url("producer", "change", other.producer.pk),
        {"name": "Đổi tên trái phép", "kind": "cooperative", "province": own.province.pk},
    )
    assert response.status_code == 404
    other.producer.refresh_from_db()
    assert other.producer.name != "Đổi tên trái phép"
    assert other.producer.province == other.province


@pytest.mark.parametrize("model", MODELS)
def test_superuser_opens_both_provinces_records(world, model):
    client = client_for(world.superuser)
    for province_set in (world.sl, world.qn):
        assert client.get(url(model, "change", MODELS[model][2](province_set).pk)).status_code == 200


def test_malformed_ids_are_not_found(world):
    client = client_for(world.sl.staff)
    for bad in ("abc", "999999", "1%20OR%201=1"):
        assert client.get(f"/admin/producers/producer/{bad}/change/").status_code == 404


# --- history ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", HISTORY_MODELS)
@pytest.mark.parametrize("who", STAFF)
def test_history_of_other_province_is_refused(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    own_history = client.get(url(model, "history", MODELS[model][2](own).pk))
    assert own_history.status_code == 200
    assert len(own_history.context["page_obj"].object_list) == 1
    assert client.get(url(model, "history", MODELS[model][2](other).pk)).status_code in (403, 404)
    version = MODELS[model][2](other).history.first()
    revert = client.get(url(model, "simple_history", MODELS[model][2](other).pk, version.history_id))
    assert revert.status_code in (403, 404)


@pytest.mark.parametrize("who", STAFF)
def test_history_of_a_deleted_record_of_other_province_is_refused(world, who):
    own, other = sets(world, who)
    photo_free = Producer.objects.create(name="HTX Gamma", kind="cooperative", province=other.province)
    pk = photo_free.pk
    photo_free.delete()
    response = client_for(own.staff).get(url("producer", "history", pk))
    assert response.status_code == 403
    assert client_for(world.superuser).get(url("producer", "history", pk)).status_code == 200


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_superuser_sees_history_of_both(world, model):
    client = client_for(world.superuser)
    for province_set in (world.sl, world.qn):
        assert client.get(url(model, "history", MODELS[model][2](province_set).pk)).status_code == 200


# --- delete -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["producer", "product", "certificate", "entry"])
@pytest.mark.parametrize("who", STAFF)
def test_delete_of_other_province_is_not_found(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    target = MODELS[model][2](other)
    assert client.get(url(model, "delete", target.pk)).status_code == 404
    assert client.post(url(model, "delete", target.pk), {"post": "yes"}).status_code == 404
    assert type(target).objects.filter(pk=target.pk).exists()
    # Provincial staff withdraw certificates by revocation; they do not delete them.
    expected = 403 if model == "certificate" else 200
    assert client.get(url(model, "delete", MODELS[model][2](own).pk)).status_code == expected


@pytest.mark.parametrize("who", STAFF)
def test_delete_action_with_other_provinces_ids_deletes_nothing_of_theirs(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    spare = Producer.objects.create(name="HTX Delta", kind="household", province=own.province)
    response = client.post(
        url("producer", "changelist"),
        {"action": "delete_selected", "_selected_action": [other.producer.pk, spare.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Producer.objects.filter(pk=other.producer.pk).exists()
    assert not Producer.objects.filter(pk=spare.pk).exists()


def test_superuser_deletes_in_any_province(world):
    spare = Producer.objects.create(name="HTX Delta", kind="household", province=world.qn.province)
    response = client_for(world.superuser).post(url("producer", "delete", spare.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Producer.objects.filter(pk=spare.pk).exists()


def test_provincial_staff_cannot_change_provinces_or_staff_assignments(world):
    client = client_for(world.sl.staff)
    assert client.get(url("province", "add")).status_code == 403
    assert client.post(url("province", "delete", world.sl.province.pk), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:producers_staffprovince_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


# --- add for another province -----------------------------------------------------------------------

INLINE_EMPTY = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def _inline(prefix):
    return {f"{prefix}-{key}": value for key, value in INLINE_EMPTY.items()}


def add_payloads(world, own, target):
    """Add-form data for each model, naming `target`'s province (or its records)."""
    return {
        "producer": (Producer, {"name": "HTX Mới", "kind": "cooperative", "province": target.province.pk}),
        "product": (
            Product,
            {
                "name": "Sản phẩm Mới",
                "producer": target.producer.pk,
                "category": world.category.pk,
                "is_published": "on",
                **_inline("photos"),
            },
        ),
        "certificate": (
            Certificate,
            {
                "kind": "ocop",
                "number": "777/QĐ-UBND",
                "title": "Quyết định Mới",
                "issuer": "UBND",
                "province": target.province.pk,
                "issued_on": "01/06/2025",
                **_inline("entries"),
            },
        ),
        "entry": (
            CertifiedProduct,
            {"certificate": target.certificate.pk, "product": own.product.pk, "stars": "5"},
        ),
    }


@pytest.mark.parametrize("model", ["producer", "product", "certificate", "entry"])
@pytest.mark.parametrize("who", STAFF)
def test_add_for_another_province_is_refused(world, model, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    model_class, data = add_payloads(world, own, other)[model]
    before = model_class.objects.count()
    response = client.post(url(model, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert model_class.objects.count() == before
    # The same form naming the user's own province is accepted: the refusal above is about the province.
    model_class, data = add_payloads(world, own, own)[model]
    if model == "entry":
        data["product"] = Product.objects.create(name="Sản phẩm Mới", producer=own.producer, category=world.category).pk
    assert client.post(url(model, "add"), data).status_code == 302
    assert model_class.objects.count() == before + 1


@pytest.mark.parametrize("who", STAFF)
def test_add_form_offers_only_own_province(world, who):
    own, other = sets(world, who)
    response = client_for(own.staff).get(url("producer", "add"))
    choices = response.context["adminform"].form.fields["province"].queryset
    assert list(choices) == [own.province]
    assert response.context["adminform"].form.initial["province"] == own.province.pk
    assert_no_trace_of(response, other)


@pytest.mark.parametrize("who", STAFF)
def test_inline_photos_of_other_province_cannot_be_attached(world, who):
    own, other = sets(world, who)
    client = client_for(own.staff)
    before = ProductImage.objects.count()
    response = client.post(
        url("product", "change", other.product.pk),
        {
            "name": other.product.name,
            "producer": other.producer.pk,
            "category": world.category.pk,
            **_inline("photos"),
        },
    )
    assert response.status_code == 404
    assert ProductImage.objects.count() == before
