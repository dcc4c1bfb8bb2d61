"""A search whose words each match but not together offers the searches with one word fewer (from the
search index, with their counts under the other filters) instead of a trigram pass over the catalogue;
a word that matches nothing (a typo) still gets the near misses."""

import pytest

from products.filters import ProductFilter
from products.models import ProductQuerySet
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    f.product(name="Mật ong rừng Tây Bắc", producer_obj=f.producer(province_slug="son-la"))
    f.product(name="Mật ong hoa nhãn", producer_obj=f.producer(province_slug="ha-noi"))
    f.product(name="Gạo tám thơm", producer_obj=f.producer(province_slug="son-la"))


@pytest.fixture
def near_miss_scans(monkeypatch):
    """The near-miss scans run (each query's words), the real scan still answering."""
    scans, similar = [], ProductQuerySet.similar

    def recorded(self, query, *args):
        scans.append(query)
        return similar(self, query, *args)

    monkeypatch.setattr(ProductQuerySet, "similar", recorded)
    return scans


def test_words_that_match_apart_offer_the_search_with_one_word_fewer(client, shelf, near_miss_scans):
    html = client.get("/products/", {"q": "mật ong gạo"}).content.decode()
    assert "Thử tìm với ít từ hơn" in html
    assert 'href="?q=ong+g%E1%BA%A1o"' not in html  # "ong gạo" finds nothing: not offered
    assert "“mật ong”: 2 sản phẩm" in html and 'href="?q=m%E1%BA%ADt+ong"' in html
    assert "“mật gạo”" not in html
    assert "Có thể bạn muốn tìm" not in html and near_miss_scans == []


def test_the_counts_follow_the_other_filters(shelf):
    filterset = ProductFilter({"q": "mật ong gạo", "province": "son-la"})
    assert filterset.total == 0
    assert [(words, count) for words, count, _url in filterset.fewer_words()] == [("mật ong", 1)]
    assert "province=son-la" in filterset.fewer_words()[0][2]
    assert filterset.every_word_found()


def test_a_typo_still_gets_the_near_misses(client, shelf, near_miss_scans):
    filterset = ProductFilter({"q": "mật ong qqqzz"})
    assert filterset.fewer_words() and not filterset.every_word_found()
    html = client.get("/products/", {"q": "mật ong qqqzz"}).content.decode()
    assert "Thử tìm với ít từ hơn" in html and near_miss_scans == ["mật ong qqqzz"]


def test_english_pages_say_it_in_english(client, shelf):
    html = client.get("/en/products/", {"q": "mật ong gạo"}).content.decode()
    assert "Try fewer words:" in html and "“mật ong”: 2 products" in html


@pytest.fixture
def drinks():
    f.product(name="Cà phê Arabica Sơn La", producer_obj=f.producer(province_slug="son-la"))
    f.product(name="Chè Shan tuyết Tà Xùa", producer_obj=f.producer(province_slug="son-la"))
    f.product(name="Trà hoa vàng Ba Chẽ", producer_obj=f.producer(province_slug="quang-ninh"))


def test_a_word_spelled_otherwise_offers_the_catalogues_spelling(client, drinks, near_miss_scans):
    html = client.get("/products/", {"q": "cafe son la"}).content.decode()
    assert "Có phải bạn muốn tìm:" in html
    assert "“cà phê son la”: 1 sản phẩm" in html and 'href="?q=c%C3%A0+ph%C3%AA+son+la"' in html
    assert near_miss_scans == []  # the other spelling is the way out: no trigram pass
    # Trà and chè both name tea: a search with one finds the products named with the other.
    html = client.get("/products/", {"q": "tra shan tuyet"}).content.decode()
    assert "“chè shan tuyet”: 1 sản phẩm" in html


def test_other_spellings_follow_the_other_filters(drinks):
    assert ProductFilter({"q": "coffee", "province": "quang-ninh"}).other_spellings() == []
    assert [(w, n) for w, n, _url in ProductFilter({"q": "coffee"}).other_spellings()] == [("cà phê", 1)]
    assert ProductFilter({"q": "qqqzz"}).other_spellings() == []


def test_english_pages_offer_other_spellings_in_english(client, drinks):
    html = client.get("/en/products/", {"q": "coffee"}).content.decode()
    assert "Did you mean:" in html and "“cà phê”: 1 product" in html
