"""The statuses `unknown` and `superseded`, the terms of marks (filing date and renewals) and the OCOP ceiling:
the register never says "valid" for what it cannot vouch for. Python and SQL forms agree on both databases."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from certifications.models import Certificate, CertifiedProduct, Renewal
from core import validity
from core.validity import Status
from products.models import Product
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 29)
ONE = datetime.timedelta(days=1)


def sql_status(entry, day=DAY):
    return CertifiedProduct.objects.with_status(day).get(pk=entry.pk).status_code


def assert_status(entry, expected, day=DAY):
    entry.refresh_from_db()
    assert entry.status_on(day) == expected
    assert sql_status(entry, day) == expected
    assert CertifiedProduct.objects.by_status(expected, day).filter(pk=entry.pk).exists()
    for other in Status:
        if other != expected:
            assert not CertifiedProduct.objects.by_status(other, day).filter(pk=entry.pk).exists(), other
    in_force = expected in (Status.VALID, Status.EXPIRING)
    assert CertifiedProduct.objects.in_force(day).filter(pk=entry.pk).exists() is in_force


# --- marks: ten years from FILING, renewals, unknown without them ---------------------------------------------


def test_a_mark_without_filing_date_or_renewal_is_unknown_never_valid():
    mark = f.certificate("certification_mark", issued_on=datetime.date(2012, 5, 1))
    entry = f.entry(mark, f.product())
    assert mark.valid_until is None
    assert_status(entry, Status.UNKNOWN)
    assert mark.status_on(DAY) == Status.UNKNOWN
    assert Certificate.objects.with_status(DAY).get(pk=mark.pk).status_code == Status.UNKNOWN


@pytest.mark.parametrize(
    ("filed_on", "expected"),
    [
        (DAY - datetime.timedelta(days=3653), Status.EXPIRED),  # ten years and a day or so ago
        (datetime.date(2016, 11, 29), Status.EXPIRING),  # ends on DAY: still in force, expiring
        (datetime.date(2016, 11, 28), Status.EXPIRED),  # ended yesterday
        (datetime.date(2017, 2, 26), Status.EXPIRING),  # ends in 89 days
        (datetime.date(2017, 3, 1), Status.VALID),  # ends in 92 days
    ],
)
def test_a_mark_runs_ten_years_from_its_filing_date(filed_on, expected):
    mark = f.certificate("collective_mark", issued_on=filed_on + datetime.timedelta(days=200), filed_on=filed_on)
    assert mark.valid_until == datetime.date(filed_on.year + 10, filed_on.month, filed_on.day)
    assert_status(f.entry(mark, f.product()), expected)


def test_a_renewal_extends_the_term_and_the_latest_end_wins():
    mark = f.certificate("certification_mark", issued_on=datetime.date(2013, 6, 1), filed_on=datetime.date(2012, 1, 10))
    entry = f.entry(mark, f.product())
    assert_status(entry, Status.EXPIRED)
    Renewal.objects.create(
        certificate=mark, renewed_on=datetime.date(2021, 12, 1), valid_until=datetime.date(2032, 1, 10)
    )
    mark.refresh_from_db()
    assert mark.valid_until == datetime.date(2032, 1, 10)
    assert_status(entry, Status.VALID)


def test_a_renewal_alone_gives_a_known_term():
    mark = f.certificate("certification_mark", issued_on=datetime.date(2014, 6, 1))
    Renewal.objects.create(
        certificate=mark, renewed_on=datetime.date(2024, 3, 1), valid_until=datetime.date(2034, 3, 1)
    )
    mark.refresh_from_db()
    assert mark.valid_until == datetime.date(2034, 3, 1)
    assert mark.status_on(DAY) == Status.VALID


def test_a_renewal_of_an_ocop_decision_or_in_the_future_is_refused():
    decision = f.certificate("ocop", issued_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        Renewal(
            certificate=decision, renewed_on=datetime.date(2025, 2, 1), valid_until=datetime.date(2035, 2, 1)
        ).full_clean()
    mark = f.certificate("certification_mark", issued_on=datetime.date(2014, 6, 1))
    future = validity.today() + ONE
    with pytest.raises(ValidationError):
        Renewal(certificate=mark, renewed_on=future, valid_until=future + datetime.timedelta(days=3650)).full_clean()


def test_a_product_carrying_only_a_mark_of_unknown_term_shows_unknown_not_valid():
    product = f.product()
    f.entry(f.certificate("certification_mark", issued_on=datetime.date(2012, 5, 1)), product)
    product.refresh_from_db()
    assert product.certification_mark_until == validity.UNKNOWN_TERM_END
    assert validity.copy_status(product.certification_mark_until, DAY) == Status.UNKNOWN
    assert validity.copy_status(datetime.date.max, DAY) == Status.VALID


# --- OCOP: 36 months at most, never in the future, superseded by a later decision ----------------------------


def test_an_ocop_decision_may_not_run_past_36_months():
    decision = Certificate(
        kind="ocop",
        number="1/QĐ-UBND",
        title="t",
        issuer="UBND tỉnh Sơn La",
        province=f.province(),
        issued_on=datetime.date(2024, 1, 15),
        valid_until=datetime.date(2027, 1, 16),
    )
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert "valid_until" in error.value.message_dict
    decision.valid_until = datetime.date(2027, 1, 15)
    decision.full_clean()


def test_a_decision_dated_in_the_future_is_refused():
    decision = Certificate(
        kind="ocop",
        number="2/QĐ-UBND",
        title="t",
        issuer="UBND tỉnh Sơn La",
        province=f.province(),
        issued_on=validity.today() + ONE,
    )
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert "issued_on" in error.value.message_dict


def test_a_decision_whose_date_no_source_gives_is_unknown_and_gives_no_rating():
    decision = f.certificate("ocop", issued_on=None, issued_year=2023)
    Certificate.objects.filter(pk=decision.pk).update(issued_on=None, valid_until=None)
    product = f.product()
    entry = f.entry(decision, product, stars=4)
    assert_status(entry, Status.UNKNOWN)
    assert not Product.objects.with_min_stars(3, DAY).filter(pk=product.pk).exists()


def test_a_later_decision_supersedes_and_a_downward_re_evaluation_lowers_the_rating():
    product = f.product()
    first = f.entry(f.certificate("ocop", issued_on=datetime.date(2024, 3, 1)), product, stars=4)
    assert Product.objects.with_current_stars(DAY).get(pk=product.pk).current_stars == 4
    later = f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 9, 1)), product, stars=3)
    first.refresh_from_db()
    assert first.superseded_on == datetime.date(2025, 9, 1)
    assert first.superseded_by_id == later.pk
    assert_status(first, Status.SUPERSEDED)
    assert_status(first, Status.VALID, day=datetime.date(2025, 8, 31))  # the day before the later decision
    assert_status(later, Status.VALID)
    annotated = Product.objects.with_current_stars(DAY).get(pk=product.pk)
    assert annotated.current_stars == 3
    assert not Product.objects.with_min_stars(4, DAY).filter(pk=product.pk).exists()


def test_removing_the_later_decision_gives_the_earlier_its_term_back():
    product = f.product()
    first = f.entry(f.certificate("ocop", issued_on=datetime.date(2024, 3, 1)), product, stars=4)
    later = f.entry(f.certificate("ocop", issued_on=datetime.date(2025, 9, 1)), product, stars=3)
    later.delete()
    first.refresh_from_db()
    assert first.superseded_on is None
    assert Product.objects.with_current_stars(DAY).get(pk=product.pk).current_stars == 4


# --- national decisions and numbers -----------------------------------------------------------------------------


def test_a_national_decision_has_no_province_but_a_provincial_one_must():
    national = Certificate(
        kind="ocop",
        number="2361/QĐ-BNNMT",
        title="t",
        issuer="Bộ Nông nghiệp và Môi trường",
        level="national",
        issued_on=datetime.date(2025, 6, 26),
    )
    national.full_clean()
    national.save()
    provincial = Certificate(
        kind="ocop",
        number="3/QĐ-UBND",
        title="t",
        issuer="UBND",
        level="provincial",
        issued_on=datetime.date(2025, 6, 26),
    )
    with pytest.raises(ValidationError) as error:
        provincial.full_clean()
    assert "province" in error.value.message_dict


def test_an_ip_number_is_unique_in_the_whole_country():
    f.certificate("gi", number="00002", province_slug="son-la")
    duplicate = Certificate(
        kind="gi", number="00002", title="Mộc Châu", issuer="Cục Sở hữu trí tuệ", province=f.province("lao-cai")
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    # The same number as another KIND is another title.
    Certificate(
        kind="certification_mark",
        number="00002",
        title="x",
        issuer="Cục Sở hữu trí tuệ",
        province=f.province("lao-cai"),
    ).full_clean()


@pytest.mark.parametrize(
    "typed",
    [
        "2361/QĐ-BNNMT",
        "2361/QÐ-BNNMT",
        "2361/qð-bnnmt",
        "2361/QƉ-BNNMT",
        "2361／QĐ－BNNMT",
        "2361 / QĐ – BNNMT",
        "2361/QĐ−BNNMT",
        "2361/QD-BNNMT",
    ],
)
def test_verify_finds_a_decision_typed_with_look_alike_letters(client, typed):
    decision = Certificate.objects.create(
        kind="ocop",
        number="2361/QĐ-BNNMT",
        title="Công nhận OCOP 5 sao",
        issuer="Bộ Nông nghiệp và Môi trường",
        level="national",
        issued_on=datetime.date(2025, 6, 26),
    )
    assert list(Certificate.objects.find_number(typed)) == [decision]
    response = client.get("/certificates/verify/", {"number": typed})
    assert response.status_code == 200
    assert decision.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("typed", ["Ðiện Biên", "ðiện biên", "ƉIỆN BIÊN", "dien bien", "Điện Biên"])
def test_search_folds_look_alike_letters(client, typed):
    product = f.product(name="Gạo Điện Biên")
    response = client.get("/products/", {"q": typed})
    assert response.status_code == 200
    assert product.get_absolute_url() in response.content.decode()


def test_the_printable_label_is_a_catalogue_record_not_an_ocop_stamp(client):
    unrated = f.product(name="Mật ong Sơn La")
    page = client.get(unrated.get_absolute_url() + "label/").content.decode()
    label = page[page.index('<article class="print-label">') : page.index("</article>")]
    assert "OCOP Việt Nam" not in label and "Hạng OCOP còn hiệu lực" not in label
    assert "không phải tem, nhãn hay biểu trưng chứng nhận OCOP" in label
    rated = f.rated_product(stars=4, issued_on=validity.today() - datetime.timedelta(days=30))
    assert "Hạng OCOP còn hiệu lực" in client.get(rated.get_absolute_url() + "label/").content.decode()


def test_province_pages_show_reported_figures_programmes_and_names_as_people_write_them(client):
    from producers.models import Province, ReportedFigure, TradeProgramme

    son_la, quang_ninh = Province.objects.get(slug="son-la"), Province.objects.get(slug="quang-ninh")
    ReportedFigure.objects.create(
        province=son_la,
        as_of=datetime.date(2019, 12, 31),
        products=28,
        stars_3=19,
        stars_4=9,
        producers=18,
        source_url="https://example.gov.vn/son-la-2019",
    )
    programme = TradeProgramme.objects.create(
        title="Biên bản ghi nhớ hợp tác", signed_on=datetime.date(2020, 7, 8), source_url="https://example.gov.vn/mou"
    )
    programme.provinces.set([son_la, quang_ninh])
    page = client.get("/provinces/son-la/").content.decode()
    assert "<h1>Tỉnh Sơn La</h1>" in page
    assert "Số liệu công bố" in page and "31/12/2019" in page and ">28<" in page
    assert "Biên bản ghi nhớ hợp tác" in page and quang_ninh.get_absolute_url() in page
    assert "Biên bản ghi nhớ hợp tác" in client.get("/provinces/quang-ninh/").content.decode()
    assert "<h1>Thành phố Hà Nội</h1>" in client.get("/provinces/ha-noi/").content.decode()
    assert "<h1>Son La Province</h1>" in client.get("/en/provinces/son-la/").content.decode()
    old_name = client.get("/provinces/thua-thien-hue/")
    assert (old_name.status_code, old_name["Location"]) == (301, "/provinces/hue/")
    assert client.get("/provinces/khong-co/").status_code == 404


def test_search_finds_a_province_by_its_former_name(client):
    from producers.models import Province

    product = f.product(name="Mè xửng", producer_obj=f.producer(province_slug="hue"))
    assert "Thừa Thiên Huế" in Province.objects.get(slug="hue").aliases
    page = client.get("/products/", {"q": "thua thien hue"}).content.decode()
    assert product.get_absolute_url() in page
