"""The 63 provincial units loaded by the data migration."""

import pytest
from django.db import IntegrityError

from producers.models import Province

pytestmark = pytest.mark.django_db


def test_34_current_and_29_former_units():
    assert Province.objects.count() == 63
    assert Province.objects.current().count() == 34
    assert Province.objects.former().count() == 29
    assert Province.objects.current().filter(kind="city").count() == 6


@pytest.mark.parametrize(
    ("former", "current"),
    [
        ("ha-giang", "tuyen-quang"),
        ("yen-bai", "lao-cai"),
        ("kien-giang", "an-giang"),
        ("tra-vinh", "vinh-long"),
        ("ben-tre", "vinh-long"),
        ("quang-nam", "da-nang"),
        ("hai-duong", "hai-phong"),
        ("binh-thuan", "lam-dong"),
        ("ba-ria-vung-tau", "ho-chi-minh"),
    ],
)
def test_mergers(former, current):
    unit = Province.objects.get(slug=former)
    assert not unit.is_current
    assert unit.merged_into.slug == current
    assert unit.current_unit.slug == current


def test_three_units_merged_into_phu_tho_and_ninh_binh():
    assert set(Province.objects.get(slug="phu-tho").former_units.values_list("slug", flat=True)) == {
        "vinh-phuc",
        "hoa-binh",
    }
    assert Province.objects.get(slug="ninh-binh").former_units.count() == 2


def test_current_units_are_not_merged_and_sorted_without_diacritics():
    assert not Province.objects.current().filter(merged_into__isnull=False).exists()
    names = list(Province.objects.current().values_list("name", flat=True))
    assert names[0] == "An Giang"
    # "Đà Nẵng" sorts with the Ds, not after "Yên Bái" as a byte order would.
    assert names.index("Đà Nẵng") < names.index("Điện Biên") < names.index("Gia Lai")


def test_constraint_refuses_a_current_unit_that_is_merged():
    with pytest.raises(IntegrityError):
        Province.objects.filter(slug="son-la").update(merged_into=Province.objects.get(slug="lai-chau"))
