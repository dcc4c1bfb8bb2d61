"""Browser fixtures shared by every end-to-end test: a live server and a real Chromium via Playwright.

Fixtures
    chromium_executable  path of the browser (env CHROMIUM_PATH, default /usr/bin/chromium); every test
                         that uses a browser is skipped, and only then, when it does not exist
    browser              a Playwright Chromium, one per test (started after the test database)
    browser_page         factory: browser_page(width=1280, height=900) -> a new Page; closed after the test
    live_url             the live server's base URL (pytest-django's `live_server`)
    screenshot           screenshot(page, name) writes var/screenshots/<name>.png (full page) and returns the path

A test that uses `live_url` gets a transactional database that pytest-django empties afterwards; mark
it `@pytest.mark.django_db(transaction=True, serialized_rollback=True)` so the provinces and groups of the
data migrations are put back for the tests that follow. `e2e_db` below is that marker, ready to use:

    pytestmark = [pytest.mark.e2e, e2e_db]
"""

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

e2e_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server's threads, answering one request at a time when the test database is SQLite's.

    With SQLite the test database lives in memory, in SQLite's shared-cache mode, where a table being read
    by one connection is locked for the others, and busy_timeout does not wait for such locks. Each request
    thread of the live server opens its own connection to it (pytest-django starts the server before the
    test database exists, so it does not hand the threads the test's connection), and two requests at once
    trip over each other: a browser asking for /favicon.ico while it loaded an admin list made the list fail
    with "database table is locked: django_session" (a 503 page, an empty list, a failed test in CI).
    Each response is read to the end inside the lock, since a streamed export still reads the database
    while it is sent. PostgreSQL's requests run side by side, as in production. The lock does not cover the
    test's own queries: a test reads the database once the page it waits for has loaded.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.serialise = any(connection.vendor == "sqlite" for connection in connections.all())
        self.lock = threading.Lock()

    def set_app(self, application):
        if not self.serialise:
            return super().set_app(application)

        def one_at_a_time(environ, start_response):
            with self.lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeServer


@pytest.fixture(scope="session")
def chromium_executable():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.skip(f"No Chromium at {path} (set CHROMIUM_PATH)")
    return path


@pytest.fixture
def browser(chromium_executable, transactional_db):
    # One browser per test, started after the test database: while Playwright's event loop runs,
    # Django hands this thread a second connection object, and the serialized copy of the
    # migrations' rows that serialized_rollback restores from lives on the first one.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser):
    contexts = []

    def open_page(width=1280, height=900, locale="vi-VN"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def live_url(live_server):
    return live_server.url


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
