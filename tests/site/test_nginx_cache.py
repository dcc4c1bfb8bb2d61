"""deploy/nginx.conf.sample for real: Debian's nginx with the sample (scripts/nginx_sample.py) in front of
`make serve` (scripts/serve.sh, gunicorn, production settings). An anonymous page is stored once and then
served by nginx without reaching the app; campaign tags share the canonical copy; a staff session is never
served from the cache nor stored in it; the admin is never cached; gzip for HTML, JSON and CSV; 304s."""

import gzip
import re
import subprocess
import sys
import time

import pytest

from core.filters import SILENTLY_IGNORED
from tests import workers
from tests.site.prodserver import BASE_DIR, ProdServer, http_request, production_env

sys.path.insert(0, str(BASE_DIR / "scripts"))

import bench_longtail  # scripts/ is not a package: imported from the folder added above
import nginx_sample

pytestmark = pytest.mark.skipif(not nginx_sample.available(), reason="nginx is not installed")

APP_PORT = workers.port(8116)
NGINX_PORT = workers.port(8117)
STAFF = ("nhanvien", "mat-khau-thu-nghiem-9f3a")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("nginx-app")
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_LOG_JSON="1",
        # Copies that stay fresh for the whole module, however slow the machine: "HIT" means served by nginx.
        DJANGO_CATALOGUE_HTTP_MAX_AGE="600",
        DJANGO_CATALOGUE_HTTP_NATIONAL_MAX_AGE="600",
    )
    manage = [str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py"]
    # The data first, then the server: its background worker polls the same SQLite file every second,
    # and on a loaded machine a seed writing beside it could wait past SQLite's lock timeout.
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "seed_synthetic", "--products", "30", "--no-progress"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", STAFF[0], "--email", "nv@example.gov.vn"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": STAFF[1]},
        check=True,
    )
    server = ProdServer(APP_PORT, env, tmp_path / "logs").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def proxy(app, tmp_path_factory):
    nginx = nginx_sample.Nginx(NGINX_PORT, APP_PORT, tmp_path_factory.mktemp("nginx")).start()
    yield nginx
    nginx.stop()


def fetch(path, headers=None, method="GET", body=None):
    return http_request(NGINX_PORT, method, path, headers, body)


def app_saw(app, path):
    """How many requests for `path` (with its query) reached the app: its access lines (written before it
    answers, so complete once the answer has arrived; read a few times against buffering)."""
    counts = []
    for _ in range(3):
        counts.append(sum(1 for line in app.access_lines() if line["path"] == path))
        time.sleep(0.05)
    return max(counts)


