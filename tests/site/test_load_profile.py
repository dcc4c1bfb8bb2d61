"""scripts/load_profile.py: the per-process CPU reading and the report of py-spy's samples. The load itself
(gunicorn, wrk, PostgreSQL at 100,000 products) is run by hand: README, "Under load, where the CPU goes"."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import load_profile  # scripts/ is not a package: imported from the folder added above

SAMPLES = """\
process 1:"g";run (gunicorn/app/base.py:72);product_detail (products/views.py:250);render (django/shortcuts.py:18) 30
process 1:"g";run (gunicorn/app/base.py:72);product_detail (products/views.py:251);_published (products/views.py:90) 10
process 2:"g";run (gunicorn/app/base.py:72);product_list (products/views.py:40);render (django/shortcuts.py:18) 40
process 2:"g";run (gunicorn/app/base.py:72);select (selectors.py:415) 20
"""


def test_the_report_gives_each_frame_its_share_of_the_samples(tmp_path, capsys):
    spy = tmp_path / "spy.txt"
    spy.write_text(SAMPLES)
    load_profile.frames_report(spy, top=10)
    out = capsys.readouterr().out
    assert "100 samples" in out
    # Line numbers dropped: the two product_detail lines are one frame (40 of 100 samples).
    assert "40.0 %  product_detail (products/views.py)" in out
    assert "70.0 %  render (django/shortcuts.py)" in out
    assert "40.0 %  product_list (products/views.py)" in out
    assert "selectors" not in out and "gunicorn/app" not in out  # neither the project's nor a shown layer


def test_the_cpu_of_this_process_is_counted_and_grows():
    before = load_profile.cpu_by_process()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    after = load_profile.cpu_by_process()
    mine = str(os.getpid())
    assert after[mine][1] - before[mine][1] >= 0.2
    spent = load_profile.spent_by_kind(before, after)
    assert spent[after[mine][0]] >= 0.2
    assert set(spent) <= {"gunicorn", "postgres", "redis", "wrk", "other"}


def test_processes_that_start_count_whole_and_those_that_end_are_left_out():
    before = {"1": ("postgres", 5.0), "2": ("gunicorn", 1.0)}
    after = {"2": ("gunicorn", 3.5), "3": ("postgres", 0.75)}
    assert load_profile.spent_by_kind(before, after) == {"gunicorn": 2.5, "postgres": 0.75}


def test_the_measured_run_requests_no_path_the_warm_up_did():
    """A page built during the warm-up may still be cached: measuring it again would count hits as the long
    tail (earlier figures of the steady state did, by replaying the warm-up's own paths)."""
    paths = [f"/p/{n}/" for n in range(20_000)] * 3  # a uniform schedule: each path once per pass
    warm = 6_000
    requested = load_profile.bench_longtail.requested_paths(paths, warm)
    assert len(requested) == warm  # thread 0 from the start, thread 1 from 7,919: no overlap yet
    unseen = load_profile.unseen_paths(paths, warm)
    assert not requested & set(unseen)
    assert len(set(unseen)) == 20_000 - warm
    # The order kept: thread 0 asked for paths 1 to 3,000 (wrk's counter moves before its first request).
    assert unseen[:3] == ["/p/0/", "/p/3001/", "/p/3002/"]
