"""Logs: one line per request with a request id (the caller's when sane, echoed back), plain or JSON;
errors logged with the request id and path, never shown to the visitor."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

from ocop_catalogue.log import sane_request_id
from ocop_catalogue.urls import urlpatterns as site_urlpatterns

BASE_DIR = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"[0-9a-f]{32}")


def boom(request):
    raise RuntimeError("the view failed on purpose")


urlpatterns = [path("boom/", boom), *site_urlpatterns]


@pytest.fixture
def request_records():
    """The records of the per-request logger (which does not propagate: it writes to stdout itself)."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect()
    request_logger = logging.getLogger("ocop_catalogue.request")
    request_logger.addHandler(handler)
    yield records
    request_logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_id_is_generated_and_echoed(client):
    response = client.get("/")
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert client.get("/")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.parametrize("given", ["abc-123", "3f2b0c1e-9d7a-4c55-b1de-1a2b3c4d5e6f", "lb.01:req_42"])
def test_a_sane_request_id_from_the_proxy_is_kept(client, given):
    assert client.get("/robots.txt", headers={"X-Request-ID": given})["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    ["", " ", "a" * 129, "has space", "new\nline GET / 200", "<script>", "-leading-dash", "ünicode", 'quote"d'],
)
def test_an_unsafe_request_id_is_replaced(client, given):
    echoed = client.get("/robots.txt", headers={"X-Request-ID": given})["X-Request-ID"]
    assert GENERATED.fullmatch(echoed)
    assert sane_request_id(given) != given


@pytest.mark.django_db
def test_exactly_one_line_per_request(client, request_records, caplog):
    with caplog.at_level(logging.INFO):
        ok = client.get("/", headers={"X-Request-ID": "home-1"})
        missing = client.get("/khong-co-trang-nay/", headers={"X-Request-ID": "missing-1"})
    assert ok.status_code == 200
    assert missing.status_code == 404
    assert [(r.request_id, r.method, r.path, r.status) for r in request_records] == [
        ("home-1", "GET", "/", 200),
        ("missing-1", "GET", "/khong-co-trang-nay/", 404),
    ]
    assert request_records[0].getMessage().startswith("GET / 200 ")
    assert request_records[0].bytes == len(ok.content)
    assert request_records[0].duration_ms >= 0
    # Django's own "Not Found" warning would be a second line for the same request.
    assert not [r for r in caplog.records if r.name == "django.request"]


def run_requests(json_lines):
    """Real logging configuration in a fresh process: three requests, stdout and stderr as written."""
    script = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "ocop_catalogue.settings.base"
django.setup()
from django.test import Client
from django.test.utils import override_settings
client = Client(raise_request_exception=False)
with override_settings(ROOT_URLCONF="tests.site.test_logging"):
    for url, rid in (("/robots.txt", "rid-ok"), ("/nowhere/", "rid-404"), ("/boom/", "rid-500")):
        response = client.get(url, headers={"X-Request-ID": rid})
        print("RESPONSE", response.status_code, response["X-Request-ID"], "Traceback" in response.content.decode())
    # A scanner calling by IP address: refused with a 400, logged once (the access line), not as an error.
    response = client.get("/robots.txt", headers={"X-Request-ID": "rid-400"}, HTTP_HOST="203.0.113.9")
    print("RESPONSE", response.status_code, response["X-Request-ID"], "Traceback" in response.content.decode())
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DJANGO_TESTING="1", DJANGO_DEBUG="0", DJANGO_LOG_JSON="1" if json_lines else "0")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), result.stderr.splitlines()


def test_json_lines():
    stdout, stderr = run_requests(json_lines=True)
    responses = [line.split() for line in stdout if line.startswith("RESPONSE")]
    assert responses == [
        ["RESPONSE", "200", "rid-ok", "False"],
        ["RESPONSE", "404", "rid-404", "False"],
        ["RESPONSE", "500", "rid-500", "False"],
        ["RESPONSE", "400", "rid-400", "False"],
    ]
    access = [json.loads(line) for line in stdout if line.startswith("{")]
    assert [(a["request_id"], a["method"], a["path"], a["status"]) for a in access] == [
        ("rid-ok", "GET", "/robots.txt", 200),
        ("rid-404", "GET", "/nowhere/", 404),
        ("rid-500", "GET", "/boom/", 500),
        ("rid-400", "GET", "/robots.txt", 400),
    ]
    for line in access:
        assert line["logger"] == "ocop_catalogue.request"
        assert {"time", "level", "message", "duration_ms", "bytes", "remote_addr"} <= line.keys()
    # The error itself: on stderr, with the request id, the path and the traceback (which the visitor
    # did not get: "False" above). Nothing else: no "Not Found" line for the 404, no "Invalid HTTP_HOST"
    # report for the 400.
    errors = [json.loads(line) for line in stderr if line.startswith("{")]
    assert len(errors) == 1, stderr
    assert "Invalid HTTP_HOST" not in "\n".join(stderr)
    [error] = errors
    assert error["level"] == "ERROR"
    assert error["logger"] == "django.request"
    assert error["request_id"] == "rid-500"
    assert "/boom/" in error["message"]
    assert "RuntimeError: the view failed on purpose" in error["exc_info"]


def test_plain_lines():
    stdout, stderr = run_requests(json_lines=False)
    access = [line for line in stdout if "ocop_catalogue.request" in line]
    assert len(access) == 4
    assert re.search(r" INFO ocop_catalogue\.request \[rid-ok\] GET /robots\.txt 200 [\d.]+ms \d+B$", access[0])
    assert re.search(r" INFO ocop_catalogue\.request \[rid-404\] GET /nowhere/ 404 ", access[1])
    assert re.search(r" ERROR ocop_catalogue\.request \[rid-500\] GET /boom/ 500 ", access[2])
    error_text = "\n".join(stderr)
    assert re.search(r" ERROR django\.request \[rid-500\] Internal Server Error: /boom/", error_text)
    assert "Traceback" in error_text
    assert "Invalid HTTP_HOST" not in error_text
    assert re.search(r" INFO ocop_catalogue\.request \[rid-400\] GET /robots\.txt 400 ", access[3])
