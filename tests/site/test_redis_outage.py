"""A Redis that refuses connections, or accepts them and never answers (real sockets, no mocks), takes
down neither the back-office nor the enquiry form: sessions fall back to the database, and the circuit
breaker (core/redis_cache.py) makes one request pay one timeout, then skips Redis for a while."""

import socket
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core import redis_cache
from tests import factories as f
from tests.trade.trade_world import build_trade_world, buyer_data, enquiry_url, new_address
from tests.workers import worker_index
from trade.models import Enquiry

pytestmark = pytest.mark.django_db
TIMEOUT = 0.25
GENEROUS = 2.0  # a bound on what one request may take, far above the 0.25 s timeout it is about


class HungServer:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def refused_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connections are refused
    return port


def use_redis(settings, url, breaker_seconds=30.0):
    options = {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT}
    backend = {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": url, "OPTIONS": options}
    settings.CACHES = {"default": backend, "catalogue": {**backend, "KEY_PREFIX": "ocop"}}
    settings.SESSION_ENGINE = "core.sessions"
    settings.CATALOGUE_CACHE = True
    settings.CACHE_BREAKER_SECONDS = breaker_seconds
    redis_cache.reset_breakers()


@pytest.fixture
def hung(settings):
    server = HungServer()
    use_redis(settings, f"redis://127.0.0.1:{server.port}/12")
    yield server
    server.close()
    redis_cache.reset_breakers()


@pytest.fixture
def refused(settings):
    use_redis(settings, f"redis://127.0.0.1:{refused_port()}/12")
    yield
    redis_cache.reset_breakers()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def staff_visit_and_enquiry():
    """The back-office and the enquiry flow, end to end; each request's duration."""
    world = build_trade_world()
    staff = get_user_model().objects.create_superuser("quantri_redis", "q@example.org", None)
    admin = Client()
    admin.force_login(staff)
    durations = []
    for url in ("/admin/", reverse("admin:products_product_changelist"), reverse("admin:trade_enquiry_changelist")):
        response, took = timed(lambda url=url: admin.get(url))
        assert response.status_code == 200, url
        durations.append(took)
    buyer = Client(REMOTE_ADDR=new_address())
    for call in (
        lambda: buyer.get(enquiry_url(world.sl_producer)),
        lambda: buyer.post(enquiry_url(world.sl_producer), buyer_data()),
        lambda: buyer.get(reverse("products:enquiry_sent")),
        lambda: buyer.get(world.tea.get_absolute_url()),
    ):
        response, took = timed(call)
        assert response.status_code in (200, 302)
        durations.append(took)
    enquiry = Enquiry.objects.get()
    page = buyer.get(reverse("products:enquiry_sent"))
    assert enquiry.reference in page.content.decode(), "the confirmation page answers once the enquiry is stored"
    return durations


def test_redis_refusing_connections(refused):
    durations = staff_visit_and_enquiry()
    assert max(durations) < GENEROUS


def test_redis_that_accepts_and_never_answers(hung):
    durations = staff_visit_and_enquiry()
    assert max(durations) < GENEROUS
    # One request paid the timeout and opened the breaker; nobody went back to the hung server.
    assert len(hung.accepted) == 1, len(hung.accepted)
    assert sum(took >= TIMEOUT for took in durations) <= 1


def test_the_breaker_tries_again_after_its_pause(settings, hung):
    settings.CACHE_BREAKER_SECONDS = 0.3
    client = Client()
    product = f.product()
    client.get(product.get_absolute_url())
    assert len(hung.accepted) == 1
    time.sleep(0.4)
    client.get(product.get_absolute_url())
    assert len(hung.accepted) == 2


def test_a_redis_that_answers_again_closes_the_breaker(settings):
    port = refused_port()
    use_redis(settings, f"redis://127.0.0.1:{port}/12", breaker_seconds=0.2)
    product = f.product()
    client = Client()
    assert "X-Catalogue-Cache" not in client.get(product.get_absolute_url())
    breaker = redis_cache.breaker_for(f"redis://127.0.0.1:{port}/12")
    assert breaker.trips >= 1
    # Redis is back (the machine's own, in a database of this suite's): after the pause, pages are cached again.
    use_redis(settings, f"redis://127.0.0.1:6379/{12 + worker_index() % 4}", breaker_seconds=0.2)
    from django.core.cache import caches

    caches["catalogue"].clear()
    assert client.get(product.get_absolute_url())["X-Catalogue-Cache"] == "miss"
    assert client.get(product.get_absolute_url())["X-Catalogue-Cache"] == "hit"
