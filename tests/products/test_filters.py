"""The product FilterSet: every parameter, lenient reading of bad values, facets that follow the results."""

import datetime

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.validity import today
from products.filters import FACET_PARAMETERS, ProductFilter
from tests import factories as f
from tests.site.builders import catalogue

pytestmark = pytest.mark.django_db


def pks(data):
    return {p.pk for p in ProductFilter(QueryDict(data)).qs}


@pytest.fixture
def world():
    made = catalogue(6)
    unpublished = f.product(name="Ẩn", is_published=False)
    f.entry(f.certificate("ocop", issued_on=today() - datetime.timedelta(days=10)), unpublished, stars=5)
    return made


def test_no_filter_lists_every_published_product(world):
    everything = {p.pk for products in world.values() for p in products}
    assert pks("") == everything


def test_province_group_category_and_producer_kind(world):
    son_la = {p.pk for p in world["son-la"]}
    assert pks("province=son-la") == son_la
    assert pks("province=son-la&province=tuyen-quang") == son_la | {p.pk for p in world["tuyen-quang"]}
    assert pks("group=1") == pks("")
    assert pks("group=2") == set()
    tea = {p.pk for products in world.values() for p in products if p.category.slug == "che"}
    assert pks("category=che") == tea
    cooperatives = {p.pk for products in world.values() for p in products if p.producer.kind == "cooperative"}
    assert pks("producer_kind=cooperative") == cooperatives


def test_stars_is_a_minimum_of_the_current_rating(world):
    # catalogue() rates the i-th product of each province 3 + i % 3 stars.
    stars = {p.pk: 3 + i % 3 for products in world.values() for i, p in enumerate(products)}
    for n in (3, 4, 5):
        assert pks(f"stars={n}") == {pk for pk, s in stars.items() if s >= n}


def test_cert_kind_is_any_of_the_kinds_in_force(world):
    with_gi = {p.pk for products in world.values() for i, p in enumerate(products) if i % 2 == 0}
    assert pks("cert=gi") == with_gi
    assert pks("cert=ocop") == pks("")
    assert pks("cert=gi&cert=ocop") == pks("")
    assert pks("cert=collective_mark") == set()


def test_an_ocop_entry_that_expired_yesterday_is_not_counted_by_stars():
    product = f.product()
    expired = f.certificate(
        "ocop", issued_on=today() - datetime.timedelta(days=1100), valid_until=today() - datetime.timedelta(days=1)
    )
    f.entry(expired, product, stars=5)
    assert product.pk not in pks("stars=3")
    assert ProductFilter(QueryDict("stars=3")).total == 0
    filterset = ProductFilter(QueryDict(""))
    stars_facet = next(facet for facet in filterset.facets() if facet.name == "stars")
    assert [option.count for option in stars_facet.options] == [0, 0, 0]


def test_a_former_province_means_its_current_unit():
    in_tuyen_quang = f.product(producer_obj=f.producer(province_slug="tuyen-quang"))
    filterset = ProductFilter(QueryDict("province=ha-giang"))
    assert [p.pk for p in filterset.qs] == [in_tuyen_quang.pk]
    assert filterset.values("province") == ["tuyen-quang"]
    assert filterset.ignored == []


def test_unknown_and_malformed_values_are_ignored_and_reported(world):
    filterset = ProductFilter(
        QueryDict("province=atlantis&province=son-la&group=9&group=x&stars=2&stars=4&cert=fake&sort=price&foo=1")
    )
    assert filterset.values("province") == ["son-la"]
    assert filterset.values("group") == []
    assert filterset.values("stars") == ["4"]
    ignored_values = {item.value for item in filterset.ignored}
    assert {"atlantis", "9", "x", "2", "fake", "price", "foo"} <= ignored_values
    assert {p.pk for p in filterset.qs} == pks("province=son-la&stars=4")


def test_text_is_cleaned_and_shortened():
    filterset = ProductFilter(QueryDict("q=" + "a\x00b\x07 " * 5000))
    text = filterset.query_text
    assert "\x00" not in text and "\x07" not in text
    assert len(text) <= 200
    assert filterset.ignored  # says it shortened the text
    assert list(filterset.qs) == []


def test_total_matches_the_results(world):
    for data in ("", "province=son-la&stars=4", "cert=gi&producer_kind=enterprise", "q=san+pham"):
        filterset = ProductFilter(QueryDict(data))
        assert filterset.total == filterset.qs.count(), data


@pytest.mark.parametrize(
    "data",
    ["", "province=son-la", "province=son-la&stars=4", "cert=gi&group=1", "producer_kind=cooperative&category=che"],
)
def test_each_facet_count_is_what_that_option_alone_would_give(world, data):
    """An option's count is the number of results with that option chosen and the other filters held."""
    filterset = ProductFilter(QueryDict(data))
    for facet in filterset.facets():
        for option in facet.options:
            held = QueryDict(data, mutable=True)
            held.setlist(facet.name, [option.value])
            assert option.count == ProductFilter(held).qs.count(), (facet.name, option.value)


