"""CSRF is enforced on every form.

The forms are found by crawling, not listed by hand: a client that enforces CSRF checks follows the
links of the public site (from / with a shortlist in its session) and of the back-office (from /admin/
as a superuser, and the login page as a visitor) and reads every <form method="post">. Forms that appear
only in answer to a POST (an action's confirmation page, an import's "confirm" step) are found by
submitting the form that leads to them. Each form, told apart by the URL name it posts to and, for the
changelist, by the action it runs, is then checked on a fresh client, inside a savepoint undone
afterwards:

- posted without its token: 403, and not a row of any table changed (sessions included: a logout
  without a token logs nobody out);
- posted with a token of another visitor: 403;
- posted with the token the page gave: accepted (not 403, not a server error).

`EXPECTED` below says which POST endpoints there are (the public ones by name, the back-office ones
derived from every registered ModelAdmin: add, change, delete, each action, import, export, history
revert); the test asserts that the crawl found exactly those, so a new form is checked from the day it
appears. The language switch (`/i18n/setlang/`) has no form on any page (the site links to /en/); it is
checked on its own in `test_csrf_single.py`.

The shortlist's buttons (`SAME_SITE_POSTS`) carry no token, so that the public pages holding them are
the same for every visitor and can be cached by anyone (core/page_cache.py): they change nothing but the
visitor's own shortlist, and a POST another site makes the browser send is refused by its
`Sec-Fetch-Site` or `Origin` header (core/http.py `same_site_post`), which is checked instead.
"""

from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from simple_history.admin import SimpleHistoryAdmin

from certifications.models import Certificate
from producers.models import Producer, Province
from products.models import Category, Product, ProductGroup
from tests.admin_world import PASSWORD, build_world
from tests.site.fuzzing import check, rolled_back, row_counts
from tests.site.page_forms import html_forms, html_links
from tests.trade.trade_world import buyer_data, new_address
from trade.models import Enquiry
from trade.shortlist import SESSION_KEY

pytestmark = pytest.mark.django_db

PUBLIC_POSTS = {
    "products:producer_enquiry",
    "products:shortlist_enquiry",
    "products:shortlist_add",
    "products:shortlist_remove",
    "products:shortlist_clear",
}
SAME_SITE_POSTS = {"products:shortlist_add", "products:shortlist_remove", "products:shortlist_clear"}
CROSS_SITE = (
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "https://evil.example/"},
)
ADMIN_SITE_POSTS = {"admin:login", "admin:logout", "admin:password_change", "admin:auth_user_password_change"}
OTHER_TOKEN = "a" * 64  # a well-formed token that belongs to nobody here


@pytest.fixture
def world(settings):
    world = build_world()
    world.superuser.set_password(PASSWORD)
    world.superuser.save()
    for s in (world.sl, world.qn):
        s.producer.email = "htx@example.org"
        s.producer.save()
        Enquiry.objects.create(
            reference="YC-THU", producer=s.producer, buyer_name="Người mua", email="mua@example.org", location="Hà Nội"
        )
    # Records that nothing refers to, first in their lists, so that their delete pages (and the delete
    # action on the list's first row) have a form: a record in use cannot be deleted, and its page says so.
    Province.objects.create(name="A Thử", name_en="A Test", slug="a-thu", kind="province", is_current=True)
    last_group = ProductGroup.objects.get(code=6)
    Category.objects.filter(pk=world.category.pk).update(group=last_group)  # group 1 is then in nobody's use
    Category.objects.create(name="A Xoá được", group=last_group)
    Producer.objects.create(name="A Xoá được", kind="household", province=world.sl.province)
    Product.objects.create(name="A Xoá được", producer=world.sl.producer, category=world.category)
    # Rows for the login-throttling admins (django-axes), so that their lists have rows and actions.
    AccessAttempt.objects.create(
        username="ai-do", ip_address="10.0.0.9", user_agent="x", get_data="", post_data="", failures_since_start=2
    )
    AccessLog.objects.create(username="ai-do", ip_address="10.0.0.9", user_agent="x")
    AccessFailureLog.objects.create(username="ai-do", ip_address="10.0.0.9", user_agent="x")
    return world


