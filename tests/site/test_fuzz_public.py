"""Fuzzing the public site: generated requests to every public URL, the verify page and the
enquiry form, never a server error and never a traceback, at least 2,000 requests per surface.

Each surface is one test that counts the requests it makes and asserts the count at the end. Every
generated example is one request, run inside a savepoint that is rolled back, so examples do not depend
on each other. Requests go through Django's test client, which raises a view's exception instead of
answering 500, and every answer must be below 500 (the site answers a database error with a calm 503,
which would hide a query that the database refuses): either way the test fails and hypothesis shrinks
the request. Run with -s (or -rP) to see how many requests each URL got, their time and status codes.

The public URLs are read from the URL configuration, so a new page fails
`test_every_public_url_is_fuzzed` until it has an entry in `PUBLIC` below. Each entry names the
parameters the page reads and how many generated requests it gets: the product list's FilterSet is
shared by the list, its exports and the API, and gets most of its requests through the cheap ones.
"""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls import reverse as django_reverse
from django.utils import timezone, translation
from hypothesis import strategies as st

from certifications.models import Certificate
from producers.models import Province
from tests.site.builders import catalogue
from tests.site.fuzzing import (
    Budget,
    check,
    emails,
    headers,
    number_values,
    query,
    raw_query_strings,
    run_fuzz,
    text_values,
    values,
    vietnamese_variants,
)
from tests.trade.trade_world import build_trade_world, buyer_data, new_address
from trade import enquiries
from trade.models import Enquiry, SubmissionWindow
from trade.shortlist import SESSION_KEY

pytestmark = pytest.mark.django_db

MIN_REQUESTS = 2000
PRODUCT_PARAMETERS = ["q", "province", "group", "category", "stars", "cert", "producer_kind", "sort", "page"]


class Url:
    """One public URL: its parameters, the method it takes and how many generated requests it gets."""

    def __init__(self, requests, parameters=(), *, method="get", always_200=False, i18n=True, slugs=None, known=None):
        self.requests = requests
        self.parameters = list(parameters)
        self.method = method
        self.always_200 = always_200  # a malformed value is ignored and named, never an error
        self.i18n = i18n
        self.slugs = slugs  # world -> [slugs] for a URL with <slug>, or [ids]
        self.known = known  # world -> values the page understands, mixed into the generated ones


def _product_slugs(w):
    return [w.tea.slug, w.fish_sauce.slug]


def _producer_slugs(w):
    return [w.sl_producer.slug, w.qn_producer.slug]


def _shortlist_values(w):
    """Products to add or remove, and where to go back to."""
    return {
        "product": [w.tea.slug, w.honey.slug, w.fish_sauce.slug],
        "next": ["/products/", "/products/?q=che#x", "/en/shortlist/", "//evil.example/", "https://evil.example/"],
    }