def test_facets_list_every_parameter_and_hide_empty_provinces(world):
    facets = {facet.name: facet for facet in ProductFilter(QueryDict("")).facets()}
    assert list(facets) == list(FACET_PARAMETERS)
    assert {o.value for o in facets["province"].options} == {"son-la", "tuyen-quang"}
    assert [o.value for o in facets["stars"].options] == ["3", "4", "5"]
    assert len(facets["group"].options) == 6


def test_toggle_links_keep_other_filters_and_drop_the_page():
    filterset = ProductFilter(QueryDict("province=son-la&stars=4&page=3"))
    link = filterset.toggle("province", "tuyen-quang")
    assert "province=son-la" in link and "province=tuyen-quang" in link and "stars=4" in link
    assert "page=" not in link
    assert "province" not in filterset.toggle("province", "son-la")


def test_chips_remove_one_value_each():
    filterset = ProductFilter(QueryDict("province=son-la&province=tuyen-quang&q=che"))
    chips = {value: QueryDict(url[1:]) for _label, value, url in filterset.chips()}
    assert chips["Sơn La"].getlist("province") == ["tuyen-quang"]
    assert chips["Sơn La"]["q"] == "che"
    assert chips["che"].getlist("province") == ["son-la", "tuyen-quang"]
    assert "q" not in chips["che"]


def test_relaxations_count_what_removing_each_filter_gives(world):
    filterset = ProductFilter(QueryDict("province=son-la&cert=collective_mark"))
    assert filterset.total == 0
    relax = {str(label): count for label, count, _url in filterset.relaxations()}
    assert relax == {"Chứng nhận": len(world["son-la"])}


@pytest.fixture
def richer_world(world):
    """The world plus a certification mark, a group-3 product in a third province and an expired rating."""
    mark = f.certificate("certification_mark", province_slug="son-la", title="Nhãn hiệu chứng nhận thử")
    for product in world["son-la"][::3]:
        f.entry(mark, product)
    wine = f.product(
        name="Rượu thử",
        producer_obj=f.producer(province_slug="lao-cai", kind="household"),
        category_obj=f.category("Rượu", group_code=3),
    )
    f.entry(
        f.certificate("ocop", issued_on=today() - datetime.timedelta(days=20), province_slug="lao-cai"), wine, stars=4
    )
    expired = f.certificate(
        "ocop",
        issued_on=today() - datetime.timedelta(days=1100),
        valid_until=today() - datetime.timedelta(days=1),
        province_slug="son-la",
    )
    f.entry(expired, world["son-la"][1], stars=5)
    return world


FACET_VALUES = {
    "province": ["son-la", "tuyen-quang", "ha-giang", "lao-cai"],
    "group": ["1", "2", "3"],
    "category": ["che", "mat-ong", "ruou"],
    "stars": ["3", "4", "5"],
    "cert": ["ocop", "gi", "certification_mark", "collective_mark"],
    "producer_kind": ["cooperative", "enterprise", "household"],
}


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chosen=st.fixed_dictionaries(
        {name: st.lists(st.sampled_from(values), max_size=2, unique=True) for name, values in FACET_VALUES.items()}
    ),
    q=st.sampled_from(["", "san pham", "che"]),
)
def test_counts_from_the_cube_equal_the_queries_they_replace(richer_world, chosen, q):
    """Every option (shown or not), the total and each "remove this filter" count equal a direct count."""
    data = QueryDict(mutable=True)
    for name, values in chosen.items():
        data.setlist(name, values[:1] if name == "stars" else values)
    if q:
        data["q"] = q
    filterset = ProductFilter(data)
    assert filterset.total == filterset.qs.count()
    for name in FACET_PARAMETERS:
        for value, _label in filterset.choices_of(name):
            held = data.copy()
            held.setlist(name, [value])
            assert filterset.counts.get((name, value), 0) == ProductFilter(held).qs.count(), (name, value)
        if filterset.values(name):
            relaxed = data.copy()
            relaxed.pop(name)
            assert filterset.counts[f"relax:{name}"] == ProductFilter(relaxed).qs.count(), name


def test_each_filter_set_has_filters_of_its_own(world):
    """The class's filters are copied for each filter set shallowly (core.filters._Filters): what one filter
    set gives its filters (choices, form fields, its model and parent) reaches neither the class nor another."""
    first = ProductFilter(QueryDict("province=son-la"))
    second = ProductFilter(QueryDict("stars=4"))
    assert first.filters.keys() == second.filters.keys() == ProductFilter.base_filters.keys()
    for name in first.filters:
        assert first.filters[name] is not second.filters[name] is not ProductFilter.base_filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
    first.filters["province"].extra["choices"] = [("son-la", "Sơn La")]
    assert second.filters["province"].extra["choices"] != [("son-la", "Sơn La")]
    assert "choices" not in ProductFilter.base_filters["province"].extra
    assert first.form.fields["province"] is not second.form.fields["province"]
    assert [value for value, _label in first.form.fields["province"].choices] == ["son-la"]
    assert len(second.form.fields["province"].choices) > 1
    assert {p.producer.province.slug for p in first.qs} == {"son-la"}
    assert all((p.current_stars or 0) >= 4 for p in second.qs)