def url_name(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if not match.url_name:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


# --- Finding the forms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """What tells one form from another: the URL name it posts to and, on a changelist, its action."""

    name: str
    action: str = ""
    confirm: bool = False

    def __str__(self):
        return self.name + (f":{self.action}" if self.action else "") + (" (confirm)" if self.confirm else "")


def keys_of(form):
    name = url_name(form.path)
    if name is None:
        return []
    fields = {f.name: f for f in form.fields}
    action = fields.get("action")
    if action is not None and action.tag == "select":
        return [Key(name, value) for value, _selected in action.options if value]
    if action is not None:  # an action's own page (the delete confirmation, the revoke form)
        return [Key(name, action.value, confirm=True)]
    return [Key(name)]


def crawl(make_client, seeds, allowed, *, per_name=2, tries=4, limit=300):
    """Follow links from `seeds` with a client from `make_client`; {Key: (page, make_client)} of the POST forms.

    Pages are told apart by URL name: at most `per_name` pages of one name with a form, and `tries` in all
    (a record that cannot be deleted has a delete page without a form: the next record's may have one).
    Query strings are left off: a filtered list may be empty, and so without its actions."""
    client = make_client()
    found, queue, visited, with_form, tried = {}, deque(seeds), set(), Counter(), Counter()
    while queue and len(visited) < limit:
        path = queue.popleft()
        name = url_name(path)
        if path in visited or name is None or not allowed(path):
            continue
        if with_form[name] >= per_name or tried[name] >= tries:
            continue
        visited.add(path)
        tried[name] += 1
        response = client.get(path)
        if response.status_code in (301, 302):
            queue.extend(html_links(f'<a href="{response["Location"]}"></a>', path))
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        posts = [form for form in html_forms(response.content, path) if form.method == "post"]
        # The logout form of the admin's header is on every page: it does not make a page one "with a form".
        if any(form.path != "/admin/logout/" for form in posts):
            with_form[name] += 1
        for form in posts:
            for key in keys_of(form):
                found.setdefault(key, (path, make_client))
        queue.extend(link.split("?", 1)[0] for link in html_links(response.content, path))
    return found


def find_form(response, page, key):
    for form in html_forms(response.content, page):
        if form.method == "post" and key in keys_of(form):
            return form
    raise AssertionError(f"{key} is not on {page} any more")


# --- What each form is sent with --------------------------------------------------------------------------


def import_file(world, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = {
        "admin:producers_producer_import": 'Tên chủ thể,Loại chủ thể,"Tỉnh, thành phố"\nHTX Mới,Hợp tác xã,Sơn La\n',
        "admin:products_product_import": (
            f"Tên sản phẩm,Chủ thể,Loại sản phẩm\nSản phẩm Mới,{world.sl.producer.name},{world.category.name}\n"
        ),
        "admin:certifications_certifiedproduct_import": (
            "Số quyết định,Ngày ký,Cơ quan ban hành,Sản phẩm,Chủ thể,Loại sản phẩm,Số sao\n"
            f"55/QĐ-UBND,01/07/2025,UBND,Sản phẩm Mới,{world.sl.producer.name},{world.category.name},4\n"
        ),
    }[name]
    return SimpleUploadedFile("tep.csv", rows.encode("utf-8"), content_type="text/csv")


def form_data(world, key, form):
    """What a person would send with this form (without the token)."""
    data = form.data()
    data.pop("csrfmiddlewaretoken", None)
    if key.action and not key.confirm:
        data["action"] = [key.action]
        boxes = [f.value for f in form.fields if f.name == admin.helpers.ACTION_CHECKBOX_NAME]
        data[admin.helpers.ACTION_CHECKBOX_NAME] = boxes[:1]
    if key.action == "revoke" and key.confirm:
        data.update({"revoked_on": ["01/11/2025"], "reason": ["Quyết định thu hồi số 9"]})
    if key.name == "admin:login":
        data.update({"username": [world.superuser.username], "password": [PASSWORD]})
    if key.name.endswith("_import") and not key.name.endswith("process_import"):
        data.update({"import_file": import_file(world, key.name), "format": ["1"]})
        data.update({"province": [str(world.sl.province.pk)], "create_missing": ["on"]})
    if key.name in ("products:producer_enquiry", "products:shortlist_enquiry"):
        data.update({name: [value] for name, value in buyer_data().items()})
    return data


# --- Checking one form ------------------------------------------------------------------------------------


def assert_same_site(client, key, form, data):
    """A token-free form: sent by another site, 403 and nothing changed; from this site, accepted."""
    assert "csrfmiddlewaretoken" not in form.data(), key
    before = row_counts(exclude=())
    for headers in CROSS_SITE:
        refused = client.post(form.action, data, headers=headers)
        assert refused.status_code == 403, (str(key), headers, refused.status_code)
        assert row_counts(exclude=()) == before, (str(key), "changed the database from another site")
    accepted = client.post(form.action, data, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    check(accepted, str(key))
    assert accepted.status_code != 403, (str(key), accepted.content[:300])
    return accepted


def assert_csrf(client, key, form, data, *, logged_in):
    """Without a token, or with another visitor's: 403 and nothing changed. With the page's: accepted."""
    if key.name in SAME_SITE_POSTS:
        return assert_same_site(client, key, form, data)
    token = form.data()["csrfmiddlewaretoken"][0]
    assert token, key

    def post(extra):
        for value in data.values():
            if hasattr(value, "seek"):  # an upload is read by each post: start it again
                value.seek(0)
        return client.post(form.action, {**data, **extra})

    before = row_counts(exclude=())
    for wrong in ({}, {"csrfmiddlewaretoken": OTHER_TOKEN}):
        refused = post(wrong)
        assert refused.status_code == 403, (str(key), wrong, refused.status_code)
        assert row_counts(exclude=()) == before, (str(key), "changed the database without a token")
    if logged_in:
        assert client.get("/admin/").status_code == 200, (str(key), "a refused POST logged the user out")
    accepted = post({"csrfmiddlewaretoken": token})
    check(accepted, str(key))
    assert accepted.status_code != 403, (str(key), accepted.content[:300])
    return accepted


def check_all(world, found, *, logged_in, depth=2, served_from_cache=None):
    """Check every form found, each on a fresh client like the one that found it; the forms an accepted
    POST answers with are checked in turn (`depth` levels). Keys whose page came from the page cache are
    added to `served_from_cache`."""
    checked = set()

    def visit(client, key, page_url, form, level):
        checked.add(key)
        data = form_data(world, key, form)
        response = assert_csrf(client, key, form, data, logged_in=logged_in)
        if level >= depth or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        for follow in html_forms(response.content, form.action):
            if follow.method != "post":
                continue
            for follow_key in keys_of(follow):
                if follow_key not in checked and follow_key not in found:
                    visit(client, follow_key, form.action, follow, level + 1)

    for key, (page, make_client) in sorted(found.items(), key=lambda item: str(item[0])):
        with rolled_back():
            client = make_client()
            response = client.get(page)
            assert response.status_code == 200, (str(key), page, response.status_code)
            if served_from_cache is not None and response.get("X-Catalogue-Cache") == "hit":
                served_from_cache.add(key)
            visit(client, key, page, find_form(response, page, key), 1)
    return checked


# --- The public site --------------------------------------------------------------------------------------


def visitor_client():
    """A first-time visitor: no session, so the cached copy of a page when the page cache is on."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=new_address())


def buyer_client(world):
    """A buyer with two products on the shortlist (in the session)."""
    client = visitor_client()
    session = client.session
    session[SESSION_KEY] = [world.sl.product.pk, world.qn.product.pk]
    session.save()
    return client


def public_page(path):
    return not path.startswith(("/admin/", "/static/", "/media/", "/i18n/"))


@pytest.mark.parametrize("page_cache", [False, True], ids=["uncached", "cached-pages"])
def test_every_public_form_needs_its_csrf_token(world, settings, page_cache):
    # With the page cache on, pages a visitor without a session gets come from the shared cache: their
    # shortlist buttons must work for every reader (they carry no token of anybody's).
    settings.CATALOGUE_CACHE = page_cache
    found = crawl(lambda: buyer_client(world), ["/", "/shortlist/", "/products/"], public_page)
    found.update(crawl(visitor_client, ["/", "/en/", "/products/"], public_page))
    assert {key.name for key in found} == PUBLIC_POSTS
    from_cache = set()
    checked = check_all(world, found, logged_in=False, served_from_cache=from_cache)
    assert {key.name for key in checked} == PUBLIC_POSTS
    if page_cache:  # the shortlist buttons of a first-time visitor's product list came from the cache
        assert Key("products:shortlist_add") in from_cache
    else:
        assert not from_cache


# --- The back-office --------------------------------------------------------------------------------------


def expected_admin_posts(world):
    """Every POST endpoint of the back-office a superuser reaches, from the registered ModelAdmins."""
    request = RequestFactory().get("/admin/")
    request.user = world.superuser
    keys = {Key(name) for name in ADMIN_SITE_POSTS}
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            keys.add(Key(f"{prefix}_add"))
        if model_admin.has_change_permission(request):
            keys.add(Key(f"{prefix}_change"))
        # The world's certificates list products: their entries protect them, so no delete form is shown.
        if model_admin.has_delete_permission(request) and model is not Certificate:
            keys.add(Key(f"{prefix}_delete"))
        actions = model_admin.get_actions(request)
        for action in actions:
            keys.add(Key(f"{prefix}_changelist", action))
        if not actions:  # the changelist's form is there all the same (the background jobs' list)
            keys.add(Key(f"{prefix}_changelist"))
        if "delete_selected" in actions and model is not Certificate:
            keys.add(Key(f"{prefix}_changelist", "delete_selected", confirm=True))
        if "revoke" in model_admin.get_actions(request):
            keys.add(Key(f"{prefix}_changelist", "revoke", confirm=True))
        if hasattr(model_admin, "export_action"):
            keys.add(Key(f"{prefix}_export"))
        if hasattr(model_admin, "import_action"):
            keys |= {Key(f"{prefix}_import"), Key(f"{prefix}_process_import")}
        if isinstance(model_admin, SimpleHistoryAdmin):
            keys.add(Key(f"{prefix}_simple_history"))
    return keys


def admin_page(path):
    # Not the logout (a form, found anyway), the "view on site" redirect, the JavaScript catalogue and the
    # autocomplete's JSON.
    return path.startswith("/admin/") and not path.startswith(
        ("/admin/logout/", "/admin/r/", "/admin/jsi18n/", "/admin/autocomplete/")
    )


def superuser_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.superuser)
    return client


def test_every_admin_form_needs_its_csrf_token(world):
    found = crawl(lambda: superuser_client(world), ["/admin/"], admin_page, per_name=1)
    # The login form, as a visitor sees it (a logged-in user is sent on to the index): checked below.
    assert Key("admin:login") in crawl(lambda: Client(enforce_csrf_checks=True), ["/admin/"], admin_page)
    checked = check_all(world, found, logged_in=True) | {Key("admin:login")}
    expected = expected_admin_posts(world)
    assert checked == expected, {
        "not found": sorted(str(k) for k in expected - checked),
        "not expected": sorted(str(k) for k in checked - expected),
    }


def test_the_admin_login_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/admin/login/")
    form = find_form(page, "/admin/login/", Key("admin:login"))
    data = {"username": world.superuser.username, "password": PASSWORD, "next": "/admin/"}
    accepted = assert_csrf(client, Key("admin:login"), form, data, logged_in=False)
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
