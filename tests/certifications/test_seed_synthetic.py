"""seed_synthetic: deterministic, clearly marked, realistic proportions; --clear removes only its rows."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from certifications.models import Certificate, CertifiedProduct
from producers.models import Producer
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db


def _seed(n, seed=7, *extra):
    call_command("seed_synthetic", "--products", str(n), "--seed", str(seed), "--no-progress", *extra, verbosity=0)


def _names():
    return list(Product.objects.filter(is_synthetic=True).order_by("slug").values_list("name", flat=True))


def test_same_seed_gives_the_same_data():
    _seed(120)
    first = _names()
    call_command("seed_synthetic", "--clear", "--no-progress", verbosity=0)
    _seed(120)
    assert _names() == first
    call_command("seed_synthetic", "--clear", "--no-progress", verbosity=0)
    _seed(120, seed=8)
    assert _names() != first


def test_rows_are_marked_and_proportions_are_realistic():
    _seed(600)
    products = Product.objects.filter(is_synthetic=True)
    assert products.count() == 600
    assert all("giả lập" in name for name in products.values_list("name", flat=True))
    assert Producer.objects.filter(is_synthetic=True).count() == 30  # about 20 products per producer
    assert products.values("category__group").distinct().count() == 6
    assert products.values("producer__province").distinct().count() == 30
    stars = dict(
        CertifiedProduct.objects.filter(product__is_synthetic=True, kind="ocop")
        .values_list("stars")
        .annotate(n=Count("*"))
    )
    assert stars[3] > stars[4] > stars.get(5, 0)
    assert 0.6 < stars[3] / 600 < 0.85
    # Some entries are not in force: expired decisions and revocations.
    in_force = Product.objects.filter(is_synthetic=True).with_min_stars(3).count()
    assert 450 < in_force < 600
    # GIs and marks are shared by several products.
    shared = Certificate.objects.filter(is_synthetic=True).exclude(kind="ocop").annotate(n=Count("entries"))
    assert shared.filter(n__gt=1).exists()
    # search_text is filled by the bulk path too.
    assert not products.filter(search_text="").exists()
    assert products.search("gia lap").count() == 600


def test_clear_removes_only_synthetic_rows():
    real = f.product(name="Chè thật")
    f.entry(f.certificate("gi"), real)
    _seed(50)
    call_command("seed_synthetic", "--clear", "--no-progress", verbosity=0)
    assert not Product.objects.filter(is_synthetic=True).exists()
    assert not Certificate.objects.filter(is_synthetic=True).exists()
    assert Product.objects.filter(pk=real.pk).exists()
    assert real.entries.count() == 1


def test_nothing_to_do_is_a_clear_error():
    with pytest.raises(CommandError):
        call_command("seed_synthetic", verbosity=0)