def without_tokens(body):
    """A page without its CSRF tokens, which differ between two visitors of an uncached page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)


def staff_cookie(app):
    """Logs in through nginx as staff would (the admin's login form): the session cookie's header."""
    login = fetch("/admin/login/")
    cookies = dict(re.findall(r"(csrftoken)=([^;]+)", " ".join(login.headers.get_all("Set-Cookie") or [])))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    form = f"username={STAFF[0]}&password={STAFF[1]}&csrfmiddlewaretoken={token}&next=/admin/"
    answer = fetch(
        "/admin/login/",
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}"},
    )
    assert answer.status == 302, answer.text[:500]
    [session] = re.findall(r"sessionid=([^;]+)", " ".join(answer.headers.get_all("Set-Cookie")))
    return f"sessionid={session}; csrftoken={cookies['csrftoken']}"


def test_the_sample_passes_nginx_t(proxy):
    code, said = proxy.check()
    assert code == 0, said
    assert "[warn]" not in said and "[emerg]" not in said, said


def test_nginx_drops_the_tags_the_app_ignores_and_no_others():
    sample = nginx_sample.SAMPLE.read_text(encoding="utf-8")
    [tags] = set(re.findall(r"\(\?:\^\|&\)\(\?:([^)]*)\)=", sample))
    nginx_drops = re.compile(f"^(?:{tags})$")
    names = ["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "mc_cid", "mc_eid", "utm_", "UTM_SOURCE"]
    names += ["q", "page", "province", "stars", "sort", "group", "category", "cert", "producer_kind", "xutm_source"]
    for name in names:
        assert bool(nginx_drops.match(name)) == bool(SILENTLY_IGNORED.match(name)), name


def test_an_anonymous_page_is_served_the_second_time_by_nginx_alone(app, proxy):
    for path in ("/products/?stars=3", "/"):
        first = fetch(path)
        assert first.status == 200
        assert first.headers["X-Cache-Status"] == "MISS"
        assert "public" in first.headers["Cache-Control"]
        assert app_saw(app, path) == 1
        again = fetch(path)
        assert again.headers["X-Cache-Status"] == "HIT"
        assert again.body == first.body
        assert app_saw(app, path) == 1, "the second request reached the app"
    # nginx's own log says which answers needed no app (what `make bench --long-tail` counts).
    *_, miss, hit = proxy.access_log.read_text().splitlines()
    assert miss.endswith(f" upstream=127.0.0.1:{APP_PORT}") and hit.endswith(" upstream=-")
    assert bench_longtail.served_by_nginx(proxy.access_log) > 0


def test_campaign_tags_share_the_canonical_copy(app, proxy):
    assert fetch("/products/?stars=4").headers["X-Cache-Status"] == "MISS"
    for tagged in ("/products/?stars=4&utm_source=zalo&utm_medium=social", "/products/?fbclid=IwAR0x&stars=4"):
        assert fetch(tagged).headers["X-Cache-Status"] == "HIT", tagged
    assert app_saw(app, "/products/?stars=4") == 1
    assert not [line for line in app.access_lines() if "utm_" in line["path"] or "fbclid" in line["path"]]


def test_a_staff_session_is_never_served_from_the_cache_nor_stored_in_it(app, proxy):
    cookie = staff_cookie(app)
    path = "/products/?stars=5"
    for n in (1, 2):
        answer = fetch(path, headers={"Cookie": cookie})
        assert answer.status == 200
        assert answer.headers["X-Cache-Status"] == "BYPASS"
        assert "public" not in answer.headers.get("Cache-Control", "")
        assert app_saw(app, path) == n, "each staff request reaches the app"
    # What staff were answered was not stored: the first anonymous visitor is a miss.
    assert fetch(path).headers["X-Cache-Status"] == "MISS"
    assert app_saw(app, path) == 3
    # A page already cached for visitors is not what staff get either.
    assert fetch(path).headers["X-Cache-Status"] == "HIT"
    assert fetch(path, headers={"Cookie": cookie}).headers["X-Cache-Status"] == "BYPASS"
    assert app_saw(app, path) == 4
    for _ in (1, 2):
        admin = fetch("/admin/", headers={"Cookie": cookie})
        assert admin.status == 200 and "X-Cache-Status" not in admin.headers
    assert app_saw(app, "/admin/") == 2


def test_the_admin_is_never_cached(app, proxy):
    for _ in (1, 2):
        login = fetch("/admin/login/?next=/admin/")
        assert login.status == 200 and "X-Cache-Status" not in login.headers
    assert app_saw(app, "/admin/login/?next=/admin/") == 2


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/products/", "text/html"), ("/api/products/", "application/json"), ("/products/export.csv", "text/csv")],
)
def test_html_json_and_csv_are_gzipped(proxy, path, content_type):
    zipped = fetch(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.status == 200
    assert zipped.headers["Content-Type"].startswith(content_type)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in ", ".join(zipped.headers.get_all("Vary"))
    plain = fetch(path)
    assert "Content-Encoding" not in plain.headers
    assert without_tokens(gzip.decompress(zipped.body)) == without_tokens(plain.body)
    assert len(zipped.body) < len(plain.body) / 2


def test_if_none_match_gives_a_304_through_nginx(app, proxy):
    path = "/products/?sort=name&stars=3"  # canonical: the app logs it so
    first = fetch(path)
    etag = first.headers["ETag"]
    assert first.status == 200 and etag
    again = fetch(path, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert app_saw(app, path) == 1, "nginx answered the conditional request from its copy"
    # A gzipping client holds the weak form of the tag (nginx weakens it when it compresses).
    zipped = fetch(path, headers={"Accept-Encoding": "gzip"})
    assert fetch(path, headers={"If-None-Match": zipped.headers["ETag"], "Accept-Encoding": "gzip"}).status == 304
    assert fetch(path, headers={"If-None-Match": '"something-else"'}).status == 200