PUBLIC = {
    "home": Url(40),
    "products:product_list": Url(110, PRODUCT_PARAMETERS, always_200=True),
    "products:export_csv": Url(260, PRODUCT_PARAMETERS, always_200=True),
    "products:export_xlsx": Url(80, PRODUCT_PARAMETERS, always_200=True),
    "products:api_products": Url(300, PRODUCT_PARAMETERS, always_200=True),
    "products:product_detail": Url(40, slugs=_product_slugs),
    "products:product_qr": Url(40, slugs=_product_slugs),
    "products:product_label": Url(40, slugs=_product_slugs),
    "products:producer_enquiry": Url(60, ["product"], slugs=_producer_slugs, known=_shortlist_values),  # POST: below
    "products:shortlist": Url(50),
    "products:shortlist_add": Url(80, ["product", "next"], method="post", known=_shortlist_values),
    "products:shortlist_remove": Url(60, ["product", "next"], method="post", known=_shortlist_values),
    "products:shortlist_clear": Url(30, method="post"),
    "products:shortlist_export_csv": Url(40),
    "products:shortlist_export_xlsx": Url(40),
    "products:shortlist_enquiry": Url(40),  # its POST: test_the_enquiry_form
    "products:enquiry_sent": Url(40),
    "products:open_data": Url(40),
    "producers:province_list": Url(40),
    "producers:province_detail": Url(50, slugs=lambda w: ["son-la", "quang-ninh", "ha-giang", "lai-chau"]),
    "producers:producer_list": Url(120, ["q", "province", "kind", "page"], always_200=True),
    "producers:producer_detail": Url(40, slugs=_producer_slugs),
    "certifications:certificate_list": Url(120, ["kind", "province", "status", "page"], always_200=True),
    "certifications:verify": Url(60, ["number"], always_200=True),  # more in test_the_verify_page
    "certifications:certificate_detail": Url(40, slugs=lambda w: [w.decision.pk, w.gi.pk]),
    "healthz": Url(30, i18n=False),
    "robots_txt": Url(30, i18n=False),
    "favicon": Url(20, i18n=False),
    "web_manifest": Url(20, i18n=False),
    "share_product": Url(30, i18n=False, slugs=_product_slugs),
    "share_producer": Url(30, i18n=False, slugs=_producer_slugs),
    "share_province": Url(30, i18n=False, slugs=lambda w: ["son-la", "quang-ninh", "ha-giang", "lai-chau"]),
    "sitemap": Url(30, i18n=False),
    "sitemap_section": Url(80, ["p"], i18n=False, slugs=lambda w: ["pages", "products", "provinces", "producers"]),
    "set_language": Url(
        80,
        ["language", "next"],
        method="post",
        i18n=False,
        known=lambda w: {"language": ["vi", "en"], "next": ["/products/", "/en/"]},
    ),
}


def public_url_names():
    """The name of every URL of the site outside the back-office (and the benchmark floors)."""
    names = set()

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                inner = pattern.namespace or namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(), None)
    return names


@pytest.fixture
def world():
    trade = build_trade_world()
    catalogue(2)  # a second producer per province, GIs, a province without a staff member
    trade.decision = Certificate.objects.get(number="1032/QĐ-UBND")
    trade.gi = Certificate.objects.get(number="00002")
    return trade


@pytest.fixture
def buyer_session(world):
    """A buyer's session cookie with three products on the shortlist (from two producers)."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = [world.tea.pk, world.honey.pk, world.fish_sauce.pk]
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def reverse(name, args=()):
    """The Vietnamese (unprefixed) path: a request to /en/ leaves English active in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        return django_reverse(name, args=args)


def fresh_client(session_key=None):
    client = Client(REMOTE_ADDR=new_address())
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def send(client, method, path, data, raw, extra):
    if raw is not None and method == "get":
        return client.get(f"{path}?{raw}", **extra)
    if raw is not None:
        return client.post(path, raw, content_type="application/x-www-form-urlencoded", **extra)
    return getattr(client, method)(path, data, **extra)


# --- (a) Every public URL's parameters -------------------------------------------------------------------


def test_every_public_url_is_fuzzed():
    assert public_url_names() == set(PUBLIC)
    assert sum(url.requests for url in PUBLIC.values()) >= MIN_REQUESTS


def request_for(url, world):
    slug = st.none()
    if url.slugs:
        slug = st.one_of(
            st.integers(min_value=0, max_value=10),  # index into the real slugs (most requests)
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=30),
        )
    return st.fixed_dictionaries(
        {
            "english": st.booleans() if url.i18n else st.just(False),
            "data": query(url.parameters, known=url.known(world) if url.known else None),
            "raw": st.one_of(st.none(), st.none(), st.none(), raw_query_strings),
            "headers": st.one_of(st.just({}), st.just({}), headers),
            "shortlist": st.booleans(),
            "slug": slug,
        }
    )


