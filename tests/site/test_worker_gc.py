"""The cycle collector between requests (core/worker_gc.py), in this process and in a real gunicorn worker."""

import gc
import json
import os
import subprocess
import sys
import time
import urllib.request
import weakref
from pathlib import Path

import pytest

from core import worker_gc
from tests.workers import port

BASE_DIR = Path(__file__).resolve().parents[2]


class Node:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self):
        self.me = self


@pytest.fixture
def collector():
    """Puts back this process's collector as it was."""
    threshold, was_enabled = gc.get_threshold(), gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if not was_enabled:
        gc.disable()
    worker_gc._served = 0


def garbage_cycle():
    return weakref.ref(Node())


def test_worker_start_freezes_what_is_alive_and_waits_for_many_new_objects(collector):
    kept = Node()
    worker_gc.worker_started()
    assert gc.get_freeze_count() > 0
    assert gc.is_tracked(kept) and kept not in gc.get_objects()  # out of the collector's sight
    assert gc.get_threshold() == (worker_gc.AUTOMATIC_AFTER, 10, 10)


def test_a_request_s_cycles_are_collected_after_its_response(collector):
    worker_gc.worker_started()
    cycle = garbage_cycle()
    assert cycle() is not None  # dropped, but in a cycle: nothing freed it yet
    worker_gc.request_finished()
    assert cycle() is None


def test_what_the_first_requests_loaded_is_frozen_too(collector):
    worker_gc.worker_started()
    frozen = gc.get_freeze_count()
    loaded = [Node() for _ in range(50)]
    for _ in range(worker_gc.FREEZE_AGAIN_AFTER - 1):
        worker_gc.request_finished()
    # Nothing frozen again yet (the count may even fall: a frozen object that dies leaves it).
    not_yet = gc.get_freeze_count()
    assert not_yet < frozen + len(loaded)
    worker_gc.request_finished()
    assert gc.get_freeze_count() >= not_yet + len(loaded)


def test_old_garbage_is_collected_by_the_periodic_full_collection(collector):
    worker_gc.worker_started()
    worker_gc._served = worker_gc.FREEZE_AGAIN_AFTER  # past the second freeze
    old = Node()
    cycle = weakref.ref(old)
    gc.collect(1)  # survives into the oldest generation
    del old
    while (worker_gc._served + 1) % worker_gc.FULL_EVERY:
        worker_gc.request_finished()  # young collections only: it stays
        assert cycle() is not None
    worker_gc.request_finished()
    assert cycle() is None


def _worker_report(env_overrides, base):
    """Two requests to a gunicorn started with the project's gunicorn.conf.py: what its worker reports."""
    bind = f"127.0.0.1:{port(base)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update(GUNICORN_WORKERS="1", GUNICORN_BIND=bind, **env_overrides)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tests.site.gc_app:application"]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        reports = []
        while len(reports) < 2:
            try:
                with urllib.request.urlopen(f"http://{bind}/", timeout=5) as response:
                    reports.append(json.loads(response.read()))
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        return reports
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_gunicorn_workers_run_the_collector_between_requests():
    first, second = _worker_report({}, 8138)
    assert first["threshold"][0] == worker_gc.AUTOMATIC_AFTER
    assert first["frozen"] > 1000  # what the worker had loaded: gunicorn, the application
    assert (first["served"], second["served"]) == (0, 1)  # post_request ran after the first response


def _default_threshold():
    """CPython's own first threshold (700 up to 3.12), read from a fresh interpreter."""
    output = subprocess.check_output([sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"], text=True)
    return int(output)


def test_gunicorn_workers_keep_the_defaults_when_told_to():
    first, second = _worker_report({"GUNICORN_TUNE_GC": "0"}, 8139)
    assert first["threshold"][0] == _default_threshold()
    assert (first["frozen"], second["served"]) == (0, 0)


def test_threaded_workers_keep_the_defaults():
    """In a threaded worker a collection after one response would run inside the other threads' requests."""
    first, second = _worker_report({"GUNICORN_CMD_ARGS": "--threads 2"}, 8140)
    assert first["threshold"][0] == _default_threshold()
    assert (first["frozen"], second["served"]) == (0, 0)
