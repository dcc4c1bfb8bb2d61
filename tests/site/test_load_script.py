"""`make load` (scripts/load_test.py, scripts/load.lua): the page set it builds from a live database answers
as it expects, the schedule follows the weights, the Lua script counts statuses per group, and the verdict
fails what it should. The load itself (100,000 products, 60 s) is run by hand: README, "Load test"."""

import http.server
import shutil
import sys
import threading
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import load_test  # scripts/ is not a package: imported from the folder added above


@pytest.mark.django_db
def test_every_path_of_the_page_set_answers_as_expected(client):
    call_command("seed_synthetic", "--products", "60", "--no-progress", verbosity=0)
    sets = load_test.page_set(load_test.live_data(samples=40))
    assert set(sets) == set(load_test.WEIGHTS)
    for group, paths in sets.items():
        expected = load_test.EXPECTED.get(group, {200})
        if group == "static":
            continue  # served by WhiteNoise from collected files, which tests do not collect
        for path in paths[:: max(1, len(paths) // 8)]:  # up to ~8 of each group, spread over its shapes
            if path == "/healthz":
                continue  # answers 503 inside a test transaction; tests/site/test_health.py covers it
            response = client.get(path)
            assert response.status_code in expected, (group, path, response.status_code)
            if group.startswith("verify-"):
                found = "Tìm thấy" in response.content.decode()
                assert found == (group == "verify-found"), path
    assert all(path.startswith("/static/") for path in sets["static"])
    assert len(sets["product"]) >= 40


def test_the_schedule_follows_the_weights_and_uses_every_path():
    sets = {group: [f"/{group}/{i}" for i in range(3)] for group in load_test.WEIGHTS}
    entries = load_test.schedule(sets, length=2000)
    shares = Counter(group for group, _path in entries)
    total = sum(load_test.WEIGHTS.values())
    for group, weight in load_test.WEIGHTS.items():
        assert shares[group] == round(2000 * weight / total)
    assert {path for _group, path in entries} == {p for paths in sets.values() for p in paths}
    assert entries[:50] != sorted(entries[:50])  # interleaved, not group after group


def test_status_classes_separate_intended_from_unintended():
    counts = {
        "product": {"200": 90, "500": 1, "302": 2},
        "not-found": {"404": 5, "200": 1},
        "redirect": {"301": 4},
        "unattributed": {"400": 1},
    }
    classes = load_test.status_classes(counts)
    assert classes["totals"] == {"2xx": 91, "3xx": 6, "4xx": 6, "5xx": 1, "other": 0}
    assert classes["intended_non_2xx"] == 9  # the 404s and 301s the page set asks for
    assert classes["unintended_non_2xx"] == 5  # 500, the two 302s, a 200 where a 404 belongs, the 400
    assert classes["groups"]["not-found"]["unintended"] == {"200": 1}
    wrk = {"errors": {"connect": 0, "read": 0, "write": 0, "timeout": 2, "status": 0}}
    problems = load_test.verdict(wrk, classes, {"failed": []})
    assert len(problems) == 3 and "5xx" in problems[0] and "timeouts" in problems[2]
    clean = load_test.status_classes({"home": {"200": 10}, "not-found": {"404": 2}})
    assert load_test.verdict(dict(wrk, errors=dict(wrk["errors"], timeout=0)), clean, {"failed": []}) == []


def test_rss_report_judges_growth_between_the_halves():
    samples = [(t, {1: 80.0 + (t > 4) * 0.5, 2: 80.0 + t * 5, 3: 80.0}) for t in range(0, 10, 2)]
    samples[-1] = (10, {1: 80.5, 2: 130.0, 4: 70.0})  # worker 3 replaced by 4
    report = load_test.rss_report(samples, limit_mib=20)
    assert report["failed"] == [2]
    assert report["replaced"] == [3, 4]
    assert report["workers"]["1"]["growth_mib"] == 0.5
    assert report["workers"]["2"]["whole_run"] is True
    assert report["workers"]["2"]["start"] == 80.0 and report["workers"]["2"]["end"] == 130.0


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers like the site: echoes X-Request-ID; /missing is a 404, /boom a 500, anything else a 200."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = {"/missing": 404, "/boom": 500}.get(urllib.parse.urlsplit(self.path).path, 200)
        body = b"ok"
        self.send_response(status)
        self.send_header("X-Request-ID", self.headers.get("X-Request-ID", "none"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_lua_script_counts_statuses_per_group(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        paths = tmp_path / "paths.txt"
        load_test.write_schedule([("home", "/"), ("not-found", "/missing"), ("product", "/boom")], paths)
        result, _text = load_test.run_wrk(
            load_test.LUA_SCRIPT,
            server.server_address[1],
            duration=1,
            connections=2,
            threads=2,
            env={"LOAD_PATHS": str(paths)},
        )
    finally:
        server.shutdown()
        server.server_close()
    groups = result["groups"]
    assert set(groups) == {"home", "not-found", "product"}
    assert set(groups["home"]) == {"200"} and set(groups["not-found"]) == {"404"} and set(groups["product"]) == {"500"}
    assert sum(n for statuses in groups.values() for n in statuses.values()) == result["requests"] > 0
    classes = load_test.status_classes(groups)
    assert classes["intended_non_2xx"] == groups["not-found"]["404"]
    assert classes["totals"]["5xx"] == groups["product"]["500"]