def test_every_public_url_takes_generated_parameters(world, buyer_session):
    budget = Budget()
    for name, url in PUBLIC.items():
        real_slugs = url.slugs(world) if url.slugs else None

        def one(example, name=name, url=url, real_slugs=real_slugs):
            if real_slugs:
                slug = example["slug"]
                real = real_slugs[slug % len(real_slugs)] if isinstance(slug, int) else real_slugs[0]
                path = reverse(name, args=[real])
                if not isinstance(slug, int):  # a made-up slug or id in its place
                    path = path.replace(str(real), slug, 1)
            else:
                path = reverse(name)
            if example["english"]:
                path = "/en" + path
            client = fresh_client(buyer_session if example["shortlist"] else None)
            response = send(client, url.method, path, example["data"], example["raw"], example["headers"])
            body = check(response, (name, example), allow=(503,) if name == "healthz" else ())
            budget.note(name, response.status_code)
            if name == "healthz":
                # The monitor's answer: 503 is its word for "a backend failed" (under the test's open
                # transaction SQLite's second connection may find the cache table locked), never a crash.
                assert response.status_code in (200, 503) and json.loads(body)["status"] in ("ok", "degraded", "error")
            elif url.always_200:
                assert response.status_code == 200, (name, example, response.status_code)
            if name == "products:api_products":
                assert isinstance(json.loads(body)["ignored"], list)

        run_fuzz(request_for(url, world), one, examples=url.requests, budget=budget, label=name)
    print(budget.report())
    for name, url in PUBLIC.items():
        assert budget.by_label[name] >= url.requests, name
    assert budget.requests >= MIN_REQUESTS


# --- (b) The verify page -----------------------------------------------------------------------------------

NUMBER_SHAPES = st.builds(
    lambda n, sep, suffix: f"{n}{sep}{suffix}",
    st.one_of(st.integers(min_value=-5, max_value=10**25), st.text(alphabet="0123456789", max_size=8)),
    st.sampled_from(["/", " / ", "", "-", "／", "\\", "%2F", "\x00"]),
    st.sampled_from(["QĐ-UBND", "qd-ubnd", "QĐ–UBND", "QĐ-BNNMT", "QD", "Qđ-UbNd", "", "QĐ-UBND-" * 20]),
)


def test_the_verify_page(world):
    numbers = [c.number for c in Certificate.objects.exclude(number="")]
    assert len(numbers) >= 4
    variants = sorted({v for n in numbers for v in vietnamese_variants(n)})
    example = st.fixed_dictionaries(
        {
            "number": st.one_of(
                st.sampled_from(variants).map(lambda v: ("real", v)),
                st.one_of(NUMBER_SHAPES, text_values, number_values).map(lambda v: ("any", v)),
            ),
            "more_numbers": st.lists(st.one_of(NUMBER_SHAPES, values), max_size=3),
            "others": query(["kind", "province", "status", "page", "q"], max_keys=3),
            "english": st.booleans(),
            "raw": st.one_of(st.none(), st.none(), st.none(), st.none(), raw_query_strings),
        }
    )
    budget = Budget()

    def one(example):
        kind, number = example["number"]
        path = ("/en" if example["english"] else "") + reverse("certifications:verify")
        data = {**example["others"], "number": [number, *example["more_numbers"]]}
        url = f"{path}?{example['raw']}" if example["raw"] is not None else path
        response = Client().get(url, data if example["raw"] is None else None)
        check(response, example)
        budget.note("verify", response.status_code)
        assert response.status_code == 200, example
        if kind == "real" and example["raw"] is None:
            # A number as printed, typed another way (case, diacritics, spaces, dashes), is found.
            found = {c.number for c in response.context["matches"]}
            assert any(number in vietnamese_variants(n) for n in found), (number, found)

    run_fuzz(example, one, examples=MIN_REQUESTS, budget=budget, label="verify")
    print(budget.report())
    assert budget.requests >= MIN_REQUESTS


# --- (c) The enquiry form ----------------------------------------------------------------------------------

ENQUIRY_FIELDS = ["name", "organisation", "email", "phone", "location", "quantity", "message", "consent", "website"]
field_values = st.one_of(
    text_values,
    emails,
    st.text(alphabet="+0123456789 ().-", min_size=1, max_size=40),
    st.builds(lambda s, n: (s * n)[:4000], st.text(min_size=1, max_size=8), st.integers(min_value=40, max_value=600)),
    st.sampled_from(["on", "off", "true", "1", "0", "x" * 3001, "a@b", "@", "a@b.c\x00"]),
)


def test_the_enquiry_form(world, django_capture_on_commit_callbacks, mailoutbox):
    own = [world.tea.pk, world.honey.pk]
    anywhere = [*own, world.fish_sauce.pk]
    example = st.fixed_dictionaries(
        {
            "target": st.sampled_from(["sl_producer", "qn_producer", "shortlist"]),
            "english": st.booleans(),
            # Most fields as a buyer fills them in, a few of them replaced, dropped or doubled.
            "replaced": st.dictionaries(
                st.sampled_from(ENQUIRY_FIELDS), st.lists(field_values, max_size=3), max_size=5
            ),
            "extra": query(["csrfmiddlewaretoken", "products", "next", "reference"], max_keys=2),
            "products": st.one_of(
                st.lists(st.sampled_from(anywhere), max_size=3),
                st.lists(st.one_of(number_values, text_values), max_size=3),
            ),
            "honeypot": st.one_of(st.just(""), st.just(""), st.just(""), text_values),
            "earlier_submissions": st.integers(min_value=0, max_value=enquiries.RATE_LIMIT + 1),
            "raw": st.one_of(*([st.none()] * 9), raw_query_strings),
        }
    )
    budget = Budget()

    shortlist_session = Client().session
    shortlist_session[SESSION_KEY] = anywhere
    shortlist_session.save()
    # Every example starts from the same world (rolled back after each): what is stored is counted once.
    stored = (Enquiry.objects.count(), Enquiry.products.through.objects.count())

    def one(example):
        address = new_address()
        if example["earlier_submissions"]:  # what earlier submissions would have left in the window
            SubmissionWindow.objects.create(
                key=enquiries._rate_key(address), started_at=timezone.now(), count=example["earlier_submissions"]
            )
        client = Client(REMOTE_ADDR=address)
        if example["target"] == "shortlist":
            client.cookies[settings.SESSION_COOKIE_NAME] = shortlist_session.session_key
            path = reverse("products:shortlist_enquiry")
        else:
            path = reverse("products:producer_enquiry", args=[getattr(world, example["target"]).slug])
        if example["english"]:
            path = "/en" + path
        data = {**buyer_data(), "products": example["products"], **example["extra"], **example["replaced"]}
        data["website"] = example["replaced"].get("website", example["honeypot"])
        with django_capture_on_commit_callbacks(execute=True):  # the mails go out, with what was typed
            if example["raw"] is not None:
                response = client.post(path, example["raw"], content_type="application/x-www-form-urlencoded")
            else:
                response = client.post(path, data)
        check(response, example)
        budget.note("enquiry", response.status_code)
        assert response.status_code in (200, 302, 400, 429), (response.status_code, example)
        now = (Enquiry.objects.count(), Enquiry.products.through.objects.count())
        if response.status_code != 302:
            assert now == stored, ("a refused enquiry was stored", example)
        else:
            assert now[0] > stored[0]
            assert not Enquiry.objects.filter(email="", phone="").exists()
        honeypot = data["website"]
        if isinstance(honeypot, list):  # the form reads the last value, as QueryDict.get does
            honeypot = honeypot[-1] if honeypot else ""
        if example["raw"] is None and str(honeypot).strip():
            assert response.status_code == 400, example
        elif example["raw"] is None and example["earlier_submissions"] >= enquiries.RATE_LIMIT:
            assert response.status_code == 429, example

    run_fuzz(example, one, examples=MIN_REQUESTS, budget=budget, label="enquiry")
    print(budget.report())
    assert budget.requests >= MIN_REQUESTS
    assert mailoutbox, "some generated enquiries were valid, so the mails were rendered too"


def test_a_former_province_slug_is_known(world):
    """The province fuzz above asks for a former unit's slug ("ha-giang"): it must be one, or that case is lost."""
    assert not Province.objects.get(slug="ha-giang").is_current
